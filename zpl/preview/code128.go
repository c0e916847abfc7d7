package preview

import "fmt"

// Code 128 symbol patterns: widths of bar, space, bar, space, bar, space in
// modules for values 0–105, then the stop pattern (ISO/IEC 15417, table 1).
// The preview encodes Code 128 itself rather than through an encoder
// library because ZPL fixes the subsets (start codes and >5 >6 >7 shifts
// in the data); an encoder that optimises on its own would draw a bar code
// of another width than the printer prints.
var c128Patterns = [...]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

// Code 128 symbol values with a meaning of their own.
const (
	c128Shift  = 98
	c128CodeC  = 99
	c128CodeB  = 100 // FNC4 in subset B
	c128CodeA  = 101 // FNC4 in subset A
	c128FNC1   = 102
	c128StartA = 103
	c128StartB = 104
	c128StartC = 105
	c128Stop   = 106
)

type c128Set byte

const (
	setA c128Set = 'A'
	setB c128Set = 'B'
	setC c128Set = 'C'
)

// c128Value is the symbol value of byte c in subset A or B, or -1.
func c128Value(set c128Set, c byte) int {
	switch {
	case set == setA && c < 32:
		return int(c) + 64
	case set == setA && c < 96, set == setB && c >= 32 && c < 128:
		return int(c) - 32
	}
	return -1
}

// c128Symbol is an encoded Code 128: symbol values from the start code up
// to (not including) the check symbol, and the interpretation line text.
type c128Symbol struct {
	values []int
	text   string
	warns  []string
}

func (s *c128Symbol) warnf(format string, a ...any) {
	s.warns = append(s.warns, fmt.Sprintf(format, a...))
}

// modules returns the bars (true) and spaces of the whole symbol,
// including the mod-103 check symbol and the stop pattern.
func (s *c128Symbol) modules() []bool {
	sum := s.values[0]
	for i, v := range s.values[1:] {
		sum += (i + 1) * v
	}
	var out []bool
	for _, v := range append(append([]int{}, s.values...), sum%103, c128Stop) {
		bar := true
		for _, w := range c128Patterns[v] {
			for range w - '0' {
				out = append(out, bar)
			}
			bar = !bar
		}
	}
	return out
}

// encodeC128Manual encodes ^BC data in mode N: the subsets are the ones
// the data names (>9 start A, >: start B, >; start C; default B), and the
// invocation codes >0–>8 insert their symbol values.
func encodeC128Manual(data []byte) *c128Symbol {
	s := &c128Symbol{}
	set, start := setB, c128StartB
	if len(data) >= 2 && data[0] == '>' {
		switch data[1] {
		case '9':
			set, start, data = setA, c128StartA, data[2:]
		case ':':
			set, start, data = setB, c128StartB, data[2:]
		case ';':
			set, start, data = setC, c128StartC, data[2:]
		}
	}
	s.values = []int{start}
	shifted := false // the next A/B character is in the other subset
	var text []byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '>' && i+1 < len(data) {
			i++
			v, next := c128Invocation(set, data[i])
			if v < 0 {
				s.warnf("invocation >%c is not valid in subset %c; ignored", data[i], set)
				continue
			}
			if v < 96 { // a data character (>< >0 >= >1)
				text = append(text, byte(v+32))
			}
			s.values = append(s.values, v)
			shifted = v == c128Shift
			set = next
			continue
		}
		if set == setC {
			// Digit pairs. A non-digit first is ignored; a non-digit second
			// spoils the pair (ZPL II guide, ^BC subsets A and C).
			if !isDigit(c) {
				continue
			}
			if i+1 >= len(data) || data[i+1] == '>' {
				s.warnf("unpaired digit %c in subset C ignored", c)
				continue
			}
			i++
			if !isDigit(data[i]) {
				continue
			}
			s.values = append(s.values, int(c-'0')*10+int(data[i]-'0'))
			text = append(text, c, data[i])
			continue
		}
		use := set
		if shifted {
			use = otherSet(set)
			shifted = false
		}
		v := c128Value(use, c)
		if v < 0 {
			s.warnf("byte 0x%02X cannot be encoded in Code 128 subset %c; skipped", c, use)
			continue
		}
		s.values = append(s.values, v)
		text = append(text, c)
	}
	s.text = string(text)
	return s
}

// c128Invocation is the symbol value of invocation >x in set, and the set
// in force after it; -1 if x is no invocation code there. Start codes
// (>9 >: >;) are valid only at the start of the data. Values from the ZPL
// II guide's table "Code 128 Invocation Characters": >< is 62 ('^' in
// subsets A and B), >0 is 30 ('>'), >= is 94 ('~' in subset B).
func c128Invocation(set c128Set, x byte) (int, c128Set) {
	switch {
	case x == '<' && set != setC:
		return 62, set
	case x == '0' && set != setC:
		return 30, set
	case x == '=' && set != setC:
		return 94, set
	case x >= '1' && x <= '4' && set != setC:
		return 95 + int(x-'1'), set
	case x == '5' && set != setC:
		return c128CodeC, setC
	case x == '6' && set == setB:
		return c128CodeB, set // FNC4 in subset B
	case x == '6':
		return c128CodeB, setB
	case x == '7' && set == setA:
		return c128CodeA, set // FNC4 in subset A
	case x == '7':
		return c128CodeA, setA
	case x == '8':
		return c128FNC1, set
	}
	return -1, set
}

// otherSet is the subset a SHIFT or a switch between A and B goes to.
func otherSet(set c128Set) c128Set {
	if set == setA {
		return setB
	}
	return setA
}

// switchValue is the symbol value that switches to subset A or B.
func switchValue(to c128Set) int {
	if to == setA {
		return c128CodeA
	}
	return c128CodeB
}

// c128FNC1Item marks FNC1 in the item lists of the automatic encoder.
const c128FNC1Item = -1

// encodeC128Auto encodes a list of bytes and FNC1 marks (c128FNC1Item)
// choosing subsets as ZPL's automatic mode does: runs of four or more
// digits go to subset C, control characters to A, everything else to B.
func encodeC128Auto(items []int) *c128Symbol {
	s := &c128Symbol{}
	digitRun := func(i int) int {
		n := 0
		for i+n < len(items) && items[i+n] >= '0' && items[i+n] <= '9' {
			n++
		}
		return n
	}
	first := 0
	for first < len(items) && items[first] == c128FNC1Item {
		first++
	}
	var set c128Set
	if n := digitRun(first); n >= 4 || (n >= 2 && n%2 == 0 && first+n == len(items)) {
		set = setC
		s.values = []int{c128StartC}
	} else if first < len(items) && items[first] < 32 {
		set = setA
		s.values = []int{c128StartA}
	} else {
		set = setB
		s.values = []int{c128StartB}
	}
	var text []byte
	for i := 0; i < len(items); i++ {
		c := items[i]
		if c == c128FNC1Item {
			s.values = append(s.values, c128FNC1)
			continue
		}
		if set == setC {
			if digitRun(i) >= 2 {
				s.values = append(s.values, (c-'0')*10+items[i+1]-'0')
				text = append(text, byte(c), byte(items[i+1]))
				i++
				continue
			}
			set = setB
			if c < 32 {
				set = setA
			}
			s.values = append(s.values, switchValue(set))
		} else if n := digitRun(i); n >= 4 && n%2 == 0 {
			set = setC
			s.values = append(s.values, c128CodeC)
			i--
			continue
		}
		if c128Value(set, byte(c)) < 0 && c < 128 {
			set = otherSet(set)
			s.values = append(s.values, switchValue(set))
		}
		v := c128Value(set, byte(c))
		if c >= 128 || v < 0 {
			s.warnf("byte 0x%02X cannot be encoded in Code 128; skipped", c)
			continue
		}
		s.values = append(s.values, v)
		text = append(text, byte(c))
	}
	s.text = string(text)
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
