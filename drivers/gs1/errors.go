package gs1

import "fmt"

// Error is a bad scan or bad GS1 data: which AI, where, and why.
//
// Pos points at the character where the data breaks the rule: a character
// outside the AI's character set, a wrong check digit or date part; the
// first character beyond a value's maximum length; where a value ended too
// early (the GS or the end of the data, so Pos may equal the data's
// length); the first digit of an AI that is unknown, repeated with other
// data, excluded by or missing a partner AI.
type Error struct {
	AI     string // the AI concerned, "" when the problem is not tied to one AI
	Pos    int    // 0-based byte offset in the data (Scan.Data, or the HRI text) of the offending character, see below; -1 when unknown
	Reason string // what is wrong, in words a technician can act on
}

// Error gives e.g. "AI (00) at byte 2: check digit is 7, expected 3".
func (e *Error) Error() string {
	switch {
	case e.AI != "" && e.Pos >= 0:
		return fmt.Sprintf("AI (%s) at byte %d: %s", e.AI, e.Pos, e.Reason)
	case e.AI != "":
		return fmt.Sprintf("AI (%s): %s", e.AI, e.Reason)
	case e.Pos >= 0:
		return fmt.Sprintf("at byte %d: %s", e.Pos, e.Reason)
	default:
		return e.Reason
	}
}

func errorf(ai string, pos int, format string, args ...any) *Error {
	return &Error{AI: ai, Pos: pos, Reason: fmt.Sprintf(format, args...)}
}

// quoteByte shows one input byte readably: 'A', or 0x1D for control bytes.
func quoteByte(b byte) string {
	if b > ' ' && b < 0x7f {
		return fmt.Sprintf("'%c'", b)
	}
	return fmt.Sprintf("0x%02X", b)
}
