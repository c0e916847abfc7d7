package link

import (
	"context"
	"sync"
	"time"

	"github.com/dockhand/dockhand/internal/wire"
)

// maxRefusalKeys bounds the topics tracked at once: a flood of forged
// topics is collapsed under one key instead of growing the map.
const maxRefusalKeys = 64

type refusalKey struct {
	topic  string
	reason wire.Refusal
}

type refusalWindow struct {
	start   time.Time
	pending int // refusals since the last report
}

// refusals collapses refused messages per topic and reason: the first of
// a window is reported at once, the rest of the window as one report with
// their count when it ends, so a flood costs one event and one log line
// per topic and reason a window, never one each.
type refusals struct {
	window time.Duration
	mu     sync.Mutex
	open   map[refusalKey]*refusalWindow
	// reports carries reports to the goroutine that stores them, so the
	// MQTT goroutine never waits for a disk commit.
	reports chan wire.Refused
}

func newRefusals(window time.Duration) *refusals {
	return &refusals{window: window, open: map[refusalKey]*refusalWindow{}, reports: make(chan wire.Refused, 64)}
}

// add counts one refusal and reports whether it opens a window (report now).
func (r *refusals) add(k refusalKey, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.open[k]; !ok && len(r.open) >= maxRefusalKeys {
		k.topic = "*"
	}
	w, ok := r.open[k]
	if !ok {
		r.open[k] = &refusalWindow{start: now}
		return true
	}
	w.pending++
	return false
}

// due returns the collapsed counts of windows that have ended, and
// forgets windows that ended quietly.
func (r *refusals) due(now time.Time) map[refusalKey]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out map[refusalKey]int
	for k, w := range r.open {
		if now.Sub(w.start) < r.window {
			continue
		}
		if w.pending == 0 {
			delete(r.open, k)
			continue
		}
		if out == nil {
			out = map[refusalKey]int{}
		}
		out[k] = w.pending
		w.start, w.pending = now, 0
	}
	return out
}

// refuse logs, counts and reports a refused message (collapsed).
func (l *Link) refuse(topic string, reason wire.Refusal, detail string) {
	l.refused.Add(1)
	k := refusalKey{topic, reason}
	if l.refusals.add(k, time.Now()) {
		l.log.Warn().Str("topic", topic).Str("reason", string(reason)).Str("detail", detail).
			Msg("refused a message from the broker; repeats are counted and reported once a window")
		l.report(k, 1)
	}
}

// flushRefusals reports the windows that ended with refusals pending.
func (l *Link) flushRefusals() {
	for k, n := range l.refusals.due(time.Now()) {
		l.log.Warn().Str("topic", k.topic).Str("reason", string(k.reason)).Int("count", n).Msg("refused more messages from the broker")
		l.report(k, n)
	}
}

func (l *Link) report(k refusalKey, n int) {
	ev := wire.Refused{Envelope: wire.NewEnvelope(wire.EvtRefused), Topic: k.topic, Reason: k.reason, Count: n}
	ev.Gateway = l.opt.Gateway
	select {
	case l.refusals.reports <- ev:
	default: // counted in the metric and logged; the report itself is shed
	}
}

// storeReports appends refusal reports to the outbox (the must lane), from
// where they travel to central like any event, until ctx ends.
func (l *Link) storeReports(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-l.refusals.reports:
			if _, err := l.ob.Append(ctx, &ev); err != nil {
				l.log.Error().Err(err).Str("topic", ev.Topic).Msg("refused-message report not stored")
			}
		}
	}
}

// Refused counts messages the link refused.
func (l *Link) Refused() uint64 { return l.refused.Load() }
