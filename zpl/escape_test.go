package zpl

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"Coca-Cola 330ml": "Coca-Cola 330ml",
		"可口可乐":            "可口可乐",
		"^XA^FO0,0":       "_5EXA_5EFO0,0",
		"~JA":             "_7EJA",
		"LOT_7":           "LOT_5F7",
		`C:\&x`:           `C:\\&x`,
		"a\nb\tc\x7f":     "a_0Ab_09c_7F",
		"bad\xffbyte":     "bad_FFbyte",
		"c1\u0085":        "c1_C2_85",
		"":                "",
	}
	for in, want := range cases {
		assert.Equal(t, want, Escape(in), "Escape(%q)", in)
	}
}

// FuzzEscape: whatever the input, the escaped form carries no ZPL command
// prefix, no control byte and only valid UTF-8, and the printer's reading
// of it (^FH hex, ^FB backslash) is exactly the input.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "^XZ^XA", "~JA~JR", "_5E", `\&\\`, "中文 ^FS", "\x00\x1f\x7f\xff", "\u0085\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		require.False(t, strings.ContainsAny(e, "^~"), "no command prefix in %q", e)
		require.True(t, utf8.ValidString(e))
		for _, r := range e {
			require.False(t, r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f, "control character %U in %q", r, e)
		}
		back, err := unescapeFH(e, true)
		require.NoError(t, err)
		require.Equal(t, s, back)
	})
}
