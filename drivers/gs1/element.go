package gs1

import "strings"

// GS is the ASCII group separator that scanners send for FNC1 inside GS1
// data.
const GS = 0x1D

// Element is one AI and its data.
type Element struct {
	AI    string
	Value string
}

// ParseElementString parses a GS1 element string: AIs and their data, the
// data of AIs without pre-defined length ended by GS (0x1D) or opt.FNC1 when
// not last. A leading FNC1 (some scanners send the symbol's first FNC1) is
// skipped, and so is a GS after a pre-defined length AI or at the very end.
// Every value and the rules across AIs are checked; the first problem is
// returned as an *Error.
func ParseElementString(s string, opt Options) ([]Element, error) {
	s = opt.normaliseFNC1(s)
	elems, err := parseElements(s, opt.SkipRequired)
	if err != nil {
		return nil, err
	}
	return elems, nil
}

// parseElements parses an element string whose separators are already GS.
func parseElements(s string, skipReq bool) ([]Element, *Error) {
	d := table()
	var elems []Element
	var starts []int
	i := 0
	if i < len(s) && s[i] == GS {
		i++
	}
	if i == len(s) {
		return nil, errorf("", i, "no GS1 data")
	}
	for i < len(s) {
		if s[i] == GS {
			return nil, errorf("", i, "two GS separators in a row (empty element)")
		}
		def := d.prefix(s[i:])
		if def == nil {
			return nil, unknownAI(s, i)
		}
		start := i
		i += len(def.ai)
		var end int
		if def.fnc1 {
			end = strings.IndexByte(s[i:], GS)
			if end < 0 {
				end = len(s)
			} else {
				end += i
			}
		} else {
			end = min(i+def.maxLen, len(s))
			if gs := strings.IndexByte(s[i:end], GS); gs >= 0 {
				end = i + gs // checkValue reports it as too short
			}
		}
		if err := checkValue(def, s[i:end], i); err != nil {
			return nil, err
		}
		elems = append(elems, Element{AI: def.ai, Value: s[i:end]})
		starts = append(starts, start)
		i = end
		if i < len(s) && s[i] == GS {
			i++
		}
	}
	if err := checkAll(elems, starts, skipReq); err != nil {
		return nil, err
	}
	return elems, nil
}

// unknownAI explains why no AI could be read at s[i:].
func unknownAI(s string, i int) *Error {
	n := 0
	for n < 4 && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		n++
	}
	switch {
	case i+n == len(s) && n < 4:
		return errorf("", i, "data ends inside an Application Identifier (%q)", s[i:])
	case n < 2:
		return errorf("", i+n, "expected an Application Identifier (digits), found %s", quoteByte(s[i+n]))
	}
	return errorf("", i, "unknown Application Identifier: data starts %q", s[i:i+n])
}

// requiresSeparator reports whether a GS must follow the AI when more data
// follows. Unknown AIs get one: it never hurts.
func requiresSeparator(ai string) bool {
	def := table().lookup(ai)
	return def == nil || def.fnc1
}

// ElementString encodes elements as a GS1 element string, with a GS after
// each AI without pre-defined length that is not last. It does not validate;
// use Validate for that.
func ElementString(elems []Element) string {
	var b strings.Builder
	for i, e := range elems {
		b.WriteString(e.AI)
		b.WriteString(e.Value)
		if i < len(elems)-1 && requiresSeparator(e.AI) {
			b.WriteByte(GS)
		}
	}
	return b.String()
}
