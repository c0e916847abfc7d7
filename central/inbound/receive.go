package inbound

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Outcome kinds of a scan at an inbound dock.
const (
	Received  = "received"
	Duplicate = "duplicate"
	Unknown   = "unknown"
	Refused   = "refused"
)

// LabelKind is the label a receipt prints.
type LabelKind int

// Labels of a receipt: the GS1 logistic label of a pallet received by its
// SSCC, the putaway label of cases received onto a plate.
const (
	PalletLabel LabelKind = iota + 1
	PlateLabel
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
	// Label is the label to print for a receipt.
	Label LabelKind
}

// Label is what an inbound label says: a pallet's SSCC (AI 00), a case's
// GTIN and data, or both (a logistic label that lists its contents).
type Label struct {
	SSCC string
	Case *Case
}

// Arrival is goods a label receives, decided but not yet booked: the
// receipt without its status and putaway location, which inspection and
// putaway decide (the application layer asks them), then Book books it.
type Arrival struct {
	Receipt Receipt
	Item    stock.Item
	asn     *ASN
	label   LabelKind
	alerts  []stock.Alert
}

// Receive decides what a label receives. A pallet is received by its
// SSCC when an open ASN announced it; a logistic label that also lists
// its contents and is on no ASN is received as cases onto a plate with
// its SSCC; a case label by GTIN + lot + expiry against the oldest open
// ASN that expects the item. Duplicate, Unknown and Refused outcomes are
// final and change no stock (nil Arrival); otherwise Book completes it.
func Receive(tx Tx, l Label, s Scan) (Outcome, *Arrival, error) {
	switch {
	case l.Case == nil:
		return receivePallet(tx, l.SSCC, s)
	case l.SSCC == "":
		return receiveCases(tx, *l.Case, s)
	}
	if _, _, err := tx.ExpectedPallet(l.SSCC); err == nil {
		return receivePallet(tx, l.SSCC, s)
	} else if !errors.Is(err, stock.ErrNotFound) {
		return Outcome{}, nil, err
	}
	c := *l.Case
	c.SSCC = l.SSCC
	return receiveCases(tx, c, s)
}

// receivePallet receives a whole pallet announced on an open ASN. A
// pallet already received is not received again; an unknown pallet
// changes nothing.
func receivePallet(tx Tx, sscc string, s Scan) (Outcome, *Arrival, error) {
	if lpn, err := tx.LPN(sscc); err == nil {
		msg := fmt.Sprintf("pallet %s was already received at %s (receipt %s)", sscc, lpn.ReceivedAt.Format(time.RFC3339), lpn.Receipt)
		return Outcome{Kind: Duplicate, LPN: &lpn, Message: msg,
			Alerts: []stock.Alert{{Kind: AlertDuplicatePallet, Severity: "info", Message: msg, Ref: sscc}}}, nil, nil
	} else if !errors.Is(err, stock.ErrNotFound) {
		return Outcome{}, nil, err
	}
	asn, p, err := tx.ExpectedPallet(sscc)
	if errors.Is(err, stock.ErrNotFound) || err == nil && asn.Status == ASNClosed {
		msg := fmt.Sprintf("pallet %s is not on any open ASN", sscc)
		return Outcome{Kind: Unknown, Message: msg, Alerts: []stock.Alert{{Kind: AlertUnknownPallet, Severity: "warning", Message: msg, Ref: sscc}}}, nil, nil
	}
	if err != nil {
		return Outcome{}, nil, err
	}
	item, err := tx.Item(p.SKU)
	if err != nil {
		return Outcome{}, nil, fmt.Errorf("item %s of ASN %s: %w", p.SKU, asn.ID, err)
	}
	a := arrive(s, &asn, item, goods{lpn: sscc, sscc: sscc, qty: p.Quantity, lot: p.Lot, expiry: p.Expiry})
	a.label = PalletLabel
	return Outcome{}, a, nil
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

// receiveCases receives the cases of one case scan onto a new licence
// plate, against the oldest open ASN that expects the item (and lot).
// Over-receipt within the ASN's tolerance is accepted and reported;
// beyond it, and for items no open ASN expects, the scan is refused and
// reported. The worker gets a putaway label for the plate.
func receiveCases(tx Tx, c Case, s Scan) (Outcome, *Arrival, error) {
	refuse := func(kind, format string, a ...any) Outcome {
		msg := fmt.Sprintf(format, a...)
		return Outcome{Kind: Refused, Message: msg, Alerts: []stock.Alert{{Kind: kind, Severity: "warning", Message: msg, Ref: c.GTIN}}}
	}
	if c.SSCC != "" {
		if lpn, err := tx.LPN(c.SSCC); err == nil {
			msg := fmt.Sprintf("pallet %s was already received (receipt %s)", c.SSCC, lpn.Receipt)
			return Outcome{Kind: Duplicate, LPN: &lpn, Message: msg,
				Alerts: []stock.Alert{{Kind: AlertDuplicatePallet, Severity: "info", Message: msg, Ref: c.SSCC}}}, nil, nil
		} else if !errors.Is(err, stock.ErrNotFound) {
			return Outcome{}, nil, err
		}
	}
	item, err := tx.ItemByGTIN(c.GTIN)
	if errors.Is(err, stock.ErrNotFound) {
		return refuse(AlertUnknownItem, "no item has GTIN %s", c.GTIN), nil, nil
	} else if err != nil {
		return Outcome{}, nil, err
	}
	per, _ := item.UnitsPer(c.GTIN)
	count := max(c.Count, 1)
	qty, ok := stock.Mul(per, count)
	switch {
	case !ok || qty > stock.MaxQuantity:
		return refuse(AlertBadQuantity, "%d × %d units of %s is more than %d", count, per, item.SKU, stock.MaxQuantity), nil, nil
	case item.LotTracked && c.Lot == "":
		return refuse(AlertIncompleteScan, "%s is lot-tracked: scan a label with a lot (AI 10)", item.SKU), nil, nil
	case item.ExpiryTracked && c.Expiry == "":
		return refuse(AlertIncompleteScan, "%s is expiry-tracked: scan a label with an expiry date (AI 17 or 15)", item.SKU), nil, nil
	case item.SerialTracked && (c.Serial == "" || qty != 1):
		return refuse(AlertIncompleteScan, "%s is serial-tracked: scan each unit's serial (AI 21)", item.SKU), nil, nil
	}
	asns, err := tx.OpenASNs()
	if err != nil {
		return Outcome{}, nil, err
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
		out := refuse(AlertUnexpectedItem, "no open ASN expects %s lot %s", item.SKU, orDash(c.Lot))
		return out, nil, tx.PutDiscrepancy(Discrepancy{ID: s.NewID(), Kind: DiscUnexpected, SKU: item.SKU, Lot: c.Lot,
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
				return Outcome{}, nil, err
			}
			return Outcome{Kind: Refused, Message: d.Message, Alerts: []stock.Alert{d.alert("warning")}}, nil, nil
		}
		d.Message = fmt.Sprintf("over-receipt within tolerance: ASN %s expects %d of %s, now %d received (tolerance %g%%)",
			asn.ID, p.Expected, item.SKU, p.Received+qty, tol.OverPct)
		if err := tx.PutDiscrepancy(d); err != nil {
			return Outcome{}, nil, err
		}
		alerts = append(alerts, d.alert("info"))
	}
	code := c.SSCC
	if code == "" {
		if code, err = tx.NextLPN(); err != nil {
			return Outcome{}, nil, err
		}
	}
	a := arrive(s, asn, item, goods{lpn: code, sscc: c.SSCC, gtin: c.GTIN, qty: qty, lot: c.Lot, expiry: c.Expiry, serial: c.Serial})
	a.label, a.alerts = PlateLabel, alerts
	return Outcome{}, a, nil
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

// arrive makes the receipt of goods against an ASN.
func arrive(s Scan, asn *ASN, item stock.Item, g goods) *Arrival {
	gtin := g.gtin
	if gtin == "" {
		gtin = item.GTIN
	}
	return &Arrival{asn: asn, Item: item, Receipt: Receipt{ID: s.NewID(), ASN: asn.ID, PO: asn.PO, Supplier: asn.Supplier, SSCC: g.sscc,
		LPN: g.lpn, SKU: item.SKU, GTIN: gtin, Quantity: g.qty, Lot: g.lot, Expiry: g.expiry, Serial: g.serial, Location: s.Into,
		Gateway: s.Gateway, Station: s.Station, Event: s.Event, At: s.At}}
}

// Book books an arrival onto its licence plate in the receiving
// location, in the status inspection decided, with the putaway location
// suggested ("" when none has room): the receipt, the ledger movement,
// the plate and the ASN's progress change together.
func Book(tx Tx, a *Arrival, status stock.Status, putawayTo string, s Scan) (Outcome, error) {
	rcpt := a.Receipt
	rcpt.Status, rcpt.Putaway = status, putawayTo
	posted, err := stock.Post(tx, stock.Movement{ID: s.NewID(), At: rcpt.At, SKU: rcpt.SKU, Quantity: rcpt.Quantity, To: rcpt.Location,
		LPN: rcpt.LPN, Lot: rcpt.Lot, Expiry: rcpt.Expiry, Serial: rcpt.Serial, ToStatus: status, Reason: "receipt", Doc: rcpt.ASN,
		Event: rcpt.Event, By: s.by()})
	if err != nil {
		return Outcome{}, err
	}
	lpn := stock.LPN{Code: rcpt.LPN, SKU: rcpt.SKU, Quantity: rcpt.Quantity, Lot: rcpt.Lot, Expiry: rcpt.Expiry, Status: status,
		Location: rcpt.Location, ASN: rcpt.ASN, Receipt: rcpt.ID, ReceivedAt: rcpt.At, Putaway: putawayTo}
	if err := tx.PutLPN(lpn); err != nil {
		return Outcome{}, err
	}
	if err := tx.PutReceipt(rcpt); err != nil {
		return Outcome{}, err
	}
	p := a.asn.progress(rcpt.SKU, rcpt.Lot)
	var ok bool
	if p.Received, ok = stock.Add(p.Received, rcpt.Quantity); !ok {
		return Outcome{}, stock.Overflow("received quantity of ASN " + a.asn.ID)
	}
	if err := tx.PutASN(*a.asn); err != nil {
		return Outcome{}, err
	}
	return Outcome{Kind: Received, Receipt: &rcpt, LPN: &lpn, Item: a.Item, ASN: a.asn, Label: a.label, Alerts: a.alerts,
		Message:   fmt.Sprintf("received %s: %d × %s (%s), put away to %s", rcpt.LPN, rcpt.Quantity, rcpt.SKU, status, orNone(putawayTo)),
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
