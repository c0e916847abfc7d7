package daemon

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/drivers/scanner"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/internal/wire"
)

// rfidGroup is the unit of every RFID reader and gate input: an input may
// gate several readers and a reader have several inputs, so they start and
// stop together.
const rfidGroup = "\x00rfid"

// unit is a running device (or the RFID group) that stops on its own,
// leaving the outbox, the link and the other devices running.
type unit struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	g      *Gateway
}

func (g *Gateway) newUnit() (*unit, context.Context) {
	ctx, cancel := context.WithCancel(g.ctx)
	return &unit{cancel: cancel, g: g}, ctx
}

// run runs f on its own goroutine, counted by the unit and the gateway.
func (u *unit) run(f func()) {
	u.wg.Add(1)
	u.g.wg.Add(1)
	go func() {
		defer u.g.wg.Done()
		defer u.wg.Done()
		f()
	}()
}

func (u *unit) stop() {
	u.cancel()
	u.wg.Wait()
}

func isRFIDGroup(kind string) bool { return kind == config.KindRFID || kind == config.KindInput }

// startDevices opens devs of cfg: lights first (scans need them), then
// printers, scanners and, when startRFID, the RFID group. A device that
// cannot be opened shows as disconnected and is named in the error; the
// rest still start (Start gives up on such an error, Apply reports it).
// The caller holds devMu.
func (g *Gateway) startDevices(cfg *config.Config, devs []config.Device, startRFID bool) error {
	var errs []error
	fail := func(d config.Device, h *health.Handle, err error) {
		errs = append(errs, configError(d, err))
		h.Set(health.Disconnected, err)
	}
	lights := maps.Clone(*g.lights.Load())
	for _, d := range devs {
		if d.Kind != config.KindLight {
			continue
		}
		h := g.board.Add(d.ID, d.Kind, d.Station)
		l, err := gpio.OpenLight(d.ID, gpio.LightConfig{Driver: d.Driver, LightPins: d.Pins}, g.log)
		if err != nil {
			fail(d, h, err)
			continue
		}
		h.Set(health.Connected, nil)
		lights[d.Station] = stationLight{Light: l, health: h}
		g.lightDev[d.ID] = l
	}
	g.lights.Store(&lights)
	for _, d := range devs {
		switch d.Kind {
		case config.KindPrinter:
			g.startPrinter(d)
		case config.KindScanner:
			h := g.board.Add(d.ID, d.Kind, d.Station)
			if err := g.startScanner(cfg, d, h); err != nil {
				fail(d, h, err)
			}
		}
	}
	if startRFID {
		if err := g.startRFID(cfg); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type deviceError struct {
	dev config.Device
	err error
}

func (e deviceError) Error() string { return "device " + e.dev.ID + ": " + e.err.Error() }

func configError(d config.Device, err error) error { return deviceError{dev: d, err: err} }

func (g *Gateway) startPrinter(d config.Device) {
	var p printer.Printer
	if d.Address != "" {
		p = printer.NewTCP(d.Address, printer.Options{})
	} else {
		p = printer.NewSerial(printer.SerialConfig{Port: d.Port, Baud: d.Baud, DataBits: d.DataBits, Parity: d.Parity,
			StopBits: d.StopBits, Log: g.log.With().Str("device", d.ID).Logger()})
	}
	q := newPrintQueue(g, d, p, g.board.Add(d.ID, d.Kind, d.Station))
	g.printers[d.Station] = q
	// Stored jobs are queued before the link delivers any command (and, on
	// a replaced printer, after the old queue has given its jobs back):
	// read later, a job accepted meanwhile would be queued twice.
	q.resume()
	u, ctx := g.newUnit()
	u.run(func() { q.run(ctx) })
	g.units[d.ID] = u
}

func (g *Gateway) startScanner(cfg *config.Config, d config.Device, h *health.Handle) error {
	sc, err := scanner.New(scanner.Config{Port: d.Port, Baud: d.Baud, DataBits: d.DataBits, Parity: d.Parity,
		StopBits: d.StopBits, Suffix: []byte(d.Suffix), Prefix: []byte(d.Prefix)}, g.log.With().Str("device", d.ID).Logger())
	if err != nil {
		return err
	}
	opt := gs1.Options{}
	if d.FNC1 != "" {
		opt.FNC1 = d.FNC1[0]
	}
	u, ctx := g.newUnit()
	u.run(func() {
		_ = sc.Run(ctx, func(ev scanner.Event) { g.onScannerEvent(d, h, opt, ev) })
	})
	g.units[d.ID] = u
	return nil
}

func (g *Gateway) onScannerEvent(d config.Device, h *health.Handle, opt gs1.Options, ev scanner.Event) {
	switch ev.Kind {
	case scanner.Read:
		h.Read(ev.At)
		g.onScan(d, h, opt, ev.Data, ev.At)
	case scanner.FrameError:
		h.Read(ev.At)
		g.onScan(d, h, opt, ev.Data, ev.At, ev.Err)
	case scanner.Connected:
		h.Set(health.Connected, nil)
	case scanner.Disconnected:
		h.Set(health.Disconnected, ev.Err)
	}
}

// onScan turns one frame into a scan event. The event is durable in the
// outbox before the light says anything: green means "captured, nothing
// will be lost", red means "not captured or not valid — scan again". The
// station's role is read at each scan, so a role changed on the page
// counts from the next scan without restarting the scanner.
func (g *Gateway) onScan(d config.Device, h *health.Handle, opt gs1.Options, data []byte, at time.Time, frameErr ...error) {
	var fe error
	if len(frameErr) > 0 {
		fe = frameErr[0]
	}
	ev, err := newScanEvent(d.Station, g.config().StationRole(d.Station), opt, data, fe)
	if !at.IsZero() {
		ev.TS = at.UTC()
	}
	if err != nil {
		g.metrics.badScans.Add(1)
		h.Failed(err)
	}
	g.metrics.scans.Add(1)
	stored := g.emit(&ev, d.ID)
	g.live.Publish(live.Event{Type: live.TypeScan, Data: live.Scan{Scan: &ev, Stored: stored}})
	if !stored {
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

// onDeviceChange reports a device's change of state: to central as an
// evt/device event, to the log (a warning when the device stops working)
// and to the live page.
func (g *Gateway) onDeviceChange(c health.Change) {
	d := c.Device
	msg := wire.Device{Envelope: newEnvelope(wire.EvtDevice), Station: d.Station, Kind: d.Kind, State: d.State, Error: d.LastError}
	if p := d.Printer; p != nil {
		msg.Printer = &wire.PrinterStatus{PaperOut: p.PaperOut, RibbonOut: p.RibbonOut, HeadOpen: p.HeadOpen,
			Paused: p.Paused, BufferFull: p.BufferFull}
	}
	lg := g.log.Info()
	if !d.Working() {
		lg = g.log.Warn()
	}
	lg.Str("device", d.ID).Str("kind", d.Kind).Str("station", d.Station).Str("from", c.From).Str("state", d.State).
		Str("reason", d.LastError).Msg("device state")
	g.emit(&msg, d.ID)
	g.live.Publish(live.Event{Type: live.TypeDevice, Data: d})
}

// Apply puts a new configuration's stations and devices into force without
// a restart: devices that are gone or changed are stopped, changed and new
// ones started; the outbox, the link and untouched devices keep running.
// Print jobs of a replaced printer stay stored and go to the new one. A
// station's new role needs no restart (scanners and readers look it up
// for each event); changed stations are announced to central in a new
// birth message. The other sections of cfg are not applied (they need a
// restart). A device that cannot be opened is reported in the error and
// shows as disconnected.
func (g *Gateway) Apply(next *config.Config) error {
	if !g.opened.Load() {
		// Devices would have no outbox to store their events in.
		return errors.New("the gateway has not started yet: it is waiting for disk space to open its database")
	}
	g.devMu.Lock()
	defer g.devMu.Unlock()
	cur := g.config()
	old := map[string]config.Device{}
	for _, d := range cur.Devices {
		old[d.ID] = d
	}
	kept := map[string]bool{}
	var start []config.Device
	rfidChanged := false
	for _, d := range next.Devices {
		o, ok := old[d.ID]
		same := ok && reflect.DeepEqual(o, d)
		if same {
			kept[d.ID] = true
			continue
		}
		if isRFIDGroup(d.Kind) || ok && isRFIDGroup(o.Kind) {
			rfidChanged = true
		}
		if !isRFIDGroup(d.Kind) {
			start = append(start, d)
		}
	}
	for _, o := range cur.Devices {
		if kept[o.ID] {
			continue
		}
		if isRFIDGroup(o.Kind) {
			rfidChanged = true
			continue
		}
		g.stopDevice(o)
		if !slices.ContainsFunc(next.Devices, func(d config.Device) bool { return d.ID == o.ID }) {
			g.board.Remove(o.ID)
		}
	}
	if rfidChanged {
		if u := g.units[rfidGroup]; u != nil {
			u.stop()
			delete(g.units, rfidGroup)
		}
		for _, o := range cur.Devices {
			if isRFIDGroup(o.Kind) {
				g.board.Remove(o.ID)
			}
		}
	}
	merged := *cur
	merged.Stations, merged.Devices = next.Stations, next.Devices
	g.cfg.Store(&merged)
	stationsChanged := !slices.Equal(cur.Stations, next.Stations)
	if stationsChanged {
		g.link.SetStations(linkStations(next))
	}
	err := g.startDevices(&merged, start, rfidChanged)
	g.log.Info().Int("started", len(start)).Bool("rfid_restarted", rfidChanged).Bool("stations_announced", stationsChanged).
		AnErr("problem", err).Msg("configuration applied")
	return err
}

// linkStations are the stations of cfg as the link announces them.
func linkStations(cfg *config.Config) []link.Station {
	out := make([]link.Station, 0, len(cfg.Stations))
	for _, s := range cfg.Stations {
		out = append(out, link.Station{ID: s.ID, Role: s.Role})
	}
	return out
}

// stopDevice stops one device that is not in the RFID group. The caller
// holds devMu.
func (g *Gateway) stopDevice(d config.Device) {
	if u := g.units[d.ID]; u != nil {
		u.stop()
		delete(g.units, d.ID)
	}
	switch d.Kind {
	case config.KindPrinter:
		if q := g.printers[d.Station]; q != nil && q.dev.ID == d.ID {
			delete(g.printers, d.Station)
		}
	case config.KindLight:
		if l := g.lightDev[d.ID]; l != nil {
			lights := maps.Clone(*g.lights.Load())
			if lights[d.Station].Light == l {
				delete(lights, d.Station)
			}
			g.lights.Store(&lights)
			_ = l.Close()
			delete(g.lightDev, d.ID)
		}
	}
}
