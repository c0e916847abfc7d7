package gpio

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jonboulle/clockwork"
	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio"
)

// ErrClosed is returned by Show after Close.
var ErrClosed = errors.New("gpio: light closed")

// Light is a station light: a stack light (green/amber/red) and a buzzer.
//
// Show switches to a pattern at once; patterns with timing run on their own
// goroutine and a new Show replaces whatever is running. Current reports the
// pattern being shown (a one-shot pattern such as "ok" reports "off" once it
// has finished). Close stops any pattern and switches every output off.
// All methods are safe for concurrent use.
type Light interface {
	Show(p Pattern) error
	Current() Pattern
	Close() error
}

// LightPins names the host pins of a station light, as periph.io pin names
// such as "GPIO17". An empty name means that output is not wired.
// ActiveLow inverts every output, for relay boards that switch on a low input.
type LightPins struct {
	Green     string `yaml:"green" json:"green"`
	Amber     string `yaml:"amber" json:"amber"`
	Red       string `yaml:"red" json:"red"`
	Buzzer    string `yaml:"buzzer" json:"buzzer"`
	ActiveLow bool   `yaml:"active_low" json:"active_low"`
}

// Option adjusts a Light or an Input.
type Option func(*options)

type options struct {
	clock     clockwork.Clock
	activeLow bool
}

// WithClock sets the clock used for pattern timing and event time stamps;
// tests pass a clockwork.FakeClock. The default is the real clock.
func WithClock(c clockwork.Clock) Option { return func(o *options) { o.clock = c } }

// WithActiveLow inverts the outputs of a light built by NewLightWithPins
// (NewPinLight takes LightPins.ActiveLow instead). Inputs ignore it.
func WithActiveLow(on bool) Option { return func(o *options) { o.activeLow = on } }

func buildOptions(opts []Option) options {
	o := options{clock: clockwork.NewRealClock()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// NewLogLight returns a Light for hosts without GPIO: it runs the same
// pattern timing as a wired light but only logs (pattern changes at info
// level, output changes at debug level).
func NewLogLight(id string, log zerolog.Logger, opts ...Option) Light {
	log = log.With().Str("light", id).Logger()
	var last outputs
	apply := func(o outputs) error {
		if o != last {
			log.Debug().Stringer("on", o).Msg("light outputs")
			last = o
		}
		return nil
	}
	return newLight(id, apply, log, buildOptions(opts))
}

// NewLightWithPins returns a Light driving the given output pins (any of
// them may be nil when not wired). It is the building block of NewPinLight
// and is used with periph's gpiotest pins in tests. All outputs are switched
// off first; a failure to do so is logged and will show again on Show.
func NewLightWithPins(id string, g, a, r, buzz gpio.PinOut, log zerolog.Logger, opts ...Option) Light {
	l, err := newPinLight(id, [4]gpio.PinOut{g, a, r, buzz}, log, buildOptions(opts))
	if err != nil {
		l.log.Error().Err(err).Msg("switch light off")
	}
	return l
}

// newPinLight builds a light on pins (green, amber, red, buzzer) and switches
// them off; the light is usable even when that first write fails.
func newPinLight(id string, pins [4]gpio.PinOut, log zerolog.Logger, o options) (*light, error) {
	log = log.With().Str("light", id).Logger()
	ps := pinSet{pins: pins, activeLow: o.activeLow}
	l := newLight(id, ps.apply, log, o)
	if err := ps.apply(0); err != nil {
		return l, fmt.Errorf("light %s: switch off: %w", id, err)
	}
	return l, nil
}

// pinSet writes outputs to pins; the pins are in outputs bit order.
type pinSet struct {
	pins      [4]gpio.PinOut
	activeLow bool
}

func (s pinSet) apply(o outputs) error {
	var errs []error
	for i, p := range s.pins {
		if p == nil {
			continue
		}
		on := o&(1<<i) != 0
		if err := p.Out(gpio.Level(on != s.activeLow)); err != nil {
			errs = append(errs, fmt.Errorf("set %s: %w", p.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// light runs pattern programs against an apply function.
type light struct {
	id    string
	log   zerolog.Logger
	clock clockwork.Clock
	apply func(outputs) error // called only with showMu held or from the one running player

	showMu sync.Mutex // serialises Show and Close
	stop   chan struct{}
	done   chan struct{}
	closed bool

	mu      sync.Mutex // guards current
	current Pattern
}

func newLight(id string, apply func(outputs) error, log zerolog.Logger, o options) *light {
	return &light{id: id, log: log, clock: o.clock, apply: apply, current: PatternOff}
}

func (l *light) Show(p Pattern) error {
	prog, ok := programs[p]
	if !ok {
		return fmt.Errorf("light %s: unknown pattern %q", l.id, p)
	}
	l.showMu.Lock()
	defer l.showMu.Unlock()
	if l.closed {
		return fmt.Errorf("light %s: %w", l.id, ErrClosed)
	}
	l.halt()
	l.setCurrent(p)
	l.log.Info().Str("pattern", string(p)).Msg("light pattern")

	seq := slices.Concat(prog.once, prog.loop)
	first := prog.hold
	if len(seq) > 0 {
		first = seq[0].on
	}
	// Write the first state before the player starts so the two never race.
	err := l.apply(first)
	if len(seq) > 0 {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.play(prog, seq, l.stop, l.done)
	}
	if err != nil {
		return fmt.Errorf("light %s: show %s: %w", l.id, p, err)
	}
	return nil
}

// play steps through seq (once steps, then loop steps) from the end of its
// first step, until stop is closed or a one-shot program finishes.
func (l *light) play(prog program, seq []step, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for i := 0; ; {
		t := l.clock.NewTimer(seq[i].dur)
		select {
		case <-stop:
			t.Stop()
			return
		case <-t.Chan():
		}
		i++
		if i == len(seq) {
			if len(prog.loop) == 0 {
				// A one-shot has finished; outputs go off before Current
				// says so.
				l.write(0)
				l.setCurrent(PatternOff)
				return
			}
			i = len(prog.once)
		}
		l.write(seq[i].on)
	}
}

func (l *light) write(o outputs) {
	if err := l.apply(o); err != nil {
		l.log.Error().Err(err).Stringer("on", o).Msg("set light outputs")
	}
}

// halt stops the running player, if any, and waits for it to exit.
// The caller holds showMu.
func (l *light) halt() {
	if l.stop == nil {
		return
	}
	close(l.stop)
	<-l.done
	l.stop, l.done = nil, nil
}

func (l *light) setCurrent(p Pattern) {
	l.mu.Lock()
	l.current = p
	l.mu.Unlock()
}

func (l *light) Current() Pattern {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

func (l *light) Close() error {
	l.showMu.Lock()
	defer l.showMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.halt()
	l.setCurrent(PatternOff)
	if err := l.apply(0); err != nil {
		return fmt.Errorf("light %s: switch off: %w", l.id, err)
	}
	return nil
}
