package tags

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) emit(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds() []Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Kind
	for _, e := range r.events {
		out = append(out, e.Kind)
	}
	return out
}

func (r *recorder) of(k Kind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func newPipeline(t *testing.T, cfg Config) (*Pipeline, *fakeClock, *recorder) {
	t.Helper()
	clk := newClock()
	cfg.Now = clk.Now
	rec := &recorder{}
	p, err := New(cfg, rec.emit)
	require.NoError(t, err)
	return p, clk, rec
}

func read(epc string, antenna int, rssi float64) rfid.Read {
	return rfid.Read{EPC: []byte(epc), Antenna: antenna, RSSI: rssi, Reader: "dock1"}
}

func TestRSSIThresholdDropsWeakReads(t *testing.T) {
	p, _, rec := newPipeline(t, Config{MinRSSI: -60})
	p.Process(read("A", 1, -72))
	p.Process(read("B", 1, -60))
	p.Process(read("C", 1, -41.5))
	arrived := rec.of(Arrived)
	require.Len(t, arrived, 2)
	assert.Equal(t, "B", string(arrived[0].Read.EPC))
	assert.Equal(t, "C", string(arrived[1].Read.EPC))
	s := p.Stats()
	assert.Equal(t, uint64(3), s.Reads)
	assert.Equal(t, uint64(1), s.Weak)
}

func TestDedupWindowPerTag(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{DedupWindow: time.Second, DepartAfter: time.Minute})
	step := func(d time.Duration, epc string) {
		clk.Advance(d)
		p.Process(read(epc, 1, -50))
	}
	step(0, "A")                    // raw
	step(0, "B")                    // raw: other tag, own window
	step(500*time.Millisecond, "A") // dup
	step(500*time.Millisecond, "A") // 1 s after the first: raw
	step(600*time.Millisecond, "A") // 0.6 s after the last raw: dup
	var raws []string
	for _, e := range rec.of(Raw) {
		raws = append(raws, string(e.Read.EPC))
	}
	assert.Equal(t, []string{"A", "B", "A"}, raws)
	assert.Equal(t, uint64(2), p.Stats().Duplicates)
	assert.Len(t, rec.of(Arrived), 2, "each tag arrives once")
}

func TestKeyByTIDSeparatesClonedEPCs(t *testing.T) {
	for _, byTID := range []bool{false, true} {
		t.Run(fmt.Sprint("byTID=", byTID), func(t *testing.T) {
			p, _, rec := newPipeline(t, Config{KeyByTID: byTID, DedupWindow: time.Second})
			a := read("SAME", 1, -50)
			a.TID = []byte{0xE2, 0x80, 0x11, 0x01}
			b := read("SAME", 1, -50)
			b.TID = []byte{0xE2, 0x80, 0x11, 0x02}
			p.Process(a)
			p.Process(b)
			want := 1
			if byTID {
				want = 2
			}
			assert.Len(t, rec.of(Arrived), want)
			assert.Len(t, rec.of(Raw), want)
		})
	}
}

func TestArrivalNeedsArriveReadsAndStrayReadsExpireSilently(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{ArriveReads: 3, DepartAfter: 2 * time.Second})
	p.Process(read("STRAY", 1, -50))
	p.Process(read("REAL", 1, -50))
	clk.Advance(100 * time.Millisecond)
	p.Process(read("REAL", 1, -50))
	assert.Empty(t, rec.of(Arrived))
	clk.Advance(100 * time.Millisecond)
	p.Process(read("REAL", 2, -48))
	arrived := rec.of(Arrived)
	require.Len(t, arrived, 1)
	assert.Equal(t, "REAL", string(arrived[0].Read.EPC))
	assert.Equal(t, 3, arrived[0].Reads)
	assert.Equal(t, 2, arrived[0].Read.Antenna)
	assert.Equal(t, clk.Now().Add(-200*time.Millisecond), arrived[0].FirstSeen)

	clk.Advance(2 * time.Second)
	p.Expire()
	departed := rec.of(Departed)
	require.Len(t, departed, 1, "the stray tag never arrived, so it does not depart")
	assert.Equal(t, "REAL", string(departed[0].Read.EPC))
	assert.Equal(t, 0, p.Stats().Present)
}

func TestDepartedAfterTimeoutWithDirection(t *testing.T) {
	cfg := Config{Antennas: map[int]Side{1: Outside, 2: Inside, 3: Inside}, DepartAfter: 3 * time.Second}
	p, clk, rec := newPipeline(t, cfg)
	// Pallet IN comes from the truck: antenna 1, then 2 and 3.
	p.Process(read("IN", 1, -55))
	// Pallet OUT goes to the truck: antenna 3, then 1.
	p.Process(read("OUT", 3, -55))
	// Pallet STAY is only seen inside: no direction.
	p.Process(read("STAY", 2, -55))
	clk.Advance(time.Second)
	p.Process(read("IN", 2, -50))
	p.Process(read("OUT", 1, -50))
	p.Process(read("STAY", 3, -50))
	clk.Advance(time.Second)
	p.Process(read("IN", 3, -45))
	p.Process(read("IN", 9, -45)) // unmapped antenna: keeps the last known side

	clk.Advance(1999 * time.Millisecond) // OUT and STAY last read 2.999 s ago
	p.Expire()
	assert.Empty(t, rec.of(Departed), "not gone for DepartAfter yet")

	clk.Advance(time.Millisecond)
	p.Expire()
	got := map[string]Event{}
	for _, e := range rec.of(Departed) {
		got[string(e.Read.EPC)] = e
	}
	require.Len(t, got, 2)
	assert.Equal(t, Out, got["OUT"].Direction)
	assert.Equal(t, Outside, got["OUT"].Side)
	assert.Equal(t, Direction(""), got["STAY"].Direction)
	assert.Equal(t, 2, got["STAY"].Reads)

	clk.Advance(time.Second)
	p.Expire()
	in := rec.of(Departed)[2]
	assert.Equal(t, "IN", string(in.Read.EPC))
	assert.Equal(t, In, in.Direction)
	assert.Equal(t, 4, in.Reads)
	assert.Equal(t, 9, in.Read.Antenna)
	assert.Equal(t, 2*time.Second, in.LastSeen.Sub(in.FirstSeen))
}

func TestTagArrivesAgainAfterDeparting(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{DedupWindow: time.Hour, DepartAfter: time.Second})
	p.Process(read("A", 1, -50))
	clk.Advance(time.Second)
	p.Expire()
	p.Process(read("A", 1, -50))
	assert.Equal(t, []Kind{Arrived, Raw, Departed, Arrived, Raw}, rec.kinds(),
		"a departed tag is forgotten, including its dedup window")
}

func TestPhotoEyeGate(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{Gated: true, GateHold: 2 * time.Second})
	p.Process(read("BEFORE", 1, -50))
	p.SetGate(true)
	p.Process(read("DURING", 1, -50))
	clk.Advance(time.Second)
	p.SetGate(false)
	clk.Advance(2 * time.Second)
	p.Process(read("HOLD", 1, -50)) // exactly GateHold after closing: still counts
	clk.Advance(time.Millisecond)
	p.Process(read("AFTER", 1, -50))
	var arrived []string
	for _, e := range rec.of(Arrived) {
		arrived = append(arrived, string(e.Read.EPC))
	}
	assert.Equal(t, []string{"DURING", "HOLD"}, arrived)
	assert.Equal(t, uint64(2), p.Stats().Gated)
}

func TestRawLaneRateLimit(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{RawRate: 10, RawBurst: 2, DepartAfter: time.Minute})
	for i := range 5 {
		p.Process(read(fmt.Sprint("T", i), 1, -50))
	}
	assert.Len(t, rec.of(Raw), 2, "burst of 2")
	assert.Len(t, rec.of(Arrived), 5, "the rate limit applies to the raw lane only")
	clk.Advance(100 * time.Millisecond) // one token at 10/s
	p.Process(read("T2", 1, -50))
	p.Process(read("T3", 1, -50))
	raws := rec.of(Raw)
	require.Len(t, raws, 3)
	assert.Equal(t, "T2", string(raws[2].Read.EPC), "a limited tag gets through on its next read")
	assert.Equal(t, uint64(4), p.Stats().RawLimited)
}

func TestProcessCopiesCallerSlices(t *testing.T) {
	p, _, rec := newPipeline(t, Config{})
	buf := []byte("ABCD")
	p.Process(rfid.Read{EPC: buf, Antenna: 1})
	copy(buf, "XXXX")
	assert.Equal(t, "ABCD", string(rec.of(Arrived)[0].Read.EPC))
}

func TestConfigValidation(t *testing.T) {
	bad := map[string]Config{
		"positive rssi":  {MinRSSI: 3},
		"negative dedup": {DedupWindow: -time.Second},
		"bad side":       {Antennas: map[int]Side{1: "left"}},
		"negative rate":  {RawRate: -1},
	}
	for name, cfg := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg, func(Event) {})
			assert.Error(t, err)
		})
	}
}

func TestRunExpiresPeriodically(t *testing.T) {
	p, clk, rec := newPipeline(t, Config{DepartAfter: time.Second})
	p.Process(read("A", 1, -50))
	clk.Advance(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx, time.Millisecond); close(done) }()
	require.Eventually(t, func() bool { return len(rec.of(Departed)) == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	<-done
}

// BenchmarkPipeline measures raw reads per second through the full pipeline
// (threshold, presence, dedup, rate limit) on one goroutine: 2,000 tags on 4
// antennas, the clock advancing 20 µs per read (a 50,000 reads/s stream).
func BenchmarkPipeline(b *testing.B) {
	const nTags = 2000
	reads := make([]rfid.Read, nTags*4)
	for i := range reads {
		e := []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0, 0, byte(i % nTags >> 8), byte(i % nTags)}
		reads[i] = rfid.Read{EPC: e, Antenna: i%4 + 1, RSSI: -40 - float64(i%40), Reader: "bench"}
	}
	clk := newClock()
	var events int
	p, err := New(Config{
		DedupWindow: time.Second, MinRSSI: -75, ArriveReads: 2, DepartAfter: 2 * time.Second,
		Antennas: map[int]Side{1: Outside, 2: Outside, 3: Inside, 4: Inside},
		RawRate:  5000, Now: clk.Now,
	}, func(Event) { events++ })
	require.NoError(b, err)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		clk.now = clk.now.Add(20 * time.Microsecond) // single goroutine: no lock needed
		p.Process(reads[n%len(reads)])
		n++
		if n%50_000 == 0 {
			p.Expire()
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reads/s")
	require.NotZero(b, events)
}
