// Package allocator is central's application service: it takes gateway
// events in each gateway's sequence order, applies each exactly once
// through the domain packages inside one store transaction, and queues the
// answers (print and light commands, ops messages) in the same transaction.
// It knows nothing of MQTT: the caller hands it payloads with the gateway
// and type their topic named, and publishes the acknowledgements it
// returns.
//
// Nothing a message says about its sender is trusted (ingest.go): every
// event and state message must be sealed with the key of the gateway its
// topic names, events are applied only on streams that gateway announced
// in its birth message, and the lane comes from that announcement.
package allocator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// DefaultReceiving is the location received goods are booked into.
const DefaultReceiving = "RECEIVING"

// Config configures an allocator.
type Config struct {
	Site      string
	Receiving string
	// Alerts collapses repeated alerts (zero value: one-minute windows).
	Alerts alerting.Collapser
	// Keys gives each registered gateway's message key; without it every
	// gateway message is refused.
	Keys Keys
}

// Keys gives the message key of each registered, active gateway
// (identity.Registry).
type Keys interface {
	GatewayKey(gateway string) ([]byte, bool)
}

// Allocator applies gateway events to the site's stock.
type Allocator struct {
	cfg     Config
	st      store.Store
	log     zerolog.Logger
	queued  chan struct{}
	Metrics Metrics

	// dispatchFn applies one event's effects (a.dispatch; tests replace it).
	dispatchFn func(tx store.Tx, env wire.Envelope, in Incoming) error
	failMu     sync.Mutex
	failures   map[string]int   // event id → failed attempts
	poisoned   map[string]error // event ids to set aside as alerts
}

// Incoming is one message as received on a gateway's topic: an event, or
// the gateway's birth or death (State).
type Incoming struct {
	// Gateway and Type are what the topic named.
	Gateway string
	Type    string
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

// New prepares an allocator and makes sure the receiving location exists.
func New(cfg Config, st store.Store, log zerolog.Logger) (*Allocator, error) {
	if cfg.Receiving == "" {
		cfg.Receiving = DefaultReceiving
	}
	a := &Allocator{cfg: cfg, st: st, log: log.With().Str("component", "allocator").Logger(), queued: make(chan struct{}, 1),
		failures: map[string]int{}, poisoned: map[string]error{}}
	a.dispatchFn = a.dispatch
	err := st.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.Location(cfg.Receiving); errors.Is(err, stock.ErrNotFound) {
			return tx.PutLocation(stock.Location{Code: cfg.Receiving, Type: stock.LocReceiving})
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prepare receiving location: %w", err)
	}
	return a, nil
}

// Queued is signalled when messages were queued for publishing.
func (a *Allocator) Queued() <-chan struct{} { return a.queued }

// Site is the site this allocator owns.
func (a *Allocator) Site() string { return a.cfg.Site }

// Update runs fn in a store transaction and wakes the publisher afterwards,
// for adapters (HTTP) that queue messages too.
func (a *Allocator) Update(fn func(tx store.Tx) error) error {
	err := a.st.Update(context.Background(), fn)
	if err == nil {
		a.wake()
	}
	return err
}

func (a *Allocator) wake() {
	select {
	case a.queued <- struct{}{}:
	default:
	}
}

type streamKey struct{ gateway, stream string }

// poisonAfter is how many times one event may fail to apply before it is
// set aside as an alert: a bug or bad data in one event must not hold back
// every later event of its gateway for ever.
const poisonAfter = 3

// Apply applies a batch of events in one transaction and returns the acks
// to send, one per stream. Events already applied are acknowledged again
// and not applied; an event after a gap is not applied and the ack asks the
// gateway to resend. If the transaction fails, the events are applied one
// by one so that one bad event does not hold back the others; an event
// that fails poisonAfter times is applied as an "event-failed" alert. Acks
// are returned for whatever was applied, even with an error.
func (a *Allocator) Apply(batch []Incoming) ([]Ack, error) {
	acks, err := a.applyBatch(batch)
	if err == nil {
		return acks, nil
	}
	if len(batch) == 1 {
		id, again := a.failedAgain(batch[0], err)
		if !again {
			return nil, err
		}
		acks, err := a.applyBatch(batch) // now set aside as an alert
		a.failMu.Lock()
		delete(a.poisoned, id)
		a.failMu.Unlock()
		return acks, err
	}
	merged := map[streamKey]Ack{}
	var order []streamKey
	var firstErr error
	for _, in := range batch {
		one, err := a.Apply([]Incoming{in})
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
func (a *Allocator) failedAgain(in Incoming, cause error) (string, bool) {
	env, _ := wire.Decode(in.Payload, nil)
	if env.ID == "" {
		return "", false
	}
	a.failMu.Lock()
	defer a.failMu.Unlock()
	a.failures[env.ID]++
	if a.failures[env.ID] < poisonAfter {
		return env.ID, false
	}
	delete(a.failures, env.ID)
	a.poisoned[env.ID] = cause
	return env.ID, true
}

func (a *Allocator) applyBatch(batch []Incoming) ([]Ack, error) {
	acks := map[streamKey]*Ack{}
	var order []streamKey
	err := a.st.Update(context.Background(), func(tx store.Tx) error {
		clear(acks)
		order = order[:0]
		for _, in := range batch {
			if err := a.applyOne(tx, in, acks, &order); err != nil {
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
		a.Metrics.Failures.Add(1)
		return nil, fmt.Errorf("apply %d events: %w", len(batch), err)
	}
	a.wake()
	out := make([]Ack, 0, len(order))
	for _, k := range order {
		out = append(out, *acks[k])
	}
	return out, nil
}

func (a *Allocator) applyOne(tx store.Tx, in Incoming, acks map[streamKey]*Ack, order *[]streamKey) error {
	payload, refused := a.open(in)
	if refused != nil {
		return a.refuseMessage(tx, in, *refused)
	}
	if in.State {
		return a.onState(tx, in, payload)
	}
	env, err := wire.Decode(payload, nil)
	if env.Stream == "" || env.Seq == 0 {
		// Without a stream and seq the event can be neither acknowledged
		// nor ordered; it can only come from a broken client.
		a.Metrics.Malformed.Add(1)
		a.log.Warn().Err(err).Str("gateway", in.Gateway).Msg("dropping event without stream and seq")
		return nil
	}
	if env.Gateway != in.Gateway {
		return a.refuseMessage(tx, in, refusal{reason: ReasonGatewayMismatch,
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
			if err := a.unannounced(tx, in, k.stream); err != nil {
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
		a.Metrics.Duplicates.Add(1)
		return a.checkRepeat(tx, in, env)
	case env.Seq > ack.Seq+1 && ack.lane == wire.LaneBulk:
		// A bulk stream may have gaps: the gateway shed those events.
		a.Metrics.Shed.Add(env.Seq - ack.Seq - 1)
	case env.Seq > ack.Seq+1:
		// A must stream never skips: what is missing is asked for again.
		a.Metrics.Gaps.Add(1)
		a.log.Debug().Str("gateway", k.gateway).Uint64("want", ack.Seq+1).Uint64("got", env.Seq).Msg("gap in event stream; asking for resend")
		ack.Resend = true
		return nil
	}
	a.failMu.Lock()
	cause, poisoned := a.poisoned[env.ID]
	a.failMu.Unlock()
	switch {
	case err != nil:
		// A sequenced event that is malformed is applied as an alert, so
		// the stream moves on instead of stalling on it for ever.
		a.Metrics.Malformed.Add(1)
		if err := a.alert(tx, in.Gateway, "", "malformed-event", "warning",
			fmt.Sprintf("event seq %d from %s could not be used: %v", env.Seq, in.Gateway, err), env.ID, nil); err != nil {
			return err
		}
	case poisoned:
		a.Metrics.SetAside.Add(1)
		if err := a.alert(tx, in.Gateway, "", "event-failed", "error",
			fmt.Sprintf("%s event seq %d from %s failed %d times and was set aside: %v", env.Type, env.Seq, in.Gateway, poisonAfter, cause),
			env.ID, map[string]string{"event": string(payload)}); err != nil {
			return err
		}
	default:
		if err := a.dispatchFn(tx, env, Incoming{Gateway: in.Gateway, Type: in.Type, Payload: payload}); err != nil {
			return fmt.Errorf("event %s seq %d from %s: %w", env.ID, env.Seq, in.Gateway, err)
		}
	}
	if err := tx.Journal(store.Applied{Gateway: in.Gateway, Stream: env.Stream, Seq: env.Seq, ID: env.ID, Type: env.Type, At: env.TS}); err != nil {
		return err
	}
	ack.Seq = env.Seq
	a.Metrics.Applied.Add(1)
	return nil
}

func (a *Allocator) enqueue(tx store.Tx, topic string, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode message for %s: %w", topic, err)
	}
	return tx.Enqueue(topic, b, false)
}
