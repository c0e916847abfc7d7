package zpl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeCode128(t *testing.T) {
	cases := []struct {
		data    string
		fnc1    bool
		fd      string
		symbols int
	}{
		{"00340065441234567893", true, ">;>800340065441234567893", 12},
		{"A-03-2-05", false, ">:A-03-2-05", 10},
		{"LPN00012345", false, ">:LPN>500012345", 9},                   // odd digit run: the 0 stays in B
		{"1726033110L2024-117", true, ">;>81726033110>6L2024-117", 17}, // FNC1 start, C for the AIs, B for the lot
		{"10A1\x1d17260331", true, ">;>810>6A1>8>517260331", 12},       // FNC1 separator after the variable-length AI 10
		{"a>b", false, ">:a><b", 4},
		{"1", false, ">:1", 2},
		{"12", false, ">;12", 2},
	}
	for _, tc := range cases {
		t.Run(tc.data, func(t *testing.T) {
			c := encodeCode128(tc.data, tc.fnc1)
			assert.Equal(t, tc.fd, c.fd)
			assert.Equal(t, tc.symbols, c.symbols)
			data, symbols, err := decodeCode128FD(c.fd)
			require.NoError(t, err)
			want := tc.data
			if tc.fnc1 {
				want = "\x1d" + want
			}
			assert.Equal(t, want, data, "the printer reads back the data")
			assert.Equal(t, c.symbols, symbols)
			assert.Equal(t, 11*(symbols+1)+13, c.modules())
		})
	}
}

// FuzzCode128 checks that any encodable data round-trips through the ZPL
// invocation codes and never costs more than plain code set B.
func FuzzCode128(f *testing.F) {
	for _, s := range []string{"", "0", "123", "A1B22C333", "10ABC\x1d3712", "><>>", "99999999999"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data string, fnc1 bool) {
		if checkCode128Data(strings.ReplaceAll(data, "\x1d", "")) != "" {
			return // GS is FNC1 here, as in GS1 element strings
		}
		c := encodeCode128(data, fnc1)
		got, symbols, err := decodeCode128FD(c.fd)
		require.NoError(t, err)
		want := data
		if fnc1 {
			want = "\x1d" + data
		}
		require.Equal(t, want, got)
		require.Equal(t, c.symbols, symbols)
		require.LessOrEqual(t, c.symbols, 1+len(want), "never longer than all of it in set B")
		require.False(t, strings.ContainsAny(c.fd, "^~"))
	})
}
