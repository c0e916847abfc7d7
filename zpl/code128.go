package zpl

import (
	"fmt"
)

// gs is the ASCII group separator, which stands for FNC1 in element strings
// handed to the Code 128 encoder (as in GS1 element strings).
const gs = 0x1d

// code128 is Code 128 field data in ZPL invocation-code form ("^BC" mode N):
// the start code and every code-set switch are written explicitly, so the
// printer does exactly what we measured and the preview can follow it.
type code128 struct {
	fd      string // ^FD content, e.g. ">;>800340065441234567897"
	symbols int    // symbol characters incl. start code, excl. check and stop
}

// modules is the symbol width in modules without quiet zones: 11 per symbol
// character, 11 for the check character and 13 for the stop pattern
// (ISO/IEC 15417).
func (c code128) modules() int { return 11*(c.symbols+1) + 13 }

// code128QuietModules is the quiet zone each side (ISO/IEC 15417: 10X).
const code128QuietModules = 10

// checkCode128Data says why field data s cannot go into a Code 128 or
// DataMatrix symbol, or "". We use code sets B and C only, so printable
// ASCII (space to '~'); '^', '>' and '~' are written with invocation codes
// (DataMatrix: "_dNNN" escapes), never raw. GS is refused: it would become
// an FNC1 separator.
func checkCode128Data(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return fmt.Sprintf("character %q at position %d cannot be encoded in a bar code (printable ASCII only)", rune(c), i+1)
		}
	}
	return ""
}

// code128Invocation is the ZPL II invocation code for the code set B
// characters that cannot be written as themselves in ^FD data (ZPL II
// Programming Guide, ^BC, table "Code 128 Invocation Characters"): '^' and
// '~' start ZPL commands and '>' starts an invocation code. "><" is symbol
// value 62, which is '^' in code set B — not '>'.
var code128Invocation = [256]string{'^': "><", '>': ">0", '~': ">="}

const (
	setB  = 0
	setC  = 1
	never = 1 << 30 // cost of an impossible choice
)

// encodeCode128 encodes data (field data checked with checkCode128Data, or
// a GS1 element string whose GS bytes stand for FNC1) with
// the fewest symbol characters, choosing code set B or C per stretch.
// fnc1Start puts an FNC1 right after the start code (GS1-128).
func encodeCode128(data string, fnc1Start bool) code128 {
	if fnc1Start {
		data = string(rune(gs)) + data
	}
	n := len(data)
	// stay[i][s]: fewest symbol characters for data[i:] when the character
	// at i is encoded in code set s (no switch before it). Filled backwards;
	// a switch costs one character.
	stay := make([][2]int, n+1)
	best := func(i, s int) int { return min(stay[i][s], 1+stay[i][1-s]) }
	for i := n - 1; i >= 0; i-- {
		stay[i][setB] = 1 + best(i+1, setB)
		stay[i][setC] = never
		switch {
		case data[i] == gs:
			stay[i][setC] = 1 + best(i+1, setC)
		case i+1 < n && isDigit(data[i]) && isDigit(data[i+1]):
			stay[i][setC] = 1 + best(i+2, setC)
		}
	}
	set := setB
	if n > 0 && stay[0][setC] <= stay[0][setB] {
		set = setC
	}
	buf := make([]byte, 0, n+8)
	if set == setC {
		buf = append(buf, ">;"...)
	} else {
		buf = append(buf, ">:"...)
	}
	symbols := 1
	for i := 0; i < n; {
		if other := 1 - set; stay[i][set] > 1+stay[i][other] {
			set = other
			if set == setC {
				buf = append(buf, ">5"...)
			} else {
				buf = append(buf, ">6"...)
			}
			symbols++
		}
		switch c := data[i]; {
		case c == gs:
			buf = append(buf, ">8"...)
			i++
		case set == setC:
			buf = append(buf, c, data[i+1])
			i += 2
		case code128Invocation[c] != "":
			buf = append(buf, code128Invocation[c]...)
			i++
		default:
			buf = append(buf, c)
			i++
		}
		symbols++
	}
	return code128{fd: string(buf), symbols: symbols}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
