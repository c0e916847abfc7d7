package devsim

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// LLRPReaderOptions configure a virtual LLRP reader. The zero value is usable.
type LLRPReaderOptions struct {
	Addr       string        // listen address; default 127.0.0.1:0 (any free port)
	Antennas   int           // default 4
	GPIs       int           // default 4
	ReadPeriod time.Duration // how often tags in the field are reported; default 100 ms
	Seed       uint64        // makes Garbage reproducible
	Log        zerolog.Logger
}

// LLRPReader is a virtual fixed RFID reader speaking LLRP on TCP, like an
// Impinj or Zebra reader on port 5084. Tags put into its field with PutTag
// are reported every ReadPeriod while a client's ROSpec is started. It
// accepts one client at a time and refuses others with a
// ConnectionAttemptEvent, as real readers do.
type LLRPReader struct {
	tagField
	opt    LLRPReaderOptions
	log    zerolog.Logger
	faults *lineFaults

	mu        sync.Mutex
	ln        net.Listener // nil while unplugged
	addr      string
	conn      *llrpConn // current client
	received  map[llrp.MessageType]int
	acks      int
	closed    bool
	listening sync.WaitGroup
}

// llrpConn is one client connection and its ROSpec state.
type llrpConn struct {
	c         net.Conn
	wmu       sync.Mutex
	done      chan struct{}
	closeOnce sync.Once
	lastID    atomic.Uint32
	// guarded by LLRPReader.mu
	rospec    *llrp.ROSpec
	started   bool
	keepalive time.Duration
	kick      chan struct{} // wakes the periodic loop after a config change
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
	if opt.ReadPeriod == 0 {
		opt.ReadPeriod = 100 * time.Millisecond
	}
	s := &LLRPReader{
		opt: opt, log: opt.Log.With().Str("device", "llrp-reader").Logger(),
		faults: newLineFaults(opt.Seed, 0x11a9), received: map[llrp.MessageType]int{},
	}
	s.addr = opt.Addr
	if err := s.Replug(); err != nil {
		return nil, err
	}
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

// Inventorying reports whether a client's ROSpec is running.
func (s *LLRPReader) Inventorying() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil && s.conn.started
}

// GPI reports an edge on a general-purpose input (a photo-eye).
func (s *LLRPReader) GPI(port int, high bool) error {
	return s.sendEvent(llrp.ReaderEvent{HasGPI: true, GPIPort: uint16(port), GPIHigh: high})
}

// Exception reports a reader exception (e.g. "antenna 3 disconnected").
func (s *LLRPReader) Exception(msg string) error {
	return s.sendEvent(llrp.ReaderEvent{Exception: msg})
}

func (s *LLRPReader) sendEvent(ev llrp.ReaderEvent) error {
	c := s.current()
	if c == nil {
		return errors.New("devsim llrp: no client connected")
	}
	ev.Time = time.Now()
	return s.send(c, llrp.NewReaderEventNotification(c.nextID(), ev))
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
// blip); the reader keeps listening.
func (s *LLRPReader) Drop() {
	if c := s.current(); c != nil {
		c.close()
	}
}

// Unplug powers the reader off: the connection drops and nobody listens
// until Replug.
func (s *LLRPReader) Unplug() error {
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
	s.listening.Add(1)
	go s.accept(ln)
	s.log.Debug().Str("addr", s.addr).Msg("listening")
	return nil
}

// Close stops the reader.
func (s *LLRPReader) Close() error {
	s.mu.Lock()
	s.closed = true
	plugged := s.ln != nil
	s.mu.Unlock()
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
		c := &llrpConn{c: nc, done: make(chan struct{}), kick: make(chan struct{}, 1)}
		s.mu.Lock()
		busy := s.conn != nil
		if !busy {
			s.conn = c
		}
		s.mu.Unlock()
		if busy {
			// Status 2: a client-initiated connection already exists.
			_ = s.send(c, llrp.NewReaderEventNotification(c.nextID(),
				llrp.ReaderEvent{Time: time.Now(), HasConnection: true, ConnectionStatus: 2}))
			c.close()
			continue
		}
		conns.Add(2)
		go func() { defer conns.Done(); s.serve(c) }()
		go func() { defer conns.Done(); s.periodic(c) }()
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
	if s.send(c, llrp.NewReaderEventNotification(c.nextID(),
		llrp.ReaderEvent{Time: time.Now(), HasConnection: true})) != nil {
		return
	}
	for {
		m, err := llrp.ReadMessage(c.c)
		if err != nil {
			s.log.Debug().Err(err).Msg("client gone")
			return
		}
		s.mu.Lock()
		s.received[m.Type]++
		s.mu.Unlock()
		reply, end := s.answer(c, m)
		if reply != nil {
			if err := s.send(c, *reply); err != nil {
				return
			}
		}
		if end {
			return
		}
	}
}

// answer handles one request; end says the client asked to close.
func (s *LLRPReader) answer(c *llrpConn, m llrp.Message) (reply *llrp.Message, end bool) {
	ok := llrp.Status{}
	respond := func(t llrp.MessageType, st llrp.Status) *llrp.Message {
		r := llrp.NewStatusResponse(t, m.ID, st)
		return &r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Type {
	case llrp.GetReaderCapabilities:
		r := llrp.NewCapabilitiesResponse(m.ID, llrp.Capabilities{
			MaxAntennas: uint16(s.opt.Antennas), Model: 1, Firmware: "devsim-1.0", GPIs: uint16(s.opt.GPIs), GPOs: 4})
		return &r, false
	case llrp.SetReaderConfig:
		ka, err := llrp.ParseSetReaderConfig(m.Body)
		if err != nil {
			return respond(llrp.SetReaderConfigResponse, llrp.Status{Code: 101, Description: err.Error()}), false
		}
		c.keepalive = ka
		c.wake()
		return respond(llrp.SetReaderConfigResponse, ok), false
	case llrp.AddROSpec:
		spec, err := llrp.ParseAddROSpec(m.Body)
		if err != nil {
			return respond(llrp.AddROSpecResponse, llrp.Status{Code: 100, Description: err.Error()}), false
		}
		c.rospec, c.started = &spec, false
		return respond(llrp.AddROSpecResponse, ok), false
	case llrp.DeleteROSpec, llrp.EnableROSpec, llrp.StartROSpec, llrp.StopROSpec:
		// Each of these responses has the request's type + 10 (§16.1).
		return respond(m.Type+10, s.rospecCommand(c, m)), false
	case llrp.KeepaliveAck:
		s.acks++
		return nil, false
	case llrp.CloseConnection:
		return respond(llrp.CloseConnectionResponse, ok), true
	}
	return respond(llrp.ErrorMessage, llrp.Status{Code: 109, Description: "unsupported message " + m.Type.String()}), false
}

func (s *LLRPReader) rospecCommand(c *llrpConn, m llrp.Message) llrp.Status {
	id, err := llrp.ParseROSpecID(m.Body)
	if err != nil {
		return llrp.Status{Code: 101, Description: err.Error()}
	}
	if m.Type == llrp.DeleteROSpec && (id == 0 || c.rospec != nil && c.rospec.ID == id) {
		c.rospec, c.started = nil, false
		return llrp.Status{}
	}
	if c.rospec == nil || c.rospec.ID != id {
		return llrp.Status{Code: 100, Description: fmt.Sprintf("no ROSpec %d", id)}
	}
	c.started = m.Type == llrp.StartROSpec || (c.started && m.Type == llrp.EnableROSpec)
	c.wake()
	return llrp.Status{}
}

// KeepaliveAcks counts KEEPALIVE_ACKs received.
func (s *LLRPReader) KeepaliveAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acks
}

// periodic sends keepalives and tag reports on one connection.
func (s *LLRPReader) periodic(c *llrpConn) {
	reads := time.NewTicker(s.opt.ReadPeriod)
	defer reads.Stop()
	var keepalive <-chan time.Time
	var kaTicker *time.Ticker
	defer func() {
		if kaTicker != nil {
			kaTicker.Stop()
		}
	}()
	for {
		select {
		case <-c.done:
			return
		case <-c.kick:
			s.mu.Lock()
			ka := c.keepalive
			s.mu.Unlock()
			if kaTicker != nil {
				kaTicker.Stop()
				kaTicker, keepalive = nil, nil
			}
			if ka > 0 {
				kaTicker = time.NewTicker(ka)
				keepalive = kaTicker.C
			}
		case <-keepalive:
			if s.send(c, llrp.NewMessage(llrp.Keepalive, c.nextID())) != nil {
				return
			}
		case <-reads.C:
			if r := s.report(c); r != nil && s.send(c, *r) != nil {
				return
			}
		}
	}
}

// report builds the RO_ACCESS_REPORT of one read cycle, nil if there is
// nothing to report.
func (s *LLRPReader) report(c *llrpConn) *llrp.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !c.started {
		return nil
	}
	now := time.Now()
	var reports []llrp.TagReport
	for _, t := range s.inField() {
		if !antennaSelected(c.rospec.Antennas, t.Antenna) {
			continue
		}
		reports = append(reports, llrp.TagReport{EPC: t.EPC, Antenna: uint16(t.Antenna), PeakRSSI: int8(t.RSSI),
			HasRSSI: true, FirstSeen: now, SeenCount: 1})
	}
	if len(reports) == 0 {
		return nil
	}
	m := llrp.NewROAccessReport(c.nextID(), reports)
	return &m
}

func antennaSelected(selected []uint16, a int) bool {
	if len(selected) == 0 {
		return true
	}
	for _, s := range selected {
		if int(s) == a {
			return true
		}
	}
	return false
}

func (s *LLRPReader) send(c *llrpConn, m llrp.Message) error {
	return s.write(c, m.Marshal())
}

// write sends b, applying the slow and cut-mid-frame faults.
func (s *LLRPReader) write(c *llrpConn, b []byte) error {
	delay, cut := s.faults.next()
	c.wmu.Lock()
	defer c.wmu.Unlock()
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

func (c *llrpConn) nextID() uint32 { return c.lastID.Add(1) }

func (c *llrpConn) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *llrpConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.c.Close()
	})
}
