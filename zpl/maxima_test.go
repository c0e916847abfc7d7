package zpl

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// widest is a value of field f at its declared maximum, made of the
// characters that take the most room: Chinese (a full em) in text, 'W' in
// codes (the widest printable ASCII, and no digit pairs for Code 128).
func widest(f Field) string {
	switch f.Kind {
	case KindText:
		return strings.Repeat("中", f.Max)
	case KindCode:
		return strings.Repeat("W", f.Max)
	case KindCount:
		return "99999999"
	case KindDate:
		return "2026-12-31"
	case KindGTIN:
		return "04006544000014"
	case KindSSCC:
		return "340065441234567893"
	}
	panic("unknown kind " + f.Kind)
}

// Every field of a built-in that declares how long it may be (all code
// fields do; free text without a maximum is limited by the label's room),
// at that length in the widest characters, prints at 203, 300 and 600 dpi
// together with all others, on every layout: no declared value is refused
// for lack of room. The one exception is data in a GS1-128 symbol of a
// logistic label (the lot): its room is the symbol's width at the
// specification's smallest X, so a layout may refuse the widest
// characters, with the GS1 rule, but must print the same length in
// digits, which Code 128 packs in pairs; and some layout of the template
// prints the widest characters too.
func TestDeclaredMaximaPrint(t *testing.T) {
	r := newTestRegistry(t)
	for _, name := range r.Names() {
		fields, err := r.Fields(name)
		require.NoError(t, err)
		widestData := map[string]string{}
		for _, f := range fields {
			if f.Kind == KindCode {
				require.Positive(t, f.Max, "%s: code field %s declares no maximum", name, f.Name)
			}
			switch {
			case f.Kind != KindText || f.Max > 0:
				widestData[f.Name] = widest(f)
			case f.Required:
				widestData[f.Name] = "张伟"
			}
		}
		layouts, err := r.Layouts(name)
		require.NoError(t, err)
		someLayoutTakesWidest := false
		for _, l := range layouts {
			for _, dpi := range []int{203, 300, 600} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, l.Profile, dpi), func(t *testing.T) {
					opt := Options{DPI: dpi, Profile: l.Profile}
					data := maps.Clone(widestData)
					out, err := r.Render(name, data, opt)
					if err == nil {
						someLayoutTakesWidest = true
					} else {
						for _, fe := range fieldErrors(t, err) {
							require.True(t, fe.tooWide, "only a GS1 logistic symbol may refuse a declared maximum: %v", fe)
							assert.Contains(t, fe.Reason, "GS1 logistic label: X at least 0.495 mm, quiet zones 10X")
							data[fe.Field] = strings.Repeat("0123456789", 10)[:fieldMax(fields, fe.Field)]
						}
						out, err = r.Render(name, data, opt)
						require.NoError(t, err, "the maximum in digits prints")
					}
					checkLabel(t, out)
					// One character more is refused by the declared maximum, not
					// by the layout.
					for _, f := range fields {
						if f.Max == 0 {
							continue
						}
						more := maps.Clone(data)
						more[f.Name] = data[f.Name] + string([]rune(data[f.Name])[:1])
						_, err := r.Render(name, more, opt)
						errs := fieldErrors(t, err)
						require.Len(t, errs, 1)
						assert.Equal(t, f.Name, errs[0].Field)
						assert.Contains(t, errs[0].Reason, fmt.Sprintf("longer than %d characters", f.Max))
					}
				})
			}
		}
		assert.True(t, someLayoutTakesWidest, "%s: no layout prints every maximum in the widest characters", name)
	}
}

func fieldMax(fields []Field, name string) int {
	for _, f := range fields {
		if f.Name == name {
			return f.Max
		}
	}
	return 0
}
