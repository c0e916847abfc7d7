package zpl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reference reading itself, row by row against the ZPL II guide's table
// "Code 128 Invocation Characters" (decimal value per invocation code) and
// the subset B column of ISO/IEC 15417 table 1.
func TestReferenceReadsTheManualsTable(t *testing.T) {
	rows := []struct {
		fd     string
		values []int
	}{
		{">:><", []int{104, 62}},  // >< is value 62 — '^' in subset B, not '>'
		{">:>0", []int{104, 30}},  // >0 is value 30 — '>' in subset B
		{">:>=", []int{104, 94}},  // >= is value 94 — '~' in subset B
		{">:>1", []int{104, 95}},  // DEL in subset B
		{">:>2", []int{104, 96}},  // FNC 3
		{">:>3", []int{104, 97}},  // FNC 2
		{">:>5", []int{104, 99}},  // CODE C
		{">:>6", []int{104, 100}}, // FNC 4 in subset B
		{">:>8", []int{104, 102}}, // FNC 1
		{">;>6", []int{105, 100}}, // CODE B from subset C
		{">;>8", []int{105, 102}}, // FNC 1 in subset C
		{">;0099", []int{105, 0, 99}},
		{"AB", []int{104, 33, 34}}, // no start code: subset B
	}
	for _, r := range rows {
		got, err := refFDValues(r.fd)
		require.NoError(t, err, r.fd)
		assert.Equal(t, r.values, got, r.fd)
	}
	for _, bad := range []string{">:^", ">:~", ">;1", ">;>5", ">:>", ">9A"} {
		_, err := refFDValues(bad)
		assert.Error(t, err, "%q is not valid mode N data for our labels", bad)
	}
	// ISO/IEC 15417 table 1, subset B: value = ASCII code − 32.
	for v := 0; v < len(refSetB); v++ {
		require.Equal(t, byte(v+32), refSetB[v], "value %d", v)
	}
}

// Encoder vectors: the expected symbol values are written out from
// ISO/IEC 15417 table 1 (start B 104, start C 105, CODE B 100, CODE C 99,
// FNC1 102; subset B value = ASCII − 32; subset C value = the digit pair),
// and the encoder's ^FD is read back through the ZPL II guide's table.
func TestEncodeCode128SymbolValues(t *testing.T) {
	cases := []struct {
		data   string
		fnc1   bool
		values []int // start code first, without check character and stop
	}{
		// GS1-128 SSCC: start C, FNC1, ten digit pairs.
		{"00340065441234567893", true, []int{105, 102, 0, 34, 0, 65, 44, 12, 34, 56, 78, 93}},
		{"A-03-2-05", false, []int{104, 33, 13, 16, 19, 13, 18, 13, 16, 21}},
		// Eight digits after letters: a switch to C pays off.
		{"LPN00012345", false, []int{104, 44, 48, 46, 99, 0, 1, 23, 45}},
		// FNC1 start, C for the AIs, B for the lot.
		{"1726033110L2024-117", true, []int{105, 102, 17, 26, 3, 31, 10, 100, 44, 18, 16, 18, 20, 13, 17, 17, 23}},
		// FNC1 separator after the variable-length AI 10, back to C.
		{"10A1\x1d17260331", true, []int{105, 102, 10, 100, 33, 17, 102, 99, 17, 26, 3, 31}},
		// The characters ZPL reserves: '>' is 30, '^' is 62, '~' is 94.
		{"a>b", false, []int{104, 65, 30, 66}},
		{"^~>", false, []int{104, 62, 94, 30}},
		{"><", false, []int{104, 30, 28}},
		{`%_\ <`, false, []int{104, 5, 63, 60, 0, 28}},
		{"10>^~\x1d21X", true, []int{105, 102, 10, 100, 30, 62, 94, 102, 18, 17, 56}}, // "21X" stays in B: 3 characters either way
		{"1", false, []int{104, 17}},
		{"12", false, []int{105, 12}},
	}
	for _, tc := range cases {
		t.Run(tc.data, func(t *testing.T) {
			c := encodeCode128(tc.data, tc.fnc1)
			values, err := refFDValues(c.fd)
			require.NoError(t, err, "^FD %q", c.fd)
			assert.Equal(t, tc.values, values, "^FD %q", c.fd)
			assert.Equal(t, len(values), c.symbols)
			assert.Equal(t, 11*(len(values)+1)+13, c.modules())
			assert.NotContains(t, c.fd, "^")
			assert.NotContains(t, c.fd, "~")
		})
	}
}

// One whole symbol, check character by hand from ISO/IEC 15417 4.3.4:
// start B 104 + 1×65 ('a') + 2×30 ('>') + 3×66 ('b') = 427; 427 mod 103 = 15.
func TestCode128CheckCharacter(t *testing.T) {
	values, err := refFDValues(encodeCode128("a>b", false).fd)
	require.NoError(t, err)
	assert.Equal(t, 15, refCheck(values))
}

// Every printable ASCII character goes through the encoder into the value
// the standard gives it, and back.
func TestEncodeCode128EveryPrintableCharacter(t *testing.T) {
	for c := byte(0x20); c <= 0x7e; c++ {
		code := encodeCode128(string([]byte{'x', c, 'y'}), false)
		values, err := refFDValues(code.fd)
		require.NoError(t, err, "%q: ^FD %q", c, code.fd)
		assert.Equal(t, []int{104, 88, int(c) - 32, 89}, values, "%q: ^FD %q", c, code.fd)
	}
}

// FuzzCode128 checks that any encodable data reads back, through the
// standards' tables, as exactly the data, and never costs more than plain
// code set B.
func FuzzCode128(f *testing.F) {
	for _, s := range []string{"", "0", "123", "A1B22C333", "10ABC\x1d3712", "><>>", "^~^", "99999999999"} {
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
