package daemon

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// commandLoop applies central's commands, each command id once.
func (g *Gateway) commandLoop() {
	for {
		select {
		case <-g.ctx.Done():
			return
		case c := <-g.link.Commands():
			g.apply(c)
		}
	}
}

func (g *Gateway) apply(c link.Command) {
	env, err := wire.Decode(c.Payload, nil)
	if err != nil {
		g.log.Warn().Err(err).Str("type", c.Type).Msg("bad command from central")
		return
	}
	first, err := g.outbox.FirstTime(env.ID)
	if err != nil {
		g.log.Error().Err(err).Str("command", env.ID).Msg("cannot record command; not applying it")
		return
	}
	if !first {
		g.metrics.duplicateCommands.Add(1)
		g.log.Debug().Str("command", env.ID).Msg("command already applied")
		return
	}
	g.metrics.commands.Add(1)
	switch c.Type {
	case wire.CmdPrint:
		var p wire.Print
		if err := json.Unmarshal(c.Payload, &p); err != nil {
			g.log.Warn().Err(err).Msg("bad print command")
			return
		}
		g.print(p)
	case wire.CmdLight:
		var l wire.Light
		if err := json.Unmarshal(c.Payload, &l); err != nil {
			g.log.Warn().Err(err).Msg("bad light command")
			return
		}
		p, err := gpio.ParsePattern(l.Pattern)
		if err != nil {
			g.log.Warn().Err(err).Str("command", l.ID).Msg("light command")
			return
		}
		g.log.Info().Str("station", l.Station).Str("pattern", string(p)).Str("reason", l.Reason).Msg("light command")
		g.show(l.Station, p)
	default:
		g.log.Warn().Str("type", c.Type).Msg("unknown command type")
	}
}

// print renders the label and queues it on the station's printer. Errors
// before the printer (no printer, bad template data) are reported at once
// as a failed print result.
func (g *Gateway) print(p wire.Print) {
	fail := func(reason string) {
		g.log.Warn().Str("command", p.ID).Str("station", p.Station).Str("reason", reason).Msg("print refused")
		g.emit(&wire.PrintResult{Envelope: newEnvelope(wire.EvtPrint), Command: p.ID, Station: p.Station, Reason: reason}, "")
	}
	q, ok := g.printers[p.Station]
	if !ok {
		fail("no printer at station " + p.Station)
		return
	}
	data := []byte(p.ZPL)
	if p.ZPL == "" {
		var err error
		data, err = g.labels.Render(p.Template, p.Data, zpl.Options{DPI: g.cfg.Labels.DPI, Copies: p.Copies})
		if err != nil {
			fail(err.Error())
			return
		}
	}
	q.submit(printJob{command: p.ID, zpl: data})
}

type printJob struct {
	command string
	zpl     []byte
}

// printQueue sends one printer's jobs in order, so a printer waiting for
// paper holds its own station's labels and no one else's.
type printQueue struct {
	g    *Gateway
	dev  config.Device
	p    printer.Printer
	jobs chan printJob
	log  zerolog.Logger
}

func newPrintQueue(g *Gateway, d config.Device, p printer.Printer) *printQueue {
	return &printQueue{g: g, dev: d, p: p, jobs: make(chan printJob, 256), log: g.log.With().Str("device", d.ID).Logger()}
}

func (q *printQueue) submit(j printJob) {
	select {
	case q.jobs <- j:
	default:
		q.g.emit(&wire.PrintResult{Envelope: newEnvelope(wire.EvtPrint), Command: j.command, Station: q.dev.Station,
			Reason: "print queue full"}, q.dev.ID)
	}
}

func (q *printQueue) run(ctx context.Context) {
	defer q.p.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q.jobs:
			// While the printer is offline or out of paper the job waits
			// and the station shows amber, so the operator knows why no
			// label comes.
			waiting := false
			res := printer.PrintJob(ctx, q.p, j.zpl, printer.RetryPolicy{OnWait: func(reason string) {
				if !waiting {
					waiting = true
					q.log.Warn().Str("command", j.command).Str("reason", reason).Msg("label waiting for the printer")
					q.g.show(q.dev.Station, gpio.PatternWait)
				}
			}}, q.log)
			if waiting && res.Printed {
				q.g.show(q.dev.Station, gpio.PatternOff)
			}
			if ctx.Err() != nil && !res.Printed {
				return
			}
			ev := wire.PrintResult{Envelope: newEnvelope(wire.EvtPrint), Command: j.command, Station: q.dev.Station,
				Printed: res.Printed, Reason: res.Reason, Attempts: res.Attempts}
			if res.Printed {
				q.g.metrics.printed.Add(1)
				q.log.Info().Str("command", j.command).Int("bytes", len(j.zpl)).Msg("label printed")
			} else {
				q.g.metrics.printFailed.Add(1)
				q.g.show(q.dev.Station, gpio.PatternFault)
				q.log.Warn().Str("command", j.command).Str("reason", res.Reason).Msg(fmt.Sprintf("label not printed after %d attempts", res.Attempts))
			}
			q.g.emit(&ev, q.dev.ID)
		}
	}
}
