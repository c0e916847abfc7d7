// Package ingest takes gateway events in each gateway's sequence order and
// hands each, exactly once, to the application layer (a Handler) inside
// one store transaction per batch; it returns the acknowledgements owed to
// each stream. That is all it does: ordering, exactly-once watermarks and
// the applied-event journal, acks and resend requests, poison events —
// and refusing what cannot be trusted. It knows nothing of MQTT (the
// caller hands it payloads with the gateway and type their topic named,
// and publishes the acks) nor of what an event means.
//
// Nothing a message says about its sender is trusted (trust.go): every
// event and state message must be sealed with the key of the gateway its
// topic names, events are applied only on streams that gateway announced
// in its birth message, and the lane comes from that announcement.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// Config configures ingest.
type Config struct {
	Site string
	// Keys gives each registered gateway's message key; without it every
	// gateway message is refused.
	Keys Keys
}

// Keys gives the message key of each registered, active gateway
// (identity.Registry).
type Keys interface {
	GatewayKey(gateway string) ([]byte, bool)
}

// Handler applies what events mean (app.App).
type Handler interface {
	// Event applies one event's effects in tx, the batch's transaction.
	Event(tx store.Tx, gateway string, env wire.Envelope, payload []byte) error
	// Alert raises an alert in tx: ingest's refusals and set-aside events.
	Alert(tx store.Tx, gateway, station string, al stock.Alert) error
}

// Ingest applies gateway events.
type Ingest struct {
	cfg     Config
	st      store.Store
	h       Handler
	log     zerolog.Logger
	Metrics Metrics

	failMu   sync.Mutex
	failures map[string]int   // event id → failed attempts
	poisoned map[string]error // event ids to set aside as alerts
}

// Incoming is one message as received on a gateway's topic: an event, or
// the gateway's birth or death (State).
type Incoming struct {
	// Gateway and Type are what the topic named.
	Gateway string
	Type    wire.MessageType
	State   bool
	Payload []byte
	// Size is the message's size as received; a receiver may leave out
	// the Payload of a message over wire.MaxEventBytes, which is refused.
	Size int
}

// Ack is the acknowledgement owed to one gateway stream.
type Ack struct {
	Gateway string
	Stream  string
	Seq     uint64
	Resend  bool
	lane    string // as the gateway announced it; "" for a stream not announced
}

// New prepares ingest of the events of cfg.Site into st, applied by h.
func New(cfg Config, st store.Store, h Handler, log zerolog.Logger) *Ingest {
	return &Ingest{cfg: cfg, st: st, h: h, log: log.With().Str("component", "ingest").Logger(),
		failures: map[string]int{}, poisoned: map[string]error{}}
}

type streamKey struct{ gateway, stream string }

// PoisonAfter is how many times one event may fail to apply before it is
// set aside as an alert: a bug or bad data in one event must not hold back
// every later event of its gateway for ever.
const PoisonAfter = 3

// Apply applies a batch of events in one transaction and returns the acks
// to send, one per stream. Events already applied are acknowledged again
// and not applied; an event after a gap is not applied and the ack asks the
// gateway to resend. If the transaction fails, the events are applied one
// by one so that one bad event does not hold back the others; an event
// that fails PoisonAfter times is applied as an "event-failed" alert. Acks
// are returned for whatever was applied, even with an error. A write the
// store refuses for a full disk (store.ErrNoSpace) is no failure of the
// events: nothing is applied or counted, they stay on their gateways'
// disks unacknowledged and are applied when they are sent again after
// space comes back — a full disk never sets a real scan aside.
func (g *Ingest) Apply(ctx context.Context, batch []Incoming) ([]Ack, error) {
	acks, err := g.applyBatch(ctx, batch)
	if err == nil || errors.Is(err, store.ErrNoSpace) {
		return acks, err
	}
	if len(batch) == 1 {
		id, again := g.failedAgain(batch[0], err)
		if !again {
			return nil, err
		}
		acks, err := g.applyBatch(ctx, batch) // now set aside as an alert
		g.failMu.Lock()
		delete(g.poisoned, id)
		g.failMu.Unlock()
		return acks, err
	}
	merged := map[streamKey]Ack{}
	var order []streamKey
	var firstErr error
	for _, in := range batch {
		one, err := g.Apply(ctx, []Incoming{in})
		if err != nil && firstErr == nil {
			firstErr = err
		}
		for _, ak := range one {
			k := streamKey{ak.Gateway, ak.Stream}
			if _, ok := merged[k]; !ok {
				order = append(order, k)
			}
			merged[k] = ak
		}
	}
	out := make([]Ack, 0, len(order))
	for _, k := range order {
		out = append(out, merged[k])
	}
	return out, firstErr
}

// failedAgain counts a failure of one event and reports whether it has
// now failed often enough to be set aside.
func (g *Ingest) failedAgain(in Incoming, cause error) (string, bool) {
	env, _ := wire.Decode(in.Payload, nil)
	if env.ID == "" {
		return "", false
	}
	g.failMu.Lock()
	defer g.failMu.Unlock()
	g.failures[env.ID]++
	if g.failures[env.ID] < PoisonAfter {
		return env.ID, false
	}
	delete(g.failures, env.ID)
	g.poisoned[env.ID] = cause
	return env.ID, true
}

func (g *Ingest) applyBatch(ctx context.Context, batch []Incoming) ([]Ack, error) {
	acks := map[streamKey]*Ack{}
	var order []streamKey
	err := g.st.Update(ctx, func(tx store.Tx) error {
		clear(acks)
		order = order[:0]
		for _, in := range batch {
			if err := g.applyOne(tx, in, acks, &order); err != nil {
				return err
			}
		}
		for _, k := range order {
			if acks[k].lane == "" {
				continue // nothing was applied on an unannounced stream
			}
			if err := tx.SetWatermark(k.gateway, k.stream, acks[k].Seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.Metrics.Failures.Add(1)
		return nil, fmt.Errorf("apply %d events: %w", len(batch), err)
	}
	out := make([]Ack, 0, len(order))
	for _, k := range order {
		out = append(out, *acks[k])
	}
	return out, nil
}

func (g *Ingest) applyOne(tx store.Tx, in Incoming, acks map[streamKey]*Ack, order *[]streamKey) error {
	payload, refused := g.open(in)
	if refused != nil {
		return g.refuseMessage(tx, in, *refused)
	}
	if in.State {
		return g.onState(tx, in, payload)
	}
	env, err := wire.Decode(payload, nil)
	if env.Stream == "" || env.Seq == 0 {
		// Without a stream and seq the event can be neither acknowledged
		// nor ordered; it can only come from a broken client.
		g.Metrics.Malformed.Add(1)
		g.log.Warn().Err(err).Str("gateway", in.Gateway).Msg("dropping event without stream and seq")
		return nil
	}
	if env.Gateway != in.Gateway {
		return g.refuseMessage(tx, in, refusal{reason: wire.RefusedGatewayMismatch,
			detail: fmt.Sprintf("the event names gateway %q", env.Gateway)})
	}
	k := streamKey{in.Gateway, env.Stream}
	ack, ok := acks[k]
	if !ok {
		lane, announced, err := tx.StreamLane(k.gateway, k.stream)
		if err != nil {
			return err
		}
		wm, err := tx.Watermark(k.gateway, k.stream)
		if err != nil {
			return err
		}
		ack = &Ack{Gateway: k.gateway, Stream: k.stream, Seq: wm, lane: lane}
		if !announced {
			if err := g.unannounced(tx, in, k.stream); err != nil {
				return err
			}
			// Asking for a resend makes the gateway announce its streams
			// again and re-publish; nothing is acknowledged beyond wm.
			ack.Resend = true
		}
		acks[k] = ack
		*order = append(*order, k)
	}
	if ack.lane == "" {
		return nil // neither applied nor acknowledged
	}
	switch {
	case env.Seq <= ack.Seq:
		g.Metrics.Duplicates.Add(1)
		return g.checkRepeat(tx, in, env)
	case env.Seq > ack.Seq+1 && ack.lane == wire.LaneBulk:
		// A bulk stream may have gaps: the gateway shed those events.
		g.Metrics.Shed.Add(env.Seq - ack.Seq - 1)
	case env.Seq > ack.Seq+1:
		// A must stream never skips: what is missing is asked for again.
		g.Metrics.Gaps.Add(1)
		g.log.Debug().Str("gateway", k.gateway).Uint64("want", ack.Seq+1).Uint64("got", env.Seq).Msg("gap in event stream; asking for resend")
		ack.Resend = true
		return nil
	}
	g.failMu.Lock()
	cause, poisoned := g.poisoned[env.ID]
	g.failMu.Unlock()
	switch {
	case err != nil:
		// A sequenced event that is malformed is applied as an alert, so
		// the stream moves on instead of stalling on it for ever.
		g.Metrics.Malformed.Add(1)
		if err := g.h.Alert(tx, in.Gateway, "", stock.Alert{Kind: string(wire.AlertMalformedEvent), Severity: "warning",
			Message: fmt.Sprintf("event seq %d from %s could not be used: %v", env.Seq, in.Gateway, err), Ref: env.ID}); err != nil {
			return err
		}
	case poisoned:
		g.Metrics.SetAside.Add(1)
		if err := g.h.Alert(tx, in.Gateway, "", stock.Alert{Kind: string(wire.AlertEventFailed), Severity: "error",
			Message: fmt.Sprintf("%s event seq %d from %s failed %d times and was set aside: %v", env.Type, env.Seq, in.Gateway, PoisonAfter, cause),
			Ref:     env.ID, Details: map[string]string{"event": string(payload)}}); err != nil {
			return err
		}
	default:
		if err := g.h.Event(tx, in.Gateway, env, payload); err != nil {
			return fmt.Errorf("event %s seq %d from %s: %w", env.ID, env.Seq, in.Gateway, err)
		}
	}
	if err := tx.Journal(store.Applied{Gateway: in.Gateway, Stream: env.Stream, Seq: env.Seq, ID: env.ID, Type: env.Type, At: env.TS}); err != nil {
		return err
	}
	ack.Seq = env.Seq
	g.Metrics.Applied.Add(1)
	return nil
}
