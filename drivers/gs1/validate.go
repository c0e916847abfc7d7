package gs1

import (
	"fmt"
	"strings"
)

// checkValue validates one AI's data field against its dictionary format.
// pos is the field's offset in the input, used for error positions.
func checkValue(def *aiDef, value string, pos int) *Error {
	if len(value) == 0 {
		return errorf(def.ai, pos, "no data after the AI")
	}
	if len(value) < def.minLen { // Pos: where the value ended
		if def.minLen == def.maxLen {
			return errorf(def.ai, pos+len(value), "data is %d characters, needs exactly %d", len(value), def.maxLen)
		}
		return errorf(def.ai, pos+len(value), "data is %d characters, needs at least %d", len(value), def.minLen)
	}
	if len(value) > def.maxLen { // Pos: the first character too many
		hint := ""
		if def.fnc1 {
			hint = " (GS separator missing after this AI?)"
		}
		return errorf(def.ai, pos+def.maxLen, "data is %d characters, at most %d allowed%s", len(value), def.maxLen, hint)
	}
	off := 0
	for _, c := range def.components {
		rest := len(value) - off
		if rest == 0 && c.optional {
			break
		}
		n := c.max
		if c.min != c.max {
			n = rest // only the last component has variable length
		}
		if rest < n {
			return errorf(def.ai, pos+off, "data ends after %d characters inside a %d-character part", len(value), n)
		}
		part := value[off : off+n]
		if i, ok := badChar(c.cset, part); !ok {
			return errorf(def.ai, pos+off+i, "character %s is not allowed in %s", quoteByte(part[i]), csetName(c.cset))
		}
		if c.cset == csetZ {
			if f := lintBase64Padding(part); f != nil {
				return errorf(def.ai, pos+off+f.off, "%s", f.reason)
			}
		}
		for _, name := range c.linters {
			if lint := linters[name]; lint != nil {
				if f := lint(part); f != nil {
					return errorf(def.ai, pos+off+f.off, "%s", f.reason)
				}
			}
		}
		off += n
	}
	return nil
}

// badChar returns the index of the first character outside the set.
func badChar(cset byte, s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if !inCset(cset, s[i]) {
			return i, false
		}
	}
	return 0, true
}

func inCset(cset byte, c byte) bool {
	switch cset {
	case csetNumeric:
		return c >= '0' && c <= '9'
	case csetX:
		return isAlnum(c) || strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
	case csetY:
		return isUpperAlnum(c) || c == '#' || c == '-' || c == '/'
	case csetZ:
		return isAlnum(c) || c == '-' || c == '_' || c == '='
	}
	return false
}

func csetName(cset byte) string {
	switch cset {
	case csetNumeric:
		return "numeric data (digits 0-9 only)"
	case csetX:
		return "GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)"
	case csetY:
		return "GS1 character set 39 (0-9, A-Z, #, -, /)"
	case csetZ:
		return "GS1 character set 64 (base64url: A-Z, a-z, 0-9, -, _ and = padding)"
	}
	return fmt.Sprintf("unknown character set %c", cset)
}

// lintBase64Padding: at most two trailing '=', and with padding the length
// is a multiple of 3.
func lintBase64Padding(v string) *lintFail {
	body := strings.TrimRight(v, "=")
	pads := len(v) - len(body)
	if i := strings.IndexByte(body, '='); i >= 0 {
		return fail(i, "'=' is only allowed as padding at the end")
	}
	if pads > 2 || (pads > 0 && len(v)%3 != 0) { // the rule of GS1's reference linter (cset64)
		return fail(len(body), "bad base64 padding")
	}
	return nil
}

// checkAll applies the rules that span the whole element string: an AI
// repeated with different data, mutually exclusive AIs (ex=) and, unless
// skipReq, required pairings (req=). pos holds each element's offset, or is
// nil when unknown. The pair rules run over distinct AIs (at most the
// dictionary's size), so long inputs with many repeats stay linear.
func checkAll(elems []Element, pos []int, skipReq bool) *Error {
	at := func(i int) int {
		if pos == nil {
			return -1
		}
		return pos[i]
	}
	first := make(map[string]int, len(elems))
	var distinct []int // index of each AI's first occurrence, in scan order
	for i, e := range elems {
		j, seen := first[e.AI]
		if !seen {
			first[e.AI] = i
			distinct = append(distinct, i)
			continue
		}
		if elems[j].Value != e.Value {
			return errorf(e.AI, at(i), "AI appears twice with different data (%q and %q)", elems[j].Value, e.Value)
		}
	}
	d := table()
	for _, i := range distinct {
		def := d.lookup(elems[i].AI)
		if def == nil {
			continue
		}
		for _, p := range def.ex {
			for _, j := range distinct {
				if elems[j].AI != elems[i].AI && matchAI(p, elems[j].AI) {
					a, b := min(i, j), max(i, j)
					return errorf(elems[b].AI, at(b), "AI (%s) and AI (%s) must not appear together", elems[a].AI, elems[b].AI)
				}
			}
		}
	}
	if skipReq {
		return nil
	}
	for _, i := range distinct {
		def := d.lookup(elems[i].AI)
		if def == nil {
			continue
		}
		for _, alts := range def.req {
			if !anySatisfied(alts, first) {
				return errorf(elems[i].AI, at(i), "requires %s in the same data", describeAlternatives(alts))
			}
		}
	}
	return nil
}

// anySatisfied reports whether every pattern of at least one alternative is
// matched by a present AI.
func anySatisfied(alts [][]string, present map[string]int) bool {
	for _, alt := range alts {
		all := true
		for _, p := range alt {
			if !matchAny(p, present) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// matchAny reports whether a pattern such as "31nn" matches a present AI.
func matchAny(pattern string, present map[string]int) bool {
	if _, ok := present[pattern]; ok {
		return true
	}
	if strings.IndexByte(pattern, 'n') < 0 {
		return false
	}
	for ai := range present {
		if matchAI(pattern, ai) {
			return true
		}
	}
	return false
}

// describeAlternatives renders [[01 21] [02]] as "AI (01)+(21) or (02)".
func describeAlternatives(alts [][]string) string {
	parts := make([]string, len(alts))
	for i, alt := range alts {
		parts[i] = "(" + strings.Join(alt, ")+(") + ")"
	}
	if len(parts) == 1 {
		return "AI " + parts[0]
	}
	return "one of AI " + strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Validate checks elements built outside a scan, or several scans of one
// label combined: every AI known, every value valid, no AI repeated with
// different data, no exclusive AIs together, every required pairing present.
// Error positions are -1: the elements have no source text.
func Validate(elems []Element) error {
	d := table()
	for _, e := range elems {
		def := d.lookup(e.AI)
		if def == nil {
			return errorf(e.AI, -1, "unknown Application Identifier")
		}
		if err := checkValue(def, e.Value, -1); err != nil {
			err.Pos = -1
			return err
		}
	}
	if err := checkAll(elems, nil, false); err != nil {
		return err
	}
	return nil
}
