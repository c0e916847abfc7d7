package gpio

import (
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio"
)

// Light drivers selectable in configuration.
const (
	DriverGPIO = "gpio" // periph.io host pins (Raspberry Pi)
	DriverLog  = "log"  // no hardware: log pattern changes
)

// LightConfig is a station light's configuration block, e.g. in YAML:
//
//	driver: gpio
//	green: GPIO17
//	amber: GPIO27
//	red: GPIO22
//	buzzer: GPIO23
//	active_low: true
type LightConfig struct {
	Driver    string `yaml:"driver" json:"driver"` // DriverGPIO or DriverLog; empty means DriverLog
	LightPins `yaml:",inline"`
}

// OpenLight opens the light cfg describes.
func OpenLight(id string, cfg LightConfig, log zerolog.Logger, opts ...Option) (Light, error) {
	switch strings.ToLower(cfg.Driver) {
	case DriverGPIO:
		return NewPinLight(id, cfg.LightPins, log, opts...)
	case DriverLog, "":
		return NewLogLight(id, log, opts...), nil
	default:
		return nil, fmt.Errorf("light %s: unknown driver %q (want %q or %q)", id, cfg.Driver, DriverGPIO, DriverLog)
	}
}

// DefaultDebounce suits mechanical push buttons and relay-output photo-eyes.
const DefaultDebounce = 20 * time.Millisecond

// InputConfig is an input's configuration block, e.g. in YAML:
//
//	pin: GPIO5
//	edge: both      # rising | falling | both (default both)
//	pull: up        # up | down | float (default up)
//	debounce: 20ms  # default 20ms
type InputConfig struct {
	Pin      string        `yaml:"pin" json:"pin"`
	Edge     string        `yaml:"edge" json:"edge"`
	Pull     string        `yaml:"pull" json:"pull"`
	Debounce time.Duration `yaml:"debounce" json:"debounce"`
}

// OpenInput opens the host pin input cfg describes.
func OpenInput(id string, cfg InputConfig, opts ...Option) (*Input, error) {
	edge, err := ParseEdge(cfg.Edge)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", id, err)
	}
	pull, err := ParsePull(cfg.Pull)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", id, err)
	}
	debounce := cfg.Debounce
	if debounce == 0 {
		debounce = DefaultDebounce
	}
	return NewPinInput(id, cfg.Pin, edge, debounce, pull, opts...)
}

// ParseEdge reads "rising", "falling" or "both"; empty means both.
func ParseEdge(s string) (gpio.Edge, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "rising":
		return gpio.RisingEdge, nil
	case "falling":
		return gpio.FallingEdge, nil
	case "both", "":
		return gpio.BothEdges, nil
	}
	return gpio.NoEdge, fmt.Errorf("unknown edge %q (want rising, falling or both)", s)
}

// ParsePull reads "up", "down" or "float"; empty means up, the safe choice
// for the usual switch-to-ground wiring.
func ParsePull(s string) (gpio.Pull, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "up", "":
		return gpio.PullUp, nil
	case "down":
		return gpio.PullDown, nil
	case "float", "none":
		return gpio.Float, nil
	}
	return gpio.PullNoChange, fmt.Errorf("unknown pull %q (want up, down or float)", s)
}
