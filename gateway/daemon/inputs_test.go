package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/wire"
)

// portalRig is a portal whose driver is never run: the test feeds driver
// events with step, on its own goroutine, and moves a fake clock.
type portalRig struct {
	p   *portal
	now atomic.Int64 // fake clock, ns since the epoch; inputs read it too
	mu  sync.Mutex
	evs []outbox.Event
}

// rigHealth reports a reader's state changes as the gateway's board does:
// as device events.
type rigHealth struct {
	d    config.Device
	emit func(outbox.Event, string) bool
}

func (h rigHealth) Set(state string, err error) {
	ev := &wire.Device{Envelope: wire.NewEnvelope(wire.EvtDevice), Station: h.d.Station, Kind: h.d.Kind, State: state}
	if err != nil {
		ev.Error = err.Error()
	}
	h.emit(ev, h.d.ID)
}

func (rigHealth) Read(time.Time) {}

func (r *portalRig) advance(d time.Duration) { r.now.Add(int64(d)) }

func newPortalRig(t *testing.T, devices string) (*portalRig, *config.Config) {
	t.Helper()
	cfg, err := config.Parse(fmt.Appendf(nil, `
site: t1
gateway: gw-1
stations: [{id: door-1, role: inbound-dock}]
devices:
%s`, devices))
	require.NoError(t, err)
	r := &portalRig{}
	r.now.Store(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	d := cfg.Devices[0]
	emit := func(ev outbox.Event, _ string) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.evs = append(r.evs, ev)
		return true
	}
	r.p, err = newPortal(d, func() wire.Role { return wire.RoleInboundDock }, len(cfg.GatedBy(d.ID)) > 0, zerolog.Nop(),
		portalOut{emit: emit, health: rigHealth{d: d, emit: emit}, tail: &live.Hub{}},
		func() time.Time { return time.Unix(0, r.now.Load()).UTC() })
	require.NoError(t, err)
	return r, cfg
}

func (r *portalRig) read(epc []byte, antenna int) { r.p.handle(rfid.Read{EPC: epc, Antenna: antenna}) }

// depart moves the clock past depart_after and runs the departure check.
func (r *portalRig) depart() {
	r.advance(time.Hour)
	r.p.pipe.Expire()
	r.p.flush()
}

func (r *portalRig) events() []outbox.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbox.Event(nil), r.evs...)
}

func (r *portalRig) passes() []*wire.RFIDRead {
	var out []*wire.RFIDRead
	for _, ev := range r.events() {
		if p, ok := ev.(*wire.RFIDRead); ok {
			out = append(out, p)
		}
	}
	return out
}

const rigReader = `
  - {id: rfid-1, kind: rfid, station: door-1, address: 127.0.0.1, antennas: {1: outside, 2: inside}, depart_after: 1s, gate_hold: 0s}
`

// A pass lasts until every tag has left: a tag still in the door keeps the
// pass open, and tags going inside then outside are shipping ("out").
func TestPortalPassEndsWhenTheLastTagLeaves(t *testing.T) {
	r, _ := newPortalRig(t, rigReader)
	r.read(palletEPC, 2)
	r.read(caseEPC, 2)
	r.advance(900 * time.Millisecond)
	r.read(palletEPC, 1)
	r.read(palletEPC, 1)
	r.advance(200 * time.Millisecond) // the case has left, the pallet not
	r.p.pipe.Expire()
	r.p.flush()
	assert.Empty(t, r.passes(), "the pallet is still in the door")
	r.depart()
	require.Len(t, r.passes(), 1)
	p := r.passes()[0]
	assert.Equal(t, []string{"3174257BF4499602D2000000", "3074257BF7194E4000001A85"}, p.EPCs, "in order of arrival")
	assert.Equal(t, "out", p.Tags[0].Direction)
	assert.Equal(t, 3, p.Tags[0].Reads)
	assert.Empty(t, p.Tags[1].Direction, "the case was seen inside only")
	assert.Equal(t, p.Tags[0].FirstSeen, p.TS, "the pass is stamped with its first read")

	r.read(caseEPC, 1)
	r.depart()
	require.Len(t, r.passes(), 2, "a new pass starts after the door was empty")
	assert.Equal(t, []string{"3074257BF7194E4000001A85"}, r.passes()[1].EPCs)
}

// Status changes become device events; repeated reports of the same state
// (reconnect attempts, a stream of faults) do not.
func TestPortalReportsReaderStateChangesOnce(t *testing.T) {
	r, _ := newPortalRig(t, rigReader)
	boom := errors.New("connection refused")
	for _, st := range []rfid.State{rfid.Disconnected, rfid.Disconnected, rfid.Connected, rfid.Fault, rfid.Fault, rfid.Disconnected, rfid.Connected} {
		r.p.handle(rfid.Status{Reader: "rfid-1", State: st, Err: boom})
	}
	var states []string
	for _, ev := range r.events() {
		d, ok := ev.(*wire.Device)
		require.True(t, ok)
		assert.Equal(t, "rfid", d.Kind)
		assert.Equal(t, "door-1", d.Station)
		assert.Equal(t, "connection refused", d.Error)
		states = append(states, d.State)
	}
	assert.Equal(t, []string{"disconnected", "connected", "fault", "disconnected", "connected"}, states)
}

// With gate_gpi the reader's own input gates the pipeline: reads count
// only while the beam is broken (GPI high).
func TestPortalGatedByReaderGPI(t *testing.T) {
	r, _ := newPortalRig(t, `
  - {id: rfid-1, kind: rfid, station: door-1, address: 127.0.0.1, gate_gpi: 1, gate_hold: 0s}
`)
	r.read(palletEPC, 1)
	r.p.handle(rfid.GPI{Port: 2, High: true}) // another input: ignored
	r.read(palletEPC, 1)
	r.depart()
	assert.Empty(t, r.passes(), "gate closed: reads do not count")
	assert.Equal(t, uint64(2), r.p.pipe.Stats().Gated)

	r.p.handle(rfid.GPI{Port: 1, High: true})
	r.read(caseEPC, 1)
	r.p.handle(rfid.GPI{Port: 1, High: false})
	r.advance(time.Millisecond)
	r.read(palletEPC, 1)
	r.depart()
	require.Len(t, r.passes(), 1)
	assert.Equal(t, []string{"3074257BF7194E4000001A85"}, r.passes()[0].EPCs)
}

// registerPin puts a periph test pin under a name no host has, so
// gpio.OpenInput finds it as it would find GPIO5 on a Pi.
func registerPin(t *testing.T, name string) *gpiotest.Pin {
	t.Helper()
	pin := &gpiotest.Pin{N: name, EdgesChan: make(chan pgpio.Level, 4)}
	require.NoError(t, gpioreg.Register(pin))
	t.Cleanup(func() { _ = gpioreg.Unregister(name) })
	return pin
}

func runInput(t *testing.T, cfg *config.Config, r *portalRig, id string) {
	t.Helper()
	var dev config.Device
	for _, d := range cfg.Devices {
		if d.ID == id {
			dev = d
		}
	}
	gi, err := openGateInput(dev, []*gate{r.p.gate}, zerolog.Nop())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); gi.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// gatedRead reports whether a read a moment later is refused by the gate.
func (r *portalRig) gatedRead(epc []byte) bool {
	r.advance(time.Millisecond)
	before := r.p.pipe.Stats().Gated
	r.read(epc, 1)
	return r.p.pipe.Stats().Gated > before
}

// A photo-eye on a Pi pin (pull-up: beam broken = low) opens the gate of
// the reader it names while the beam is broken.
func TestPhotoEyeInputGatesItsReader(t *testing.T) {
	pin := registerPin(t, "DOCKTEST_EYE")
	r, cfg := newPortalRig(t, rigReader+`
  - {id: eye-1, kind: input, station: door-1, pin: DOCKTEST_EYE, debounce: 5ms, gates: rfid-1}
`)
	runInput(t, cfg, r, "eye-1")
	assert.True(t, r.gatedRead(palletEPC), "beam clear at start: gate closed")

	pin.EdgesChan <- pgpio.Low
	require.Eventually(t, func() bool { return !r.gatedRead(caseEPC) }, 5*time.Second, 5*time.Millisecond,
		"beam broken opens the gate")
	pin.EdgesChan <- pgpio.High
	// A factory-default EPC (not GS1) probes the gate until it closes.
	require.Eventually(t, func() bool { return r.gatedRead(mustEPC("E2801160600002040000ABCD")) }, 5*time.Second, 5*time.Millisecond,
		"beam clear closes it (gate_hold 0s)")
	r.depart()
	require.Len(t, r.passes(), 1)
	assert.Contains(t, r.passes()[0].EPCs, "3074257BF7194E4000001A85", "the case passed the open gate")
	assert.NotContains(t, r.passes()[0].EPCs, "3174257BF4499602D2000000", "the pallet was read before the beam broke")
}

// A push button (edge falling) opens the gate for the reader's gate_hold.
func TestButtonInputOpensTheGateForGateHold(t *testing.T) {
	pin := registerPin(t, "DOCKTEST_BUTTON")
	r, cfg := newPortalRig(t, `
  - {id: rfid-1, kind: rfid, station: door-1, address: 127.0.0.1, gate_hold: 5s, depart_after: 1s}
  - {id: button-1, kind: input, station: door-1, pin: DOCKTEST_BUTTON, edge: falling, debounce: 5ms, gates: [rfid-1]}
`)
	runInput(t, cfg, r, "button-1")
	assert.True(t, r.gatedRead(palletEPC))
	pin.EdgesChan <- pgpio.Low
	require.Eventually(t, func() bool { return !r.gatedRead(caseEPC) }, 5*time.Second, 5*time.Millisecond,
		"a press opens the gate")
	r.advance(6 * time.Second)
	assert.True(t, r.gatedRead(palletEPC), "closed again after gate_hold")
}

// An input whose pin does not exist stops the gateway at start, naming it.
func TestInputWithMissingPinFailsStart(t *testing.T) {
	cfg, err := config.Parse([]byte(`
site: t1
gateway: gw-1
mqtt: {password: unused}
http: {listen: "off"}
stations: [{id: door-1, role: inbound-dock}]
devices:
  - {id: rfid-1, kind: rfid, station: door-1, address: 127.0.0.1}
  - {id: eye-1, kind: input, station: door-1, pin: DOCKTEST_NOPIN, gates: rfid-1}
`))
	require.NoError(t, err)
	_, err = Start(cfg, t.TempDir(), zerolog.Nop())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "device eye-1")
	assert.Contains(t, err.Error(), "DOCKTEST_NOPIN")
}
