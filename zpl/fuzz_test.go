package zpl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRender feeds arbitrary text into the fields of the SSCC pallet label.
// Render either refuses the data or returns exactly one label format whose
// fields are all intact, with the text printed exactly as given (control
// characters as spaces).
func FuzzRender(f *testing.F) {
	r, err := NewRegistry("")
	require.NoError(f, err)
	f.Add("Coca-Cola", "L1", "A-03-2-05")
	f.Add("可口可乐 330ml", "LOT_1", "仓库 A")
	f.Add("^XZ^XA~JA", "^FS", "~DGR:X")
	f.Add("back\\&slash\\", "a>b", "_5E_7E")
	f.Add("\x00\x10\r\n\xff", "\x1d", "\u0085")
	f.Fuzz(func(t *testing.T, item, lot, putaway string) {
		data := map[string]string{"sscc": "340065441234567893", "item": item, "lot": lot, "putaway": putaway}
		out, err := r.Render("sscc-pallet", data, Options{})
		if err != nil {
			require.Empty(t, out)
			return
		}
		fields := checkLabel(t, out)
		var printed []string
		for _, fd := range fields {
			if !fd.fh {
				continue
			}
			s, err := unescapeFH(fd.content, fd.block)
			require.NoError(t, err, "field %q", fd.line)
			printed = append(printed, s)
		}
		for _, v := range []string{item, lot, putaway} {
			if v != "" {
				require.Contains(t, printed, strings.Map(controlToSpace, v), "printed text:\n%s", out)
			}
		}
	})
}
