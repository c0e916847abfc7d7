package gpio

import (
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// hostInit loads periph.io's host drivers once per process; later calls
// return the first result.
var hostInit = sync.OnceValue(func() error {
	_, err := host.Init()
	return err
})

// hostPin looks up a pin by its periph.io name ("GPIO17") on this host.
func hostPin(name string) (gpio.PinIO, error) {
	if err := hostInit(); err != nil {
		return nil, fmt.Errorf("init periph host drivers: %w", err)
	}
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("pin %q not found on this host", name)
	}
	return p, nil
}

// NewPinLight opens a station light on this host's GPIO pins through
// periph.io (a Raspberry Pi's header pins are "GPIO2".."GPIO27"). Outputs
// with an empty pin name are not wired; at least one must be. All outputs are
// switched off before it returns.
func NewPinLight(id string, pins LightPins, log zerolog.Logger, opts ...Option) (Light, error) {
	names := [4]string{pins.Green, pins.Amber, pins.Red, pins.Buzzer}
	var outs [4]gpio.PinOut
	seen := map[string]bool{}
	for i, n := range names {
		if n == "" {
			continue
		}
		if seen[n] {
			return nil, fmt.Errorf("light %s: pin %s used twice", id, n)
		}
		seen[n] = true
		p, err := hostPin(n)
		if err != nil {
			return nil, fmt.Errorf("light %s: %w", id, err)
		}
		outs[i] = p
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("light %s: no pins configured", id)
	}
	o := buildOptions(opts)
	o.activeLow = pins.ActiveLow
	l, err := newPinLight(id, outs, log, o)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// NewPinInput opens an input on this host's pin called name (periph.io name
// such as "GPIO27"); see NewInput for the other arguments.
func NewPinInput(id, name string, edge gpio.Edge, debounce time.Duration, pull gpio.Pull, opts ...Option) (*Input, error) {
	p, err := hostPin(name)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", id, err)
	}
	return NewInput(id, p, edge, debounce, pull, opts...)
}
