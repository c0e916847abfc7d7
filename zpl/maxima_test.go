package zpl

import (
	"fmt"
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
// together with all others: no declared value is refused for lack of room.
func TestDeclaredMaximaPrint(t *testing.T) {
	r := newTestRegistry(t)
	for _, name := range r.Names() {
		fields, err := r.Fields(name)
		require.NoError(t, err)
		data := map[string]string{}
		for _, f := range fields {
			if f.Kind == KindCode {
				require.Positive(t, f.Max, "%s: code field %s declares no maximum", name, f.Name)
			}
			switch {
			case f.Kind != KindText || f.Max > 0:
				data[f.Name] = widest(f)
			case f.Required:
				data[f.Name] = "张伟"
			}
		}
		for _, dpi := range []int{203, 300, 600} {
			t.Run(fmt.Sprintf("%s/%d", name, dpi), func(t *testing.T) {
				out, err := r.Render(name, data, Options{DPI: dpi})
				require.NoError(t, err)
				checkLabel(t, out)
				// One character more is refused by the declared maximum, not
				// by the layout.
				for _, f := range fields {
					if f.Max == 0 {
						continue
					}
					more := map[string]string{}
					for k, v := range data {
						more[k] = v
					}
					more[f.Name] = widest(f) + string([]rune(widest(f))[:1])
					_, err := r.Render(name, more, Options{DPI: dpi})
					errs := fieldErrors(t, err)
					require.Len(t, errs, 1)
					assert.Equal(t, f.Name, errs[0].Field)
					assert.Contains(t, errs[0].Reason, fmt.Sprintf("longer than %d characters", f.Max))
				}
			})
		}
	}
}
