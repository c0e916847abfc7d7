package daemon

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/drivers/scanner"
	"github.com/dockhand/dockhand/internal/wire"
)

// newScanEvent builds the event of one scanner frame, in the same shape for
// good and bad reads (docs/mqtt.md, evt/scan): the AIM identifier, whether
// the frame announced GS1, the data after the identifier, and for a bad
// read the reason and the offset in data of the offending character.
// frameErr is a framing problem the scanner driver found; without one the
// frame is parsed. The error returned says the scan is bad.
func newScanEvent(station string, role wire.Role, opt gs1.Options, frame []byte, frameErr error) (wire.Scan, error) {
	ev := wire.Scan{Envelope: newEnvelope(wire.EvtScan), Station: station, Role: role}
	var sc *gs1.Scan
	err, at := frameErr, -1
	if err != nil {
		sc = gs1.Identify(frame, opt)
		if be := (*scanner.ByteError)(nil); errors.As(err, &be) {
			// The driver counts in the frame; the event in the data after
			// the AIM identifier, like every other error position.
			at = be.Offset - (len(frame) - len(sc.Data))
			err = fmt.Errorf("at byte %d: %w: 0x%02X (wrong baud rate or line noise?)", at, scanner.ErrBinaryFrame, be.Byte)
		}
	} else {
		sc, err = gs1.ParseScan(frame, opt)
		if ge := (*gs1.Error)(nil); errors.As(err, &ge) {
			at = ge.Pos
		}
	}
	ev.Symbology, ev.GS1 = sc.Symbology, sc.GS1
	ev.Data, at = validUTF8(sc.Data, at)
	if err != nil {
		ev.Error = err.Error()
		if at >= 0 {
			ev.ErrorAt = &at
		}
		return ev, err
	}
	for _, e := range sc.Elements {
		ev.Elements = append(ev.Elements, wire.Element{AI: e.AI, Value: e.Value})
	}
	if sc.GS1 {
		ev.HRI = gs1.HRI(sc.Elements)
	}
	return ev, nil
}

// validUTF8 replaces each byte of s that is not UTF-8 (a Latin-1 scanner,
// line noise) by U+FFFD, as JSON would, and moves the offset at (-1: none)
// along, so that it still points at the same character of the data sent.
func validUTF8(s string, at int) (string, int) {
	if utf8.ValidString(s) {
		return s, at
	}
	out := make([]byte, 0, len(s)+8)
	moved := at
	for i := 0; i < len(s); {
		if i == at {
			moved = len(out)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	if at == len(s) {
		moved = len(out)
	}
	return string(out), moved
}
