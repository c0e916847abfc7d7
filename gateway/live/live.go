// Package live fans the gateway's live events (scans, tag reads, device
// changes) out to whoever watches them, such as the technician page's
// event stream. Publishing never blocks: a subscriber that does not keep
// up loses events (and is told how many), so a slow browser can never
// hold up a scan.
package live

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dockhand/dockhand/internal/wire"
)

// Event is one live event; Data is read-only once published.
type Event struct {
	Type string // one of the Type constants
	Data any
}

// Hub is a set of subscribers. The zero value is ready to use.
type Hub struct {
	mu   sync.Mutex             // serialises Subscribe/Unsubscribe
	subs atomic.Pointer[[]*Sub] // copy-on-write, read lock-free by Publish
}

// Sub is one subscriber's queue.
type Sub struct {
	c       chan Event
	dropped atomic.Uint64
}

// C delivers the subscriber's events.
func (s *Sub) C() <-chan Event { return s.c }

// Dropped returns how many events were lost since the last call because
// the queue was full, and resets the count.
func (s *Sub) Dropped() uint64 { return s.dropped.Swap(0) }

// Publish hands e to every subscriber whose queue has room.
func (h *Hub) Publish(e Event) {
	p := h.subs.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		select {
		case s.c <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Subscribe adds a subscriber with a queue of size events.
func (h *Hub) Subscribe(size int) *Sub {
	s := &Sub{c: make(chan Event, size)}
	h.mu.Lock()
	defer h.mu.Unlock()
	var cur []*Sub
	if p := h.subs.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clone(cur), s)
	h.subs.Store(&next)
	return s
}

// Unsubscribe removes s; events published afterwards do not reach it.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.subs.Load()
	if p == nil {
		return
	}
	next := slices.DeleteFunc(slices.Clone(*p), func(x *Sub) bool { return x == s })
	h.subs.Store(&next)
}

// Subscribers counts the current subscribers.
func (h *Hub) Subscribers() int {
	if p := h.subs.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// Event types.
const (
	TypeScan   = "scan"   // Data: Scan
	TypeTag    = "tag"    // Data: Tag (a tag arrived at a reader)
	TypePass   = "pass"   // Data: *wire.RFIDRead (the tags of a portal pass, sent to central)
	TypeDevice = "device" // Data: health.Device (a state change)
)

// Scan is a scan as the gateway handled it.
type Scan struct {
	Scan   *wire.Scan
	Stored bool // false: the outbox refused it (the operator saw red)
}

// Tag is a tag that arrived at a reader.
type Tag struct {
	Device  string           `json:"device"`
	Station string           `json:"station"`
	Tag     wire.TagIdentity `json:"tag"`
	Antenna int              `json:"antenna"`
	RSSI    float64          `json:"rssi"`
	At      time.Time        `json:"at"`
}
