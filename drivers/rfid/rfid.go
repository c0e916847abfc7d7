package rfid

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// Event is what a Reader emits: a Read, a Status or a GPI.
type Event interface{ rfidEvent() }

// Read is one tag observation as reported by a reader.
type Read struct {
	EPC       []byte    // EPC memory without PC and CRC words
	TID       []byte    // tag identifier memory, nil when the reader was not asked for it
	Antenna   int       // 1-based antenna port
	RSSI      float64   // peak RSSI in dBm (negative; 0 when the reader did not report it)
	FirstSeen time.Time // reader timestamp when it has one, else the time the host received it
	Reader    string    // name of the reader that made the observation
}

// EPCHex returns the EPC in upper-case hex, the form tag printers and reader
// tools show.
func (r Read) EPCHex() string { return fmt.Sprintf("%X", r.EPC) }

// State is a reader connection state.
type State int

// Reader connection states reported in Status events.
const (
	// Connected: the session is set up and inventory is running.
	Connected State = iota + 1
	// Disconnected: the session ended (Err says why); the driver retries.
	Disconnected
	// Fault: a recoverable protocol problem (corrupt frame, unexpected
	// message); the session goes on.
	Fault
)

func (s State) String() string {
	switch s {
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Fault:
		return "fault"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status reports a connection state change or a fault.
type Status struct {
	Reader string
	State  State
	At     time.Time
	Detail string // e.g. model and firmware on Connected
	Err    error  // cause of Disconnected or Fault
}

// GPI is an edge on a reader's general-purpose input (a photo-eye, a door
// contact).
type GPI struct {
	Reader string
	Port   int
	High   bool
	At     time.Time
}

func (Read) rfidEvent()   {}
func (Status) rfidEvent() {}
func (GPI) rfidEvent()    {}

// Reader is implemented by every RFID driver.
//
// Run blocks until ctx is cancelled, reconnecting on errors; it returns nil
// after a cancellation and an error only for a configuration that can never
// work. emit is called from Run's goroutine, must not block for long, and may
// keep the slices of a Read.
type Reader interface {
	Run(ctx context.Context, emit func(Event)) error
}

// ParseEPC decodes a hex EPC as printed on labels or by reader tools
// ("3074257BF7194E4000001A85"); spaces are not allowed.
func ParseEPC(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("parse EPC %q: %w", s, err)
	}
	return b, nil
}
