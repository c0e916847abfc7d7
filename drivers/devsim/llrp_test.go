package devsim

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// Behaviour of the simulated reader, checked with messages built by the
// llrp codec (whose encoding the golden tests pin to the standard). The
// rules each test checks are quoted from the standard in its comments.

var (
	tagA = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}
	tagB = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x86}
)

// simClient is a test client that keeps every message it receives.
type simClient struct {
	t    *testing.T
	c    net.Conn
	id   uint32
	mu   sync.Mutex
	got  []llrp.Message
	done chan struct{}
}

func newSim(t *testing.T, opt LLRPReaderOptions) *LLRPReader {
	if opt.ReadPeriod == 0 {
		opt.ReadPeriod = 10 * time.Millisecond
	}
	sim, err := NewLLRPReader(opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// connect dials and returns once the ConnectionAttemptEvent is in.
func connect(t *testing.T, sim *LLRPReader) *simClient {
	t.Helper()
	c, err := net.Dial("tcp", sim.Addr())
	require.NoError(t, err)
	sc := &simClient{t: t, c: c, id: 1000, done: make(chan struct{})}
	t.Cleanup(func() { _ = c.Close(); <-sc.done })
	go func() {
		defer close(sc.done)
		for {
			m, err := llrp.ReadMessage(c)
			if err != nil {
				return
			}
			sc.mu.Lock()
			sc.got = append(sc.got, m)
			sc.mu.Unlock()
		}
	}()
	ev := sc.await(func(m llrp.Message) bool { return m.Type == llrp.ReaderEventNotification })
	e, err := llrp.ParseReaderEvent(ev)
	require.NoError(t, err)
	require.NotNil(t, e.Connection)
	return sc
}

// await waits for a message matching ok, received at any time, and
// removes it.
func (c *simClient) await(ok func(llrp.Message) bool) llrp.Message {
	c.t.Helper()
	var found llrp.Message
	require.Eventually(c.t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, m := range c.got {
			if ok(m) {
				found = m
				c.got = append(c.got[:i], c.got[i+1:]...)
				return true
			}
		}
		return false
	}, 10*time.Second, 2*time.Millisecond)
	return found
}

func (c *simClient) send(m llrp.Message) uint32 {
	c.t.Helper()
	c.id++
	m.ID = c.id
	_, err := c.c.Write(m.Marshal())
	require.NoError(c.t, err)
	return m.ID
}

// call sends m and returns its response.
func (c *simClient) call(m llrp.Message) llrp.Message {
	c.t.Helper()
	id := c.send(m)
	return c.await(func(r llrp.Message) bool {
		return r.ID == id && r.Type != llrp.Keepalive && r.Type != llrp.ROAccessReport && r.Type != llrp.ReaderEventNotification
	})
}

// ok sends m and checks it succeeds.
func (c *simClient) ok(m llrp.Message) llrp.Message {
	c.t.Helper()
	r := c.call(m)
	st, err := llrp.ParseStatus(r)
	require.NoError(c.t, err)
	require.NoError(c.t, st.Err(), "%s", m.Type)
	return r
}

// fails sends m and returns the status of its failure.
func (c *simClient) fails(m llrp.Message) llrp.Status {
	c.t.Helper()
	st, err := llrp.ParseStatus(c.call(m))
	require.NoError(c.t, err)
	require.Error(c.t, st.Err())
	return st
}

// event waits for a reader event that ok accepts.
func (c *simClient) event(ok func(llrp.ReaderEvent) bool) llrp.ReaderEvent {
	c.t.Helper()
	var ev llrp.ReaderEvent
	c.await(func(m llrp.Message) bool {
		if m.Type != llrp.ReaderEventNotification {
			return false
		}
		e, err := llrp.ParseReaderEvent(m)
		if err == nil && ok(e) {
			ev = e
			return true
		}
		return false
	})
	return ev
}

func (c *simClient) report() []llrp.TagReport {
	c.t.Helper()
	r, err := llrp.ParseROAccessReport(c.await(func(m llrp.Message) bool { return m.Type == llrp.ROAccessReport }))
	require.NoError(c.t, err)
	return r
}

// drain forgets what was received so far.
func (c *simClient) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = nil
}

func (c *simClient) count(typ llrp.MessageType) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.got {
		if m.Type == typ {
			n++
		}
	}
	return n
}

func roStart(id uint32) func(llrp.ReaderEvent) bool {
	return func(e llrp.ReaderEvent) bool {
		return e.ROSpec != nil && e.ROSpec.ID == id && e.ROSpec.Type == llrp.ROSpecStarted
	}
}

func roEnd(id uint32) func(llrp.ReaderEvent) bool {
	return func(e llrp.ReaderEvent) bool {
		return e.ROSpec != nil && e.ROSpec.ID == id && e.ROSpec.Type == llrp.ROSpecEnded
	}
}

// enableEvents turns on the given notification types (§16.2.7.5.1) and
// enables GPI ports 1 and 2.
func enableEvents(c *simClient, types ...int) {
	var states []*llrp.Param
	for _, typ := range types {
		states = append(states, llrp.P(llrp.PEventNotificationState, typ, true))
	}
	c.ok(llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PReaderEventNotificationSpec, states),
		llrp.P(llrp.PGPIPortCurrentState, 1, true, 0), llrp.P(llrp.PGPIPortCurrentState, 2, true, 0)))
}

// rospec builds an ROSpec (§16.2.4.1) with the given triggers, AISpecs and
// report spec (nil: the reader's default).
func rospec(id uint32, start, stop *llrp.Param, report *llrp.Param, ais ...*llrp.Param) *llrp.Param {
	return llrp.P(llrp.PROSpec, id, 0, 0, llrp.P(llrp.PROBoundarySpec, start, stop), ais, report)
}

func aispec(antennas []uint16, stop *llrp.Param) *llrp.Param {
	return llrp.P(llrp.PAISpec, antennas, stop, llrp.P(llrp.PInventoryParameterSpec, 1, 1))
}

var (
	nullStart = llrp.P(llrp.PROSpecStartTrigger, 0)
	immediate = llrp.P(llrp.PROSpecStartTrigger, 1)
	nullStop  = llrp.P(llrp.PROSpecStopTrigger, 0, 0)
	aiNull    = llrp.P(llrp.PAISpecStopTrigger, 0, 0)
	all       = []uint16{0}
)

// reportSpec: trigger, N and content ROSpecID, AntennaID, PeakRSSI, TagSeenCount.
func reportSpec(trigger, n int) *llrp.Param {
	return llrp.P(llrp.PROReportSpec, trigger, n, llrp.P(llrp.PTagReportContentSelector,
		true, false, false, true, false, true, false, false, true, false))
}

// add adds an ROSpec after forgetting the messages of earlier ones.
func add(c *simClient, p *llrp.Param) {
	c.drain()
	c.ok(llrp.NewMsg(llrp.AddROSpec, 0, p))
}

func cmd(t llrp.MessageType, id uint32) llrp.Message { return llrp.NewROSpecCommand(t, 0, id) }

func TestLLRPStartAndStopTriggers(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	sim.PutTag(rfid.Read{EPC: tagA, Antenna: 1, RSSI: -50})
	c := connect(t, sim)
	enableEvents(c, llrp.EventROSpec, llrp.EventAISpec, llrp.EventGPI)

	t.Run("immediate start, duration stop", func(t *testing.T) {
		// §16.2.4.1.1.1: 1 = Immediate; §16.2.4.1.1.2: 1 = Duration.
		add(c, rospec(1, immediate, llrp.P(llrp.PROSpecStopTrigger, 1, 100), reportSpec(2, 1), aispec(all, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 1))
		c.event(roStart(1))
		c.event(roEnd(1))
		states := rospecStates(c)
		assert.Equal(t, map[uint32]uint64{1: 1}, states, "ended, back to Inactive")
		c.ok(cmd(llrp.DeleteROSpec, 1))
	})
	t.Run("periodic start", func(t *testing.T) {
		// PeriodicTriggerValue (§16.2.4.1.1.1.1): Offset 0, Period 60 ms; stop after 20 ms.
		add(c, rospec(2, llrp.P(llrp.PROSpecStartTrigger, 2, llrp.P(llrp.PPeriodicTriggerValue, 0, 60)),
			llrp.P(llrp.PROSpecStopTrigger, 1, 20), reportSpec(2, 1), aispec(all, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 2))
		for range 3 {
			c.event(roStart(2))
			c.event(roEnd(2))
		}
		c.ok(cmd(llrp.DeleteROSpec, 2))
	})
	t.Run("GPI start and stop", func(t *testing.T) {
		// GPITriggerValue (§16.2.4.1.1.1.2): port 1 high starts, low stops.
		add(c, rospec(3, llrp.P(llrp.PROSpecStartTrigger, 3, llrp.P(llrp.PGPITriggerValue, 1, true, 0)),
			llrp.P(llrp.PROSpecStopTrigger, 2, 0, llrp.P(llrp.PGPITriggerValue, 1, false, 0)), reportSpec(2, 1), aispec(all, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 3))
		require.NoError(t, sim.GPI(1, true))
		g := c.event(func(e llrp.ReaderEvent) bool { return e.GPI != nil })
		assert.Equal(t, &llrp.GPIEvent{Port: 1, High: true}, g.GPI)
		c.event(roStart(3))
		require.NoError(t, sim.GPI(1, false))
		c.event(roEnd(3))
		c.ok(cmd(llrp.DeleteROSpec, 3))
	})
	t.Run("AISpecs in turn, duration then tag observation", func(t *testing.T) {
		// Two AISpecs: 50 ms, then until 3 tag observations (TagObservationTrigger type 0).
		obs := llrp.P(llrp.PAISpecStopTrigger, 3, 0, llrp.P(llrp.PTagObservationTrigger, 0, 3, 0, 0, 0))
		add(c, rospec(4, immediate, nullStop, reportSpec(1, 0),
			aispec(all, llrp.P(llrp.PAISpecStopTrigger, 1, 50)), aispec(all, obs)))
		c.ok(cmd(llrp.EnableROSpec, 4))
		first := c.event(func(e llrp.ReaderEvent) bool { return e.AISpec != nil })
		assert.Equal(t, &llrp.AISpecEvent{ROSpecID: 4, SpecIndex: 1}, first.AISpec)
		// Trigger 1 reports at the end of each AISpec: one TagReportData
		// accumulating the rounds of the first AISpec (§13.2.3).
		r := c.report()
		require.Len(t, r, 1)
		assert.Greater(t, r[0].SeenCount, uint16(1))
		second := c.event(func(e llrp.ReaderEvent) bool { return e.AISpec != nil })
		assert.Equal(t, &llrp.AISpecEvent{ROSpecID: 4, SpecIndex: 2}, second.AISpec)
		assert.Equal(t, uint16(3), c.report()[0].SeenCount, "3 observations ended the AISpec")
		c.event(roEnd(4))
		c.ok(cmd(llrp.DeleteROSpec, 4))
	})
	t.Run("no new tags for T ms", func(t *testing.T) {
		obs := llrp.P(llrp.PAISpecStopTrigger, 3, 0, llrp.P(llrp.PTagObservationTrigger, 1, 0, 0, 40, 0))
		add(c, rospec(5, immediate, nullStop, reportSpec(2, 0), aispec(all, obs)))
		start := time.Now()
		c.ok(cmd(llrp.EnableROSpec, 5))
		c.event(roEnd(5))
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
		c.ok(cmd(llrp.DeleteROSpec, 5))
	})
}

// rospecStates returns ROSpecID -> CurrentState from GET_ROSPECS
// (§16.1.16).
func rospecStates(c *simClient) map[uint32]uint64 {
	body, err := c.ok(llrp.NewMessage(llrp.GetROSpecs, 0)).Decode()
	require.NoError(c.t, err)
	out := map[uint32]uint64{}
	for _, r := range body.All(llrp.PROSpec) {
		out[uint32(r.U("ROSpecID"))] = r.U("CurrentState")
	}
	return out
}

func TestLLRPROSpecCommandsAndIDZero(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	c := connect(t, sim)
	add(c, rospec(1, nullStart, nullStop, nil, aispec(all, aiNull)))
	add(c, rospec(2, nullStart, nullStop, nil, aispec(all, aiNull)))
	assert.Equal(t, map[uint32]uint64{1: 0, 2: 0}, rospecStates(c), "added Disabled")

	// ID 0 = all for ENABLE, DISABLE, DELETE (§10.1.3, §10.1.9, §10.1.11).
	c.ok(cmd(llrp.EnableROSpec, 0))
	assert.Equal(t, map[uint32]uint64{1: 1, 2: 1}, rospecStates(c), "Inactive")
	c.ok(cmd(llrp.StartROSpec, 2))
	assert.Equal(t, map[uint32]uint64{1: 1, 2: 2}, rospecStates(c), "2 Active")
	assert.True(t, sim.Inventorying())
	c.ok(cmd(llrp.StopROSpec, 2))
	assert.Equal(t, map[uint32]uint64{1: 1, 2: 1}, rospecStates(c))
	c.ok(cmd(llrp.DisableROSpec, 0))
	assert.Equal(t, map[uint32]uint64{1: 0, 2: 0}, rospecStates(c))

	// "Zero is disallowed" for START and STOP (§10.1.5, §10.1.7); a
	// disabled or unknown ROSpec cannot start; IDs are unique and not 0.
	for _, m := range []llrp.Message{cmd(llrp.StartROSpec, 0), cmd(llrp.StopROSpec, 0), cmd(llrp.StartROSpec, 1),
		cmd(llrp.StopROSpec, 1), cmd(llrp.EnableROSpec, 9)} {
		st := c.fails(m)
		assert.Equal(t, llrp.M_FieldError, st.Code, "%s", m.Type)
		assert.Equal(t, &llrp.FieldError{Num: 0, Code: llrp.A_Invalid}, st.FieldErr)
	}
	st := c.fails(llrp.NewMsg(llrp.AddROSpec, 0, rospec(1, nullStart, nullStop, nil, aispec(all, aiNull))))
	assert.Equal(t, llrp.M_ParameterError, st.Code)
	assert.Equal(t, &llrp.ParameterError{Type: uint16(llrp.PROSpec), Code: llrp.P_FieldError,
		FieldErr: &llrp.FieldError{Num: 0, Code: llrp.A_Invalid}}, st.ParamErr)
	// A periodic start without its PeriodicTriggerValue: P_MissingParameter.
	st = c.fails(llrp.NewMsg(llrp.AddROSpec, 0, rospec(3, llrp.P(llrp.PROSpecStartTrigger, 2), nullStop, nil, aispec(all, aiNull))))
	pe := st.ParamErr
	for pe.ParamErr != nil {
		pe = pe.ParamErr
	}
	assert.Equal(t, &llrp.ParameterError{Type: uint16(llrp.PPeriodicTriggerValue), Code: llrp.P_MissingParameter}, pe)
	// An antenna the reader does not have: A_OutOfRange on AntennaIDs.
	st = c.fails(llrp.NewMsg(llrp.AddROSpec, 0, rospec(3, nullStart, nullStop, nil, aispec([]uint16{9}, aiNull))))
	assert.Equal(t, &llrp.FieldError{Num: 0, Code: llrp.A_OutOfRange}, st.ParamErr.ParamErr.FieldErr)

	c.ok(cmd(llrp.DeleteROSpec, 0))
	assert.Empty(t, rospecStates(c))
}

func TestLLRPReportTriggers(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	sim.PutTag(rfid.Read{EPC: tagA, Antenna: 1, RSSI: -50})
	sim.PutTag(rfid.Read{EPC: tagB, Antenna: 2, RSSI: -40})
	c := connect(t, sim)

	t.Run("none: accumulate until GET_REPORT", func(t *testing.T) {
		add(c, rospec(1, immediate, nullStop, reportSpec(0, 0), aispec(all, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 1))
		time.Sleep(50 * time.Millisecond) // let several rounds accumulate; nothing may be sent meanwhile
		assert.Zero(t, c.count(llrp.ROAccessReport))
		c.send(llrp.NewMessage(llrp.GetReport, 0))
		r := c.report()
		require.Len(t, r, 2, "one TagReportData per tag")
		for _, tr := range r {
			assert.Greater(t, tr.SeenCount, uint16(1), "observations accumulated")
		}
		c.ok(cmd(llrp.DeleteROSpec, 1))
	})
	t.Run("upon N tags", func(t *testing.T) {
		add(c, rospec(2, immediate, nullStop, reportSpec(2, 2), aispec(all, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 2))
		r := c.report()
		assert.Len(t, r, 2)
		byAntenna := map[uint16]int8{r[0].Antenna: r[0].PeakRSSI, r[1].Antenna: r[1].PeakRSSI}
		assert.Equal(t, map[uint16]int8{1: -50, 2: -40}, byAntenna)
		assert.Zero(t, r[0].FirstSeen, "not selected, not sent")
		c.ok(cmd(llrp.DeleteROSpec, 2))
	})
	t.Run("content and EPC memory selector", func(t *testing.T) {
		// Every TagReportContentSelector field plus PC and CRC (§16.3.1.5.1).
		sel := llrp.P(llrp.PROReportSpec, 2, 1, llrp.P(llrp.PTagReportContentSelector,
			true, true, true, true, true, true, true, true, true, true, llrp.P(llrp.PC1G2EPCMemorySelector, true, true)))
		add(c, rospec(3, immediate, nullStop, sel, aispec([]uint16{1}, aiNull)))
		c.ok(cmd(llrp.EnableROSpec, 3))
		r := c.report()[0]
		assert.Equal(t, tagA, r.EPC)
		assert.Equal(t, uint32(3), r.ROSpecID)
		assert.Equal(t, uint16(1), r.SpecIndex)
		assert.Equal(t, uint16(1), r.InventoryParameterSpecID)
		assert.NotZero(t, r.ChannelIndex)
		assert.False(t, r.FirstSeen.IsZero() || r.LastSeen.IsZero())
		// StoredPC of a 96-bit EPC: length 6 words in the top 5 bits.
		assert.Equal(t, uint16(0x3000), r.PC)
		assert.True(t, r.HasCRC)
		c.ok(cmd(llrp.DeleteROSpec, 3))
	})
}

func TestLLRPGen2CRC(t *testing.T) {
	// CRC-16 of EPC Gen2 (ISO/IEC 18000-63): the CRC-16/GENIBUS check
	// value over "123456789" is 0xD64E.
	assert.Equal(t, uint16(0xD64E), gen2CRC([]byte("123456789")))
}

func TestLLRPAccessSpecs(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	sim.PutTag(rfid.Read{EPC: tagA, Antenna: 1, RSSI: -50, TID: []byte{0xE2, 0x80, 0x11, 0x05, 0x20, 0x00, 0x12, 0x34}})
	c := connect(t, sim)
	// AccessSpec 5: on any antenna and ROSpec, for tags whose EPC bank
	// holds tagA's EPC from bit 32 (C1G2TargetTag, §16.3.1.3.1.1), read 4
	// TID words (C1G2Read, MB 2); delete itself after 2 operations.
	target := llrp.P(llrp.PC1G2TargetTag, 1, true, 32, llrp.BitString{Bits: 96, B: bytesOf(0xFF, 12)}, llrp.BitString{Bits: 96, B: tagA})
	spec := llrp.P(llrp.PAccessSpec, 5, 0, 1, false, 0,
		llrp.P(llrp.PAccessSpecStopTrigger, 1, 2),
		llrp.P(llrp.PAccessCommand, llrp.P(llrp.PC1G2TagSpec, target), llrp.P(llrp.PC1G2Read, 9, 0, 2, 0, 4)))
	c.ok(llrp.NewMsg(llrp.AddAccessSpec, 0, spec))
	c.ok(llrp.NewROSpecCommand(llrp.EnableAccessSpec, 0, 5))
	sel := llrp.P(llrp.PROReportSpec, 2, 1, llrp.P(llrp.PTagReportContentSelector,
		false, false, false, true, false, false, false, false, false, true))
	add(c, rospec(1, immediate, nullStop, sel, aispec(all, aiNull)))
	c.ok(cmd(llrp.EnableROSpec, 1))
	r := c.report()[0]
	assert.Equal(t, uint32(5), r.AccessSpecID)
	require.Len(t, r.OpResults, 1)
	res := r.OpResults[0]
	assert.Equal(t, uint64(0), res.U("Result"))
	assert.Equal(t, uint64(9), res.U("OpSpecID"))
	assert.Equal(t, []uint32{0xE280, 0x1105, 0x2000, 0x1234}, res.Get("ReadData").W)
	// The stop trigger deletes it after two operations (§16.2.5.1.1).
	require.Eventually(t, func() bool {
		body, err := c.ok(llrp.NewMessage(llrp.GetAccessSpecs, 0)).Decode()
		return err == nil && len(body.All(llrp.PAccessSpec)) == 0
	}, 5*time.Second, 5*time.Millisecond)

	// Tags are read-only here: a write is refused as unsupported.
	write := llrp.P(llrp.PAccessSpec, 6, 0, 1, false, 0, llrp.P(llrp.PAccessSpecStopTrigger, 0, 0),
		llrp.P(llrp.PAccessCommand, llrp.P(llrp.PC1G2TagSpec, target), llrp.P(llrp.PC1G2Write, 1, 0, 1, 2, []uint16{1})))
	st := c.fails(llrp.NewMsg(llrp.AddAccessSpec, 0, write))
	assert.Equal(t, llrp.M_ParameterError, st.Code)
	pe := st.ParamErr
	for pe.ParamErr != nil {
		pe = pe.ParamErr
	}
	assert.Equal(t, &llrp.ParameterError{Type: uint16(llrp.PC1G2Write), Code: llrp.P_UnsupportedParameter}, pe)
	// ENABLE/DISABLE/DELETE_ACCESSSPEC of an unknown ID fail; 0 = all succeed.
	st = c.fails(llrp.NewROSpecCommand(llrp.EnableAccessSpec, 0, 77))
	assert.Equal(t, llrp.M_FieldError, st.Code)
	c.ok(llrp.NewROSpecCommand(llrp.DisableAccessSpec, 0, 0))
	c.ok(llrp.NewROSpecCommand(llrp.DeleteAccessSpec, 0, 0))
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestLLRPReaderConfig(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	c := connect(t, sim)
	get := func(requested int) *llrp.Param {
		body, err := c.ok(llrp.NewMsg(llrp.GetReaderConfig, 0, 0, requested, 0, 0)).Decode()
		require.NoError(t, err)
		return body
	}
	state := func() uint64 { return get(7).Sub(llrp.PLLRPConfigurationStateValue).U("LLRPConfigurationStateValue") }
	assert.Equal(t, uint64(0), get(8).Sub(llrp.PKeepaliveSpec).U("KeepaliveTriggerType"), "factory: no keepalives")

	s0 := state()
	c.ok(llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PKeepaliveSpec, 1, 5000)))
	assert.Equal(t, uint64(5000), get(8).Sub(llrp.PKeepaliveSpec).U("PeriodicTriggerValue"))
	s1 := state()
	assert.NotEqual(t, s0, s1, "SET_READER_CONFIG changes the configuration state (§12.2.1)")

	// A message with an error changes nothing (§14.1.1): the keepalive of
	// this one is not applied because its GPO port does not exist.
	st := c.fails(llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PKeepaliveSpec, 1, 100),
		llrp.P(llrp.PGPOWriteData, 9, true)))
	assert.Equal(t, &llrp.ParameterError{Type: uint16(llrp.PGPOWriteData), Code: llrp.P_FieldError,
		FieldErr: &llrp.FieldError{Num: 0, Code: llrp.A_OutOfRange}}, st.ParamErr)
	assert.Equal(t, uint64(5000), get(8).Sub(llrp.PKeepaliveSpec).U("PeriodicTriggerValue"))

	// Enabling a ROSpec is not a configuration change; adding one is.
	add(c, rospec(1, nullStart, nullStop, nil, aispec(all, aiNull)))
	s2 := state()
	assert.NotEqual(t, s1, s2)
	c.ok(cmd(llrp.EnableROSpec, 1))
	assert.Equal(t, s2, state())

	// Per-antenna answers for antenna 0, one for a named antenna (§16.1.37).
	assert.Len(t, get(3).All(llrp.PAntennaConfiguration), 4)
	body, err := c.ok(llrp.NewMsg(llrp.GetReaderConfig, 0, 2, 3, 0, 0)).Decode()
	require.NoError(t, err)
	require.Len(t, body.All(llrp.PAntennaConfiguration), 1)
	// A transmit power index outside the table: A_OutOfRange on RFTransmitter.TransmitPower.
	st = c.fails(llrp.NewMsg(llrp.SetReaderConfig, 0, false,
		llrp.P(llrp.PAntennaConfiguration, 1, llrp.P(llrp.PRFTransmitter, 1, 0, 99))))
	assert.Equal(t, &llrp.FieldError{Num: 2, Code: llrp.A_OutOfRange}, st.ParamErr.ParamErr.FieldErr)

	// ResetToFactoryDefault (§16.1.38) restores the factory configuration.
	c.ok(llrp.NewMsg(llrp.SetReaderConfig, 0, true))
	assert.Equal(t, uint64(0), get(8).Sub(llrp.PKeepaliveSpec).U("KeepaliveTriggerType"))
	assert.Equal(t, []uint32{1}, sim.ROSpecIDs(), "ROSpecs are not configuration")
}

func TestLLRPHoldEventsAndReports(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	sim.PutTag(rfid.Read{EPC: tagA, Antenna: 1, RSSI: -50})
	a := connect(t, sim)
	// EventsAndReports (§12.2.6.4): hold on reconnect; a running ROSpec.
	a.ok(llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PEventsAndReports, true)))
	add(a, rospec(1, immediate, nullStop, reportSpec(2, 1), aispec(all, aiNull)))
	a.ok(cmd(llrp.EnableROSpec, 1))
	a.report()
	a.ok(llrp.NewMessage(llrp.CloseConnection, 0))

	b := connect(t, sim)
	time.Sleep(50 * time.Millisecond) // several rounds: all held
	assert.Zero(t, b.count(llrp.ROAccessReport), "nothing but the ConnectionAttemptEvent before ENABLE_EVENTS_AND_REPORTS")
	b.send(llrp.NewMessage(llrp.EnableEventsAndReports, 0))
	assert.Equal(t, tagA, b.report()[0].EPC, "the held reports, then live ones")
	assert.Zero(t, b.count(llrp.ErrorMessage), "ENABLE_EVENTS_AND_REPORTS has no response")
}

func TestLLRPOneClientAtATime(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	a := connect(t, sim)
	add(a, rospec(7, nullStart, nullStop, nil, aispec(all, aiNull)))

	// The second client: ConnectionAttemptEvent status 2, then closed; the
	// first is told status 4 (§13.2.6.11).
	c, err := net.Dial("tcp", sim.Addr())
	require.NoError(t, err)
	defer c.Close()
	m, err := llrp.ReadMessage(c)
	require.NoError(t, err)
	ev, err := llrp.ParseReaderEvent(m)
	require.NoError(t, err)
	assert.Equal(t, &llrp.ConnectionAttempt{Status: llrp.ConnClientInitiatedExists}, ev.Connection)
	_, err = llrp.ReadMessage(c)
	assert.Error(t, err, "closed")
	a.event(func(e llrp.ReaderEvent) bool {
		return e.Connection != nil && e.Connection.Status == llrp.ConnAnotherAttempted
	})
	a.ok(llrp.NewMessage(llrp.GetROSpecs, 0))

	// ROSpecs outlive the connection, not a power cycle.
	a.ok(llrp.NewMessage(llrp.CloseConnection, 0))
	require.Eventually(t, func() bool { return sim.current() == nil }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []uint32{7}, sim.ROSpecIDs())
	require.NoError(t, sim.Unplug())
	require.NoError(t, sim.Replug())
	assert.Empty(t, sim.ROSpecIDs())
}

func TestLLRPLinkMonitor(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{LinkMonitor: 2})
	c := connect(t, sim)
	c.ok(llrp.NewMsg(llrp.SetReaderConfig, 0, false, llrp.P(llrp.PKeepaliveSpec, 1, 20)))
	// This client never answers: after 2 KEEPALIVEs the reader says
	// ConnectionCloseEvent (§13.2.6.12) and closes.
	c.event(func(e llrp.ReaderEvent) bool { return e.Closed })
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("connection not closed")
	}
	assert.Equal(t, 2, c.count(llrp.Keepalive))
}

func TestLLRPSelectFilter(t *testing.T) {
	sim := newSim(t, LLRPReaderOptions{})
	sim.PutTag(rfid.Read{EPC: tagA, Antenna: 1, RSSI: -50})
	sim.PutTag(rfid.Read{EPC: tagB, Antenna: 1, RSSI: -50})
	c := connect(t, sim)
	// C1G2Filter (§16.3.1.2.1.1) on the EPC bank from bit 32+88: the last
	// byte 0x86 selects tagB only (action 0: select matching, unselect others).
	filter := llrp.P(llrp.PC1G2Filter, 0, llrp.P(llrp.PC1G2TagInventoryMask, 1, 32+88, llrp.BitString{Bits: 8, B: []byte{0x86}}),
		llrp.P(llrp.PC1G2TagInventoryStateUnawareFilterAction, 0))
	inv := llrp.P(llrp.PInventoryParameterSpec, 1, 1, llrp.P(llrp.PAntennaConfiguration, 0, llrp.P(llrp.PC1G2InventoryCommand, false, filter)))
	add(c, rospec(1, immediate, nullStop, reportSpec(2, 1), llrp.P(llrp.PAISpec, all, aiNull, inv)))
	c.ok(cmd(llrp.EnableROSpec, 1))
	for range 3 {
		for _, r := range c.report() {
			assert.Equal(t, tagB, r.EPC)
		}
	}
}
