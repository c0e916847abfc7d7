package gs1

import "strings"

// ParseHRI parses the bracketed human-readable form of GS1 data, as printed
// under a barcode and typed in by hand: "(01)09501101530003(17)250630(10)AB1".
// Spaces around an AI's data are ignored. A value runs until the next "(AI)"
// of a known AI; write "\(" for a literal "(" that would otherwise be read as
// the start of the next AI. All checks of ParseElementString apply.
func ParseHRI(s string) ([]Element, error) {
	elems, err := parseHRI(s, false)
	if err != nil {
		return nil, err
	}
	return elems, nil
}

// looksHRI reports whether s starts like bracketed HRI: "(" + digits + ")".
func looksHRI(s string) bool {
	_, n := hriAI(s)
	return n > 0
}

// hriAI reads "(nn)", "(nnn)" or "(nnnn)" at the start of s; n is its length,
// 0 if s does not start with one.
func hriAI(s string) (ai string, n int) {
	if len(s) < 4 || s[0] != '(' {
		return "", 0
	}
	end := strings.IndexByte(s[:min(len(s), 6)], ')')
	if end < 3 || !allDigits(s[1:end]) {
		return "", 0
	}
	return s[1:end], end + 1
}

func parseHRI(s string, skipReq bool) ([]Element, *Error) {
	d := table()
	var elems []Element
	var starts []int
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) {
		return nil, errorf("", i, "no GS1 data")
	}
	for i < len(s) {
		ai, n := hriAI(s[i:])
		if n == 0 {
			return nil, errorf("", i, "expected \"(AI)\", found %s", quoteByte(s[i]))
		}
		def := d.lookup(ai)
		if def == nil {
			return nil, errorf(ai, i, "unknown Application Identifier")
		}
		start := i
		i += n
		var value []byte
		var at []int // offset in s of each byte of value, and of its end
		for i < len(s) {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '(' {
				value, at = append(value, '('), append(at, i)
				i += 2
				continue
			}
			if next, m := hriAI(s[i:]); m > 0 && d.lookup(next) != nil {
				break
			}
			value, at = append(value, s[i]), append(at, i)
			i++
		}
		at = append(at, i)
		lead := len(value) - len(strings.TrimLeft(string(value), " "))
		v := strings.Trim(string(value), " ")
		if err := checkValue(def, v, 0); err != nil {
			err.Pos = at[lead+err.Pos] // from the value back to the typed text
			return nil, err
		}
		elems = append(elems, Element{AI: ai, Value: v})
		starts = append(starts, start)
	}
	if err := checkAll(elems, starts, skipReq); err != nil {
		return nil, err
	}
	return elems, nil
}

// HRI renders elements in bracketed human-readable form, e.g.
// "(00)095011015300000004(10)LOT1", as printed under a barcode. Values are
// not escaped.
func HRI(elems []Element) string {
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(e.Value)
	}
	return b.String()
}
