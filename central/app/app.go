// Package app is central's application layer and its only orchestrator.
// Every use case — an ERP creating an ASN, a worker confirming a putaway,
// a scan at an inbound dock — is one method of Tx: it runs in one store
// transaction, asks the domain packages (inbound, purchasing, quality,
// putaway, moves, counting, on the stock kernel) to decide, takes the
// facts they return (movements, receipts, alerts) and turns them into the
// messages central publishes, queued in the same transaction (effects.go).
// No other package builds an ops message or a gateway command.
//
// The HTTP API calls use cases through Do (one transaction, idempotent by
// key); gateway events reach them through ingest, which applies a batch
// of events in one transaction and hands each to Event (events.go), and
// scans through the station registry (app/stations) by the role of their
// station.
package app

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// DefaultReceiving is the location received goods are booked into.
const DefaultReceiving = "RECEIVING"

// Config configures the application.
type Config struct {
	Site string
	// Receiving is the location goods are received into (DefaultReceiving).
	Receiving string
	// Alerts collapses repeated alerts (zero value: one-minute windows).
	Alerts alerting.Collapser
	// Stations handles scans by the role of their station (app/stations);
	// without it scans are accepted and do nothing.
	Stations Stations
	// Now is the clock of use cases that are not events (time.Now).
	Now func() time.Time
	// PaymentHold is how long an unpaid order keeps its promise when its
	// channel does not say (DefaultPaymentHold).
	PaymentHold time.Duration
}

// DefaultPaymentHold is the payment hold of channels that set none.
const DefaultPaymentHold = 30 * time.Minute

// Stations handles a scan at a station, inside the transaction of its
// event.
type Stations interface {
	Scan(t *Tx, s wire.Scan) error
}

// Metrics count what the application did; the daemon exports them.
type Metrics struct {
	Alerts atomic.Uint64
	// AlertsHeldBack counts repeats collapsed into a summary.
	AlertsHeldBack atomic.Uint64
}

// App is central's application: the use cases on a store.
type App struct {
	cfg     Config
	st      store.Store
	log     zerolog.Logger
	Metrics Metrics
}

// New prepares the application and makes sure the receiving location
// exists.
func New(ctx context.Context, cfg Config, st store.Store, log zerolog.Logger) (*App, error) {
	if cfg.Receiving == "" {
		cfg.Receiving = DefaultReceiving
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PaymentHold <= 0 {
		cfg.PaymentHold = DefaultPaymentHold
	}
	a := &App{cfg: cfg, st: st, log: log.With().Str("component", "app").Logger()}
	err := st.Update(ctx, func(tx store.Tx) error {
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

// Site is the site the application owns.
func (a *App) Site() string { return a.cfg.Site }

// Tx is the application's side of one store transaction: every use case
// is a method of it, and runs in it.
type Tx struct {
	app *App
	st  store.Tx
	// site is the site's warehouses, read once per transaction.
	site routing.Site
	// replayed is set by a use case that answers with the answer it gave
	// before (an order its channel sent again).
	replayed bool
}

// Within returns the application's side of tx (for ingest, which opens
// the transaction of a batch of events).
func (a *App) Within(tx store.Tx) *Tx { return &Tx{app: a, st: tx} }

// Update runs fn in one store transaction; if fn fails nothing is
// written and nothing is published.
func (a *App) Update(ctx context.Context, fn func(t *Tx) error) error {
	return a.st.Update(ctx, func(tx store.Tx) error { return fn(a.Within(tx)) })
}

// View runs fn in a read-only snapshot (queries).
func (a *App) View(ctx context.Context, fn func(tx store.Tx) error) error { return a.st.View(ctx, fn) }

// Call makes a use case idempotent (docs/api.md, Idempotency-Key): the
// answer to the first call with a Key is kept, a repeat with the same
// Request gets it again unchanged (Replay), and the same Key with another
// Request is refused with KeyReusedError. Scope keeps keys of different
// endpoints apart.
type Call struct {
	Scope, Key string
	// Request is the fingerprint of what was asked (a hash of the body).
	Request []byte
	// Answer is the use case's result as JSON, set by Do: the first
	// answer on a replay.
	Answer []byte
	Replay bool
}

// Do runs one use case in one transaction and sets call.Answer to its
// result as JSON; with call.Key, the answer is kept under the key in the
// same transaction. A nil call is a call without a key.
func (a *App) Do(ctx context.Context, call *Call, uc func(t *Tx) (any, error)) error {
	if call == nil {
		call = &Call{}
	}
	return a.Update(ctx, func(t *Tx) error {
		call.Answer, call.Replay = nil, false
		key := call.Scope + " " + call.Key
		if call.Key != "" {
			prev, prevReq, ok, err := t.st.Idempotent(key)
			if err != nil {
				return err
			}
			if ok {
				if prevReq != nil && subtle.ConstantTimeCompare(prevReq, call.Request) != 1 {
					return &KeyReusedError{Key: call.Key}
				}
				call.Answer, call.Replay = prev, true
				return nil
			}
		}
		v, err := uc(t)
		if err != nil {
			return err
		}
		call.Replay = t.replayed
		if call.Answer, err = json.Marshal(v); err != nil {
			return err
		}
		if call.Key != "" {
			return t.st.SetIdempotent(key, call.Request, call.Answer)
		}
		return nil
	})
}

func (t *Tx) now() time.Time { return t.app.cfg.Now().UTC() }

// ConflictError refuses to create what already exists.
type ConflictError struct{ What string }

func (e *ConflictError) Error() string { return e.What + " already exists" }

// KeyReusedError refuses an idempotency key already used for another
// request.
type KeyReusedError struct{ Key string }

func (e *KeyReusedError) Error() string {
	return fmt.Sprintf("idempotency key %q was already used for another request", e.Key)
}

// exists returns a ConflictError when get finds the record.
func exists[T any](get func(string) (T, error), id, what string) error {
	if _, err := get(id); err == nil {
		return &ConflictError{What: what + " " + id}
	} else if !errors.Is(err, stock.ErrNotFound) {
		return err
	}
	return nil
}
