package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
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

// publishStock queues one ops/stock message per movement and, since
// stock that becomes available may be promised at once, serves what
// waits for it in every pool a movement added available stock to — in
// this transaction, so backorders are served by the receipt, release,
// count or transfer that freed the stock, not later.
func (t *Tx) publishStock(ms ...stock.Posted) error {
	if err := t.sendStock(ms); err != nil {
		return err
	}
	var freed []stock.Pool
	for _, m := range ms {
		if err := t.st.MarkLayers(m.SKU); err != nil {
			return err
		}
		if m.To == "" || m.ToStatus != stock.Available {
			continue
		}
		to, err := t.st.Warehouse(m.To)
		if err != nil {
			return err
		}
		if m.From != "" && m.FromStatus == stock.Available {
			if from, err := t.st.Warehouse(m.From); err != nil || from == to {
				if err != nil {
					return err
				}
				continue // moved within the pool
			}
		}
		freed = append(freed, stock.Pool{SKU: m.SKU, Warehouse: to})
	}
	return t.serve(freed...)
}

// sendStock queues one ops/stock message per movement.
func (t *Tx) sendStock(ms []stock.Posted) error {
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

// publishOrder queues an ops/order message: what happened to the order
// and where each line stands.
func (t *Tx) publishOrder(o orders.Order, event wire.OrderEvent) error {
	msg := wire.Order{Envelope: wire.NewEnvelope(wire.OpsOrder), Order: o.ID, Channel: o.Channel, ChannelOrder: o.ChannelOrder,
		Event: event, Status: wire.OrderStatus(o.Status), Payment: string(o.Payment), Region: o.Region, Lines: []wire.OrderLine{}}
	if n := len(o.History); n > 0 {
		msg.Note = o.History[n-1].Note
	}
	for _, l := range o.Lines {
		ml := wire.OrderLine{Line: l.Line, SKU: l.SKU, Quantity: l.Quantity, Promised: l.Promised, Backordered: l.Backordered,
			Presold: l.Presold, Refused: l.Refused, Shipped: l.Shipped, Cancelled: l.Cancelled}
		for _, p := range l.Parts {
			if ml.Warehouses == nil {
				ml.Warehouses = map[string]int64{}
			}
			ml.Warehouses[p.Warehouse] += p.Quantity
		}
		msg.Lines = append(msg.Lines, ml)
	}
	return t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsOrder), msg)
}

// publishShipment queues an ops/shipment message.
func (t *Tx) publishShipment(s orders.Shipment) error {
	msg := wire.Shipment{Envelope: wire.NewEnvelope(wire.OpsShipment), Shipment: s.ID, Order: s.Order, Channel: s.Channel,
		ChannelOrder: s.ChannelOrder, Warehouse: s.Warehouse, Carrier: s.Carrier, Service: s.Service, Tracking: s.Tracking,
		Lines: []wire.ShipmentLine{}}
	for _, l := range s.Lines {
		msg.Lines = append(msg.Lines, wire.ShipmentLine{Line: l.Line, SKU: l.SKU, Quantity: l.Quantity, Lot: l.Lot, Expiry: l.Expiry, Location: l.Location})
	}
	return t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsShipment), msg)
}

// publishLayers queues an ops/layers message with an item's layers.
func (t *Tx) publishLayers(l layers.Layers) error {
	msg := wire.Layers{Envelope: wire.NewEnvelope(wire.OpsLayers), SKU: l.SKU, Sales: []wire.SalesLayer{}, Warehouses: []wire.DispatchLayer{},
		Regions: []wire.DispatchLayer{}, Total: wire.DispatchLayer(l.Total), Bins: []wire.BinLayer{}}
	for _, s := range l.Sales {
		msg.Sales = append(msg.Sales, wire.SalesLayer(s))
	}
	for _, d := range l.Warehouses {
		msg.Warehouses = append(msg.Warehouses, wire.DispatchLayer(d))
	}
	for _, d := range l.Regions {
		msg.Regions = append(msg.Regions, wire.DispatchLayer(d))
	}
	for _, b := range l.Bins {
		msg.Bins = append(msg.Bins, wire.BinLayer(b))
	}
	return t.send(wire.OpsTopic(t.app.cfg.Site, wire.OpsLayers), msg)
}
