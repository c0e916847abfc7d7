package daemon

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dockhand/dockhand/gateway/health"
	prom "github.com/dockhand/dockhand/internal/metrics"
	"github.com/dockhand/dockhand/internal/storage"
)

type metrics struct {
	scans, badScans, refused    atomic.Uint64
	commands, duplicateCommands atomic.Uint64
	printed, printFailed        atomic.Uint64
	handler                     http.Handler
}

func newMetrics(g *Gateway) *metrics {
	m := &metrics{}
	reg := prom.New("dockhand_gateway_")
	counter, gauge := reg.Counter, reg.Gauge
	counter("scans_total", "Scanner frames turned into scan events.", m.scans.Load)
	counter("bad_scans_total", "Scans that failed GS1 or frame validation.", m.badScans.Load)
	counter("events_refused_total", "Events that could not be stored in the outbox.", m.refused.Load)
	counter("commands_total", "Commands from central applied.", m.commands.Load)
	counter("commands_duplicate_total", "Redelivered commands ignored.", m.duplicateCommands.Load)
	counter("labels_printed_total", "Labels the printer accepted.", m.printed.Load)
	counter("labels_failed_total", "Labels that could not be printed.", m.printFailed.Load)
	counter("events_published_total", "Outbox events published (including re-publishes).", whenOpen(g, func() uint64 { p, _ := g.link.Published(); return p }))
	counter("events_republished_total", "Outbox events published again after a timeout or reconnect.", whenOpen(g, func() uint64 { _, r := g.link.Published(); return r }))
	gauge("outbox_events", "Events waiting for central's acknowledgement.", whenOpen(g, func() float64 { return float64(g.outbox.Stats().Events) }))
	gauge("outbox_bytes", "Bytes of events waiting for central's acknowledgement.", whenOpen(g, func() float64 { return float64(g.outbox.Stats().Bytes) }))
	gauge("outbox_oldest_seconds", "Age of the oldest unacknowledged event.", whenOpen(g, func() float64 {
		if o := g.outbox.Oldest(); !o.IsZero() {
			return time.Since(o).Seconds()
		}
		return 0
	}))
	gauge("outbox_bulk_events", "Raw (sheddable) events waiting for central.", whenOpen(g, func() float64 { return float64(g.outbox.Stats().Bulk.Events) }))
	counter("outbox_bulk_shed_total", "Raw events shed because the bulk lane was over budget or too old.", whenOpen(g, func() uint64 { return g.outbox.Stats().Bulk.Shed }))
	gauge("outbox_budget_bytes", "Budget for unacknowledged events: outbox.max_bytes, or less when the disk has less room.",
		whenOpen(g, func() float64 { return float64(g.outbox.Stats().MaxBytes) }))
	gauge("outbox_offline_seconds_left", "How long the budget lasts offline at the recent append rate (0 = no recent appends or full).",
		whenOpen(g, func() float64 { return g.outbox.Stats().OfflineLeft.Seconds() }))
	gauge("mqtt_unconfirmed_publishes", "Publishes waiting for the broker's PUBACK.", whenOpen(g, func() float64 { return float64(g.link.Unconfirmed()) }))
	counter("messages_refused_total", "Messages from the broker refused: oversized, unsealed or badly sealed commands, acks for other streams or beyond what was issued.",
		whenOpen(g, func() uint64 { return g.link.Refused() }))
	reg.Flag("mqtt_connected", "1 when the broker session is up.", whenOpen(g, func() bool { return g.link.Connected() }))
	reg.Flag("storage_ok", "1 when the gateway can store events (0: the disk is full, or the database cannot be opened for lack of space).",
		func() bool { return g.Storage().State == storage.StateOK })
	gauge("storage_free_bytes", "Free space on the data directory's filesystem.", func() float64 { return float64(g.Storage().Free) })
	gauge("storage_needed_bytes", "Free space the database keeps for its own writes (or needs to open).", func() float64 { return float64(g.Storage().Needed) })
	deviceMetrics(reg, g.board)
	m.handler = reg.Handler()
	return m
}

// whenOpen reads an outbox or link metric once the database is open (both
// exist only then: a gateway may wait for disk space at start).
func whenOpen[T uint64 | float64 | bool](g *Gateway, f func() T) func() T {
	return func() T {
		var zero T
		if !g.opened.Load() {
			return zero
		}
		return f()
	}
}

// deviceLabels label every per-device series.
var deviceLabels = []string{"device", "kind", "station"}

// deviceMetrics exports each configured device's health, read from the
// board when scraped (a removed device's series disappear).
func deviceMetrics(reg *prom.Registry, board *health.Board) {
	each := func(f func(d health.Device) (float64, bool)) func() []prom.Series {
		return func() []prom.Series {
			var out []prom.Series
			for _, d := range board.Snapshot() {
				if v, ok := f(d); ok {
					out = append(out, prom.Series{Value: v, Labels: []string{d.ID, d.Kind, d.Station}})
				}
			}
			return out
		}
	}
	reg.GaugeFamily("device_up", "1 when the device is working (connected).", deviceLabels,
		each(func(d health.Device) (float64, bool) { return flag(d.Working()), true }))
	reg.CounterFamily("device_reads_total", "Reads (scans, tag reads) from the device.", deviceLabels,
		each(func(d health.Device) (float64, bool) { return float64(d.Reads), true }))
	reg.CounterFamily("device_errors_total", "Errors of the device (failed opens, bad scans, printer faults).", deviceLabels,
		each(func(d health.Device) (float64, bool) { return float64(d.Errors), true }))
	reg.GaugeFamily("device_last_read_timestamp_seconds", "Unix time of the device's last read.", deviceLabels,
		each(func(d health.Device) (float64, bool) {
			return float64(d.LastRead.UnixNano()) / 1e9, !d.LastRead.IsZero()
		}))
	for _, c := range []struct {
		name, help string
		get        func(*health.Printer) bool
	}{
		{"printer_paper_out", "1 when the printer reports paper out (~HS).", func(p *health.Printer) bool { return p.PaperOut }},
		{"printer_ribbon_out", "1 when the printer reports ribbon out (~HS).", func(p *health.Printer) bool { return p.RibbonOut }},
		{"printer_head_open", "1 when the printer reports its head open (~HS).", func(p *health.Printer) bool { return p.HeadOpen }},
		{"printer_paused", "1 when the printer is paused (~HS).", func(p *health.Printer) bool { return p.Paused }},
		{"printer_buffer_full", "1 when the printer's receive buffer is full (~HS).", func(p *health.Printer) bool { return p.BufferFull }},
	} {
		reg.GaugeFamily(c.name, c.help, deviceLabels, each(func(d health.Device) (float64, bool) {
			if d.Printer == nil {
				return 0, false
			}
			return flag(c.get(d.Printer)), true
		}))
	}
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
