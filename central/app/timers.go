package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/store"
)

// Durable timers and published layers: the daemon calls RunTimers and
// PublishLayers every second.

// timerBatch bounds the timers one call runs and the items whose layers
// one call publishes.
const timerBatch = 100

// RunTimers runs the use cases whose time has come (an unpaid order's
// hold, a promotion's end), each in its own transaction that also removes
// its timer: a timer runs exactly once, survives restarts, and one whose
// transaction fails stays to be run again. It returns how many ran.
func (a *App) RunTimers(ctx context.Context) (int, error) {
	now := a.cfg.Now()
	var due []store.Timer
	if err := a.st.View(ctx, func(tx store.Tx) (err error) {
		due, err = tx.DueTimers(now, timerBatch)
		return err
	}); err != nil {
		return 0, err
	}
	ran := 0
	var errs []error
	for _, tm := range due {
		err := a.Update(ctx, func(t *Tx) error {
			cur, ok, err := t.st.TimerOf(tm.Kind, tm.Ref)
			if err != nil || !ok || cur.Due.After(now) {
				return err // gone or moved since
			}
			if err := t.st.CancelTimer(tm.Kind, tm.Ref); err != nil {
				return err
			}
			switch tm.Kind {
			case timerHold:
				return t.expireOrder(tm.Ref)
			case timerPromotionEnd:
				return t.endPromotionDue(tm.Ref, now)
			default:
				return fmt.Errorf("timer of unknown kind %q (%s)", tm.Kind, tm.Ref)
			}
		})
		if err != nil {
			// The others still run; this one stays and is tried again.
			errs = append(errs, fmt.Errorf("timer %s %s: %w", tm.Kind, tm.Ref, err))
			continue
		}
		ran++
	}
	return ran, errors.Join(errs...)
}

// PublishLayers publishes ops/layers for the items whose layers changed
// since they were last published, in one transaction: at most once per
// call for an item however many orders touched it.
func (a *App) PublishLayers(ctx context.Context) (int, error) {
	var dirty []string
	if err := a.st.View(ctx, func(tx store.Tx) (err error) {
		dirty, err = tx.DirtyLayers(timerBatch)
		return err
	}); err != nil || len(dirty) == 0 {
		return 0, err
	}
	err := a.Update(ctx, func(t *Tx) error {
		ls, err := store.LayersOf(t.st, dirty)
		if err != nil {
			return err
		}
		for _, sku := range dirty {
			if err := t.publishLayers(ls[sku]); err != nil {
				return err
			}
			if err := t.st.CleanLayers(sku); err != nil {
				return err
			}
		}
		return nil
	})
	return len(dirty), err
}

// Layers computes an item's three layers (seed 002) in a snapshot.
func (a *App) Layers(ctx context.Context, sku string) (layers.Layers, error) {
	var l layers.Layers
	err := a.st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Item(sku); err != nil {
			return err
		}
		ls, err := store.LayersOf(tx, []string{sku})
		l = ls[sku]
		return err
	})
	return l, err
}
