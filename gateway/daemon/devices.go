package daemon

import (
	"time"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/drivers/scanner"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/internal/wire"
)

// openLights opens the station lights; they come before the database (a
// gateway that cannot open it shows so on every light).
func (g *Gateway) openLights() error {
	for _, d := range g.cfg.Devices {
		if d.Kind != config.KindLight {
			continue
		}
		l, err := gpio.OpenLight(d.ID, gpio.LightConfig{Driver: d.Driver, LightPins: d.Pins}, g.log)
		if err != nil {
			return configError(d, err)
		}
		g.lights[d.Station] = l
	}
	return nil
}

// startDevices opens printers, then scanners and RFID readers (the lights
// are open already: scans need them).
func (g *Gateway) startDevices() error {
	for _, d := range g.cfg.Devices {
		switch d.Kind {
		case config.KindPrinter:
			var p printer.Printer
			if d.Address != "" {
				p = printer.NewTCP(d.Address, printer.Options{})
			} else {
				p = printer.NewSerial(printer.SerialConfig{Port: d.Port, Baud: d.Baud})
			}
			q := newPrintQueue(g, d, p)
			g.printers[d.Station] = q
			// Stored jobs are queued before the link delivers any command:
			// read later, a job accepted at start-up would be queued twice.
			q.resume()
			g.wg.Add(1)
			go func() { defer g.wg.Done(); q.run(g.ctx) }()
		case config.KindScanner:
			if err := g.startScanner(d); err != nil {
				return err
			}
		case config.KindRFID:
			// Also starts the inputs (kind input) that gate the readers.
			if err := g.startRFID(d); err != nil {
				return err
			}
		}
	}
	return nil
}

type deviceError struct {
	dev config.Device
	err error
}

func (e deviceError) Error() string { return "device " + e.dev.ID + ": " + e.err.Error() }

func configError(d config.Device, err error) error { return deviceError{dev: d, err: err} }

func (g *Gateway) startScanner(d config.Device) error {
	sc, err := scanner.New(scanner.Config{Port: d.Port, Baud: d.Baud, DataBits: d.DataBits, Parity: d.Parity,
		StopBits: d.StopBits, Suffix: []byte(d.Suffix), Prefix: []byte(d.Prefix)}, g.log.With().Str("device", d.ID).Logger())
	if err != nil {
		return configError(d, err)
	}
	opt := gs1.Options{}
	if d.FNC1 != "" {
		opt.FNC1 = d.FNC1[0]
	}
	role := g.cfg.StationRole(d.Station)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		_ = sc.Run(g.ctx, func(ev scanner.Event) { g.onScannerEvent(d, role, opt, ev) })
	}()
	return nil
}

func (g *Gateway) onScannerEvent(d config.Device, role string, opt gs1.Options, ev scanner.Event) {
	switch ev.Kind {
	case scanner.Read:
		g.onScan(d, role, opt, ev.Data, ev.At)
	case scanner.FrameError:
		g.onScan(d, role, opt, ev.Data, ev.At, ev.Err)
	case scanner.Connected, scanner.Disconnected:
		state := map[scanner.EventKind]string{scanner.Connected: "connected", scanner.Disconnected: "disconnected"}[ev.Kind]
		msg := wire.Device{Envelope: newEnvelope(wire.EvtDevice), Station: d.Station, Kind: d.Kind, State: state}
		if ev.Err != nil {
			msg.Error = ev.Err.Error()
		}
		g.log.Info().Str("device", d.ID).Str("state", state).AnErr("reason", ev.Err).Msg("scanner")
		g.emit(&msg, d.ID)
	}
}

// onScan turns one frame into a scan event. The event is durable in the
// outbox before the light says anything: green means "captured, nothing
// will be lost", red means "not captured or not valid — scan again".
func (g *Gateway) onScan(d config.Device, role string, opt gs1.Options, data []byte, at time.Time, frameErr ...error) {
	ev := wire.Scan{Envelope: newEnvelope(wire.EvtScan), Station: d.Station, Role: role, Data: string(data)}
	if !at.IsZero() {
		ev.TS = at.UTC()
	}
	var err error
	if len(frameErr) > 0 {
		err = frameErr[0]
	} else {
		var s *gs1.Scan
		if s, err = gs1.ParseScan(data, opt); err == nil {
			ev.Symbology, ev.GS1, ev.Data = s.Symbology, s.GS1, s.Data
			for _, e := range s.Elements {
				ev.Elements = append(ev.Elements, wire.Element{AI: e.AI, Value: e.Value})
			}
			if s.GS1 {
				ev.HRI = gs1.HRI(s.Elements)
			}
		}
	}
	if err != nil {
		ev.Error = err.Error()
		g.metrics.badScans.Add(1)
	}
	g.metrics.scans.Add(1)
	if !g.emit(&ev, d.ID) {
		g.show(d.Station, gpio.PatternReject)
		return
	}
	if err != nil {
		g.log.Warn().Str("device", d.ID).Str("reason", ev.Error).Msg("bad scan")
		g.show(d.Station, gpio.PatternReject)
		return
	}
	g.show(d.Station, gpio.PatternOK)
}
