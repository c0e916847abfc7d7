package tags

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// Side is where an antenna looks: the truck/yard side of a dock door or the
// warehouse side.
type Side string

// Sides of a dock door; an antenna not in Config.Antennas has no side.
const (
	Outside Side = "outside"
	Inside  Side = "inside"
)

// Direction is the way a tag went through a door.
type Direction string

// Directions of a departed tag; empty when it was seen on one side only.
const (
	In  Direction = "in"  // first seen outside, last seen inside (receiving)
	Out Direction = "out" // first seen inside, last seen outside (shipping)
)

// Kind tells what an Event means.
type Kind string

// Event kinds.
const (
	Raw      Kind = "raw"      // a de-duplicated, rate-limited read
	Arrived  Kind = "arrived"  // a tag is now present
	Departed Kind = "departed" // a present tag has not been read for DepartAfter
)

// Event is a pipeline output.
type Event struct {
	Kind Kind
	// Read is the read itself (Raw), the read that completed the arrival
	// (Arrived) or the tag's last read (Departed).
	Read      rfid.Read
	Side      Side      // side of Read's antenna
	Direction Direction // Departed only
	FirstSeen time.Time // Arrived, Departed: first read of this presence
	LastSeen  time.Time // Departed: last read
	Reads     int       // reads counted in this presence so far
}

// Config tunes a Pipeline. The zero value is usable: no threshold, no gate,
// no de-duplication, tags depart after 3 s.
type Config struct {
	// DedupWindow: the raw lane passes a tag at most once per window.
	DedupWindow time.Duration
	// KeyByTID makes (EPC, TID) the tag identity instead of EPC alone, for
	// sites with cloned or duplicate EPCs. Needs a reader that reports TID.
	KeyByTID bool
	// MinRSSI in dBm: weaker reads are dropped. 0 disables the threshold.
	MinRSSI float64
	// Antennas maps antenna port to door side.
	Antennas map[int]Side
	// ArriveReads: reads needed before a tag counts as arrived (default 1).
	// 2 or 3 suppresses stray single reads from neighbouring doors.
	ArriveReads int
	// DepartAfter: a tag not read for this long departs (default 3 s).
	DepartAfter time.Duration
	// Gated: reads count only while the gate (photo-eye) is open or within
	// GateHold after it closed.
	Gated    bool
	GateHold time.Duration
	// RawRate caps Raw events per second over all tags (0 = no cap);
	// RawBurst is the bucket size (default: one second's worth, at least 1).
	RawRate  float64
	RawBurst int
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
}

// Stats counts what the pipeline did with its input.
type Stats struct {
	Reads      uint64 // reads offered
	Weak       uint64 // dropped: below MinRSSI
	Gated      uint64 // dropped: gate closed
	Duplicates uint64 // not passed to the raw lane: inside DedupWindow
	RawPassed  uint64
	RawLimited uint64 // not passed to the raw lane: over RawRate
	Arrived    uint64
	Departed   uint64
	Present    int // tags currently present
}

// tag is the pipeline's memory of one tag identity.
type tag struct {
	first, last time.Time // host time of first and last counted read
	lastRaw     time.Time // last time passed to the raw lane
	rawSeen     bool
	reads       int
	firstSide   Side
	lastSide    Side
	arrived     bool
	lastRead    rfid.Read // slices owned by the pipeline (copied once)
}

// Pipeline is the read-processing state machine. Create it with New.
type Pipeline struct {
	cfg  Config
	emit func(Event)

	mu         sync.Mutex
	tags       map[string]*tag
	key        []byte // scratch for map look-ups without allocation
	gateOpen   bool
	gateClosed time.Time
	tokens     float64
	refilled   time.Time
	stats      Stats
}

// New checks cfg and returns a pipeline that calls emit for every event.
// emit runs with the pipeline locked: it must not call back into it.
func New(cfg Config, emit func(Event)) (*Pipeline, error) {
	if cfg.MinRSSI > 0 {
		return nil, fmt.Errorf("tags: MinRSSI %.1f dBm must be negative (or 0 to disable)", cfg.MinRSSI)
	}
	if cfg.DedupWindow < 0 || cfg.DepartAfter < 0 || cfg.GateHold < 0 || cfg.RawRate < 0 || cfg.ArriveReads < 0 {
		return nil, errors.New("tags: durations, rates and counts must not be negative")
	}
	for port, side := range cfg.Antennas {
		if side != Inside && side != Outside {
			return nil, fmt.Errorf("tags: antenna %d: side %q, want %q or %q", port, side, Inside, Outside)
		}
	}
	if cfg.ArriveReads == 0 {
		cfg.ArriveReads = 1
	}
	if cfg.DepartAfter == 0 {
		cfg.DepartAfter = 3 * time.Second
	}
	if cfg.RawBurst <= 0 {
		cfg.RawBurst = max(1, int(cfg.RawRate))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Pipeline{
		cfg:    cfg,
		emit:   emit,
		tags:   make(map[string]*tag),
		tokens: float64(cfg.RawBurst),
	}, nil
}

// Process feeds one read. The pipeline copies what it keeps, so the caller
// may reuse r's slices afterwards.
func (p *Pipeline) Process(r rfid.Read) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	p.stats.Reads++
	if p.cfg.MinRSSI != 0 && r.RSSI < p.cfg.MinRSSI {
		p.stats.Weak++
		return
	}
	if p.cfg.Gated && !p.gateOpen && now.Sub(p.gateClosed) > p.cfg.GateHold {
		p.stats.Gated++
		return
	}
	t := p.lookup(r)
	side := p.cfg.Antennas[r.Antenna]
	if t.reads == 0 {
		t.first = now
	}
	t.last = now
	t.reads++
	if side != "" {
		if t.firstSide == "" {
			t.firstSide = side
		}
		t.lastSide = side
	}
	t.lastRead.Antenna, t.lastRead.RSSI, t.lastRead.FirstSeen, t.lastRead.Reader = r.Antenna, r.RSSI, r.FirstSeen, r.Reader

	if !t.arrived && t.reads >= p.cfg.ArriveReads {
		t.arrived = true
		p.stats.Arrived++
		p.stats.Present++
		p.emit(Event{Kind: Arrived, Read: t.lastRead, Side: side, FirstSeen: t.first, Reads: t.reads})
	}
	p.raw(t, side, now)
}

// lookup finds or creates the state of r's tag identity.
func (p *Pipeline) lookup(r rfid.Read) *tag {
	p.key = append(p.key[:0], byte(len(r.EPC)))
	p.key = append(p.key, r.EPC...)
	if p.cfg.KeyByTID {
		p.key = append(p.key, r.TID...)
	}
	if t, ok := p.tags[string(p.key)]; ok {
		return t
	}
	t := &tag{lastRead: rfid.Read{EPC: clone(r.EPC), TID: clone(r.TID)}}
	p.tags[string(p.key)] = t
	return t
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// raw applies the de-duplication window and the rate limit.
func (p *Pipeline) raw(t *tag, side Side, now time.Time) {
	if t.rawSeen && now.Sub(t.lastRaw) < p.cfg.DedupWindow {
		p.stats.Duplicates++
		return
	}
	if p.cfg.RawRate > 0 {
		p.tokens = min(float64(p.cfg.RawBurst), p.tokens+now.Sub(p.refilled).Seconds()*p.cfg.RawRate)
		p.refilled = now
		if p.tokens < 1 {
			p.stats.RawLimited++
			return
		}
		p.tokens--
	}
	t.rawSeen = true
	t.lastRaw = now
	p.stats.RawPassed++
	p.emit(Event{Kind: Raw, Read: t.lastRead, Side: side, FirstSeen: t.first, Reads: t.reads})
}

// SetGate reports the photo-eye (or any gate input): open means reads count.
func (p *Pipeline) SetGate(open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gateOpen && !open {
		p.gateClosed = p.cfg.Now()
	}
	p.gateOpen = open
}

// Expire emits Departed for every present tag not read for DepartAfter and
// forgets tags that never arrived. Call it periodically (Run does).
func (p *Pipeline) Expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	for k, t := range p.tags {
		if now.Sub(t.last) < p.cfg.DepartAfter {
			continue
		}
		delete(p.tags, k)
		if !t.arrived {
			continue
		}
		p.stats.Departed++
		p.stats.Present--
		p.emit(Event{Kind: Departed, Read: t.lastRead, Side: t.lastSide, Direction: direction(t.firstSide, t.lastSide),
			FirstSeen: t.first, LastSeen: t.last, Reads: t.reads})
	}
}

func direction(first, last Side) Direction {
	switch {
	case first == Outside && last == Inside:
		return In
	case first == Inside && last == Outside:
		return Out
	}
	return ""
}

// Run calls Expire every interval until ctx is cancelled.
func (p *Pipeline) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.Expire()
		}
	}
}

// Stats returns a snapshot of the counters.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}
