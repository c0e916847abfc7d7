package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
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
		g.log.Warn().Err(err).Str("type", string(c.Type)).Msg("bad command from central")
		return
	}
	if c.Type == wire.CmdPrint {
		// A print command is recorded together with its job (see print).
		var p wire.Print
		if err := json.Unmarshal(c.Payload, &p); err != nil {
			g.log.Warn().Err(err).Msg("bad print command")
			return
		}
		g.print(p)
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
	case wire.CmdLight:
		var l wire.Light
		if err := json.Unmarshal(c.Payload, &l); err != nil {
			g.log.Warn().Err(err).Msg("bad light command")
			return
		}
		p, err := gpio.ParsePattern(string(l.Pattern))
		if err != nil {
			g.log.Warn().Err(err).Str("command", l.ID).Msg("light command")
			return
		}
		g.log.Info().Str("station", l.Station).Str("pattern", string(p)).Str("reason", l.Reason).Msg("light command")
		g.show(l.Station, p)
	default:
		g.log.Warn().Str("type", string(c.Type)).Msg("unknown command type")
	}
}

// print renders the label and queues it on the station's printer. Errors
// before the printer (no printer, bad template data) are reported at once
// as a failed print result.
func (g *Gateway) print(p wire.Print) {
	fail := func(reason string) {
		// Refused before anything is stored: a redelivery is refused the
		// same way, which is harmless.
		g.log.Warn().Str("command", p.ID).Str("station", p.Station).Str("reason", reason).Msg("print refused")
		g.show(p.Station, gpio.PatternFault)
		g.emit(&wire.PrintResult{Envelope: newEnvelope(wire.EvtPrint), Command: p.ID, Station: p.Station, Reason: reason}, "")
	}
	// The printer may be replaced by a new configuration meanwhile: the
	// job goes to the queue that is there, or is stored for the next one.
	g.devMu.Lock()
	defer g.devMu.Unlock()
	q, ok := g.printers[p.Station]
	if !ok {
		fail("no printer at station " + p.Station)
		return
	}
	data := []byte(p.ZPL)
	if p.ZPL != "" {
		// Raw ZPL only where the gateway enables it, and then labels only:
		// a forged ^JUF would reset the printer (docs/labels.md).
		if !g.config().Labels.RawZPL {
			fail("raw ZPL is off on this gateway (labels.raw_zpl): only templates print")
			return
		}
		if err := zpl.CheckRaw(data); err != nil {
			fail(err.Error())
			return
		}
	} else {
		var err error
		opt := g.config().LabelOptions(q.dev) // the printer's resolution and label stock
		opt.Copies = p.Copies
		data, err = g.labels.Render(string(p.Template), p.Data, opt)
		if err != nil {
			fail(err.Error())
			return
		}
	}
	// A job for an idle printer goes straight out: it is stored already
	// marked as sending, which spares the printer's queue a commit on the
	// way from the scan to the label.
	j := outbox.PrintJob{Command: p.ID, Station: p.Station, ZPL: data, Sending: q.idle()}
	first, err := g.outbox.AcceptPrint(j)
	if err != nil {
		g.log.Error().Err(err).Str("command", p.ID).Msg("cannot store print job; not printing it")
		return
	}
	if !first {
		g.metrics.duplicateCommands.Add(1)
		return
	}
	g.metrics.commands.Add(1)
	q.submit(j)
}

// printQueue sends one printer's jobs in order, so a printer waiting for
// paper holds its own station's labels and no one else's.
type printQueue struct {
	g    *Gateway
	dev  config.Device
	p    printer.Printer
	jobs chan outbox.PrintJob
	// tasks run on the queue's goroutine between jobs (test prints), so
	// the printer has one conversation at a time.
	tasks chan func(context.Context)
	// busy counts jobs queued or being printed.
	busy   atomic.Int32
	log    zerolog.Logger
	health *health.Handle
}

func newPrintQueue(g *Gateway, d config.Device, p printer.Printer, h *health.Handle) *printQueue {
	return &printQueue{g: g, dev: d, p: p, jobs: make(chan outbox.PrintJob, 256), tasks: make(chan func(context.Context)),
		log: g.log.With().Str("device", d.ID).Logger(), health: h}
}

// idle reports whether the printer has nothing queued or printing.
// Commands are applied one at a time, so an idle queue stays idle until
// the next submit.
func (q *printQueue) idle() bool { return q.busy.Load() == 0 }

func (q *printQueue) submit(j outbox.PrintJob) {
	q.busy.Add(1)
	select {
	case q.jobs <- j:
	default:
		q.busy.Add(-1)
		q.finish(j, printer.Result{Reason: "print queue full"})
	}
}

// resume re-queues the station's stored jobs after a restart. A job that
// was being sent when the gateway stopped may have printed: it is reported
// instead of being sent again, so nothing prints twice.
func (q *printQueue) resume() {
	jobs, err := q.g.outbox.PrintJobs()
	if err != nil {
		q.log.Error().Err(err).Msg("cannot read stored print jobs")
		return
	}
	for _, j := range jobs {
		if j.Station != q.dev.Station {
			continue
		}
		if j.Sending {
			q.finish(j, printer.Result{Sent: true, Reason: "the gateway stopped while sending this label; check the printer before reprinting"})
			continue
		}
		q.log.Info().Str("command", j.Command).Msg("resuming stored print job")
		q.submit(j)
	}
}

// finish reports a job's result through the outbox, then forgets the job.
func (q *printQueue) finish(j outbox.PrintJob, res printer.Result) {
	ev := wire.PrintResult{Envelope: newEnvelope(wire.EvtPrint), Command: j.Command, Station: q.dev.Station,
		Printed: res.Printed, Reason: res.Reason, Attempts: res.Attempts}
	if res.Printed {
		q.g.metrics.printed.Add(1)
		q.log.Info().Str("command", j.Command).Int("bytes", len(j.ZPL)).Msg("label printed")
	} else {
		q.g.metrics.printFailed.Add(1)
		q.g.show(q.dev.Station, gpio.PatternFault)
		q.log.Warn().Str("command", j.Command).Str("reason", res.Reason).Int("attempts", res.Attempts).Msg("label not printed")
	}
	// The result and forgetting the job are one commit; if the result
	// cannot be stored the job stays and is reported after a restart. A
	// gateway that is stopping still records the result of a label that
	// has left (the outbox closes after the print queues): dropped, the
	// label would be reported as "may have printed" after the restart.
	q.g.store(&ev, q.dev.ID, func(ctx context.Context, ev outbox.Event) (uint64, error) {
		return q.g.outbox.AppendPrintResult(context.WithoutCancel(ctx), ev, j.Command)
	})
}

// run prints the queue's jobs until ctx ends. While idle it asks the
// printer for ~HS every PrinterPoll, so an unreachable printer or one out
// of paper shows (and is reported) before the next label waits for it.
func (q *printQueue) run(ctx context.Context) {
	defer q.p.Close()
	defer q.keepQueued()
	poll := time.NewTicker(q.g.opt.PrinterPoll)
	defer poll.Stop()
	q.poll(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q.jobs:
			q.print(ctx, j)
			q.busy.Add(-1)
			if ctx.Err() != nil {
				return
			}
		case task := <-q.tasks:
			task(ctx)
		case <-poll.C:
			if q.idle() {
				q.poll(ctx)
			}
		}
	}
}

// pollTimeout bounds one status check of an idle printer.
const pollTimeout = 5 * time.Second

func (q *printQueue) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	st, err := q.p.Status(ctx)
	if ctx.Err() != nil && q.g.ctx.Err() != nil {
		return // stopping, not a printer problem
	}
	q.observe(st, err)
}

// observe records a status answer (or the failure to get one) as the
// printer's health.
func (q *printQueue) observe(st printer.HostStatus, err error) {
	if err != nil {
		q.health.Set(health.Disconnected, err)
		return
	}
	cond := health.Printer{PaperOut: st.PaperOut, RibbonOut: st.RibbonOut, HeadOpen: st.HeadOpen, Paused: st.Paused,
		BufferFull: st.BufferFull, FormatsInBuffer: st.FormatsInBuffer, LabelsRemaining: st.LabelsRemaining,
		Problem: st.Problem(), CheckedAt: time.Now()}
	if cond.Problem != "" {
		q.health.SetPrinter(health.Error, errors.New(cond.Problem), cond)
		return
	}
	q.health.SetPrinter(health.Connected, nil, cond)
}

// testPrintWait bounds a test print: the technician is waiting for the
// answer.
const testPrintWait = 20 * time.Second

// testPrint sends zpl between the queue's jobs, nothing stored and no
// result to central, and returns what the printer said.
func (q *printQueue) testPrint(ctx context.Context, zpl []byte) (printer.Result, error) {
	done := make(chan printer.Result, 1)
	task := func(qctx context.Context) {
		done <- printer.PrintJob(qctx, q.p, zpl, printer.RetryPolicy{MaxWait: testPrintWait, OnStatus: q.observe}, q.log)
	}
	select {
	case q.tasks <- task:
	case <-ctx.Done():
		return printer.Result{}, ctx.Err()
	}
	select {
	case res := <-done:
		return res, nil
	case <-ctx.Done():
		return printer.Result{}, ctx.Err()
	}
}

// keepQueued runs when the gateway stops: jobs still queued were never
// started, so one stored as sending (it was accepted for an idle printer)
// is stored as waiting again and prints after the next start instead of
// being reported as possibly printed.
func (q *printQueue) keepQueued() {
	for {
		select {
		case j := <-q.jobs:
			if j.Sending {
				if err := q.g.outbox.Unmark(j); err != nil {
					q.log.Error().Err(err).Str("command", j.Command).Msg("keep print job")
				}
			}
		default:
			return
		}
	}
}

// print sends one job and records its result.
func (q *printQueue) print(ctx context.Context, j outbox.PrintJob) {
	if !j.Sending {
		if err := q.g.outbox.MarkSending(j); err != nil {
			q.log.Error().Err(err).Str("command", j.Command).Msg("cannot mark print job; not sending it")
			return
		}
	}
	jobCtx, onSend, done := jobContext(ctx)
	defer done()
	// While the printer is offline or out of paper the job waits and the
	// station shows amber, so the operator knows why no label comes.
	waiting := false
	res := printer.PrintJob(jobCtx, q.p, j.ZPL, printer.RetryPolicy{OnWait: func(reason string) {
		if !waiting {
			waiting = true
			q.log.Warn().Str("command", j.Command).Str("reason", reason).Msg("label waiting for the printer")
			q.g.show(q.dev.Station, gpio.PatternWait)
		}
	}, OnSend: onSend, OnStatus: q.observe}, q.log)
	if ctx.Err() != nil && !res.Printed && !res.Sent {
		// Stopping before anything was sent: keep the job for the next
		// start, as not yet sending.
		if err := q.g.outbox.Unmark(j); err != nil {
			q.log.Error().Err(err).Str("command", j.Command).Msg("keep print job")
		}
		return
	}
	if waiting && res.Printed {
		q.g.show(q.dev.Station, gpio.PatternOff)
	}
	q.finish(j, res)
}

// stopGrace is how long a stopping gateway lets a label whose bytes have
// gone out be confirmed by the printer.
const stopGrace = 5 * time.Second

// jobContext is the context of one print job: it ends with ctx while the
// job waits for the printer, but once the bytes are going out (onSend) the
// job gets stopGrace more to be confirmed. Cut off mid-send, the label
// could neither be confirmed nor safely sent again, and would be reported
// as "may have printed" although it printed.
func jobContext(ctx context.Context) (jobCtx context.Context, onSend, done func()) {
	jobCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var sending atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		if sending.Load() {
			time.AfterFunc(stopGrace, cancel)
			return
		}
		cancel()
	})
	return jobCtx, func() { sending.Store(true) }, func() {
		stop()
		cancel()
	}
}
