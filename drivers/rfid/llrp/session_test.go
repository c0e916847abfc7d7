package llrp_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

var sgtin = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}

// events records what a Reader emits and waits for what a test expects.
type events struct {
	mu  sync.Mutex
	all []rfid.Event
}

func (e *events) emit(ev rfid.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

// since returns a copy of the events after position from.
func (e *events) since(from int) []rfid.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]rfid.Event(nil), e.all[from:]...)
}

// mark returns a position; waitFor looks only at events after it.
func (e *events) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.all)
}

func (e *events) waitFor(t *testing.T, from int, what string, match func(rfid.Event) bool) rfid.Event {
	t.Helper()
	var found rfid.Event
	require.Eventually(t, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, ev := range e.all[from:] {
			if match(ev) {
				found = ev
				return true
			}
		}
		return false
	}, 15*time.Second, 5*time.Millisecond, "waiting for %s", what)
	return found
}

func state(s rfid.State) func(rfid.Event) bool {
	return func(ev rfid.Event) bool {
		st, ok := ev.(rfid.Status)
		return ok && st.State == s
	}
}

func tagRead(epc []byte) func(rfid.Event) bool {
	return func(ev rfid.Event) bool {
		r, ok := ev.(rfid.Read)
		return ok && bytes.Equal(r.EPC, epc)
	}
}

type rig struct {
	sim  *devsim.LLRPReader
	ev   *events
	stop func() error // cancels Run and returns its result
}

func start(t *testing.T, keepalive time.Duration) *rig {
	t.Helper()
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sim.Close() })
	sim.PutTag(rfid.Read{EPC: sgtin, Antenna: 2, RSSI: -55})
	r, err := llrp.New(llrp.Config{Addr: sim.Addr(), Name: "dock1", Keepalive: keepalive, Timeout: 2 * time.Second,
		Backoff: rfid.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	rg := &rig{sim: sim, ev: &events{}}
	go func() { done <- r.Run(ctx, rg.ev.emit) }()
	rg.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("Run did not return after cancel")
		}
	})
	t.Cleanup(func() { assert.NoError(t, rg.stop()) })
	rg.ev.waitFor(t, 0, "connected", state(rfid.Connected))
	return rg
}

func TestSessionFullFlow(t *testing.T) {
	rg := start(t, 100*time.Millisecond)
	sim, ev := rg.sim, rg.ev

	conn := ev.waitFor(t, 0, "connected", state(rfid.Connected)).(rfid.Status)
	assert.Equal(t, "dock1", conn.Reader)
	assert.Contains(t, conn.Detail, `firmware "devsim-1.0", 4 antennas, 4 GPIs`)
	for _, typ := range []llrp.MessageType{llrp.GetReaderCapabilities, llrp.SetReaderConfig, llrp.DeleteROSpec,
		llrp.AddROSpec, llrp.EnableROSpec, llrp.StartROSpec} {
		assert.Equal(t, 1, sim.Received(typ), "%s sent once", typ)
	}

	// Reports flow with EPC, antenna, peak RSSI and the reader's first-seen time.
	before := time.Now()
	r := ev.waitFor(t, 0, "tag read", tagRead(sgtin)).(rfid.Read)
	assert.Equal(t, 2, r.Antenna)
	assert.Equal(t, -55.0, r.RSSI)
	assert.Equal(t, "dock1", r.Reader)
	assert.WithinDuration(t, before, r.FirstSeen, 5*time.Second)

	// Keepalives are answered.
	require.Eventually(t, func() bool { return sim.KeepaliveAcks() >= 3 }, 10*time.Second, 5*time.Millisecond)

	// A photo-eye on GPI 1.
	m := ev.mark()
	require.NoError(t, sim.GPI(1, true))
	g := ev.waitFor(t, m, "GPI", func(e rfid.Event) bool { _, ok := e.(rfid.GPI); return ok }).(rfid.GPI)
	assert.Equal(t, rfid.GPI{Reader: "dock1", Port: 1, High: true, At: g.At}, g)

	// A reader exception is a fault, not a disconnect.
	m = ev.mark()
	require.NoError(t, sim.Exception("antenna 3 disconnected"))
	f := ev.waitFor(t, m, "fault", state(rfid.Fault)).(rfid.Status)
	assert.ErrorContains(t, f.Err, "antenna 3 disconnected")

	// Network blip: disconnect, reconnect, set up again, reads flow again.
	m = ev.mark()
	starts := sim.Received(llrp.StartROSpec)
	sim.Drop()
	ev.waitFor(t, m, "disconnected", state(rfid.Disconnected))
	ev.waitFor(t, m, "reconnected", state(rfid.Connected))
	assert.Greater(t, sim.Received(llrp.StartROSpec), starts, "the ROSpec is set up again")
	m = ev.mark()
	ev.waitFor(t, m, "read after reconnect", tagRead(sgtin))

	// Shutdown says goodbye.
	require.NoError(t, rg.stop())
	require.Eventually(t, func() bool { return sim.Received(llrp.CloseConnection) == 1 }, 5*time.Second, 5*time.Millisecond)
}

func TestSessionAntennaSelection(t *testing.T) {
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 10 * time.Millisecond})
	require.NoError(t, err)
	defer sim.Close()
	other := append([]byte(nil), sgtin...)
	other[11] = 0x86
	sim.PutTag(rfid.Read{EPC: sgtin, Antenna: 2, RSSI: -50})
	sim.PutTag(rfid.Read{EPC: other, Antenna: 3, RSSI: -50})
	r, err := llrp.New(llrp.Config{Addr: sim.Addr(), Antennas: []int{3}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := &events{}
	go func() { _ = r.Run(ctx, ev.emit) }()
	ev.waitFor(t, 0, "read on antenna 3", tagRead(other))
	for _, e := range ev.since(0) {
		if r, ok := e.(rfid.Read); ok {
			assert.Equal(t, 3, r.Antenna, "only the configured antenna is inventoried")
		}
	}
}

func TestSessionGarbageForcesReconnect(t *testing.T) {
	rg := start(t, time.Second)
	m := rg.ev.mark()
	require.NoError(t, rg.sim.Garbage(40))
	d := rg.ev.waitFor(t, m, "disconnected", state(rfid.Disconnected)).(rfid.Status)
	assert.ErrorIs(t, d.Err, llrp.ErrFraming)
	rg.ev.waitFor(t, m, "reconnected", state(rfid.Connected))
	rg.ev.waitFor(t, rg.ev.mark(), "reads again", tagRead(sgtin))
}

func TestSessionMidFrameDisconnect(t *testing.T) {
	rg := start(t, time.Second)
	rg.ev.waitFor(t, 0, "first read", tagRead(sgtin))
	m := rg.ev.mark()
	rg.sim.CutNextMessage()
	d := rg.ev.waitFor(t, m, "disconnected", state(rfid.Disconnected)).(rfid.Status)
	assert.ErrorContains(t, d.Err, "body")
	rg.ev.waitFor(t, m, "reconnected", state(rfid.Connected))
	rg.ev.waitFor(t, rg.ev.mark(), "reads again", tagRead(sgtin))
}

func TestSessionUnplugReplug(t *testing.T) {
	rg := start(t, time.Second)
	m := rg.ev.mark()
	require.NoError(t, rg.sim.Unplug())
	rg.ev.waitFor(t, m, "disconnected", state(rfid.Disconnected))
	// While unplugged every dial fails: more Disconnected statuses, no Connected.
	require.Eventually(t, func() bool {
		n := 0
		for _, e := range rg.ev.since(m) {
			if state(rfid.Disconnected)(e) {
				n++
			}
			assert.False(t, state(rfid.Connected)(e))
		}
		return n >= 3
	}, 10*time.Second, 5*time.Millisecond)
	m = rg.ev.mark()
	require.NoError(t, rg.sim.Replug())
	rg.ev.waitFor(t, m, "reconnected", state(rfid.Connected))
	rg.ev.waitFor(t, m, "reads again", tagRead(sgtin))
}

func TestSessionSlowReader(t *testing.T) {
	t.Run("slow but alive", func(t *testing.T) {
		rg := start(t, 200*time.Millisecond)
		rg.sim.SetSlow(30 * time.Millisecond)
		m := rg.ev.mark()
		rg.ev.waitFor(t, m, "read", tagRead(sgtin))
		require.Eventually(t, func() bool { return rg.sim.KeepaliveAcks() >= 3 }, 10*time.Second, 5*time.Millisecond)
		for _, e := range rg.ev.since(m) {
			assert.False(t, state(rfid.Disconnected)(e), "a slow reader is not a dead one")
		}
	})
	t.Run("silent past three keepalives", func(t *testing.T) {
		rg := start(t, 50*time.Millisecond)
		rg.sim.RemoveTag(sgtin) // no reports: only keepalives keep the link alive
		m := rg.ev.mark()
		rg.sim.SetSlow(time.Second)
		d := rg.ev.waitFor(t, m, "disconnected", state(rfid.Disconnected)).(rfid.Status)
		assert.ErrorContains(t, d.Err, "3 keepalive periods")
		rg.sim.SetSlow(0)
		rg.ev.waitFor(t, m, "reconnected", state(rfid.Connected))
	})
}

func TestSecondClientIsRefused(t *testing.T) {
	rg := start(t, time.Second)
	r2, err := llrp.New(llrp.Config{Addr: rg.sim.Addr(), Name: "intruder", Backoff: rfid.Backoff{Min: time.Hour}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := &events{}
	go func() { _ = r2.Run(ctx, ev.emit) }()
	d := ev.waitFor(t, 0, "refused", state(rfid.Disconnected)).(rfid.Status)
	assert.ErrorContains(t, d.Err, "refused the connection (ConnectionAttemptEvent status 2)")
	assert.Equal(t, 1, rg.sim.Received(llrp.StartROSpec), "the first client keeps its session")
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := llrp.New(llrp.Config{})
	assert.Error(t, err)
	_, err = llrp.New(llrp.Config{Addr: "10.0.0.5", Antennas: []int{0}})
	assert.Error(t, err)
}
