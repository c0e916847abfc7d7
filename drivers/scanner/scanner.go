package scanner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.bug.st/serial"

	"github.com/dockhand/dockhand/drivers/scanner/serialline"
)

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	Read         EventKind = iota // Data holds one frame, prefix and suffix removed
	FrameError                    // Err says why; Data holds the offending bytes
	Connected                     // the port is open
	Disconnected                  // the port is lost or cannot be opened; Err says why
)

func (k EventKind) String() string {
	switch k {
	case Read:
		return "read"
	case FrameError:
		return "frame_error"
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one thing that happened on the scanner.
type Event struct {
	Kind EventKind
	Data []byte // owned by the receiver
	Err  error
	At   time.Time
}

// Scanner reads frames from one serial barcode scanner.
type Scanner struct {
	cfg     Config
	log     zerolog.Logger
	running atomic.Bool
	// wait sleeps for d or until ctx is done (false); tests record delays.
	wait func(ctx context.Context, d time.Duration) bool
}

// New validates cfg, applies defaults and returns a Scanner; call Run to use it.
func New(cfg Config, log zerolog.Logger) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log = log.With().Str("port", cfg.Port).Logger()
	if strings.HasPrefix(cfg.Port, "/dev/ttyUSB") || strings.HasPrefix(cfg.Port, "/dev/ttyACM") {
		log.Warn().Msg("port name can change after a replug or reboot; prefer /dev/serial/by-id/...")
	}
	return &Scanner{cfg: cfg, log: log, wait: sleep}, nil
}

// Config returns the effective configuration (defaults applied).
func (s *Scanner) Config() Config { return s.cfg }

// Run opens the port and emits one Event per frame until ctx is done. It
// reports Connected/Disconnected on every state change and reopens the port
// after an unplug with capped exponential backoff, which resets after a good
// connection. emit is called from Run's goroutine. Run returns nil when ctx
// is cancelled, and an error only if it is already running.
func (s *Scanner) Run(ctx context.Context, emit func(Event)) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("scanner: Run already active for " + s.cfg.Port)
	}
	defer s.running.Store(false)

	fr := newFramer(s.cfg)
	delay := time.Duration(0)
	reported := false // a Disconnected for the current outage was emitted
	for ctx.Err() == nil {
		port, err := serialline.Open(s.cfg.line(), s.log)
		if err != nil {
			if !reported {
				emit(Event{Kind: Disconnected, Err: err, At: time.Now()})
				reported = true
			}
			delay = nextDelay(delay, s.cfg)
			s.log.Debug().Err(err).Dur("retry_in", delay).Msg("scanner not available")
			if !s.wait(ctx, delay) {
				break
			}
			continue
		}
		s.log.Info().Msg("scanner connected")
		emit(Event{Kind: Connected, At: time.Now()})
		reported = false

		good, err := s.readLoop(ctx, port, fr, emit)
		if ctx.Err() != nil {
			break
		}
		if good {
			delay = 0
		}
		s.log.Warn().Err(err).Msg("scanner disconnected")
		emit(Event{Kind: Disconnected, Err: err, At: time.Now()})
		reported = true
		delay = nextDelay(delay, s.cfg)
		if !s.wait(ctx, delay) {
			break
		}
	}
	return nil
}

// readLoop reads until the port fails or ctx ends, and reports whether the
// connection was good (lasted StableAfter or delivered a valid frame).
func (s *Scanner) readLoop(ctx context.Context, port serial.Port, fr *framer, emit func(Event)) (bool, error) {
	// A blocked Read only returns when the port is closed: close it on ctx.
	stop := context.AfterFunc(ctx, func() { _ = port.Close() })
	defer func() {
		stop()
		_ = port.Close()
	}()

	opened := time.Now()
	gotFrame := false
	out := func(data []byte, err error) {
		ev := Event{Kind: Read, Data: append([]byte(nil), data...), Err: err, At: time.Now()}
		if err != nil {
			ev.Kind = FrameError
			s.log.Warn().Err(err).Int("len", len(data)).Msg("bad frame")
		} else {
			gotFrame = true
		}
		emit(ev)
	}
	buf := make([]byte, 512)
	for {
		n, err := port.Read(buf)
		if n > 0 {
			fr.feed(buf[:n], out)
		}
		if err != nil {
			if ctx.Err() == nil {
				fr.flush(out)
			}
			return gotFrame || time.Since(opened) >= s.cfg.StableAfter, fmt.Errorf("read %s: %w", s.cfg.Port, err)
		}
	}
}

// nextDelay doubles the reconnect wait, starting at ReconnectMin and capped
// at ReconnectMax.
func nextDelay(prev time.Duration, c Config) time.Duration {
	if prev == 0 {
		return c.ReconnectMin
	}
	return min(2*prev, c.ReconnectMax)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
