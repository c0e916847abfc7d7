package daemon

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
)

// diskRetry is how often a gateway waiting for disk space tries again to
// open its database.
var diskRetry = 2 * time.Second

// Storage tells whether the gateway can store events (for health checks
// and metrics): "unavailable" while it waits for the space to open its
// database, "full" while the outbox refuses new events (the disk is down
// to the database's reserve, or outbox.max_bytes is used up), "ok"
// otherwise.
func (g *Gateway) Storage() storage.Status {
	s := g.disk.Status()
	if s.State == storage.StateUnavailable || !g.opened.Load() {
		return s
	}
	st := g.outbox.Stats()
	switch {
	case st.Bytes >= st.MaxBytes && st.DiskLimited:
		s.State = storage.StateFull
		if s.Reason == "" {
			s.Reason = fmt.Sprintf("%d bytes free on the disk of %s: what is left is kept for the database's own writes", s.Free, s.Path)
		}
		s.Reason = fmt.Sprintf("new events are refused (%d waiting for central): %s", st.Events, s.Reason)
	case st.Bytes >= st.MaxBytes:
		s.State = storage.StateFull
		s.Reason = fmt.Sprintf("new events are refused: outbox.max_bytes is used up (%d events, %d bytes waiting for central)", st.Events, st.Bytes)
	}
	return s
}

// awaitDisk runs while the disk is too full to open the database: every
// light shows the fault, the reason is logged, and the database is opened
// as soon as there is room; then the gateway starts as usual, with
// everything stored before.
func (g *Gateway) awaitDisk(cause error, devs []config.Device) {
	defer g.wg.Done()
	s := g.disk.Status()
	g.log.Error().Err(cause).Str("path", s.Path).Int64("free_bytes", s.Free).Int64("needed_bytes", s.Needed).
		Msg("cannot open the database: the disk is full; waiting for space (every station shows a fault)")
	g.showAll(gpio.PatternFault)
	var db *badger.DB
	err := g.disk.AwaitOpen(g.ctx, diskRetry, "database", func() (err error) { db, err = g.disk.Open(); return err })
	if g.ctx.Err() != nil {
		return
	}
	if err == nil {
		err = g.startStored(db, devs)
	}
	if err != nil {
		g.log.Error().Err(err).Msg("cannot start")
		return
	}
	g.log.Info().Msg("disk space is back: database open, gateway started")
	g.showAll(gpio.PatternOff)
	// The lights' states could not be stored while they waited.
	for _, d := range g.board.Snapshot() {
		if d.Kind == config.KindLight {
			g.onDeviceChange(health.Change{Device: d, From: d.State})
		}
	}
}

// watchDisk follows the free space (storage.Disk.Run) and tells the
// operator and central when new events start or stop being refused: a
// "storage" device event, a log line, and a blinking red light on every
// station for as long as it lasts (shown again after a refused scan's
// one-shot red).
func (g *Gateway) watchDisk() {
	last := storage.StateOK
	g.disk.Run(g.ctx, func() {
		s := g.Storage()
		if s.State == storage.StateFull {
			for station, l := range *g.lights.Load() {
				if l.Current() == gpio.PatternOff {
					g.show(station, gpio.PatternFault)
				}
			}
		}
		if s.State == last {
			return
		}
		last = s.State
		if s.State == storage.StateOK {
			g.log.Info().Str("path", s.Path).Int64("free_bytes", s.Free).Msg("storage ok: events are accepted again")
			for station, l := range *g.lights.Load() {
				if l.Current() == gpio.PatternFault {
					g.show(station, gpio.PatternOff)
				}
			}
			return
		}
		g.log.Error().Str("path", s.Path).Int64("free_bytes", s.Free).Int64("needed_bytes", s.Needed).Str("reason", s.Reason).
			Msg("storage full: new events are refused")
		g.emit(&wire.Device{Envelope: newEnvelope(wire.EvtDevice), Kind: "storage", State: s.State, Error: s.Reason}, "")
	})
}

// showAll shows a pattern on every station's light.
func (g *Gateway) showAll(p gpio.Pattern) {
	for station := range *g.lights.Load() {
		g.show(station, p)
	}
}
