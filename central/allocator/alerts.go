package allocator

import (
	"context"
	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// raise is the one place central raises an alert: it counts and logs it
// and publishes it, or holds a repeat back for the summary of its window
// (central/alerting). The window lives in tx, so an aborted transaction
// neither loses nor double-counts a repeat.
func (a *Allocator) raise(tx store.Tx, gateway, station string, al stock.Alert) error {
	a.Metrics.Alerts.Add(1)
	k := alerting.KeyOf(gateway, station, al)
	w, err := tx.AlertWindow(k)
	if err != nil {
		return err
	}
	d := a.cfg.Alerts.Raise(w, k, al)
	if err := a.publishAlerts(tx, k, d.Summary, d.Alert); err != nil {
		return err
	}
	if d.Alert == nil {
		a.Metrics.AlertsHeldBack.Add(1)
	}
	return tx.SetAlertWindow(k, d.Next)
}

func (a *Allocator) publishAlerts(tx store.Tx, k alerting.Key, als ...*stock.Alert) error {
	for _, al := range als {
		if al == nil {
			continue
		}
		a.log.Info().Str("kind", al.Kind).Str("gateway", k.Gateway).Str("station", k.Station).Int64("count", al.Count).Msg(al.Message)
		if err := a.publisher().Alert(tx, k.Gateway, k.Station, *al); err != nil {
			return err
		}
	}
	return nil
}

// FlushAlerts publishes the summary of every collapse window that is
// over; the daemon calls it every second. It writes only when a window
// is due.
func (a *Allocator) FlushAlerts() error {
	due := false
	err := a.st.View(context.Background(), func(tx store.Tx) error {
		ws, err := tx.AlertWindows()
		for _, w := range ws {
			due = due || a.cfg.Alerts.Due(w)
		}
		return err
	})
	if err != nil || !due {
		return err
	}
	return a.Update(func(tx store.Tx) error {
		ws, err := tx.AlertWindows()
		if err != nil {
			return err
		}
		for _, w := range ws {
			if !a.cfg.Alerts.Due(w) {
				continue
			}
			summary, next := a.cfg.Alerts.Flush(w)
			if err := a.publishAlerts(tx, w.Key, summary); err != nil {
				return err
			}
			if err := tx.SetAlertWindow(w.Key, next); err != nil {
				return err
			}
		}
		return nil
	})
}
