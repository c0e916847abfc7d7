package gpio_test

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/dockhand/dockhand/drivers/gpio"
)

// debounce is long enough that a burst of edges queued under the pin's lock
// is always drained before the settle wait can time out, even under -race on
// a loaded machine.
const debounce = 30 * time.Millisecond

// inputRig runs an Input on a gpiotest pin and collects its events.
type inputRig struct {
	t      *testing.T
	pin    *gpiotest.Pin
	in     *gpio.Input
	events chan gpio.InputEvent
	cancel context.CancelFunc
	done   chan error // Run's result; nil once stopped
}

func newInputRig(t *testing.T, edge pgpio.Edge, pull pgpio.Pull, opts ...gpio.Option) *inputRig {
	t.Helper()
	r := &inputRig{t: t, pin: &gpiotest.Pin{N: "GPIO5", EdgesChan: make(chan pgpio.Level, 16)},
		events: make(chan gpio.InputEvent, 16), done: make(chan error, 1)}
	in, err := gpio.NewInput("eye-1", r.pin, edge, debounce, pull, opts...)
	require.NoError(t, err)
	r.in = in
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- in.Run(ctx, func(e gpio.InputEvent) { r.events <- e }) }()
	t.Cleanup(func() {
		if r.done != nil {
			r.stop()
		}
	})
	return r
}

// burst queues edges while holding the pin's lock: Run can take the first
// edge but cannot finish handling it until all of them are queued, so a
// burst is always seen as one bouncing change.
func (r *inputRig) burst(levels ...pgpio.Level) {
	r.pin.Lock()
	defer r.pin.Unlock()
	for _, l := range levels {
		r.pin.EdgesChan <- l
	}
}

func (r *inputRig) next() gpio.InputEvent {
	r.t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(10 * time.Second):
		r.t.Fatal("no input event")
		return gpio.InputEvent{}
	}
}

// stop cancels Run, waits for it and returns the events not yet read.
func (r *inputRig) stop() []gpio.InputEvent {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		assert.ErrorIs(r.t, err, context.Canceled)
		r.done = nil
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not return after cancel")
	}
	var rest []gpio.InputEvent
	for {
		select {
		case e := <-r.events:
			rest = append(rest, e)
		default:
			return rest
		}
	}
}

func TestInputDebouncesBounces(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	r := newInputRig(t, pgpio.BothEdges, pgpio.PullUp, gpio.WithClock(clockwork.NewFakeClockAt(at)))
	// A pallet breaks the beam: the contact chatters, then stays low.
	r.burst(pgpio.Low, pgpio.High, pgpio.Low, pgpio.High, pgpio.Low)
	e := r.next()
	assert.Equal(t, gpio.InputEvent{ID: "eye-1", Level: false, At: at}, e)
	// The pallet has passed.
	r.burst(pgpio.High, pgpio.Low, pgpio.High)
	assert.True(t, r.next().Level)
	assert.Empty(t, r.stop(), "one event per settled change")
}

func TestInputIgnoresGlitch(t *testing.T) {
	r := newInputRig(t, pgpio.BothEdges, pgpio.PullUp)
	// A spike that returns to the resting level is no change at all.
	r.burst(pgpio.Low, pgpio.High)
	r.burst(pgpio.Low)
	assert.False(t, r.next().Level)
	assert.Empty(t, r.stop())
}

func TestInputRisingEdgeReportsEachPress(t *testing.T) {
	r := newInputRig(t, pgpio.RisingEdge, pgpio.PullDown)
	for range 2 {
		r.burst(pgpio.High, pgpio.High)
		assert.True(t, r.next().Level)
		// The release is a falling edge, which a rising-edge input does
		// not see: the pin just goes low.
		require.NoError(t, r.pin.Out(pgpio.Low))
	}
	assert.Empty(t, r.stop())
}

func TestInputFallingEdgeIgnoresRiseBack(t *testing.T) {
	r := newInputRig(t, pgpio.FallingEdge, pgpio.PullUp)
	// A burst that settles high (the line came back) is not a falling change.
	r.burst(pgpio.Low, pgpio.High)
	r.burst(pgpio.Low)
	assert.False(t, r.next().Level)
	assert.Empty(t, r.stop())
}

func TestInputRunsOnce(t *testing.T) {
	r := newInputRig(t, pgpio.BothEdges, pgpio.PullUp)
	r.burst(pgpio.Low)
	r.next() // the rig's Run is running
	err := r.in.Run(context.Background(), func(gpio.InputEvent) {})
	require.ErrorIs(t, err, gpio.ErrRunning)
	assert.Equal(t, "eye-1", r.in.ID())
}

func TestNewInputValidates(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO6", EdgesChan: make(chan pgpio.Level, 1)}
	_, err := gpio.NewInput("b", nil, pgpio.BothEdges, debounce, pgpio.PullUp)
	assert.ErrorContains(t, err, "no pin")
	_, err = gpio.NewInput("b", pin, pgpio.NoEdge, debounce, pgpio.PullUp)
	assert.ErrorContains(t, err, "edge")
	_, err = gpio.NewInput("b", pin, pgpio.BothEdges, -time.Second, pgpio.PullUp)
	assert.ErrorContains(t, err, "negative debounce")
	// gpiotest refuses edge detection without an edge channel, as real
	// hardware refuses a pin that cannot interrupt.
	_, err = gpio.NewInput("b", &gpiotest.Pin{N: "GPIO7"}, pgpio.BothEdges, debounce, pgpio.PullUp)
	assert.ErrorContains(t, err, "GPIO7")

	_, err = gpio.NewInput("b", pin, pgpio.FallingEdge, debounce, pgpio.PullUp)
	require.NoError(t, err)
	assert.Equal(t, pgpio.PullUp, pin.Pull(), "pull resistor applied")
	assert.Equal(t, pgpio.High, pin.Read())
}
