package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// This file is where effects become wire messages (docs/mqtt.md): each is
// queued in the transaction of the change that caused it, in the order the
// use case raises them, and published after the commit.

// At is where and when a station use case happens: the gateway and
// station of a scan, the event and the time it was made.
type At struct {
	Gateway, Station string
	Event            string
	Time             time.Time
}

// By is who did something at a station, as the ledger records it.
func (at At) By() string { return at.Gateway + "/" + at.Station }

func (t *Tx) send(topic string, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode message for %s: %w", topic, err)
	}
	return t.st.Enqueue(topic, b, false)
}

// publishStock queues one ops/stock message per movement.
func (t *Tx) publishStock(ms ...stock.Posted) error {
	for _, m := range ms {
		status := m.ToStatus
		if m.To == "" {
			status = m.FromStatus
		}
		sm := wire.Stock{Envelope: wire.NewEnvelope(wire.OpsStock), Movement: m.Seq, SKU: m.SKU, Quantity: m.Quantity,
			From: m.From, To: m.To, LPN: m.Dest().LPN, Lot: m.Lot, Expiry: m.Expiry, Status: string(status), Reason: m.Reason,
			Doc: m.Doc, FromBalance: m.Balances.From, ToBalance: m.Balances.To}
		if err := t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsStock), sm); err != nil {
			return err
		}
	}
	return nil
}

// publishReceipt queues an ops/receipt.
func (t *Tx) publishReceipt(r inbound.Receipt) error {
	rm := wire.Receipt{Envelope: wire.NewEnvelope(wire.OpsReceipt), Receipt: r.ID, ASN: r.ASN, SSCC: r.SSCC, SKU: r.SKU,
		GTIN: r.GTIN, Quantity: r.Quantity, Lot: r.Lot, Expiry: r.Expiry, Location: r.Location, Putaway: r.Putaway,
		Station: r.Station, Event: r.Event}
	rm.Gateway = r.Gateway
	return t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsReceipt), rm)
}

// publish queues ops/stock for every movement and ops/alert for every
// alert of a change made over the API.
func (t *Tx) publish(ms []stock.Posted, alerts ...stock.Alert) error {
	if err := t.publishStock(ms...); err != nil {
		return err
	}
	for _, al := range alerts {
		if err := t.Raise("", "", al); err != nil {
			return err
		}
	}
	return nil
}

// Light asks a station's light to show a pattern.
func (t *Tx) Light(at At, pattern wire.LightPattern, reason string) error {
	cmd := wire.Light{Envelope: wire.NewEnvelope(wire.CmdLight), Station: at.Station, Pattern: pattern, Reason: reason}
	return t.send(wire.CommandTopic(t.app.cfg.Site, at.Gateway, wire.CmdLight), cmd)
}

// print asks a station's printer to print a template with data.
func (t *Tx) print(at At, template wire.Template, data map[string]string) error {
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: at.Station, Template: template, Data: data}
	return t.send(wire.CommandTopic(t.app.cfg.Site, at.Gateway, wire.CmdPrint), cmd)
}

// Refuse shows red at the station and tells operations why.
func (t *Tx) Refuse(at At, al stock.Alert) error {
	if err := t.Light(at, wire.LightReject, al.Message); err != nil {
		return err
	}
	return t.Raise(at.Gateway, at.Station, al)
}

// Raise is the one place central raises an alert: it counts and logs it
// and publishes it, or holds a repeat back for the summary of its window
// (central/alerting). gateway and station say where it happened ("" for
// changes made over the API). The window lives in the transaction, so an
// aborted transaction neither loses nor double-counts a repeat.
func (t *Tx) Raise(gateway, station string, al stock.Alert) error {
	a := t.app
	a.Metrics.Alerts.Add(1)
	k := alerting.KeyOf(gateway, station, al)
	w, err := t.st.AlertWindow(k)
	if err != nil {
		return err
	}
	d := a.cfg.Alerts.Raise(w, k, al)
	if err := t.publishAlerts(k, d.Summary, d.Alert); err != nil {
		return err
	}
	if d.Alert == nil {
		a.Metrics.AlertsHeldBack.Add(1)
	}
	return t.st.SetAlertWindow(k, d.Next)
}

func (t *Tx) publishAlerts(k alerting.Key, als ...*stock.Alert) error {
	for _, al := range als {
		if al == nil {
			continue
		}
		t.app.log.Info().Str("kind", al.Kind).Str("gateway", k.Gateway).Str("station", k.Station).Int64("count", al.Count).Msg(al.Message)
		msg := wire.Alert{Envelope: wire.NewEnvelope(wire.OpsAlert), Kind: wire.AlertKind(al.Kind), Severity: al.Severity, Message: al.Message,
			Station: k.Station, Ref: al.Ref, Details: al.Details, Count: al.Count, First: al.First, Last: al.Last}
		msg.Gateway, msg.Device = k.Gateway, al.Device
		if err := t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsAlert), msg); err != nil {
			return err
		}
	}
	return nil
}

// FlushAlerts publishes the summary of every collapse window that is
// over; the daemon calls it every second. It writes only when a window
// is due.
func (a *App) FlushAlerts(ctx context.Context) error {
	due := false
	err := a.st.View(ctx, func(tx store.Tx) error {
		ws, err := tx.AlertWindows()
		for _, w := range ws {
			due = due || a.cfg.Alerts.Due(w)
		}
		return err
	})
	if err != nil || !due {
		return err
	}
	return a.Update(ctx, func(t *Tx) error {
		ws, err := t.st.AlertWindows()
		if err != nil {
			return err
		}
		for _, w := range ws {
			if !a.cfg.Alerts.Due(w) {
				continue
			}
			summary, next := a.cfg.Alerts.Flush(w)
			if err := t.publishAlerts(w.Key, summary); err != nil {
				return err
			}
			if err := t.st.SetAlertWindow(w.Key, next); err != nil {
				return err
			}
		}
		return nil
	})
}
