package mercury

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"go.bug.st/serial"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// Regions the module must be set to before it transmits; pick the one the
// site is licensed for (values from the module's Set Region command).
var Regions = map[string]byte{
	"na":   0x0D, // North America (FCC, 902-928 MHz)
	"eu":   0x08, // Europe (ETSI EN 302 208, 865-868 MHz)
	"in":   0x04,
	"jp":   0x05,
	"prc":  0x06, // China
	"kr":   0x09,
	"au":   0x0B,
	"nz":   0x0C,
	"open": 0xFF, // lab use only
}

// Config configures a Reader.
type Config struct {
	Port      string        // serial device, e.g. /dev/serial/by-id/usb-FTDI_...-if00-port0
	Baud      int           // default 115200 (the module's factory rate)
	Name      string        // reader name in events (default Port)
	Region    string        // key of Regions; required
	Antennas  []int         // antenna ports; default [1] (M6e Nano has one)
	ReadPower float64       // read TX power in dBm (0 = keep the module's setting); Nano: up to 27
	Timeout   time.Duration // command response timeout (default 2 s)
	// Silence: no frame at all for this long means the module is gone
	// (default 5 s; in continuous mode it reports every read cycle, ~1 s).
	Silence time.Duration
	Backoff rfid.Backoff
	Log     zerolog.Logger
}

// Reader drives a ThingMagic/JADAK Mercury module (M6e, M6e Nano, M7e) on a
// serial port in continuous-read mode; see the package comment.
type Reader struct {
	cfg    Config
	region byte
}

// New checks cfg; nothing is opened before Run.
func New(cfg Config) (*Reader, error) {
	if cfg.Port == "" {
		return nil, errors.New("mercury: no serial port")
	}
	region, ok := Regions[strings.ToLower(cfg.Region)]
	if !ok {
		return nil, fmt.Errorf("mercury: region %q unknown: set the region the site is licensed for (na, eu, in, jp, prc, kr, au, nz)", cfg.Region)
	}
	if len(cfg.Antennas) == 0 {
		cfg.Antennas = []int{1}
	}
	for _, a := range cfg.Antennas {
		if a < 1 || a > 15 {
			return nil, fmt.Errorf("mercury: antenna %d out of range 1..15", a)
		}
	}
	if cfg.ReadPower < 0 || cfg.ReadPower > 31.5 {
		return nil, fmt.Errorf("mercury: read power %.2f dBm out of range", cfg.ReadPower)
	}
	if cfg.Baud == 0 {
		cfg.Baud = 115200
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Port
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Silence <= 0 {
		cfg.Silence = 5 * time.Second
	}
	cfg.Log = cfg.Log.With().Str("reader", cfg.Name).Str("port", cfg.Port).Logger()
	return &Reader{cfg: cfg, region: region}, nil
}

// Run implements rfid.Reader.
func (r *Reader) Run(ctx context.Context, emit func(rfid.Event)) error {
	return rfid.Supervise(ctx, r.cfg.Name, r.cfg.Backoff, emit, func(ctx context.Context, connected func(string)) error {
		err := r.session(ctx, emit, connected)
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Warn().Err(err).Msg("Mercury session ended")
		}
		return err
	})
}

// pollInterval bounds a blocking port read, so deadlines are checked.
const pollInterval = 50 * time.Millisecond

// session is one open port.
type session struct {
	r    *Reader
	port serial.Port
	dec  Decoder
	buf  [1024]byte
	emit func(rfid.Event)
}

func (r *Reader) session(ctx context.Context, emit func(rfid.Event), connected func(string)) error {
	port, err := serial.Open(r.cfg.Port, &serial.Mode{BaudRate: r.cfg.Baud})
	if err != nil {
		return fmt.Errorf("open %s: %w", r.cfg.Port, err)
	}
	// Some USB bridges only pass data with DTR asserted. Pseudo-terminals and
	// bridges without modem lines refuse the ioctl: that is fine.
	if err := port.SetDTR(true); err != nil {
		r.cfg.Log.Debug().Err(err).Msg("DTR not settable (pseudo-terminal or no modem lines); continuing")
	}
	if err := port.SetReadTimeout(pollInterval); err != nil {
		port.Close()
		return fmt.Errorf("set read timeout on %s: %w", r.cfg.Port, err)
	}
	s := &session{r: r, port: port, dec: Decoder{Replies: true}, emit: emit}
	stop := context.AfterFunc(ctx, func() {
		_, _ = port.Write(StopContinuous()) // best effort: leave the module idle
		port.Close()
	})
	defer func() {
		if stop() {
			port.Close()
		}
	}()
	detail, err := s.setup()
	if err != nil {
		return err
	}
	r.cfg.Log.Info().Str("detail", detail).Msg("Mercury continuous read running")
	connected(detail)
	return s.loop()
}

// setup stops a continuous read left over from an earlier session (the
// module keeps streaming across host restarts), configures the module and
// starts continuous reading.
func (s *session) setup() (string, error) {
	cfg := s.r.cfg
	if err := s.write(StopContinuous()); err != nil {
		return "", err
	}
	if _, err := s.await(OpMultiProtocolTag, cfg.Timeout); err != nil {
		return "", fmt.Errorf("stop continuous read: %w", err)
	}
	ver, err := s.call(OpGetVersion, nil)
	if err != nil {
		return "", err
	}
	antennas := []byte{0x02} // option 2: logical antenna search list of (TX, RX) pairs
	for _, a := range cfg.Antennas {
		antennas = append(antennas, byte(a), byte(a))
	}
	steps := []struct {
		op   byte
		data []byte
	}{
		{OpSetRegion, []byte{s.r.region}},
		{OpSetTagProtocol, []byte{0, protocolGen2}},
		{OpSetAntennaPort, antennas},
		// Option 0x0C = read filter off: report every read, the tag pipeline
		// de-duplicates.
		{OpSetReaderOptional, []byte{0x01, 0x0C, 0x00}},
	}
	if cfg.ReadPower > 0 {
		cdBm := uint16(cfg.ReadPower * 100)
		steps = append(steps, struct {
			op   byte
			data []byte
		}{OpSetReadTxPower, []byte{byte(cdBm >> 8), byte(cdBm)}})
	}
	for _, st := range steps {
		if _, err := s.call(st.op, st.data); err != nil {
			return "", err
		}
	}
	if err := s.write(StartContinuous()); err != nil {
		return "", err
	}
	if _, err := s.await(OpMultiProtocolTag, cfg.Timeout); err != nil {
		return "", fmt.Errorf("start continuous read: %w", err)
	}
	return describeVersion(ver), nil
}

// describeVersion formats a Get Version reply: boot loader, hardware, boot
// date and application firmware, 4 bytes each.
func describeVersion(v []byte) string {
	if len(v) < 16 {
		return fmt.Sprintf("Mercury module, version reply % X", v)
	}
	return fmt.Sprintf("Mercury module hardware %X firmware %X", v[4:8], v[12:16])
}

func (s *session) write(b []byte) error {
	if _, err := s.port.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", s.r.cfg.Port, err)
	}
	return nil
}

// call sends a command and returns the data of its successful reply.
func (s *session) call(op byte, data []byte) ([]byte, error) {
	if err := s.write(Command(op, data)); err != nil {
		return nil, err
	}
	f, err := s.await(op, s.r.cfg.Timeout)
	if err != nil {
		return nil, fmt.Errorf("command 0x%02X: %w", op, err)
	}
	if f.Status != StatusOK {
		return nil, fmt.Errorf("command 0x%02X: module status 0x%04X", op, f.Status)
	}
	return f.Data, nil
}

// await returns the next reply with opcode op, discarding stream frames.
func (s *session) await(op byte, timeout time.Duration) (Frame, error) {
	deadline := time.Now().Add(timeout)
	for {
		f, err := s.next(deadline)
		if err != nil {
			return f, err
		}
		if f.Op == op {
			return f, nil
		}
	}
}

// errSilent means no complete frame arrived before the deadline.
var errSilent = errors.New("no reply from module (check port, baud rate and power)")

// next returns the next valid frame, reporting skipped garbage as a fault.
func (s *session) next(deadline time.Time) (Frame, error) {
	for {
		f, ok, skipped, err := s.dec.Next()
		if skipped > 0 {
			s.fault(err)
		}
		if ok {
			return f, nil
		}
		if time.Now().After(deadline) {
			return Frame{}, errSilent
		}
		n, err := s.port.Read(s.buf[:])
		if err != nil {
			return Frame{}, fmt.Errorf("read %s: %w", s.r.cfg.Port, err)
		}
		s.dec.Write(s.buf[:n])
	}
}

// loop turns the continuous-read stream into events.
func (s *session) loop() error {
	for {
		f, err := s.next(time.Now().Add(s.r.cfg.Silence))
		if errors.Is(err, errSilent) {
			return fmt.Errorf("module silent for %s in continuous mode", s.r.cfg.Silence)
		}
		if err != nil {
			return err
		}
		if f.Op != OpReadTagMultiple {
			continue
		}
		switch f.Status {
		case StatusOK:
		case StatusNoTagsFound:
			continue // heartbeat of an empty read cycle
		case StatusTempThrottle:
			s.fault(errors.New("module temperature throttling: read rate reduced, check cooling and read power"))
			continue
		default:
			s.fault(fmt.Errorf("continuous read status 0x%04X", f.Status))
			continue
		}
		tags, _, err := ParseRecords(f.Data)
		now := time.Now()
		for _, t := range tags {
			rd := rfid.Read{EPC: t.EPC, Antenna: t.Antenna, FirstSeen: now, Reader: s.r.cfg.Name}
			if t.HasRSSI {
				rd.RSSI = float64(t.RSSI)
			}
			s.emit(rd)
		}
		if err != nil {
			s.fault(err)
		}
	}
}

func (s *session) fault(err error) {
	s.r.cfg.Log.Warn().Err(err).Msg("Mercury stream fault")
	s.emit(rfid.Status{Reader: s.r.cfg.Name, State: rfid.Fault, At: time.Now(), Err: err})
}
