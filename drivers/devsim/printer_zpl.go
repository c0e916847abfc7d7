package devsim

import (
	"bytes"
	"fmt"
)

// printerMaxFormat bounds one label format held in memory (graphics
// included); a longer one is dropped as a runaway stream.
const printerMaxFormat = 16 << 20

// zplStream splits the raw byte stream of one connection into label formats
// (^XA..^XZ, kept verbatim) and tilde commands outside formats (~HS, ~PS,
// ~PP, ~JA). Commands are matched case-insensitively; ^CC/~CC (changed
// command prefixes) are not supported.
type zplStream struct {
	buf      []byte
	inFormat bool
	scanFrom int // where to resume looking for ^XZ
}

// feed consumes p; onFormat gets each complete format, onTilde each tilde
// command name in upper case ("HS"). Both are only valid during the call.
func (z *zplStream) feed(p []byte, onFormat func([]byte), onTilde func(string)) error {
	z.buf = append(z.buf, p...)
	for {
		if z.inFormat {
			i := indexCommand(z.buf[z.scanFrom:], '^', "XZ")
			if i < 0 {
				if len(z.buf) > printerMaxFormat {
					z.reset()
					return fmt.Errorf("label format exceeds %d bytes without ^XZ; dropped", printerMaxFormat)
				}
				z.scanFrom = max(3, len(z.buf)-2) // ^XZ may straddle chunks
				return nil
			}
			end := z.scanFrom + i + 3
			onFormat(z.buf[:end])
			z.buf = z.buf[end:]
			z.inFormat = false
			continue
		}
		k := bytes.IndexAny(z.buf, "^~")
		if k < 0 {
			z.buf = z.buf[:0] // text outside formats is ignored, as by printers
			return nil
		}
		z.buf = z.buf[k:]
		if len(z.buf) < 3 {
			return nil
		}
		cmd := string(bytes.ToUpper(z.buf[1:3]))
		switch {
		case z.buf[0] == '^' && cmd == "XA":
			z.inFormat, z.scanFrom = true, 3
		case z.buf[0] == '~':
			onTilde(cmd)
			z.buf = z.buf[3:]
		default:
			z.buf = z.buf[1:]
		}
	}
}

// partial reports that a format has started but not ended.
func (z *zplStream) partial() bool { return z.inFormat }

func (z *zplStream) reset() {
	z.buf, z.inFormat, z.scanFrom = z.buf[:0], false, 0
}

// indexCommand finds prefix+name (name in upper case) case-insensitively.
func indexCommand(b []byte, prefix byte, name string) int {
	for i := 0; i+len(name) < len(b); i++ {
		if b[i] == prefix && bytes.EqualFold(b[i+1:i+1+len(name)], []byte(name)) {
			return i
		}
	}
	return -1
}
