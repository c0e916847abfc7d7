package zpl

import (
	"fmt"
	"strings"
)

// A reference reading of ZPL Code 128 field data, written from the two
// standards and sharing nothing with the encoder: the ZPL II Programming
// Guide (^BC, table "Code 128 Invocation Characters", and the rules for
// subsets A and C in the text beside it) turns ^FD data into symbol values,
// and the symbol character table of ISO/IEC 15417 (table 1) turns symbol
// values into data.

// Symbol values with a meaning of their own (ISO/IEC 15417, table 1).
const (
	refDEL    = 95 // subset B; USQ in subset A
	refFNC3   = 96
	refFNC2   = 97
	refShift  = 98
	refCodeC  = 99
	refCodeB  = 100 // FNC4 in subset B
	refCodeA  = 101 // FNC4 in subset A
	refFNC1   = 102
	refStartA = 103
	refStartB = 104
	refStartC = 105
	refStop   = 106
)

// refSetB is the subset B column of ISO/IEC 15417 table 1 for values 0–94:
// the character at index v is the one symbol value v stands for.
const refSetB = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

// refInvocation is the ZPL II guide's table "Code 128 Invocation
// Characters": the symbol value of each invocation code per subset; absent
// means the code has no meaning there. Start codes are only valid first.
var refInvocation = map[string]map[byte]int{
	"><": {'A': 62, 'B': 62},
	">0": {'A': 30, 'B': 30},
	">=": {'A': 94, 'B': 94},
	">1": {'A': 95, 'B': 95},
	">2": {'A': 96, 'B': 96},
	">3": {'A': 97, 'B': 97},
	">4": {'A': 98, 'B': 98},
	">5": {'A': 99, 'B': 99},
	">6": {'A': 100, 'B': 100, 'C': 100},
	">7": {'A': 101, 'B': 101, 'C': 101},
	">8": {'A': 102, 'B': 102, 'C': 102},
}

var refStart = map[string]struct {
	value int
	set   byte
}{">9": {refStartA, 'A'}, ">:": {refStartB, 'B'}, ">;": {refStartC, 'C'}}

// refFDValues expands mode N ^FD data into symbol values as the guide
// describes: an optional start code (default subset B), invocation codes,
// subset C as digit pairs. It covers what our labels may use (subsets B and
// C) and refuses anything else rather than guess.
func refFDValues(fd string) ([]int, error) {
	set := byte('B')
	values := []int{refStartB}
	if len(fd) >= 2 {
		if st, ok := refStart[fd[:2]]; ok {
			if st.set == 'A' {
				return nil, fmt.Errorf("subset A is not used by our labels: %q", fd)
			}
			set, values, fd = st.set, []int{st.value}, fd[2:]
		}
	}
	for i := 0; i < len(fd); {
		if fd[i] == '>' {
			if i+1 >= len(fd) {
				return nil, fmt.Errorf("dangling > at %d in %q", i, fd)
			}
			v, ok := refInvocation[fd[i:i+2]][set]
			if !ok {
				return nil, fmt.Errorf("invocation %s has no meaning in subset %c (at %d in %q)", fd[i:i+2], set, i, fd)
			}
			values = append(values, v)
			switch {
			case v == refCodeC:
				set = 'C'
			case v == refCodeB && set == 'C':
				set = 'B'
			case v == refCodeA && set != 'A', v == refShift:
				return nil, fmt.Errorf("subset A is not used by our labels: %q", fd)
			}
			i += 2
			continue
		}
		if set == 'C' {
			// The guide ignores a non-digit in a pair; our encoder must never
			// rely on that, so it is an error here.
			if i+1 >= len(fd) || !isDigit(fd[i]) || !isDigit(fd[i+1]) {
				return nil, fmt.Errorf("subset C needs a digit pair at %d in %q", i, fd)
			}
			values = append(values, int(fd[i]-'0')*10+int(fd[i+1]-'0'))
			i += 2
			continue
		}
		v := strings.IndexByte(refSetB, fd[i])
		if v < 0 || fd[i] == '^' || fd[i] == '~' {
			return nil, fmt.Errorf("byte %q cannot stand for itself in ^FD data (at %d in %q)", fd[i], i, fd)
		}
		values = append(values, v)
		i++
	}
	return values, nil
}

// refCheck is the symbol check character: the start value plus each
// following value times its position, modulo 103 (ISO/IEC 15417, 4.3.4).
func refCheck(values []int) int {
	sum := values[0]
	for i, v := range values[1:] {
		sum += (i + 1) * v
	}
	return sum % 103
}

// refData turns symbol values (start code first, no check or stop) into the
// data they carry in subsets B and C, FNC1 as GS.
func refData(values []int) (string, error) {
	var set byte
	switch values[0] {
	case refStartB:
		set = 'B'
	case refStartC:
		set = 'C'
	default:
		return "", fmt.Errorf("start value %d is not start B or C", values[0])
	}
	var b strings.Builder
	for _, v := range values[1:] {
		switch {
		case v == refFNC1:
			b.WriteByte(gs)
		case v == refCodeC && set == 'B':
			set = 'C'
		case v == refCodeB && set == 'C':
			set = 'B'
		case set == 'C' && v < 100:
			fmt.Fprintf(&b, "%02d", v)
		case set == 'B' && v < len(refSetB):
			b.WriteByte(refSetB[v])
		default:
			return "", fmt.Errorf("symbol value %d is not data in subset %c", v, set)
		}
	}
	return b.String(), nil
}

// decodeCode128FD reads ^FD data as a printer would: the encoded data (FNC1
// as GS) and the number of symbol characters including the start code.
func decodeCode128FD(fd string) (string, int, error) {
	values, err := refFDValues(fd)
	if err != nil {
		return "", 0, err
	}
	data, err := refData(values)
	return data, len(values), err
}
