// Package health is the gateway's model of its devices' state: connected
// or not, since when, reads and errors, the last error and, for printers,
// the parsed ~HS condition. It knows nothing of MQTT or HTTP: the daemon
// turns its changes into evt/device events and log lines, the web page and
// /metrics read its snapshots.
//
// Drivers report through a Handle. The per-read path (Handle.Read) is two
// atomic stores, so a busy scanner pays nothing for being watched.
package health

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Device states. A device is working when Connected, or Fault (an RFID
// reader whose session goes on after a recoverable protocol problem).
const (
	Starting     = "starting"     // configured, not heard from yet
	Connected    = "connected"    // open and able to work
	Disconnected = "disconnected" // unplugged, unreachable, or cannot be opened
	Error        = "error"        // reachable but unable to work (printer: paper out, head open, ...)
	Fault        = "fault"        // RFID: recoverable protocol problem, the session goes on
)

// Printer is a printer's condition from its last ~HS answer.
type Printer struct {
	PaperOut        bool      `json:"paper_out"`
	RibbonOut       bool      `json:"ribbon_out"`
	HeadOpen        bool      `json:"head_open"`
	Paused          bool      `json:"paused"`
	BufferFull      bool      `json:"buffer_full"`
	FormatsInBuffer int       `json:"formats_in_buffer"`
	LabelsRemaining int       `json:"labels_remaining"`
	Problem         string    `json:"problem,omitempty"` // first condition that stops printing; "" when ready
	CheckedAt       time.Time `json:"checked_at"`
}

// Device is a snapshot of one device's health.
type Device struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Station     string    `json:"station"`
	State       string    `json:"state"`
	Since       time.Time `json:"since"`
	Reads       uint64    `json:"reads"`
	LastRead    time.Time `json:"last_read,omitzero"`
	Errors      uint64    `json:"errors"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Printer     *Printer  `json:"printer,omitempty"`
}

// Working reports whether the device can do its job.
func (d Device) Working() bool { return d.State == Connected || d.State == Fault }

// Change is a device's state change, with the state it left.
type Change struct {
	Device Device
	From   string
}

// Board holds the health of every configured device.
type Board struct {
	mu       sync.RWMutex
	devs     map[string]*entry
	order    []string
	onChange func(Change)
	now      func() time.Time
}

type entry struct {
	info     Device // ID, Kind, Station, State, Since, LastError*, Printer; guarded by Board.mu
	reads    atomic.Uint64
	errors   atomic.Uint64
	lastRead atomic.Int64 // unix ns; 0 = never
}

// NewBoard returns an empty board; onChange (may be nil) is called for
// every state change, outside the board's lock, from the reporting
// goroutine.
func NewBoard(onChange func(Change)) *Board {
	return &Board{devs: map[string]*entry{}, onChange: onChange, now: time.Now}
}

// Add starts tracking a device in state Starting and returns the handle
// its driver reports through. A device added again (it was replaced by a
// new configuration) starts afresh; the old handle's reports are ignored.
func (b *Board) Add(id, kind, station string) *Handle {
	e := &entry{info: Device{ID: id, Kind: kind, Station: station, State: Starting, Since: b.now()}}
	b.mu.Lock()
	if _, ok := b.devs[id]; !ok {
		b.order = append(b.order, id)
	}
	b.devs[id] = e
	b.mu.Unlock()
	return &Handle{b: b, e: e}
}

// Remove stops tracking a device; its handles go quiet.
func (b *Board) Remove(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.devs, id)
	b.order = slices.DeleteFunc(b.order, func(s string) bool { return s == id })
}

// Snapshot lists every device in the order they were first added.
func (b *Board) Snapshot() []Device {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Device, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.devs[id].snapshot())
	}
	return out
}

// Get returns one device's snapshot.
func (b *Board) Get(id string) (Device, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, ok := b.devs[id]
	if !ok {
		return Device{}, false
	}
	return e.snapshot(), true
}

// snapshot copies the entry; the caller holds the board's lock.
func (e *entry) snapshot() Device {
	d := e.info
	d.Reads, d.Errors = e.reads.Load(), e.errors.Load()
	if ns := e.lastRead.Load(); ns != 0 {
		d.LastRead = time.Unix(0, ns)
	}
	if d.Printer != nil {
		p := *d.Printer
		d.Printer = &p
	}
	return d
}

// Handle is one device's reporting channel into the board.
type Handle struct {
	b *Board
	e *entry
}

// Read counts one read (a scan, a tag) at time at.
func (h *Handle) Read(at time.Time) {
	h.e.reads.Add(1)
	h.e.lastRead.Store(at.UnixNano())
}

// Failed counts an error that does not change the state (a bad scan, a
// light that could not be switched) and keeps it as the last error.
func (h *Handle) Failed(err error) {
	h.e.errors.Add(1)
	h.b.mu.Lock()
	h.e.info.LastError, h.e.info.LastErrorAt = err.Error(), h.b.now()
	h.b.mu.Unlock()
}

// Set records the device's state; err (may be nil) says why it is not
// working and is counted. A change of state is passed to the board's
// onChange; reporting the same state again is not a change.
func (h *Handle) Set(state string, err error) { h.set(state, err, nil) }

// SetPrinter records a printer's ~HS condition with the state it leads to.
func (h *Handle) SetPrinter(state string, err error, p Printer) { h.set(state, err, &p) }

func (h *Handle) set(state string, err error, p *Printer) {
	b := h.b
	b.mu.Lock()
	if b.devs[h.e.info.ID] != h.e {
		b.mu.Unlock() // removed or replaced: a stopping driver's last words
		return
	}
	now := b.now()
	if p != nil {
		h.e.info.Printer = p
	}
	if err != nil {
		h.e.errors.Add(1)
		h.e.info.LastError, h.e.info.LastErrorAt = err.Error(), now
	}
	from := h.e.info.State
	changed := from != state
	if changed {
		h.e.info.State, h.e.info.Since = state, now
	}
	snap := h.e.snapshot()
	b.mu.Unlock()
	if changed && b.onChange != nil {
		c := Change{Device: snap, From: from}
		if err == nil {
			c.Device.LastError = "" // the change has no reason of its own
		}
		b.onChange(c)
	}
}
