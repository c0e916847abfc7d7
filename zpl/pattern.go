package zpl

import (
	"fmt"
	"strings"
)

// A pattern is template text with field placeholders: "BATCH {lot}",
// "{expiry|yymmdd}". "{{" and "}}" stand for literal braces.
type pattern []part

type part struct {
	lit    string
	field  int // index into template fields; -1 for literal text
	yymmdd bool
}

// parsePattern resolves placeholders against the template's fields.
func parsePattern(s string, index map[string]int, fields []Field) (pattern, error) {
	var p pattern
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && strings.HasPrefix(s[i:], "{{"), c == '}' && strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed { in %q", s)
			}
			name, filter, hasFilter := strings.Cut(s[i+1:i+end], "|")
			f, ok := index[name]
			if !ok {
				return nil, fmt.Errorf("placeholder {%s} names no declared field", name)
			}
			if hasFilter && (filter != "yymmdd" || fields[f].Kind != KindDate) {
				return nil, fmt.Errorf("placeholder {%s}: filter %q unknown (only yymmdd, on date fields)", s[i+1:i+end], filter)
			}
			if lit.Len() > 0 {
				p = append(p, part{lit: lit.String(), field: -1})
				lit.Reset()
			}
			p = append(p, part{field: f, yymmdd: hasFilter})
			i += end
		case c == '}':
			return nil, fmt.Errorf("single } in %q (write }} for a brace)", s)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		p = append(p, part{lit: lit.String(), field: -1})
	}
	return p, nil
}

// expand fills in the values; ok is false when a placeholder's field is
// empty, which means the element is left off the label.
func (p pattern) expand(vals []string) (s string, ok bool) {
	if len(p) == 1 { // the common cases, without building a string
		if p[0].field < 0 {
			return p[0].lit, true
		}
		if !p[0].yymmdd {
			return vals[p[0].field], vals[p[0].field] != ""
		}
	}
	var b strings.Builder
	for _, pt := range p {
		if pt.field < 0 {
			b.WriteString(pt.lit)
			continue
		}
		v := vals[pt.field]
		if v == "" {
			return "", false
		}
		if pt.yymmdd { // normalised YYYY-MM-DD → YYMMDD
			v = v[2:4] + v[5:7] + v[8:10]
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// firstField is the field an element's data comes from, for error reports
// ("" for literal text).
func (p pattern) firstField(fields []Field) string {
	for _, pt := range p {
		if pt.field >= 0 {
			return fields[pt.field].Name
		}
	}
	return ""
}

// markUsed records which fields the pattern reads.
func (p pattern) markUsed(used []bool) {
	for _, pt := range p {
		if pt.field >= 0 {
			used[pt.field] = true
		}
	}
}
