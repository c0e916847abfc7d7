package devsim

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// LLRPReaderOptions configure a virtual LLRP reader. The zero value is usable.
type LLRPReaderOptions struct {
	Addr       string        // listen address; default 127.0.0.1:0 (any free port)
	Antennas   int           // default 4
	GPIs, GPOs int           // default 4 each
	ReadPeriod time.Duration // one inventory round per period (also the timing grain of triggers and keepalives); default 100 ms
	Region     string        // "fcc" (default: 50 hopping channels, 902.75-927.25 MHz) or "etsi" (4 fixed channels, 865.7-867.5 MHz)

	Manufacturer uint32 // IANA enterprise number in the capabilities (0 = none)
	Model        uint32 // default 1
	Firmware     string // default "devsim-1.0"

	// Habits of commercial readers that a client must cope with, all off
	// by default.
	VendorParams  bool // vendor Custom parameters (vendor = Manufacturer) in capabilities, configuration, reports and events
	UnaskedEvents bool // hopping and antenna events whether the client enabled them or not
	OmitUnchanged bool // leave AntennaID and PeakRSSI out of a TagReportData when they equal the previous one's (§13.2.3 allows it)
	LinkMonitor   int  // close the connection (ConnectionCloseEvent) after this many unanswered KEEPALIVEs; 0 = never

	Seed uint64 // makes Garbage reproducible
	Log  zerolog.Logger
}

// LLRPReader is a virtual fixed RFID reader speaking LLRP 1.0.1 (and the
// version negotiation of 1.1) on TCP, like an Impinj or Zebra reader on port
// 5084. It serves the reader side of an inventory session: capabilities,
// reader configuration (get, set, factory defaults), ROSpecs and AccessSpecs
// with their triggers, reports and events, keepalives, event holding and
// CLOSE_CONNECTION, answering faults with the LLRPStatus codes of the
// standard. Tags put into its field with PutTag are seen by every inventory
// round of an active ROSpec on their antenna. Like a real reader it keeps
// its ROSpecs, AccessSpecs and configuration across connections (until
// Unplug, a power cycle), accepts one client at a time and refuses others
// with a ConnectionAttemptEvent. See docs/rfid.md for the messages and
// parameters it serves.
type LLRPReader struct {
	tagField
	opt    LLRPReaderOptions
	log    zerolog.Logger
	faults *lineFaults
	caps   capabilities

	mu        sync.Mutex
	ln        net.Listener // nil while unplugged
	addr      string
	conn      *llrpConn // current client
	received  map[llrp.MessageType]int
	acks      int
	closed    bool
	listening sync.WaitGroup
	// plugMu makes Unplug (which waits for the listener after releasing
	// mu) and Replug one at a time, so a Replug never adds to a
	// WaitGroup being waited on.
	plugMu   sync.Mutex
	engine   chan struct{} // closed to stop the engine
	engineWG sync.WaitGroup

	// Reader state, kept across connections; guarded by mu.
	cfg      readerConfig
	rospecs  []*roSpec     // in order of ADD_ROSPEC
	access   []*accessSpec // in order of ADD_ACCESSSPEC
	held     []llrp.Message
	overflow bool   // held reports were lost: report it on release
	gpiLevel []bool // current level of each GPI, index port-1
	antUp    []bool // antenna connected, index antenna-1
	rounds   int    // inventory rounds run, for the channel index
	lastTag  llrp.TagReport
	// While a request is handled its events wait here, so that they
	// follow its response.
	deferring bool
	deferred  []llrp.Message
}

// maxHeld bounds the events and reports a reader holds for a client
// (EventsAndReports) or queues for a slow one; past it reports are lost and
// a ReportBufferOverflowErrorEvent says so.
const maxHeld = 1024

// llrpConn is one client connection.
type llrpConn struct {
	c         net.Conn
	done      chan struct{}
	closeOnce sync.Once
	wake      chan struct{} // the writer has messages to send
	// guarded by LLRPReader.mu
	out        []llrp.Message
	lastID     uint32
	version    uint8
	versionSet bool // SET_PROTOCOL_VERSION may come once
	holding    bool // events and reports held until ENABLE_EVENTS_AND_REPORTS
	nextKA     time.Time
	unacked    int
	closing    bool // ConnectionCloseEvent sent: nothing more goes out
	overflowed bool // reports were lost to a full queue; said once
}

// NewLLRPReader starts a virtual reader listening on opt.Addr.
func NewLLRPReader(opt LLRPReaderOptions) (*LLRPReader, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	if opt.Antennas == 0 {
		opt.Antennas = 4
	}
	if opt.GPIs == 0 {
		opt.GPIs = 4
	}
	if opt.GPOs == 0 {
		opt.GPOs = 4
	}
	if opt.ReadPeriod == 0 {
		opt.ReadPeriod = 100 * time.Millisecond
	}
	if opt.Model == 0 {
		opt.Model = 1
	}
	if opt.Firmware == "" {
		opt.Firmware = "devsim-1.0"
	}
	caps, err := newCapabilities(opt)
	if err != nil {
		return nil, err
	}
	s := &LLRPReader{
		opt: opt, log: opt.Log.With().Str("device", "llrp-reader").Logger(), caps: caps,
		faults: newLineFaults(opt.Seed, 0x11a9), received: map[llrp.MessageType]int{},
		engine: make(chan struct{}),
	}
	s.addr = opt.Addr
	if err := s.Replug(); err != nil {
		return nil, err
	}
	s.engineWG.Add(1)
	go s.run()
	return s, nil
}

// Addr is the host:port clients dial.
func (s *LLRPReader) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Received counts the client messages of type t seen since start.
func (s *LLRPReader) Received(t llrp.MessageType) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[t]
}

// KeepaliveAcks counts KEEPALIVE_ACKs received.
func (s *LLRPReader) KeepaliveAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acks
}

// Inventorying reports whether a ROSpec is executing.
func (s *LLRPReader) Inventorying() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rospecs {
		if r.state == roActive {
			return true
		}
	}
	return false
}

// ROSpecIDs lists the ROSpecs on the reader, in order of addition.
func (s *LLRPReader) ROSpecIDs() []uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []uint32
	for _, r := range s.rospecs {
		ids = append(ids, r.id)
	}
	return ids
}

// GPI sets the level of a general-purpose input (a photo-eye); a change on
// a port the client enabled is reported (GPIEvent) and fires GPI triggers.
func (s *LLRPReader) GPI(port int, high bool) error {
	if port < 1 || port > s.opt.GPIs {
		return fmt.Errorf("devsim llrp: no GPI %d", port)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gpiEdge(uint16(port), high, time.Now())
	return nil
}

// Exception reports a reader exception (e.g. "antenna 3 disconnected").
func (s *LLRPReader) Exception(msg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errors.New("devsim llrp: no client connected")
	}
	s.event(llrp.EventReaderException, llrp.ReaderEvent{Exception: msg})
	return nil
}

// ConnectAntenna connects or disconnects an antenna: tags on a
// disconnected antenna are not seen, and the change is an AntennaEvent.
func (s *LLRPReader) ConnectAntenna(antenna int, connected bool) error {
	if antenna < 1 || antenna > s.opt.Antennas {
		return fmt.Errorf("devsim llrp: no antenna %d", antenna)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.antUp[antenna-1] != connected {
		s.antUp[antenna-1] = connected
		s.event(llrp.EventAntenna, llrp.ReaderEvent{Antenna: &llrp.AntennaEvent{Antenna: uint16(antenna), Connected: connected}})
	}
	return nil
}

// Garbage writes n random bytes to the client: on TCP that breaks the
// framing for good, so the client has to reconnect.
func (s *LLRPReader) Garbage(n int) error {
	c := s.current()
	if c == nil {
		return errors.New("devsim llrp: no client connected")
	}
	b := s.faults.noise(n, nil)
	b[0] |= 0xE0 // reserved header bits set: never a valid message start
	return s.write(c, b)
}

// SetSlow delays every following message by d (a busy or congested
// reader); 0 restores full speed.
func (s *LLRPReader) SetSlow(d time.Duration) { s.faults.setSlow(d) }

// CutNextMessage makes the next message the reader sends stop halfway,
// followed by a disconnect: a cable pulled mid-frame.
func (s *LLRPReader) CutNextMessage() { s.faults.cutNextWrite() }

// Drop closes the client connection without any LLRP goodbye (a network
// blip); the reader keeps listening and its ROSpecs keep running.
func (s *LLRPReader) Drop() {
	if c := s.current(); c != nil {
		c.close()
	}
}

// Unplug powers the reader off: the connection drops and nobody listens
// until Replug, which starts the reader with its factory configuration and
// no ROSpecs or AccessSpecs.
func (s *LLRPReader) Unplug() error {
	s.plugMu.Lock()
	defer s.plugMu.Unlock()
	s.mu.Lock()
	ln, c := s.ln, s.conn
	s.ln = nil
	s.mu.Unlock()
	if ln == nil {
		return errors.New("devsim llrp: already unplugged")
	}
	err := ln.Close()
	if c != nil {
		c.close()
	}
	s.listening.Wait()
	return err
}

// Replug powers the reader on again at the same address.
func (s *LLRPReader) Replug() error {
	s.plugMu.Lock()
	defer s.plugMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("devsim llrp: closed")
	}
	if s.ln != nil {
		return errors.New("devsim llrp: already plugged in")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("devsim llrp listen %s: %w", s.addr, err)
	}
	s.ln, s.addr = ln, ln.Addr().String()
	s.powerOn()
	s.listening.Add(1)
	go s.accept(ln)
	s.log.Debug().Str("addr", s.addr).Msg("listening")
	return nil
}

// powerOn resets the reader state as a boot does.
func (s *LLRPReader) powerOn() {
	s.cfg = s.factoryConfig()
	s.rospecs, s.access, s.held, s.overflow = nil, nil, nil, false
	s.gpiLevel = make([]bool, s.opt.GPIs)
	s.antUp = make([]bool, s.opt.Antennas)
	for i := range s.antUp {
		s.antUp[i] = true
	}
}

// Close stops the reader.
func (s *LLRPReader) Close() error {
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	plugged := s.ln != nil
	s.mu.Unlock()
	if !wasClosed {
		close(s.engine)
		s.engineWG.Wait()
	}
	if plugged {
		return s.Unplug()
	}
	return nil
}

func (s *LLRPReader) current() *llrpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

func (s *LLRPReader) accept(ln net.Listener) {
	defer s.listening.Done()
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := &llrpConn{c: nc, done: make(chan struct{}), wake: make(chan struct{}, 1), version: llrp.Version101}
		s.mu.Lock()
		busy := s.conn
		if busy == nil {
			s.conn = c
			c.holding = s.cfg.hold
			c.nextKA = time.Now().Add(s.cfg.keepalive)
			s.lastTag = llrp.TagReport{}
			// The ConnectionAttemptEvent goes first, whatever is held
			// (§16.2.6.10, §16.2.7.6.10).
			s.queue(c, llrp.NewReaderEventNotification(0, llrp.ReaderEvent{Time: time.Now(),
				Connection: &llrp.ConnectionAttempt{Status: llrp.ConnSuccess}}), true)
		} else {
			// Refuse the newcomer (status 2) and tell the current client
			// someone tried (status 4), as §18.1 of the standard describes.
			s.queue(c, llrp.NewReaderEventNotification(0, llrp.ReaderEvent{Time: time.Now(),
				Connection: &llrp.ConnectionAttempt{Status: llrp.ConnClientInitiatedExists}}), true)
			c.closing = true
			s.sendEvent(busy, llrp.ReaderEvent{Connection: &llrp.ConnectionAttempt{Status: llrp.ConnAnotherAttempted}})
		}
		s.mu.Unlock()
		conns.Add(2)
		go func() { defer conns.Done(); s.writer(c) }()
		if busy != nil {
			go func() { defer conns.Done(); <-c.done }()
			continue
		}
		go func() { defer conns.Done(); s.serve(c) }()
	}
}

// serve answers client requests until the connection ends.
func (s *LLRPReader) serve(c *llrpConn) {
	defer func() {
		c.close()
		s.mu.Lock()
		if s.conn == c {
			s.conn = nil
		}
		s.mu.Unlock()
	}()
	for {
		m, err := llrp.ReadMessage(c.c)
		if err != nil && !errors.Is(err, llrp.ErrUnsupportedVersion) {
			s.log.Debug().Err(err).Msg("client gone")
			return
		}
		s.mu.Lock()
		s.received[m.Type]++
		if c.closing {
			s.mu.Unlock()
			continue // after a ConnectionCloseEvent everything is ignored
		}
		s.request(c, m, err)
		s.mu.Unlock()
	}
}

// queue appends m to c's outgoing messages in the connection's protocol
// version (an ERROR_MESSAGE keeps the version it was given); reader-initiated
// messages get the next message ID. The caller holds mu.
func (s *LLRPReader) queue(c *llrpConn, m llrp.Message, initiated bool) {
	if initiated {
		c.lastID++
		m.ID = c.lastID
	}
	if m.Type != llrp.ErrorMessage {
		m.Version = c.version
	}
	c.out = append(c.out, m)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writer sends c's queued messages in order; after a refusal or a
// ConnectionCloseEvent it closes the connection once they are out.
func (s *LLRPReader) writer(c *llrpConn) {
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		}
		s.mu.Lock()
		out, closing := c.out, c.closing
		c.out = nil
		s.mu.Unlock()
		for _, m := range out {
			if s.write(c, m.Marshal()) != nil {
				c.close()
				return
			}
		}
		if closing {
			s.mu.Lock()
			drained := len(c.out) == 0
			s.mu.Unlock()
			if drained {
				c.close()
				return
			}
		}
	}
}

// write sends b, applying the slow and cut-mid-frame faults.
func (s *LLRPReader) write(c *llrpConn, b []byte) error {
	delay, cut := s.faults.next()
	if delay > 0 {
		time.Sleep(delay) // the simulated reader is slow; this is its pace
	}
	if cut {
		_, _ = c.c.Write(b[:len(b)/2])
		c.close()
		return errors.New("devsim llrp: connection cut mid-frame")
	}
	if _, err := c.c.Write(b); err != nil {
		return fmt.Errorf("devsim llrp write: %w", err)
	}
	return nil
}

func (c *llrpConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.c.Close()
	})
}

// deliver sends a report or event to the client, or holds it while the
// client's events and reports are on hold (or while no client is connected
// and the configuration asks to hold them for the next one); the caller
// holds mu.
func (s *LLRPReader) deliver(m llrp.Message) {
	if s.deferring {
		s.deferred = append(s.deferred, m)
		return
	}
	c := s.conn
	switch {
	case c != nil && c.closing:
	case c != nil && !c.holding:
		if len(c.out) < maxHeld {
			s.queue(c, m, true)
		} else if !c.overflowed { // a client too slow to take the reports
			c.overflowed = true
			s.sendEvent(c, llrp.ReaderEvent{BufferOverflow: true})
		}
	case c == nil && !s.cfg.hold:
		// Nobody to tell and nothing to keep: gone, as on a real reader.
	case len(s.held) < maxHeld:
		s.held = append(s.held, m)
		if len(s.held) == maxHeld*9/10 {
			s.event(llrp.EventBufferFill, llrp.ReaderEvent{BufferLevel: 90})
		}
	default:
		s.overflow = true
	}
}

// release ends the hold on c: held messages go out, a
// ReportBufferOverflowErrorEvent if some were lost, then the accumulated
// tag reports (§16.1.34); the caller holds mu.
func (s *LLRPReader) release(c *llrpConn) {
	c.holding = false
	held := s.held
	s.held = nil
	for _, m := range held {
		s.queue(c, m, true)
	}
	if s.overflow {
		s.overflow = false
		s.sendEvent(c, llrp.ReaderEvent{BufferOverflow: true})
	}
	s.flushAll()
}

// event reports a reader event of a notification type (llrp.Event...) if
// the configuration enables it (or UnaskedEvents says to send it anyway);
// the caller holds mu.
func (s *LLRPReader) event(typ int, ev llrp.ReaderEvent) {
	if !s.cfg.events[typ] && !(s.opt.UnaskedEvents && (typ == llrp.EventHopping || typ == llrp.EventAntenna)) {
		return
	}
	ev.Time = time.Now()
	if s.opt.VendorParams {
		ev.Custom = append(ev.Custom, s.vendorParam(2))
	}
	s.deliver(llrp.NewReaderEventNotification(0, ev))
}

// sendEvent sends ev to c at once, bypassing notification settings and
// holds: for the events the standard makes mandatory.
func (s *LLRPReader) sendEvent(c *llrpConn, ev llrp.ReaderEvent) {
	ev.Time = time.Now()
	s.queue(c, llrp.NewReaderEventNotification(0, ev), true)
}

// vendorParam is a Custom parameter of this reader's vendor, standing for
// the vendor extensions commercial readers add everywhere (§16.2.9).
func (s *LLRPReader) vendorParam(subtype uint32) *llrp.Param {
	return llrp.P(llrp.PCustom, s.opt.Manufacturer, subtype, []byte{0xDE, 0xAD, 0xBE, 0xEF, byte(subtype)})
}
