package daemon

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio/gpioreg"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/rfid/tags"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
)

// gateInput is a photo-eye or push button on a Pi pin that gates the tag
// pipelines of the readers it names. Its edges stay in the gateway: central
// has no use for them (a beam break is not a device fault).
type gateInput struct {
	dev    config.Device
	in     *gpio.Input
	gates  []*gate
	log    zerolog.Logger
	health reporter
}

// gate combines the inputs of one reader's pipeline: it is open while any
// of them is active, so two photo-eyes (one each side of the door) or a
// photo-eye and a button work together.
type gate struct {
	pipe   *tags.Pipeline
	mu     sync.Mutex
	active map[string]bool // by input (device id, or "gpi")
}

func newGate(p *tags.Pipeline) *gate { return &gate{pipe: p, active: map[string]bool{}} }

// set records one input's state and opens or closes the pipeline's gate.
func (g *gate) set(input string, open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.active[input] = open
	g.pipe.SetGate(g.anyOpen())
}

// pulse opens the gate for the pipeline's gate hold, unless an input holds
// it open anyway.
func (g *gate) pulse() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.anyOpen() {
		g.pipe.SetGate(true)
		g.pipe.SetGate(false)
	}
}

func (g *gate) anyOpen() bool {
	for _, open := range g.active {
		if open {
			return true
		}
	}
	return false
}

// openInputs opens every input device of cfg and links it to the readers
// it gates (those that could be opened). An input that cannot be opened is
// reported in the error; the others are returned.
func (g *Gateway) openInputs(cfg *config.Config, portals map[string]*portal) ([]*gateInput, error) {
	var out []*gateInput
	var errs []error
	for _, d := range cfg.Devices {
		if d.Kind != config.KindInput {
			continue
		}
		var gates []*gate
		for _, id := range d.Input.Gates {
			if p, ok := portals[id]; ok {
				gates = append(gates, p.gate)
			}
		}
		h := g.board.Add(d.ID, d.Kind, d.Station)
		gi, err := openGateInput(d, gates, g.log)
		if err != nil {
			h.Set(health.Disconnected, err)
			errs = append(errs, configError(d, err))
			continue
		}
		gi.health = h
		h.Set(health.Connected, nil)
		out = append(out, gi)
	}
	return out, errors.Join(errs...)
}

// openGateInput opens the input's pin and sets the gates from its present
// level: a pallet may already stand in the beam when the gateway starts.
func openGateInput(d config.Device, gates []*gate, log zerolog.Logger) (*gateInput, error) {
	in, err := gpio.OpenInput(d.ID, gpio.InputConfig{Pin: d.Input.Pin, Edge: d.Input.Edge, Pull: d.Input.Pull,
		Debounce: time.Duration(d.Input.Debounce)})
	if err != nil {
		return nil, err
	}
	gi := &gateInput{dev: d, in: in, gates: gates, log: log.With().Str("device", d.ID).Logger()}
	if pin := gpioreg.ByName(d.Input.Pin); pin != nil && !d.Input.Pulse() {
		gi.set(gi.active(bool(pin.Read())))
	}
	return gi, nil
}

// active tells whether an electrical level means beam broken / pressed.
func (gi *gateInput) active(high bool) bool {
	return high == (gi.dev.Input.Active == config.ActiveHigh)
}

func (gi *gateInput) set(open bool) {
	for _, g := range gi.gates {
		g.set(gi.dev.ID, open)
	}
}

// run follows the input until ctx ends. With edge both the gates follow the
// level; with a single edge (a button) each press opens them for the
// readers' gate_hold.
func (gi *gateInput) run(ctx context.Context) {
	err := gi.in.Run(ctx, func(ev gpio.InputEvent) {
		if gi.dev.Input.Pulse() {
			gi.log.Debug().Msg("gate pulse")
			for _, g := range gi.gates {
				g.pulse()
			}
			return
		}
		open := gi.active(ev.Level)
		gi.log.Debug().Bool("open", open).Msg("gate")
		gi.set(open)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		gi.log.Error().Err(err).Msg("input stopped")
		gi.health.Set(health.Disconnected, err)
	}
}
