package gpio_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/dockhand/dockhand/drivers/gpio"
)

func TestLightConfigFromYAML(t *testing.T) {
	var cfg gpio.LightConfig
	require.NoError(t, yaml.Unmarshal([]byte(`
driver: gpio
green: GPIO17
amber: GPIO27
red: GPIO22
buzzer: GPIO23
active_low: true
`), &cfg))
	assert.Equal(t, gpio.LightConfig{Driver: "gpio", LightPins: gpio.LightPins{
		Green: "GPIO17", Amber: "GPIO27", Red: "GPIO22", Buzzer: "GPIO23", ActiveLow: true}}, cfg)
}

func TestOpenLightSelectsDriver(t *testing.T) {
	l, err := gpio.OpenLight("dock-1", gpio.LightConfig{}, zerolog.Nop())
	require.NoError(t, err, "empty driver means log")
	require.NoError(t, l.Show(gpio.PatternBusy))
	assert.Equal(t, gpio.PatternBusy, l.Current())
	require.NoError(t, l.Close())

	g := &gpiotest.Pin{N: "DOCKTEST_CFG_G"}
	register(t, g)
	l, err = gpio.OpenLight("dock-1", gpio.LightConfig{Driver: "GPIO", LightPins: gpio.LightPins{Green: g.N}}, zerolog.Nop())
	require.NoError(t, err)
	require.NoError(t, l.Show(gpio.PatternOK))
	assert.Equal(t, pgpio.High, g.Read())
	require.NoError(t, l.Close())

	_, err = gpio.OpenLight("dock-1", gpio.LightConfig{Driver: "serial"}, zerolog.Nop())
	assert.ErrorContains(t, err, `unknown driver "serial"`)
}

func TestInputConfigFromYAMLAndDefaults(t *testing.T) {
	var cfg gpio.InputConfig
	require.NoError(t, yaml.Unmarshal([]byte("pin: DOCKTEST_CFG_IN\nedge: falling\ndebounce: 50ms\n"), &cfg))
	assert.Equal(t, gpio.InputConfig{Pin: "DOCKTEST_CFG_IN", Edge: "falling", Debounce: 50 * time.Millisecond}, cfg)

	p := &gpiotest.Pin{N: "DOCKTEST_CFG_IN", EdgesChan: make(chan pgpio.Level, 1)}
	register(t, p)
	in, err := gpio.OpenInput("eye-2", cfg)
	require.NoError(t, err)
	assert.Equal(t, "eye-2", in.ID())
	assert.Equal(t, pgpio.PullUp, p.Pull(), "pull defaults to up")

	_, err = gpio.OpenInput("eye-3", gpio.InputConfig{Pin: p.N, Edge: "sideways"})
	assert.ErrorContains(t, err, `unknown edge "sideways"`)
	_, err = gpio.OpenInput("eye-3", gpio.InputConfig{Pin: p.N, Pull: "sideways"})
	assert.ErrorContains(t, err, `unknown pull "sideways"`)
}

func TestParseEdgeAndPull(t *testing.T) {
	for in, want := range map[string]pgpio.Edge{"rising": pgpio.RisingEdge, " Falling": pgpio.FallingEdge, "both": pgpio.BothEdges, "": pgpio.BothEdges} {
		got, err := gpio.ParseEdge(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for in, want := range map[string]pgpio.Pull{"up": pgpio.PullUp, "": pgpio.PullUp, "DOWN": pgpio.PullDown, "float": pgpio.Float, "none": pgpio.Float} {
		got, err := gpio.ParsePull(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}
