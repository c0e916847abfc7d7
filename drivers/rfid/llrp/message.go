package llrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MessageType is the 10-bit LLRP message type.
type MessageType uint16

// Message types used here (LLRP 1.0.1 §16.1).
const (
	GetReaderCapabilities         MessageType = 1
	SetReaderConfig               MessageType = 3
	CloseConnectionResponse       MessageType = 4
	GetReaderCapabilitiesResponse MessageType = 11
	SetReaderConfigResponse       MessageType = 13
	CloseConnection               MessageType = 14
	AddROSpec                     MessageType = 20
	DeleteROSpec                  MessageType = 21
	StartROSpec                   MessageType = 22
	StopROSpec                    MessageType = 23
	EnableROSpec                  MessageType = 24
	AddROSpecResponse             MessageType = 30
	DeleteROSpecResponse          MessageType = 31
	StartROSpecResponse           MessageType = 32
	StopROSpecResponse            MessageType = 33
	EnableROSpecResponse          MessageType = 34
	ROAccessReport                MessageType = 61
	Keepalive                     MessageType = 62
	ReaderEventNotification       MessageType = 63
	KeepaliveAck                  MessageType = 72
	ErrorMessage                  MessageType = 100
)

var typeNames = map[MessageType]string{
	GetReaderCapabilities: "GET_READER_CAPABILITIES", SetReaderConfig: "SET_READER_CONFIG",
	CloseConnectionResponse: "CLOSE_CONNECTION_RESPONSE", GetReaderCapabilitiesResponse: "GET_READER_CAPABILITIES_RESPONSE",
	SetReaderConfigResponse: "SET_READER_CONFIG_RESPONSE", CloseConnection: "CLOSE_CONNECTION",
	AddROSpec: "ADD_ROSPEC", DeleteROSpec: "DELETE_ROSPEC", StartROSpec: "START_ROSPEC", StopROSpec: "STOP_ROSPEC",
	EnableROSpec: "ENABLE_ROSPEC", AddROSpecResponse: "ADD_ROSPEC_RESPONSE", DeleteROSpecResponse: "DELETE_ROSPEC_RESPONSE",
	StartROSpecResponse: "START_ROSPEC_RESPONSE", StopROSpecResponse: "STOP_ROSPEC_RESPONSE",
	EnableROSpecResponse: "ENABLE_ROSPEC_RESPONSE", ROAccessReport: "RO_ACCESS_REPORT", Keepalive: "KEEPALIVE",
	ReaderEventNotification: "READER_EVENT_NOTIFICATION", KeepaliveAck: "KEEPALIVE_ACK", ErrorMessage: "ERROR_MESSAGE",
}

func (t MessageType) String() string {
	if n, ok := typeNames[t]; ok {
		return n
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
	case m.Version != Version101 && m.Version != Version11:
		return m, fmt.Errorf("%w: version %d in header % X", ErrFraming, m.Version, h)
	case n < HeaderLen || n > MaxMessageLen:
		return m, fmt.Errorf("%w: length %d in header % X", ErrFraming, n, h)
	}
	m.Body = make([]byte, n-HeaderLen)
	if _, err := io.ReadFull(r, m.Body); err != nil {
		return m, fmt.Errorf("read %s body (%d bytes): %w", m.Type, n-HeaderLen, err)
	}
	return m, nil
}
