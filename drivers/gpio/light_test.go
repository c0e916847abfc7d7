package gpio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/dockhand/dockhand/drivers/gpio"
)

// rig is a light on gpiotest pins with a fake clock.
type rig struct {
	t     *testing.T
	light gpio.Light
	pins  [4]*gpiotest.Pin // green, amber, red, buzzer
	clock *clockwork.FakeClock
}

func newRig(t *testing.T, opts ...gpio.Option) *rig {
	t.Helper()
	r := &rig{t: t, clock: clockwork.NewFakeClock()}
	for i, n := range []string{"GPIO17", "GPIO27", "GPIO22", "GPIO23"} {
		r.pins[i] = &gpiotest.Pin{N: n, Num: i}
	}
	opts = append([]gpio.Option{gpio.WithClock(r.clock)}, opts...)
	r.light = gpio.NewLightWithPins("dock-1", r.pins[0], r.pins[1], r.pins[2], r.pins[3], zerolog.Nop(), opts...)
	t.Cleanup(func() { _ = r.light.Close() })
	return r
}

// on lists the outputs whose pin is high, e.g. "red+buzzer" or "none".
func (r *rig) on() string {
	var parts []string
	for i, name := range []string{"green", "amber", "red", "buzzer"} {
		if r.pins[i].Read() == pgpio.High {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// waitTimer blocks until the pattern player has armed its next timer, which
// it does only after writing the outputs for the current step.
func (r *rig) waitTimer() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(r.t, r.clock.BlockUntilContext(ctx, 1), "pattern player did not arm a timer")
}

// expectSteps checks that the light shows each state for its duration, in
// order, then (for a one-shot) ends off.
func (r *rig) expectSteps(steps []st) {
	r.t.Helper()
	for i, s := range steps {
		r.waitTimer()
		require.Equal(r.t, s.on, r.on(), "step %d", i)
		r.clock.Advance(s.dur - time.Millisecond)
		require.Equal(r.t, s.on, r.on(), "step %d must last %s", i, s.dur)
		r.clock.Advance(time.Millisecond)
	}
}

// st is one expected step: which outputs are on, and for how long.
type st struct {
	on  string
	dur time.Duration
}

func (r *rig) expectEndsOff() {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return r.light.Current() == gpio.PatternOff }, 10*time.Second, time.Millisecond)
	assert.Equal(r.t, "none", r.on())
}

func TestParsePattern(t *testing.T) {
	for _, p := range gpio.Patterns() {
		got, err := gpio.ParsePattern(string(p))
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	got, err := gpio.ParsePattern("  Reject ")
	require.NoError(t, err)
	assert.Equal(t, gpio.PatternReject, got)

	_, err = gpio.ParsePattern("blue")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"blue"`)
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"ok", "REJECT", " busy", "", "blue", "off\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := gpio.ParsePattern(s)
		if err != nil {
			return
		}
		assert.Contains(t, gpio.Patterns(), p)
		again, err := gpio.ParsePattern(string(p))
		require.NoError(t, err)
		assert.Equal(t, p, again)
	})
}

func TestNewLightStartsOff(t *testing.T) {
	g, a := &gpiotest.Pin{N: "GPIO17", L: pgpio.High}, &gpiotest.Pin{N: "GPIO27", L: pgpio.High}
	l := gpio.NewLightWithPins("dock-1", g, a, nil, nil, zerolog.Nop())
	defer l.Close()
	assert.Equal(t, pgpio.Low, g.Read())
	assert.Equal(t, pgpio.Low, a.Read())
	assert.Equal(t, gpio.PatternOff, l.Current())
}

func TestOKPulsesGreenForOneSecond(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternOK))
	assert.Equal(t, gpio.PatternOK, r.light.Current())
	r.expectSteps([]st{{"green", time.Second}})
	r.expectEndsOff()
}

func TestRejectIsRedWithThreeBeeps(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternReject))
	beep := 150 * time.Millisecond
	r.expectSteps([]st{
		{"red+buzzer", beep}, {"red", beep},
		{"red+buzzer", beep}, {"red", beep},
		{"red+buzzer", beep}, {"red", 2*time.Second - 5*beep},
	})
	r.expectEndsOff()
}

func TestLampTestWalksEveryOutput(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternTest))
	half := 500 * time.Millisecond
	r.expectSteps([]st{{"green", half}, {"amber", half}, {"red", half}, {"buzzer", 200 * time.Millisecond}})
	r.expectEndsOff()
}

func TestFaultBlinksRedUntilReplaced(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternFault))
	half := 500 * time.Millisecond
	// Only the first flash beeps; then red blinks on its own.
	r.expectSteps([]st{{"red+buzzer", half}, {"none", half}, {"red", half}, {"none", half}, {"red", half}, {"none", half}})
	r.waitTimer()
	assert.Equal(t, gpio.PatternFault, r.light.Current())

	require.NoError(t, r.light.Show(gpio.PatternBusy))
	assert.Equal(t, "amber", r.on())
	// Show waited for the blinking to stop, so time passing changes nothing.
	r.clock.Advance(time.Hour)
	assert.Equal(t, "amber", r.on())
	assert.Equal(t, gpio.PatternBusy, r.light.Current())
}

func TestAttentionBlinksAmber(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternAttention))
	half := 500 * time.Millisecond
	r.expectSteps([]st{{"amber", half}, {"none", half}, {"amber", half}, {"none", half}})
	r.waitTimer()
	assert.Equal(t, gpio.PatternAttention, r.light.Current())
}

func TestSteadyPatternsHold(t *testing.T) {
	r := newRig(t)
	for _, p := range []gpio.Pattern{gpio.PatternBusy, gpio.PatternWait} {
		require.NoError(t, r.light.Show(p))
		r.clock.Advance(time.Hour)
		assert.Equal(t, "amber", r.on(), string(p))
		assert.Equal(t, p, r.light.Current())
	}
	require.NoError(t, r.light.Show(gpio.PatternOff))
	assert.Equal(t, "none", r.on())
	assert.Equal(t, gpio.PatternOff, r.light.Current())
}

func TestNewPatternReplacesOneShot(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternReject))
	r.waitTimer()
	require.NoError(t, r.light.Show(gpio.PatternOK))
	assert.Equal(t, "green", r.on())
	// The green pulse runs its full second from its own start.
	r.expectSteps([]st{{"green", time.Second}})
	r.expectEndsOff()
}

func TestUnknownPatternLeavesLightAlone(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternBusy))
	err := r.light.Show("blue")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "blue")
	assert.Equal(t, gpio.PatternBusy, r.light.Current())
	assert.Equal(t, "amber", r.on())
}

func TestActiveLowInvertsOutputs(t *testing.T) {
	r := newRig(t, gpio.WithActiveLow(true))
	for i, p := range r.pins {
		assert.Equal(t, pgpio.High, p.Read(), "pin %d must idle high", i)
	}
	require.NoError(t, r.light.Show(gpio.PatternOK))
	assert.Equal(t, pgpio.Low, r.pins[0].Read())
	for _, p := range r.pins[1:] {
		assert.Equal(t, pgpio.High, p.Read())
	}
}

func TestCloseSwitchesOffAndStops(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.light.Show(gpio.PatternAttention))
	require.NoError(t, r.light.Close())
	assert.Equal(t, "none", r.on())
	assert.Equal(t, gpio.PatternOff, r.light.Current())
	r.clock.Advance(time.Hour)
	assert.Equal(t, "none", r.on())

	err := r.light.Show(gpio.PatternOK)
	require.ErrorIs(t, err, gpio.ErrClosed)
	assert.Equal(t, "none", r.on())
	assert.NoError(t, r.light.Close(), "second Close")
}

func TestUnwiredOutputsAreSkipped(t *testing.T) {
	g, red := &gpiotest.Pin{N: "GPIO17"}, &gpiotest.Pin{N: "GPIO22"}
	fc := clockwork.NewFakeClock()
	l := gpio.NewLightWithPins("pack-2", g, nil, red, nil, zerolog.Nop(), gpio.WithClock(fc))
	defer l.Close()
	require.NoError(t, l.Show(gpio.PatternReject))
	assert.Equal(t, pgpio.High, red.Read())
	require.NoError(t, l.Show(gpio.PatternBusy), "amber is not wired, which is not an error")
	assert.Equal(t, pgpio.Low, red.Read())
	assert.Equal(t, pgpio.Low, g.Read())
}

// failingPin is an output whose writes fail, like a pin another process
// has claimed.
type failingPin struct{ gpiotest.Pin }

func (p *failingPin) Out(pgpio.Level) error { return errors.New("device busy") }

func TestShowReportsPinErrors(t *testing.T) {
	bad := &failingPin{gpiotest.Pin{N: "GPIO22"}}
	g := &gpiotest.Pin{N: "GPIO17"}
	l := gpio.NewLightWithPins("dock-3", g, nil, bad, nil, zerolog.Nop(), gpio.WithClock(clockwork.NewFakeClock()))
	defer l.Close()
	err := l.Show(gpio.PatternFault)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GPIO22")
	assert.Contains(t, err.Error(), "device busy")
	assert.Equal(t, gpio.PatternFault, l.Current(), "the pattern still runs on the pins that work")
	require.Error(t, l.Show(gpio.PatternOK), "every Show writes every wired pin")
	assert.Equal(t, pgpio.High, g.Read(), "the green pin still works")
}

func TestLogLightLogsAndKeepsCurrent(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := &lockedWriter{w: &buf, mu: &mu}
	fc := clockwork.NewFakeClock()
	l := gpio.NewLogLight("dock-9", zerolog.New(w).Level(zerolog.DebugLevel), gpio.WithClock(fc))
	defer l.Close()

	require.NoError(t, l.Show(gpio.PatternOK))
	assert.Equal(t, gpio.PatternOK, l.Current())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, fc.BlockUntilContext(ctx, 1))
	fc.Advance(time.Second)
	require.Eventually(t, func() bool { return l.Current() == gpio.PatternOff }, 10*time.Second, time.Millisecond)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, `"light":"dock-9"`)
	assert.Contains(t, out, `"pattern":"ok"`)
	assert.Contains(t, out, `"on":"green"`)
	assert.Contains(t, out, `"on":"none"`)
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestConcurrentShowAndClose is for the race detector: commands arrive from
// several goroutines while patterns run on the real clock.
func TestConcurrentShowAndClose(t *testing.T) {
	pins := make([]*gpiotest.Pin, 4)
	for i := range pins {
		pins[i] = &gpiotest.Pin{N: fmt.Sprintf("GPIO%d", 20+i)}
	}
	l := gpio.NewLightWithPins("dock-1", pins[0], pins[1], pins[2], pins[3], zerolog.Nop())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				ps := gpio.Patterns()
				_ = l.Show(ps[(g+i)%len(ps)])
				_ = l.Current()
			}
		})
	}
	wg.Wait()
	require.NoError(t, l.Close())
	for _, p := range pins {
		assert.Equal(t, pgpio.Low, p.Read())
	}
}

func BenchmarkShow(b *testing.B) {
	pins := make([]*gpiotest.Pin, 4)
	for i := range pins {
		pins[i] = &gpiotest.Pin{N: fmt.Sprintf("GPIO%d", 20+i)}
	}
	l := gpio.NewLightWithPins("bench", pins[0], pins[1], pins[2], pins[3], zerolog.Nop())
	defer l.Close()
	ps := []gpio.Pattern{gpio.PatternReject, gpio.PatternBusy}
	i := 0
	for b.Loop() {
		if err := l.Show(ps[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
