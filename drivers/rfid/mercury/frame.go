package mercury

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Frame layout (ThingMagic/JADAK embedded module serial protocol):
//
//	host → module: FF | len | opcode | data[len]               | CRC-16 (2)
//	module → host: FF | len | opcode | status (2) | data[len]  | CRC-16 (2)
//
// len counts data only. The CRC covers everything after the FF header.
const header = 0xFF

// Opcodes used here.
const (
	OpGetVersion        = 0x03
	OpReadTagMultiple   = 0x22 // also the opcode of continuous-read records
	OpMultiProtocolTag  = 0x2F // wraps 0x22 to start/stop continuous reading
	OpSetAntennaPort    = 0x91
	OpSetReadTxPower    = 0x92
	OpSetTagProtocol    = 0x93
	OpSetRegion         = 0x97
	OpSetReaderOptional = 0x9A
)

// Status words of interest.
const (
	StatusOK           = 0x0000
	StatusNoTagsFound  = 0x0400 // continuous mode heartbeat: a cycle found no tag
	StatusTempThrottle = 0x0504 // module too hot: read rate reduced
)

// CRC returns the module's CRC-16: polynomial 0x1021, register preset to
// 0xFFFF, message bits shifted in without augmentation. This is not the
// common CRC-16/CCITT-FALSE: the Mercury API computes it nibble-wise from a
// 16-entry table (serial_reader_l3.c), which is equivalent to this bitwise
// form; see crc_test.go for vectors from module transport logs.
func CRC(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		for bit := 7; bit >= 0; bit-- {
			top := crc & 0x8000
			crc = crc<<1 | uint16(c>>bit&1)
			if top != 0 {
				crc ^= 0x1021
			}
		}
	}
	return crc
}

// Command encodes a host → module frame.
func Command(op byte, data []byte) []byte {
	b := make([]byte, 0, len(data)+5)
	b = append(b, header, byte(len(data)), op)
	b = append(b, data...)
	return binary.BigEndian.AppendUint16(b, CRC(b[1:]))
}

// Reply encodes a module → host frame (used by the simulator and tests).
func Reply(op byte, status uint16, data []byte) []byte {
	b := make([]byte, 0, len(data)+7)
	b = append(b, header, byte(len(data)), op)
	b = binary.BigEndian.AppendUint16(b, status)
	b = append(b, data...)
	return binary.BigEndian.AppendUint16(b, CRC(b[1:]))
}

// Frame is a decoded frame; Status is zero for host → module frames.
type Frame struct {
	Op     byte
	Status uint16
	Data   []byte
}

// ErrCRC is reported (wrapped) by Decoder for a frame whose CRC is wrong.
var ErrCRC = errors.New("frame CRC mismatch")

// Decoder splits a byte stream into frames, resynchronising on the next FF
// after garbage or a corrupt frame. Replies selects module → host frames
// (with a status word); otherwise it decodes host → module commands.
type Decoder struct {
	Replies bool
	buf     []byte
}

// Write appends received bytes.
func (d *Decoder) Write(p []byte) { d.buf = append(d.buf, p...) }

// Next returns the next complete frame. ok is false when more bytes are
// needed. Bytes dropped while searching for a valid frame are counted in
// skipped, and err describes why (garbage or ErrCRC); a frame may still be
// returned along with them.
func (d *Decoder) Next() (f Frame, ok bool, skipped int, err error) {
	overhead := 5
	if d.Replies {
		overhead = 7
	}
	for {
		i := 0
		for i < len(d.buf) && d.buf[i] != header {
			i++
		}
		if i > 0 {
			skipped += i
			err = fmt.Errorf("%d bytes of garbage before frame header", skipped)
			d.consume(i)
		}
		if len(d.buf) < 2 || len(d.buf) < int(d.buf[1])+overhead {
			// A stray FF with a large "length" would hold back the real
			// frames behind it until that many bytes arrived: give up on
			// it as soon as a valid frame is complete further on.
			j := d.validFrameAfterStart(overhead)
			if j < 0 {
				return Frame{}, false, skipped, err
			}
			skipped += j
			err = fmt.Errorf("%d bytes of garbage before frame header", skipped)
			d.consume(j)
			continue
		}
		n := int(d.buf[1]) + overhead
		raw := d.buf[:n]
		if !validAt(raw, overhead) {
			// Not a frame after all (or a corrupt one): drop this FF only,
			// a real frame may start inside what looked like its body.
			skipped++
			err = fmt.Errorf("opcode 0x%02X: %w", raw[2], ErrCRC)
			d.consume(1)
			continue
		}
		f = Frame{Op: raw[2]}
		body := raw[3 : n-2]
		if d.Replies {
			f.Status = binary.BigEndian.Uint16(body)
			body = body[2:]
		}
		f.Data = append([]byte(nil), body...)
		d.consume(n)
		return f, true, skipped, err
	}
}

// validFrameAfterStart returns the offset of the first complete frame with
// a valid CRC after offset 0, or -1.
func (d *Decoder) validFrameAfterStart(overhead int) int {
	for j := 1; j < len(d.buf); j++ {
		if d.buf[j] == header && validAt(d.buf[j:], overhead) {
			return j
		}
	}
	return -1
}

// validAt reports whether b starts with a complete frame whose CRC is right.
func validAt(b []byte, overhead int) bool {
	if len(b) < 2 || len(b) < int(b[1])+overhead {
		return false
	}
	n := int(b[1]) + overhead
	return CRC(b[1:n-2]) == binary.BigEndian.Uint16(b[n-2:n])
}

func (d *Decoder) consume(n int) {
	d.buf = append(d.buf[:0], d.buf[n:]...)
}
