package llrp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// DefaultPort is the IANA port of LLRP.
const DefaultPort = "5084"

// rospecID is the ID of the ROSpec Reader installs; it deletes all others.
const rospecID = 1

// Config configures a Reader.
type Config struct {
	Addr      string        // host or host:port of the reader; port defaults to 5084
	Name      string        // reader name in events (default Addr)
	Antennas  []int         // antenna ports to inventory; empty = all
	Keepalive time.Duration // period of the reader's KEEPALIVE (default 5 s); 3 missed = link dead
	Timeout   time.Duration // dial and response timeout (default 5 s)
	Backoff   rfid.Backoff  // reconnect back-off
	Log       zerolog.Logger
}

// Reader is an LLRP reader connection manager; see the package comment.
type Reader struct {
	cfg  Config
	addr string
}

// New checks cfg and returns a Reader; nothing is dialled before Run.
func New(cfg Config) (*Reader, error) {
	if cfg.Addr == "" {
		return nil, errors.New("llrp: no reader address")
	}
	addr := cfg.Addr
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, DefaultPort)
	}
	for _, a := range cfg.Antennas {
		if a < 1 || a > 0xffff {
			return nil, fmt.Errorf("llrp: antenna %d out of range", a)
		}
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Addr
	}
	if cfg.Keepalive <= 0 {
		cfg.Keepalive = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	cfg.Log = cfg.Log.With().Str("reader", cfg.Name).Str("addr", addr).Logger()
	return &Reader{cfg: cfg, addr: addr}, nil
}

// Run implements rfid.Reader.
func (r *Reader) Run(ctx context.Context, emit func(rfid.Event)) error {
	return rfid.Supervise(ctx, r.cfg.Name, r.cfg.Backoff, emit, func(ctx context.Context, connected func(string)) error {
		err := r.session(ctx, emit, connected)
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Warn().Err(err).Msg("LLRP session ended")
		}
		return err
	})
}

// session is one TCP connection to the reader.
type session struct {
	r      *Reader
	conn   net.Conn
	in     *bufio.Reader
	emit   func(rfid.Event)
	wmu    sync.Mutex // the ctx watcher writes CLOSE_CONNECTION concurrently
	lastID uint32
	// running is set once our ROSpec is started: reports before that come
	// from ROSpecs a previous client left running and are dropped.
	running bool
	// last holds the optional TagReportData values last received: the
	// standard lets a reader leave out an enabled value that has not
	// changed (§13.2.3), so a missing one means "as before".
	last TagReport
}

func (r *Reader) session(ctx context.Context, emit func(rfid.Event), connected func(string)) error {
	d := net.Dialer{Timeout: r.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return fmt.Errorf("dial LLRP reader %s: %w", r.addr, err)
	}
	s := &session{r: r, conn: conn, in: bufio.NewReaderSize(conn, 64<<10), emit: emit}
	stop := context.AfterFunc(ctx, s.hangUp)
	defer func() {
		if stop() {
			conn.Close()
		}
	}()
	detail, err := s.setup()
	if err != nil {
		return err
	}
	r.cfg.Log.Info().Str("detail", detail).Msg("LLRP inventory running")
	connected(detail)
	return s.loop()
}

// hangUp says goodbye (best effort, §16.1 CLOSE_CONNECTION) and closes the
// socket, which ends a blocked read.
func (s *session) hangUp() {
	_ = s.conn.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	_ = s.send(NewMessage(CloseConnection, 0))
	s.conn.Close()
}

func (s *session) send(m Message) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.conn.Write(m.Marshal()); err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	return nil
}

func (s *session) read(timeout time.Duration) (Message, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return Message{}, fmt.Errorf("set read deadline: %w", err)
	}
	for {
		m, err := ReadMessage(s.in)
		if !errors.Is(err, ErrUnsupportedVersion) {
			return m, err
		}
		// Answered in the message's own version, without parameter details
		// (§16.1.35), and the session goes on.
		s.r.cfg.Log.Warn().Err(err).Msg("LLRP message of another protocol version")
		reply := NewStatusResponse(ErrorMessage, m.ID, Status{Code: M_UnsupportedVersion, Description: err.Error()})
		reply.Version = m.Version
		if err := s.send(reply); err != nil {
			return m, err
		}
	}
}

// setup runs the connection handshake and installs the ROSpec; it returns a
// description of the reader.
func (s *session) setup() (string, error) {
	cfg := s.r.cfg
	if err := s.awaitConnectionAttempt(); err != nil {
		return "", err
	}
	resp, err := s.call(NewGetReaderCapabilities(0), GetReaderCapabilitiesResponse)
	if err != nil {
		return "", err
	}
	st, caps, err := ParseCapabilities(resp)
	if err == nil {
		err = st.Err()
	}
	if err != nil {
		return "", fmt.Errorf("reader capabilities: %w", err)
	}
	if caps.EventHolding {
		// A reader told by a previous client to hold events and reports on
		// reconnect sends nothing until this (§16.1.34, no response). Sent
		// before anything else, so what it held arrives, and is dropped as
		// not ours, before the next response.
		if err := s.send(NewMessage(EnableEventsAndReports, s.nextID())); err != nil {
			return "", err
		}
	}
	spec := ROSpec{ID: rospecID}
	for _, a := range cfg.Antennas {
		if a > int(caps.MaxAntennas) {
			return "", fmt.Errorf("antenna %d configured, reader has %d", a, caps.MaxAntennas)
		}
		spec.Antennas = append(spec.Antennas, uint16(a))
	}
	steps := []struct {
		req  Message
		want MessageType
	}{
		{NewSetReaderConfig(0, cfg.Keepalive, caps.GPIs), SetReaderConfigResponse},
		// 0 = all: remove what a previous client left on the reader.
		{NewROSpecCommand(DeleteAccessSpec, 0, 0), DeleteAccessSpecResponse},
		{NewROSpecCommand(DeleteROSpec, 0, 0), DeleteROSpecResponse},
		{NewAddROSpec(0, spec), AddROSpecResponse},
		{NewROSpecCommand(EnableROSpec, 0, rospecID), EnableROSpecResponse},
		{NewROSpecCommand(StartROSpec, 0, rospecID), StartROSpecResponse},
	}
	for _, step := range steps {
		resp, err := s.call(step.req, step.want)
		if err != nil {
			return "", err
		}
		st, err := ParseStatus(resp)
		if err == nil {
			err = st.Err()
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", step.req.Type, err)
		}
	}
	s.running = true
	return fmt.Sprintf("LLRP reader manufacturer %d model %d firmware %q, %d antennas, %d GPIs",
		caps.Manufacturer, caps.Model, caps.Firmware, caps.MaxAntennas, caps.GPIs), nil
}

// awaitConnectionAttempt waits for the READER_EVENT_NOTIFICATION that every
// LLRP reader sends on accept; a non-zero status means it refused us
// (usually: another client is connected).
func (s *session) awaitConnectionAttempt() error {
	for {
		m, err := s.read(s.r.cfg.Timeout)
		if err != nil {
			return fmt.Errorf("await ConnectionAttemptEvent: %w", err)
		}
		if m.Type == ReaderEventNotification {
			ev, err := ParseReaderEvent(m)
			if err != nil {
				return err
			}
			if c := ev.Connection; c != nil {
				if c.Status != ConnSuccess {
					return fmt.Errorf("reader refused the connection (ConnectionAttemptEvent status %d %s): %w",
						c.Status, ConnStatusName(c.Status), ErrRefused)
				}
				return nil
			}
		}
		if err := s.handle(m); err != nil {
			return err
		}
	}
}

// call sends req with a fresh message ID and waits for the response of type
// want with the same ID, handling whatever else arrives meanwhile.
func (s *session) call(req Message, want MessageType) (Message, error) {
	req.ID = s.nextID()
	if err := s.send(req); err != nil {
		return Message{}, err
	}
	deadline := time.Now().Add(s.r.cfg.Timeout)
	for {
		m, err := s.read(time.Until(deadline))
		if err != nil {
			return m, fmt.Errorf("await %s: %w", want, err)
		}
		switch {
		case m.Type == want && m.ID == req.ID:
			return m, nil
		case m.Type == ErrorMessage && m.ID == req.ID:
			st, err := ParseStatus(m)
			if err == nil {
				err = st.Err()
			}
			return m, fmt.Errorf("reader rejected %s: %w", req.Type, err)
		}
		if err := s.handle(m); err != nil {
			return m, err
		}
	}
}

// loop handles reports and keepalives until the link fails.
func (s *session) loop() error {
	silence := 3 * s.r.cfg.Keepalive
	for {
		m, err := s.read(silence)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("no message from reader for %s (3 keepalive periods): %w", silence, err)
		}
		if err != nil {
			return err
		}
		if err := s.handle(m); err != nil {
			return err
		}
	}
}

// ErrRefused is wrapped by the error of a session the reader refused,
// usually because another client holds it.
var ErrRefused = errors.New("connection refused by the reader")

var errReaderClosing = errors.New("reader closed the connection (ConnectionCloseEvent)")

func (s *session) nextID() uint32 {
	s.lastID++
	return s.lastID
}

// handle processes a message that is not the awaited response. Readers
// send more than a client asks for (vendor parameters, events it did not
// enable, reports of ROSpecs left by a previous client): what is not ours
// is skipped.
func (s *session) handle(m Message) error {
	name := s.r.cfg.Name
	switch m.Type {
	case ROAccessReport:
		reports, err := ParseROAccessReport(m)
		if !s.running {
			s.r.cfg.Log.Debug().Int("tags", len(reports)).Msg("dropped a report sent before our ROSpec started")
			return nil
		}
		now := time.Now()
		for _, tr := range reports {
			if tr.ROSpecID != 0 && tr.ROSpecID != rospecID {
				continue // another ROSpec's report
			}
			tr = s.fillIn(tr)
			rd := rfid.Read{EPC: tr.EPC, Antenna: int(tr.Antenna), FirstSeen: tr.FirstSeen, Reader: name}
			if tr.HasRSSI {
				rd.RSSI = float64(tr.PeakRSSI)
			}
			if rd.FirstSeen.IsZero() {
				rd.FirstSeen = now
			}
			s.emit(rd)
		}
		if err != nil {
			s.fault(err)
		}
	case Keepalive:
		return s.send(Message{Version: m.Version, Type: KeepaliveAck, ID: m.ID})
	case ReaderEventNotification:
		return s.event(m)
	case ErrorMessage:
		st, err := ParseStatus(m)
		if err == nil {
			err = st.Err()
		}
		s.fault(fmt.Errorf("ERROR_MESSAGE: %w", err))
	default:
		s.r.cfg.Log.Debug().Stringer("type", m.Type).Uint32("id", m.ID).Msg("ignored LLRP message")
	}
	return nil
}

// fillIn completes a tag report with the values the reader left out
// because they did not change (§13.2.3).
func (s *session) fillIn(tr TagReport) TagReport {
	if tr.Antenna == 0 {
		tr.Antenna = s.last.Antenna
	}
	if !tr.HasRSSI {
		tr.PeakRSSI, tr.HasRSSI = s.last.PeakRSSI, s.last.HasRSSI
	}
	s.last.Antenna, s.last.PeakRSSI, s.last.HasRSSI = tr.Antenna, tr.PeakRSSI, tr.HasRSSI
	return tr
}

func (s *session) event(m Message) error {
	name := s.r.cfg.Name
	ev, err := ParseReaderEvent(m)
	if err != nil {
		s.fault(err)
		return nil
	}
	if g := ev.GPI; g != nil {
		s.emit(rfid.GPI{Reader: name, Port: int(g.Port), High: g.High, At: time.Now()})
	}
	if ev.Exception != "" {
		s.fault(fmt.Errorf("reader exception: %s", ev.Exception))
	}
	if ev.BufferOverflow {
		s.fault(errors.New("reader report buffer overflow: tag reads were lost"))
	}
	if c := ev.Connection; c != nil {
		s.r.cfg.Log.Info().Str("status", ConnStatusName(c.Status)).Msg("reader reports a connection attempt")
	}
	if ev.Closed {
		return errReaderClosing
	}
	return nil
}

func (s *session) fault(err error) {
	s.r.cfg.Log.Warn().Err(err).Msg("LLRP reader fault")
	s.emit(rfid.Status{Reader: s.r.cfg.Name, State: rfid.Fault, At: time.Now(), Err: err})
}
