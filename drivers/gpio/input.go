package gpio

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// ErrRunning is returned by Run when the input is already being run.
var ErrRunning = errors.New("gpio: input already running")

// defaultIdleWait bounds each wait for an edge so Run notices a cancelled
// context; it is not a polling interval (the pin is never sampled on a timer).
const defaultIdleWait = 250 * time.Millisecond

// InputEvent is one debounced change of an input.
type InputEvent struct {
	ID    string    // the input's id
	Level bool      // electrical level after the change: true = high
	At    time.Time // when the first edge of the change was seen
}

// Input is a digital input such as a photo-eye or a push button, read on
// edge interrupts (periph.io WaitForEdge) and debounced.
type Input struct {
	id       string
	pin      gpio.PinIn
	edge     gpio.Edge
	debounce time.Duration
	clock    clockwork.Clock
	idle     time.Duration
	running  atomic.Bool
}

// NewInput sets pin up as an input with the given pull resistor and edge
// detection. edge chooses which changes are reported: RisingEdge reports
// each settled change to high, FallingEdge each settled change to low,
// BothEdges every settled change. A change is reported once the pin has
// seen no edge for debounce (so debounce is also the report latency).
func NewInput(id string, pin gpio.PinIn, edge gpio.Edge, debounce time.Duration, pull gpio.Pull, opts ...Option) (*Input, error) {
	if pin == nil {
		return nil, fmt.Errorf("input %s: no pin", id)
	}
	switch edge {
	case gpio.RisingEdge, gpio.FallingEdge, gpio.BothEdges:
	default:
		return nil, fmt.Errorf("input %s: edge must be rising, falling or both, not %s", id, edge)
	}
	if debounce < 0 {
		return nil, fmt.Errorf("input %s: negative debounce %s", id, debounce)
	}
	if err := pin.In(pull, edge); err != nil {
		return nil, fmt.Errorf("input %s: set up %s: %w", id, pin.Name(), err)
	}
	o := buildOptions(opts)
	return &Input{id: id, pin: pin, edge: edge, debounce: debounce, clock: o.clock, idle: defaultIdleWait}, nil
}

// ID returns the input's id.
func (in *Input) ID() string { return in.id }

// Run waits for edges and calls emit (on Run's goroutine) for every
// debounced change until ctx is cancelled, then returns ctx's error. No event
// is emitted for the level the pin has when Run starts.
func (in *Input) Run(ctx context.Context, emit func(InputEvent)) error {
	if !in.running.CompareAndSwap(false, true) {
		return fmt.Errorf("input %s: %w", in.id, ErrRunning)
	}
	defer in.running.Store(false)

	stable := in.pin.Read()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !in.pin.WaitForEdge(in.idle) {
			continue
		}
		at := in.clock.Now()
		// Bounces keep producing edges; the change is settled once none
		// arrives for the debounce time.
		for in.pin.WaitForEdge(in.debounce) {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		level := in.pin.Read()
		if in.reportable(stable, level) {
			emit(InputEvent{ID: in.id, Level: bool(level), At: at})
		}
		stable = level
	}
}

// reportable tells whether a settled level after a burst of edges is a
// change the caller asked for. With a single edge kind the opposite edges are
// not seen, so every burst that settles on the wanted level counts.
func (in *Input) reportable(stable, level gpio.Level) bool {
	switch in.edge {
	case gpio.RisingEdge:
		return level == gpio.High
	case gpio.FallingEdge:
		return level == gpio.Low
	default:
		return level != stable
	}
}
