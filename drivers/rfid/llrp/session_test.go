package llrp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/llrp"
	"github.com/dockhand/dockhand/drivers/rfid/rfidtest"
)

var sgtin = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}

// newEvents records a reader's events; LLRP sessions on loopback TCP come
// up fast, so waits are bounded tighter than rfidtest's default.
func newEvents() *rfidtest.Events { return &rfidtest.Events{Wait: 15 * time.Second} }

type rig struct {
	sim  *devsim.LLRPReader
	ev   *rfidtest.Events
	stop func() error // cancels Run and returns its result
}

func start(t *testing.T, keepalive time.Duration) *rig {
	t.Helper()
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sim.Close() })
	sim.PutTag(rfid.Read{EPC: sgtin, Antenna: 2, RSSI: -55})
	rg := &rig{sim: sim}
	rg.ev, rg.stop = connect(t, sim.Addr(), keepalive, 2*time.Second)
	return rg
}

// connect runs our client "dock1" against the reader at addr until it is
// connected; stop cancels it and returns Run's result.
func connect(t *testing.T, addr string, keepalive, timeout time.Duration) (ev *rfidtest.Events, stop func() error) {
	t.Helper()
	r, err := llrp.New(llrp.Config{Addr: addr, Name: "dock1", Keepalive: keepalive, Timeout: timeout,
		Backoff: rfid.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	require.NoError(t, err)
	ev = newEvents()
	stop = rfidtest.Run(t, r, ev)
	ev.WaitFor(t, 0, "connected", rfidtest.State(rfid.Connected))
	return ev, stop
}

func TestSessionFullFlow(t *testing.T) {
	rg := start(t, 100*time.Millisecond)
	sim, ev := rg.sim, rg.ev

	conn := ev.WaitFor(t, 0, "connected", rfidtest.State(rfid.Connected)).(rfid.Status)
	assert.Equal(t, "dock1", conn.Reader)
	assert.Contains(t, conn.Detail, `firmware "devsim-1.0", 4 antennas, 4 GPIs`)
	for _, typ := range []llrp.MessageType{llrp.GetReaderCapabilities, llrp.SetReaderConfig, llrp.DeleteROSpec,
		llrp.AddROSpec, llrp.EnableROSpec, llrp.StartROSpec} {
		assert.Equal(t, 1, sim.Received(typ), "%s sent once", typ)
	}

	// Reports flow with EPC, antenna, peak RSSI and the reader's first-seen time.
	before := time.Now()
	r := ev.WaitFor(t, 0, "tag read", rfidtest.TagRead(sgtin)).(rfid.Read)
	assert.Equal(t, 2, r.Antenna)
	assert.Equal(t, -55.0, r.RSSI)
	assert.Equal(t, "dock1", r.Reader)
	assert.WithinDuration(t, before, r.FirstSeen, 5*time.Second)

	// Keepalives are answered.
	require.Eventually(t, func() bool { return sim.KeepaliveAcks() >= 3 }, 10*time.Second, 5*time.Millisecond)

	// A photo-eye on GPI 1.
	m := ev.Mark()
	require.NoError(t, sim.GPI(1, true))
	g := ev.WaitFor(t, m, "GPI", func(e rfid.Event) bool { _, ok := e.(rfid.GPI); return ok }).(rfid.GPI)
	assert.Equal(t, rfid.GPI{Reader: "dock1", Port: 1, High: true, At: g.At}, g)

	// A reader exception is a fault, not a disconnect.
	m = ev.Mark()
	require.NoError(t, sim.Exception("antenna 3 disconnected"))
	f := ev.WaitFor(t, m, "fault", rfidtest.State(rfid.Fault)).(rfid.Status)
	assert.ErrorContains(t, f.Err, "antenna 3 disconnected")

	// Network blip: disconnect, reconnect, set up again, reads flow again.
	m = ev.Mark()
	starts := sim.Received(llrp.StartROSpec)
	sim.Drop()
	ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected))
	ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	assert.Greater(t, sim.Received(llrp.StartROSpec), starts, "the ROSpec is set up again")
	m = ev.Mark()
	ev.WaitFor(t, m, "read after reconnect", rfidtest.TagRead(sgtin))

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
	ev := newEvents()
	go func() { _ = r.Run(ctx, ev.Emit) }()
	ev.WaitFor(t, 0, "read on antenna 3", rfidtest.TagRead(other))
	for _, e := range ev.Since(0) {
		if r, ok := e.(rfid.Read); ok {
			assert.Equal(t, 3, r.Antenna, "only the configured antenna is inventoried")
		}
	}
}

func TestSessionGarbageForcesReconnect(t *testing.T) {
	rg := start(t, time.Second)
	m := rg.ev.Mark()
	require.NoError(t, rg.sim.Garbage(40))
	d := rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
	assert.ErrorIs(t, d.Err, llrp.ErrFraming)
	rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	rg.ev.WaitFor(t, rg.ev.Mark(), "reads again", rfidtest.TagRead(sgtin))
}

func TestSessionMidFrameDisconnect(t *testing.T) {
	rg := start(t, time.Second)
	rg.ev.WaitFor(t, 0, "first read", rfidtest.TagRead(sgtin))
	m := rg.ev.Mark()
	rg.sim.CutNextMessage()
	d := rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
	assert.ErrorContains(t, d.Err, "body")
	rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	rg.ev.WaitFor(t, rg.ev.Mark(), "reads again", rfidtest.TagRead(sgtin))
}

func TestSessionUnplugReplug(t *testing.T) {
	rg := start(t, time.Second)
	m := rg.ev.Mark()
	require.NoError(t, rg.sim.Unplug())
	rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected))
	// While unplugged every dial fails: more Disconnected statuses, no Connected.
	require.Eventually(t, func() bool {
		n := 0
		for _, e := range rg.ev.Since(m) {
			if rfidtest.State(rfid.Disconnected)(e) {
				n++
			}
			assert.False(t, rfidtest.State(rfid.Connected)(e))
		}
		return n >= 3
	}, 10*time.Second, 5*time.Millisecond)
	m = rg.ev.Mark()
	require.NoError(t, rg.sim.Replug())
	rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	rg.ev.WaitFor(t, m, "reads again", rfidtest.TagRead(sgtin))
}

func TestSessionSlowReader(t *testing.T) {
	t.Run("slow but alive", func(t *testing.T) {
		rg := start(t, 200*time.Millisecond)
		rg.sim.SetSlow(30 * time.Millisecond)
		m := rg.ev.Mark()
		rg.ev.WaitFor(t, m, "read", rfidtest.TagRead(sgtin))
		require.Eventually(t, func() bool { return rg.sim.KeepaliveAcks() >= 3 }, 10*time.Second, 5*time.Millisecond)
		for _, e := range rg.ev.Since(m) {
			assert.False(t, rfidtest.State(rfid.Disconnected)(e), "a slow reader is not a dead one")
		}
	})
	t.Run("silent past three keepalives", func(t *testing.T) {
		rg := start(t, 50*time.Millisecond)
		rg.sim.RemoveTag(sgtin) // no reports: only keepalives keep the link alive
		m := rg.ev.Mark()
		rg.sim.SetSlow(time.Second)
		d := rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
		assert.ErrorContains(t, d.Err, "3 keepalive periods")
		rg.sim.SetSlow(0)
		rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	})
}

func TestSecondClientIsRefused(t *testing.T) {
	rg := start(t, time.Second)
	r2, err := llrp.New(llrp.Config{Addr: rg.sim.Addr(), Name: "intruder", Backoff: rfid.Backoff{Min: time.Hour}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := newEvents()
	go func() { _ = r2.Run(ctx, ev.Emit) }()
	d := ev.WaitFor(t, 0, "refused", rfidtest.State(rfid.Disconnected)).(rfid.Status)
	assert.ErrorIs(t, d.Err, llrp.ErrRefused)
	assert.ErrorContains(t, d.Err, "ConnectionAttemptEvent status 2 Failed_A_Client_Initiated_Connection_Already_Exists")
	assert.Equal(t, 1, rg.sim.Received(llrp.StartROSpec), "the first client keeps its session")
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := llrp.New(llrp.Config{})
	assert.Error(t, err)
	_, err = llrp.New(llrp.Config{Addr: "10.0.0.5", Antennas: []int{0}})
	assert.Error(t, err)
}

// TestSessionCommercialReader: a reader that behaves like the commercial
// ones: vendor parameters everywhere (skipped by length), hopping and
// antenna events the client did not ask for, enabled report values left out
// when unchanged (§13.2.3: the client assumes the last value), and a link
// monitor that hangs up on a client missing keepalives.
func TestSessionCommercialReader(t *testing.T) {
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 10 * time.Millisecond, Manufacturer: 25882,
		VendorParams: true, UnaskedEvents: true, OmitUnchanged: true, LinkMonitor: 2})
	require.NoError(t, err)
	defer sim.Close()
	other := append([]byte(nil), sgtin...)
	other[11] = 0x86
	sim.PutTag(rfid.Read{EPC: sgtin, Antenna: 2, RSSI: -55})
	sim.PutTag(rfid.Read{EPC: other, Antenna: 3, RSSI: -55})
	ev, stop := connect(t, sim.Addr(), 30*time.Millisecond, 2*time.Second)
	defer func() { _ = stop() }()
	require.NoError(t, sim.ConnectAntenna(4, false)) // an antenna event nobody asked for
	// Keepalives answered for many periods: the link monitor (2 missed)
	// never hangs up.
	require.Eventually(t, func() bool { return sim.KeepaliveAcks() >= 8 }, 10*time.Second, 5*time.Millisecond)
	reads := map[string]rfid.Read{}
	for _, e := range ev.Since(0) {
		switch e := e.(type) {
		case rfid.Read:
			assert.Equal(t, -55.0, e.RSSI, "RSSI filled in when left out")
			if e.Antenna == 0 {
				t.Errorf("read without antenna: %+v", e)
			}
			reads[string(e.EPC)] = e
		case rfid.Status:
			assert.Equal(t, rfid.Connected, e.State, "no fault, no disconnect: %v", e.Err)
		}
	}
	require.Len(t, reads, 2)
	assert.Equal(t, 2, reads[string(sgtin)].Antenna)
	assert.Equal(t, 3, reads[string(other)].Antenna)
}

// previousClient plays the software that used the reader before us: it
// sends msgs, each after the response to the one before, and leaves with
// CLOSE_CONNECTION.
func previousClient(t *testing.T, addr string, msgs ...llrp.Message) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	for i, m := range append(msgs, llrp.NewMessage(llrp.CloseConnection, 0)) {
		m.ID = uint32(5000 + i)
		_, err := c.Write(m.Marshal())
		require.NoError(t, err)
		for {
			r, err := llrp.ReadMessage(c)
			require.NoError(t, err)
			if r.ID != m.ID || r.Type == llrp.ROAccessReport || r.Type == llrp.ReaderEventNotification || r.Type == llrp.Keepalive {
				continue
			}
			st, err := llrp.ParseStatus(r)
			require.NoError(t, err)
			require.NoError(t, st.Err(), "%s", m.Type)
			break
		}
	}
}

// TestSessionLeftoversFromAnotherClient: a ROSpec left running on antenna 1
// and an AccessSpec by a previous client, which also told the reader to
// hold events and reports on reconnect. Our client reads only its antenna,
// leaves only its own ROSpec, and gets its reports despite the hold.
func TestSessionLeftoversFromAnotherClient(t *testing.T) {
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 10 * time.Millisecond})
	require.NoError(t, err)
	defer sim.Close()
	onAnt1 := append([]byte(nil), sgtin...)
	onAnt1[11] = 0x99
	sim.PutTag(rfid.Read{EPC: onAnt1, Antenna: 1, RSSI: -40})
	sim.PutTag(rfid.Read{EPC: sgtin, Antenna: 2, RSSI: -50})
	leftover := llrp.P(llrp.PROSpec, 7, 0, 0,
		llrp.P(llrp.PROBoundarySpec, llrp.P(llrp.PROSpecStartTrigger, 1), llrp.P(llrp.PROSpecStopTrigger, 0, 0)),
		llrp.P(llrp.PAISpec, []uint16{1}, llrp.P(llrp.PAISpecStopTrigger, 0, 0), llrp.P(llrp.PInventoryParameterSpec, 1, 1)))
	access := llrp.P(llrp.PAccessSpec, 3, 0, 1, false, 0, llrp.P(llrp.PAccessSpecStopTrigger, 0, 0),
		llrp.P(llrp.PAccessCommand, llrp.P(llrp.PC1G2TagSpec, llrp.P(llrp.PC1G2TargetTag, 1, true, 0, []byte{}, []byte{})),
			llrp.P(llrp.PC1G2Read, 1, 0, 2, 0, 2)))
	previousClient(t, sim.Addr(),
		llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PEventsAndReports, true)),
		llrp.NewMsg(llrp.AddROSpec, 0, leftover), llrp.NewROSpecCommand(llrp.EnableROSpec, 0, 7),
		llrp.NewMsg(llrp.AddAccessSpec, 0, access), llrp.NewROSpecCommand(llrp.EnableAccessSpec, 0, 3))
	require.Equal(t, []uint32{7}, sim.ROSpecIDs())
	time.Sleep(30 * time.Millisecond) // the leftover ROSpec runs and its reports are held for the next client

	r, err := llrp.New(llrp.Config{Addr: sim.Addr(), Name: "dock1", Antennas: []int{2}, Timeout: 2 * time.Second})
	require.NoError(t, err)
	ev := newEvents()
	stop := rfidtest.Run(t, r, ev)
	defer func() { _ = stop() }()
	ev.WaitFor(t, 0, "connected", rfidtest.State(rfid.Connected))
	ev.WaitFor(t, 0, "read on antenna 2", rfidtest.TagRead(sgtin))
	assert.Equal(t, []uint32{1}, sim.ROSpecIDs(), "only our ROSpec is left")
	assert.Equal(t, 1, sim.Received(llrp.DeleteAccessSpec))
	for _, e := range ev.Since(0) {
		if rd, ok := e.(rfid.Read); ok {
			assert.Equal(t, 2, rd.Antenna, "nothing from the leftover ROSpec: %X", rd.EPC)
		}
	}
}
