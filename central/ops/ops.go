// Package ops builds the messages central publishes for operations staff
// (ops/stock, ops/alert, ops/receipt) and queues them in the caller's store
// transaction, so every adapter — gateway events and HTTP requests alike —
// reports a ledger change the same way and in the same commit.
package ops

import (
	"encoding/json"
	"fmt"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Queue is the outgoing-message queue of a store transaction.
type Queue interface {
	Enqueue(topic string, payload []byte, retain bool) error
}

// Publisher queues ops messages for one site.
type Publisher struct{ Site string }

// Send queues msg on topic.
func Send(q Queue, topic string, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode message for %s: %w", topic, err)
	}
	return q.Enqueue(topic, b, false)
}

// Stock queues one ops/stock message per movement.
func (p Publisher) Stock(q Queue, ms ...stock.Posted) error {
	for _, m := range ms {
		status := m.ToStatus
		if m.To == "" {
			status = m.FromStatus
		}
		sm := wire.Stock{Envelope: wire.NewEnvelope(wire.OpsStock), Movement: m.Seq, SKU: m.SKU, Quantity: m.Quantity,
			From: m.From, To: m.To, LPN: m.Dest().LPN, Lot: m.Lot, Expiry: m.Expiry, Status: string(status), Reason: m.Reason,
			Doc: m.Doc, FromBalance: m.Balances.From, ToBalance: m.Balances.To}
		if err := Send(q, wire.OpsTopic(p.Site, wire.OpsStock), sm); err != nil {
			return err
		}
	}
	return nil
}

// Alert queues an ops/alert; gateway and station say where it happened
// ("" for HTTP-driven changes).
func (p Publisher) Alert(q Queue, gateway, station string, a stock.Alert) error {
	al := wire.Alert{Envelope: wire.NewEnvelope(wire.OpsAlert), Kind: a.Kind, Severity: a.Severity, Message: a.Message,
		Station: station, Ref: a.Ref, Details: a.Details, Count: a.Count, First: a.First, Last: a.Last}
	al.Gateway, al.Device = gateway, a.Device
	return Send(q, wire.OpsTopic(p.Site, wire.OpsAlert), al)
}

// Receipt queues an ops/receipt.
func (p Publisher) Receipt(q Queue, r inbound.Receipt) error {
	rm := wire.Receipt{Envelope: wire.NewEnvelope(wire.OpsReceipt), Receipt: r.ID, ASN: r.ASN, SSCC: r.SSCC, SKU: r.SKU,
		GTIN: r.GTIN, Quantity: r.Quantity, Lot: r.Lot, Expiry: r.Expiry, Location: r.Location, Putaway: r.Putaway,
		Station: r.Station, Event: r.Event}
	rm.Gateway = r.Gateway
	return Send(q, wire.OpsTopic(p.Site, wire.OpsReceipt), rm)
}
