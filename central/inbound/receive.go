package inbound

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/stock"
)

// Outcome kinds of a scan at an inbound dock.
const (
	Received  = "received"
	Duplicate = "duplicate"
	Unknown   = "unknown"
	Refused   = "refused"
)

// Label templates an outcome asks to print.
const (
	LabelPallet  = "sscc-pallet"
	LabelPutaway = "putaway"
)

// Scan is where and when a scan happened.
type Scan struct {
	Gateway string
	Station string
	Event   string
	At      time.Time
	// Into is the receiving location the goods are booked into.
	Into  string
	NewID func() string
}

func (s Scan) by() string { return s.Gateway + "/" + s.Station }

// Outcome is what a scan did. Refused, Unknown and Duplicate outcomes
// changed no stock; their Alerts say why.
type Outcome struct {
	Kind      string
	Message   string
	Receipt   *Receipt
	LPN       *stock.LPN
	Item      stock.Item
	ASN       *ASN
	Movements []stock.Posted
	Alerts    []stock.Alert
	// Label is the template to print for a receipt.
	Label string
}

// ReceivePallet books a whole pallet announced on an open ASN into the
// receiving location and suggests where to put it away. A pallet already
// received is not received again; an unknown pallet changes nothing.
func ReceivePallet(tx Tx, sscc string, s Scan) (Outcome, error) {
	if lpn, err := tx.LPN(sscc); err == nil {
		msg := fmt.Sprintf("pallet %s was already received at %s (receipt %s)", sscc, lpn.ReceivedAt.Format(time.RFC3339), lpn.Receipt)
		return Outcome{Kind: Duplicate, LPN: &lpn, Message: msg,
			Alerts: []stock.Alert{{Kind: "duplicate-pallet", Severity: "info", Message: msg, Ref: sscc}}}, nil
	} else if !errors.Is(err, stock.ErrNotFound) {
		return Outcome{}, err
	}
	asn, p, err := tx.ExpectedPallet(sscc)
	if errors.Is(err, stock.ErrNotFound) || err == nil && asn.Status == ASNClosed {
		msg := fmt.Sprintf("pallet %s is not on any open ASN", sscc)
		return Outcome{Kind: Unknown, Message: msg, Alerts: []stock.Alert{{Kind: "unknown-pallet", Severity: "warning", Message: msg, Ref: sscc}}}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	item, err := tx.Item(p.SKU)
	if err != nil {
		return Outcome{}, fmt.Errorf("item %s of ASN %s: %w", p.SKU, asn.ID, err)
	}
	out, err := receive(tx, s, &asn, item, goods{lpn: sscc, sscc: sscc, qty: p.Quantity, lot: p.Lot, expiry: p.Expiry})
	if err != nil {
		return Outcome{}, err
	}
	out.Label = LabelPallet
	return out, nil
}

// Case is a case label's GS1 data: AI 01 (or 02 with 37), 10, 17 or 15,
// 37 and 21.
type Case struct {
	GTIN   string
	Lot    string
	Expiry string // YYYY-MM-DD
	Count  int64  // trade items of GTIN in the scanned unit; 0 means 1
	Serial string
	// SSCC is set for a logistic label (00 + 02 + 37) whose pallet is on
	// no ASN: its contents are received as cases onto a plate of that code.
	SSCC string
}

// ReceiveCases books the cases of one case scan onto a new licence plate
// in the receiving location, against the oldest open ASN that expects the
// item (and lot). Over-receipt within the ASN's tolerance is accepted and
// reported; beyond it, and for items no open ASN expects, the scan is
// refused and reported. The worker gets a putaway label for the plate.
func ReceiveCases(tx Tx, c Case, s Scan) (Outcome, error) {
	refuse := func(kind, format string, a ...any) Outcome {
		msg := fmt.Sprintf(format, a...)
		return Outcome{Kind: Refused, Message: msg, Alerts: []stock.Alert{{Kind: kind, Severity: "warning", Message: msg, Ref: c.GTIN}}}
	}
	if c.SSCC != "" {
		if lpn, err := tx.LPN(c.SSCC); err == nil {
			msg := fmt.Sprintf("pallet %s was already received (receipt %s)", c.SSCC, lpn.Receipt)
			return Outcome{Kind: Duplicate, LPN: &lpn, Message: msg,
				Alerts: []stock.Alert{{Kind: "duplicate-pallet", Severity: "info", Message: msg, Ref: c.SSCC}}}, nil
		} else if !errors.Is(err, stock.ErrNotFound) {
			return Outcome{}, err
		}
	}
	item, err := tx.ItemByGTIN(c.GTIN)
	if errors.Is(err, stock.ErrNotFound) {
		return refuse("unknown-item", "no item has GTIN %s", c.GTIN), nil
	} else if err != nil {
		return Outcome{}, err
	}
	per, _ := item.UnitsPer(c.GTIN)
	count := max(c.Count, 1)
	qty, ok := stock.Mul(per, count)
	switch {
	case !ok || qty > stock.MaxQuantity:
		return refuse("bad-quantity", "%d × %d units of %s is more than %d", count, per, item.SKU, stock.MaxQuantity), nil
	case item.LotTracked && c.Lot == "":
		return refuse("incomplete-scan", "%s is lot-tracked: scan a label with a lot (AI 10)", item.SKU), nil
	case item.ExpiryTracked && c.Expiry == "":
		return refuse("incomplete-scan", "%s is expiry-tracked: scan a label with an expiry date (AI 17 or 15)", item.SKU), nil
	case item.SerialTracked && (c.Serial == "" || qty != 1):
		return refuse("incomplete-scan", "%s is serial-tracked: scan each unit's serial (AI 21)", item.SKU), nil
	}
	asns, err := tx.OpenASNs()
	if err != nil {
		return Outcome{}, err
	}
	var asn *ASN
	for i := range asns {
		if p := asns[i].progress(item.SKU, c.Lot); p != nil {
			if asn == nil || (p.Received < p.Expected && !asn.outstanding(item.SKU, c.Lot)) {
				asn = &asns[i]
			}
		}
	}
	if asn == nil {
		out := refuse("unexpected-item", "no open ASN expects %s lot %s", item.SKU, orDash(c.Lot))
		return out, tx.PutDiscrepancy(Discrepancy{ID: s.NewID(), Kind: DiscUnexpected, SKU: item.SKU, Lot: c.Lot,
			Received: qty, At: s.At, Event: s.Event, Message: out.Message})
	}
	p := asn.progress(item.SKU, c.Lot)
	tol := asn.tolerance()
	limit := p.Expected + int64(float64(p.Expected)*tol.OverPct/100)
	var alerts []stock.Alert
	if over := p.Received + qty - p.Expected; over > 0 {
		d := Discrepancy{ID: s.NewID(), Kind: DiscOver, ASN: asn.ID, PO: asn.PO, SKU: item.SKU, Lot: c.Lot, Expected: p.Expected,
			Received: p.Received + qty, TolerancePct: tol.OverPct, Within: p.Received+qty <= limit, At: s.At, Event: s.Event}
		if !d.Within {
			d.Message = fmt.Sprintf("over-receipt refused: ASN %s expects %d of %s, %d received, this scan adds %d (tolerance %g%%)",
				asn.ID, p.Expected, item.SKU, p.Received, qty, tol.OverPct)
			if err := tx.PutDiscrepancy(d); err != nil {
				return Outcome{}, err
			}
			return Outcome{Kind: Refused, Message: d.Message, Alerts: []stock.Alert{d.alert("warning")}}, nil
		}
		d.Message = fmt.Sprintf("over-receipt within tolerance: ASN %s expects %d of %s, now %d received (tolerance %g%%)",
			asn.ID, p.Expected, item.SKU, p.Received+qty, tol.OverPct)
		if err := tx.PutDiscrepancy(d); err != nil {
			return Outcome{}, err
		}
		alerts = append(alerts, d.alert("info"))
	}
	code := c.SSCC
	if code == "" {
		if code, err = tx.NextLPN(); err != nil {
			return Outcome{}, err
		}
	}
	out, err := receive(tx, s, asn, item, goods{lpn: code, sscc: c.SSCC, gtin: c.GTIN, qty: qty, lot: c.Lot, expiry: c.Expiry, serial: c.Serial})
	if err != nil {
		return Outcome{}, err
	}
	out.Alerts = append(out.Alerts, alerts...)
	out.Label = LabelPutaway
	return out, nil
}

func (a *ASN) outstanding(sku, lot string) bool {
	p := a.progress(sku, lot)
	return p != nil && p.Received < p.Expected
}

// goods is what one receipt books.
type goods struct {
	lpn, sscc, gtin     string
	qty                 int64
	lot, expiry, serial string
}

// receive books goods onto a licence plate in the receiving location:
// inspection decides the status, putaway the suggestion; the receipt, the
// plate, the ASN progress and the purchase order change together.
func receive(tx Tx, s Scan, asn *ASN, item stock.Item, g goods) (Outcome, error) {
	gtin := g.gtin
	if gtin == "" {
		gtin = item.GTIN
	}
	rcpt := Receipt{ID: s.NewID(), ASN: asn.ID, PO: asn.PO, Supplier: asn.Supplier, SSCC: g.sscc, LPN: g.lpn, SKU: item.SKU, GTIN: gtin, Quantity: g.qty,
		Lot: g.lot, Expiry: g.expiry, Serial: g.serial, Location: s.Into, Gateway: s.Gateway, Station: s.Station, Event: s.Event, At: s.At}
	status, err := tx.Inspect(rcpt, s.NewID)
	if err != nil {
		return Outcome{}, fmt.Errorf("inspection plan for %s: %w", item.SKU, err)
	}
	rcpt.Status = status
	sug, err := putaway.Suggest(tx, putaway.Request{Item: item, Lot: g.lot, Quantity: g.qty, Status: status})
	if err != nil {
		return Outcome{}, err
	}
	rcpt.Putaway = sug.Location
	posted, err := stock.Post(tx, stock.Movement{ID: s.NewID(), At: s.At, SKU: item.SKU, Quantity: g.qty, To: s.Into,
		LPN: g.lpn, Lot: g.lot, Expiry: g.expiry, Serial: g.serial, ToStatus: status, Reason: "receipt", Doc: asn.ID, Event: s.Event, By: s.by()})
	if err != nil {
		return Outcome{}, err
	}
	lpn := stock.LPN{Code: g.lpn, SKU: item.SKU, Quantity: g.qty, Lot: g.lot, Expiry: g.expiry, Status: status, Location: s.Into,
		ASN: asn.ID, Receipt: rcpt.ID, ReceivedAt: s.At, Putaway: sug.Location}
	if err := tx.PutLPN(lpn); err != nil {
		return Outcome{}, err
	}
	if err := tx.PutReceipt(rcpt); err != nil {
		return Outcome{}, err
	}
	p := asn.progress(item.SKU, g.lot)
	var ok bool
	if p.Received, ok = stock.Add(p.Received, g.qty); !ok {
		return Outcome{}, stock.Overflow("received quantity of ASN " + asn.ID)
	}
	if err := tx.PutASN(*asn); err != nil {
		return Outcome{}, err
	}
	if asn.PO != "" {
		if err := tx.POReceived(asn.PO, item.SKU, g.qty, s.At); err != nil {
			return Outcome{}, fmt.Errorf("book receipt on PO %s: %w", asn.PO, err)
		}
	}
	return Outcome{Kind: Received, Receipt: &rcpt, LPN: &lpn, Item: item, ASN: asn,
		Message:   fmt.Sprintf("received %s: %d × %s (%s), put away to %s", g.lpn, g.qty, item.SKU, status, orNone(sug.Location)),
		Movements: []stock.Posted{posted}}, nil
}

func orNone(s string) string {
	if s == "" {
		return "(no free location)"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
