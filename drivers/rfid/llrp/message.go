package llrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MessageType is the 10-bit LLRP message type; the types are listed with
// their layouts in schema.go.
type MessageType uint16

func (t MessageType) String() string {
	if d, ok := messageByType[uint16(t)]; ok {
		return d.name
	}
	return fmt.Sprintf("MessageType(%d)", uint16(t))
}

// Protocol versions carried in the message header.
const (
	Version101 = 1 // LLRP 1.0.1
	Version11  = 2 // LLRP 1.1
)

// HeaderLen is the size of the message header: 3 reserved bits, 3 bits
// version, 10 bits type, 32 bits length (header included), 32 bits message
// ID (§16.1, "Message Format").
const HeaderLen = 10

// MaxMessageLen bounds what ReadMessage accepts, so a corrupt length field
// cannot make us allocate gigabytes. Real reports stay far below.
const MaxMessageLen = 4 << 20

// Message is one LLRP message; Body holds the fields and parameters after
// the header.
type Message struct {
	Version uint8
	Type    MessageType
	ID      uint32
	Body    []byte
}

// Marshal returns the message in wire format.
func (m Message) Marshal() []byte {
	b := make([]byte, HeaderLen, HeaderLen+len(m.Body))
	binary.BigEndian.PutUint16(b, uint16(m.Version&7)<<10|uint16(m.Type)&0x3ff)
	binary.BigEndian.PutUint32(b[2:], uint32(HeaderLen+len(m.Body)))
	binary.BigEndian.PutUint32(b[6:], m.ID)
	return append(b, m.Body...)
}

// ErrFraming is wrapped by ReadMessage errors caused by bytes that cannot be
// an LLRP message header: on a TCP stream there is no way to resynchronise,
// so the caller must drop the connection.
var ErrFraming = errors.New("llrp framing error")

// ErrUnsupportedVersion is wrapped by the ReadMessage error for a well-framed
// message of a protocol version other than 1.0.1 and 1.1; the message is
// returned whole, so the receiver can answer it with ERROR_MESSAGE
// M_UnsupportedVersion as the standard asks (§16.1.35) and go on.
var ErrUnsupportedVersion = errors.New("unsupported LLRP version")

// ReadMessage reads one message from r.
func ReadMessage(r io.Reader) (Message, error) {
	var h [HeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Message{}, fmt.Errorf("read LLRP header: %w", err)
	}
	first := binary.BigEndian.Uint16(h[:])
	m := Message{Version: uint8(first>>10) & 7, Type: MessageType(first & 0x3ff), ID: binary.BigEndian.Uint32(h[6:])}
	n := binary.BigEndian.Uint32(h[2:])
	switch {
	case first>>13 != 0:
		return m, fmt.Errorf("%w: reserved bits set in header % X", ErrFraming, h)
	case n < HeaderLen || n > MaxMessageLen:
		return m, fmt.Errorf("%w: length %d in header % X", ErrFraming, n, h)
	}
	m.Body = make([]byte, n-HeaderLen)
	if _, err := io.ReadFull(r, m.Body); err != nil {
		return m, fmt.Errorf("read %s body (%d bytes): %w", m.Type, n-HeaderLen, err)
	}
	if m.Version != Version101 && m.Version != Version11 {
		return m, fmt.Errorf("%w: version %d in %s", ErrUnsupportedVersion, m.Version, m.Type)
	}
	return m, nil
}
