package gpio_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/dockhand/dockhand/drivers/gpio"
)

// register puts gpiotest pins into periph's pin registry under names no real
// host uses, so the host constructors can find them.
func register(t *testing.T, pins ...*gpiotest.Pin) {
	t.Helper()
	for _, p := range pins {
		require.NoError(t, gpioreg.Register(p))
		t.Cleanup(func() { _ = gpioreg.Unregister(p.N) })
	}
}

func TestNewPinLightFindsPinsByName(t *testing.T) {
	g := &gpiotest.Pin{N: "DOCKTEST_G", L: pgpio.Low}
	r := &gpiotest.Pin{N: "DOCKTEST_R", L: pgpio.Low}
	register(t, g, r)

	l, err := gpio.NewPinLight("dock-1", gpio.LightPins{Green: "DOCKTEST_G", Red: "DOCKTEST_R", ActiveLow: true}, zerolog.Nop())
	require.NoError(t, err)
	defer l.Close()
	assert.Equal(t, pgpio.High, g.Read(), "active-low outputs idle high")
	require.NoError(t, l.Show(gpio.PatternReject))
	assert.Equal(t, pgpio.Low, r.Read())
	assert.Equal(t, pgpio.High, g.Read())
}

func TestNewPinLightErrors(t *testing.T) {
	register(t, &gpiotest.Pin{N: "DOCKTEST_A"})
	for name, tc := range map[string]struct {
		pins gpio.LightPins
		want string
	}{
		"missing pin": {gpio.LightPins{Green: "DOCKTEST_NOPE"}, `"DOCKTEST_NOPE" not found`},
		"pin twice":   {gpio.LightPins{Green: "DOCKTEST_A", Amber: "DOCKTEST_A"}, "used twice"},
		"no pins":     {gpio.LightPins{}, "no pins"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gpio.NewPinLight("dock-1", tc.pins, zerolog.Nop())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "dock-1")
		})
	}
}

func TestNewPinInputFindsPinByName(t *testing.T) {
	p := &gpiotest.Pin{N: "DOCKTEST_IN", EdgesChan: make(chan pgpio.Level, 1)}
	register(t, p)
	in, err := gpio.NewPinInput("button-1", "DOCKTEST_IN", pgpio.FallingEdge, 20*time.Millisecond, pgpio.PullUp)
	require.NoError(t, err)
	assert.Equal(t, "button-1", in.ID())
	assert.Equal(t, pgpio.PullUp, p.Pull())

	_, err = gpio.NewPinInput("button-2", "DOCKTEST_NONE", pgpio.FallingEdge, 0, pgpio.PullUp)
	assert.ErrorContains(t, err, `"DOCKTEST_NONE" not found`)
}
