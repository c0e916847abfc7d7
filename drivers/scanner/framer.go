package scanner

import (
	"bytes"
	"errors"
	"fmt"
)

// Frame errors, carried (wrapped, with detail) in FrameError events.
var (
	ErrFrameTooLong = errors.New("frame too long")
	ErrBinaryFrame  = errors.New("binary garbage in frame")
	ErrPartialFrame = errors.New("partial frame discarded")
)

// ByteError is a frame refused because of one byte: which, and where in
// the frame's data (prefix and suffix stripped). It wraps ErrBinaryFrame.
type ByteError struct {
	Offset int
	Byte   byte
}

func (e *ByteError) Error() string {
	return fmt.Sprintf("%v: byte 0x%02x at offset %d (wrong baud rate or line noise?)", ErrBinaryFrame, e.Byte, e.Offset)
}

func (e *ByteError) Unwrap() error { return ErrBinaryFrame }

// framer splits a byte stream into frames. It is not safe for concurrent use.
type framer struct {
	suffix      []byte
	prefix      []byte
	max         int
	allowBinary bool

	buf      []byte
	skipLF   bool // a CR suffix just ended a frame: an LF right after it belongs to it
	overflow bool // frame exceeded max: drop bytes until the next suffix
}

func newFramer(c Config) *framer {
	return &framer{suffix: c.Suffix, prefix: c.Prefix, max: c.MaxFrame, allowBinary: c.AllowBinary}
}

// feed consumes p and calls out once per complete frame (data) or framing
// problem (err, with the offending bytes in data). data is only valid during
// the call.
func (f *framer) feed(p []byte, out func(data []byte, err error)) {
	for _, b := range p {
		if f.skipLF {
			f.skipLF = false
			if b == '\n' {
				continue
			}
		}
		if f.overflow {
			if f.atSuffix(b) {
				f.overflow = false
			}
			continue
		}
		f.buf = append(f.buf, b)
		if f.complete() {
			f.emit(out)
			f.buf = f.buf[:0]
			continue
		}
		// The limit excludes prefix and suffix, which may still be arriving.
		if len(f.buf) > f.max+len(f.prefix)+len(f.suffix) {
			out(f.buf[:f.max], fmt.Errorf("%w: more than %d bytes without suffix %q; skipping to the next suffix", ErrFrameTooLong, f.max, f.suffix))
			f.buf = f.buf[:0]
			f.overflow = true
		}
	}
}

// atSuffix reports whether b ends a suffix while discarding an overlong
// frame; buf is reused as a window over the last len(suffix) bytes.
func (f *framer) atSuffix(b byte) bool {
	f.buf = append(f.buf, b)
	if len(f.buf) > len(f.suffix) {
		f.buf = f.buf[1:]
	}
	if !bytes.Equal(f.buf, f.suffix) {
		return false
	}
	f.buf = f.buf[:0]
	f.skipLF = f.isCR()
	return true
}

func (f *framer) isCR() bool { return len(f.suffix) == 1 && f.suffix[0] == '\r' }
func (f *framer) isLF() bool { return len(f.suffix) == 1 && f.suffix[0] == '\n' }

// complete reports whether buf ends with the suffix and trims it.
func (f *framer) complete() bool {
	if !bytes.HasSuffix(f.buf, f.suffix) {
		return false
	}
	f.buf = f.buf[:len(f.buf)-len(f.suffix)]
	switch {
	case f.isCR():
		f.skipLF = true
	case f.isLF():
		f.buf = bytes.TrimSuffix(f.buf, []byte{'\r'})
	}
	return true
}

func (f *framer) emit(out func([]byte, error)) {
	data := f.buf
	if len(f.prefix) > 0 {
		data = bytes.TrimPrefix(data, f.prefix)
	}
	if len(data) == 0 {
		return // stray terminator, e.g. a scanner sending CR CR
	}
	if len(data) > f.max {
		out(data[:f.max], fmt.Errorf("%w: %d bytes exceed the limit of %d", ErrFrameTooLong, len(data), f.max))
		return
	}
	if !f.allowBinary {
		for i, b := range data {
			if isGarbage(b) {
				out(data, &ByteError{Offset: i, Byte: b})
				return
			}
		}
	}
	out(data, nil)
}

// flush discards an incomplete frame (connection lost mid-frame) and reports
// it; the framer starts clean for the next connection.
func (f *framer) flush(out func([]byte, error)) {
	if len(f.buf) > 0 && !f.overflow {
		out(f.buf, fmt.Errorf("%w: connection lost after %d bytes without suffix", ErrPartialFrame, len(f.buf)))
	}
	f.buf = f.buf[:0]
	f.overflow = false
	f.skipLF = false
}

// isGarbage flags bytes that no scanner sends in barcode data. Allowed
// controls: EOT (ISO/IEC 15434 trailer), TAB, LF, CR, and FS/GS/RS/US (GS1
// and ISO/IEC 15434 separators). 0x80-0xFE stay allowed for Latin-1/UTF-8.
func isGarbage(b byte) bool {
	switch {
	case b == 0x04, b == '\t', b == '\n', b == '\r', b >= 0x1c && b <= 0x1f:
		return false
	}
	return b < 0x20 || b == 0x7f || b == 0xff
}
