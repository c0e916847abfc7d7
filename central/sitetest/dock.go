package sitetest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

// GTINs of the dock's widget.
const (
	CaseGTIN = "10614141000415" // a case of 12 widgets
	UnitGTIN = "00614141000418"
)

// Dock is a site with two items, four bins and an open ASN (a pallet of
// 48 widgets, lot P1, and 120 widgets of lot L1 expected as cases), and
// gateway gw1 on one announced stream, whose events the test writes.
type Dock struct {
	*Site
	Stream string
	seq    uint64
	last   ingest.Incoming // the last event sent, as published
}

// NewDock starts a dock.
func NewDock(t testing.TB, opt Options) *Dock {
	d := &Dock{Site: New(t, opt), Stream: wire.NewID()}
	d.Announce("gw1", d.Stream)
	d.Update(func(t *app.Tx) error {
		for _, it := range []stock.Item{
			{SKU: "WIDGET", GTIN: UnitGTIN, Name: "Widget", Packs: []stock.Pack{{UoM: "case", Quantity: 12, GTIN: CaseGTIN}}, LotTracked: true, ExpiryTracked: true},
			{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"},
		} {
			if _, err := t.CreateItem(it); err != nil {
				return err
			}
		}
		for _, l := range []stock.Location{
			{Code: "A-01-1-01", Type: stock.LocReserve, PickSeq: 1},
			{Code: "A-01-1-02", Type: stock.LocReserve, PickSeq: 2},
			{Code: "A-01-1-03", Type: stock.LocReserve, PickSeq: 3},
			{Code: "F-01-1-01", Type: stock.LocReserve, TempZone: "frozen"},
		} {
			if _, err := t.CreateLocation(l); err != nil {
				return err
			}
		}
		_, err := t.CreateASN(inbound.ASN{ID: "ASN-1", Supplier: "ACME", Tolerance: &inbound.Tolerance{OverPct: 10, UnderPct: 5},
			Pallets: []inbound.ExpectedPallet{{SSCC: SSCC("1000000001"), SKU: "WIDGET", Quantity: 48, Lot: "P1", Expiry: "2027-06-30"}},
			Lines:   []inbound.ExpectedLine{{SKU: "WIDGET", Quantity: 120, Lot: "L1"}}})
		return err
	})
	return d
}

// Event sends one event of gw1 as the next of its stream and returns the
// messages it queued.
func (d *Dock) Event(typ wire.MessageType, msg interface{ Env() *wire.Envelope }) []store.Message {
	d.seq++
	env := msg.Env()
	*env = wire.NewEnvelope(typ)
	env.Gateway, env.Device, env.Stream, env.Seq = "gw1", "dev1", d.Stream, d.seq
	d.last = Sealed(d.T, "gw1", typ, msg)
	return d.send(d.last)
}

// Resend publishes the last event again, as a gateway whose ack was lost
// does.
func (d *Dock) Resend() []store.Message { return d.send(d.last) }

func (d *Dock) send(in ingest.Incoming) []store.Message {
	acks := d.Apply(in)
	require.Len(d.T, acks, 1)
	require.Equal(d.T, d.seq, acks[0].Seq, "the event is applied")
	return d.Drain()
}

// Scan scans hri (GS1 in brackets, or plain data) at station st1 of role.
func (d *Dock) Scan(role wire.Role, hri string) []store.Message {
	s := &wire.Scan{Station: "st1", Role: role, HRI: hri, Data: hri}
	if strings.HasPrefix(hri, "(") {
		els, err := gs1.ParseHRI(hri)
		require.NoError(d.T, err)
		s.GS1 = true
		for _, e := range els {
			s.Elements = append(s.Elements, wire.Element{AI: e.AI, Value: e.Value})
		}
	}
	return d.Event(wire.EvtScan, s)
}

// PalletScan is a scan of the ASN's pallet at gw1's inbound dock, as
// event seq of stream: a receipt if central applies it.
func (d *Dock) PalletScan(stream string, seq uint64) *wire.Scan {
	s := &wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "st1", Role: wire.RoleInboundDock,
		Data: "00" + SSCC("1000000001"), GS1: true, Elements: []wire.Element{{AI: "00", Value: SSCC("1000000001")}}}
	s.Gateway, s.Device, s.Stream, s.Seq = "gw1", "dev1", stream, seq
	return s
}

// Quants is an item's stock by location/plate/status.
func (d *Dock) Quants(sku string) map[string]int64 {
	out := map[string]int64{}
	d.View(func(tx store.Tx) error {
		qs, err := tx.Quants("")
		for _, q := range qs {
			if q.SKU == sku {
				out[q.Location+"/"+q.LPN+"/"+string(q.Status)] += q.Quantity
			}
		}
		return err
	})
	return out
}

// Receipts counts the receipts.
func (d *Dock) Receipts() int {
	var n int
	d.View(func(tx store.Tx) error {
		rs, err := tx.Receipts()
		n = len(rs)
		return err
	})
	return n
}
