package app

import (
	"errors"
	"fmt"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// CreateASN creates an ASN: purchasing says whether it may name its
// purchase order and gives the supplier's tolerance, inbound checks the
// rest, and the labels must be able to print its lots, expiries and
// quantities; one answer names every problem.
func (t *Tx) CreateASN(a inbound.ASN) (inbound.ASN, error) {
	if err := exists(t.st.ASN, a.ID, "ASN"); err != nil {
		return a, err
	}
	a.Created = t.now()
	supply, err := t.supplyOf(a)
	if err != nil {
		return a, err
	}
	out, err := inbound.CreateASN(t.st, a, supply)
	return out, merge(err, checkASN(a))
}

// supplyOf is what purchasing says about an ASN.
func (t *Tx) supplyOf(a inbound.ASN) (inbound.Supply, error) {
	var s inbound.Supply
	if a.PO != "" {
		why, err := purchasing.CheckReceivable(t.st, a.PO, a.Supplier)
		if err != nil {
			return s, err
		}
		s.POProblem = why
	}
	if a.Supplier == "" {
		return s, nil
	}
	sup, err := t.st.Supplier(a.Supplier)
	switch {
	case errors.Is(err, stock.ErrNotFound):
		return s, nil
	case err != nil:
		return s, err
	}
	s.Tolerance = &inbound.Tolerance{OverPct: sup.OverPct, UnderPct: sup.UnderPct}
	return s, nil
}

// CloseASN ends receiving against an ASN; lines received short beyond
// tolerance raise alerts.
func (t *Tx) CloseASN(id string) (inbound.Closed, error) {
	res, err := inbound.CloseASN(t.st, id, t.now(), wire.NewID)
	if err != nil {
		return res, err
	}
	return res, t.publish(nil, res.Alerts...)
}

// ReceiveLabel receives what a label scanned at an inbound dock says:
// inbound decides what arrives, inspection its status, putaway where it
// should go and purchasing books it on the order (receive); the station
// hears red for a refusal, amber for a pallet received before, and gets
// the label to print for what was received. Operations get the alerts,
// the ledger change and the receipt, in that order.
func (t *Tx) ReceiveLabel(at At, l inbound.Label) (inbound.Outcome, error) {
	s := inbound.Scan{Gateway: at.Gateway, Station: at.Station, Event: at.Event, At: at.Time, Into: t.app.cfg.Receiving, NewID: wire.NewID}
	out, arr, err := inbound.Receive(t.st, l, s)
	if err != nil {
		return out, err
	}
	if arr != nil {
		if out, err = t.receive(arr, s); err != nil {
			return out, err
		}
	}
	return out, t.feedback(at, out)
}

// feedback tells the station and operations what a receiving scan did.
func (t *Tx) feedback(at At, out inbound.Outcome) error {
	var err error
	switch out.Kind {
	case inbound.Unknown, inbound.Refused:
		err = t.Light(at, wire.LightReject, out.Message)
	case inbound.Duplicate:
		err = t.Light(at, wire.LightAttention, out.Message)
	}
	if err != nil {
		return err
	}
	for _, al := range out.Alerts {
		if err := t.Raise(at.Gateway, at.Station, al); err != nil {
			return err
		}
	}
	if out.Kind != inbound.Received {
		return nil
	}
	if err := t.publishStock(out.Movements...); err != nil {
		return err
	}
	if err := t.publishReceipt(*out.Receipt); err != nil {
		return err
	}
	return t.print(at, templates[out.Label], t.receiptLabel(out))
}

// receive books an arrival: the inspection plan decides its status, the
// putaway strategies its location, and a receipt against an ASN that names
// a purchase order is booked on the order in the same transaction.
func (t *Tx) receive(arr *inbound.Arrival, s inbound.Scan) (inbound.Outcome, error) {
	r := arr.Receipt
	status, err := quality.OnReceipt(t.st, quality.Received{Receipt: r.ID, Supplier: r.Supplier, ASN: r.ASN, PO: r.PO, LPN: r.LPN,
		SKU: r.SKU, Lot: r.Lot, Quantity: r.Quantity, At: r.At}, s.NewID)
	if err != nil {
		return inbound.Outcome{}, fmt.Errorf("inspection plan for %s: %w", r.SKU, err)
	}
	sug, err := putaway.Suggest(t.st, putaway.Request{Item: arr.Item, Lot: r.Lot, Quantity: r.Quantity, Status: status})
	if err != nil {
		return inbound.Outcome{}, err
	}
	out, err := inbound.Book(t.st, arr, status, sug.Location, s)
	if err != nil {
		return out, err
	}
	if r.PO != "" {
		if err := purchasing.Receive(t.st, r.PO, r.SKU, r.Quantity, r.At); err != nil {
			return out, fmt.Errorf("book receipt on PO %s: %w", r.PO, err)
		}
	}
	return out, nil
}

// templates are the label templates of a receipt's labels.
var templates = map[inbound.LabelKind]wire.Template{inbound.PalletLabel: wire.TemplateSSCCPallet, inbound.PlateLabel: wire.TemplatePutaway}

// receiptLabel is the data of the label a receipt prints: the GS1
// logistic label of a pallet received by its SSCC, the putaway label of
// cases received onto a plate.
func (t *Tx) receiptLabel(out inbound.Outcome) map[string]string {
	r := out.Receipt
	label := map[string]string{"sku": r.SKU, "item": out.Item.Name, "quantity": fmt.Sprint(r.Quantity)}
	optional := map[string]string{"lot": r.Lot, "expiry": r.Expiry}
	switch out.Label {
	case inbound.PalletLabel:
		label["sscc"], label["putaway"], label["to"], label["from"] = r.SSCC, orDash(r.Putaway), t.app.cfg.Site, orDash(out.ASN.Supplier)
		optional["gtin"] = stock.GTIN14(r.GTIN)
	default:
		label["lpn"], label["location"] = r.LPN, orDash(r.Putaway)
	}
	for k, v := range optional {
		if v != "" {
			label[k] = v
		}
	}
	return label
}

// CountPortal counts the cases an RFID portal saw pass with each pallet
// against the ASN; differences raise alerts.
func (t *Tx) CountPortal(at At, epcs []string) error {
	sc := inbound.Scan{Gateway: at.Gateway, Station: at.Station, Event: at.Event, At: at.Time, NewID: wire.NewID}
	res, err := inbound.CountPortal(t.st, inbound.PortalRead{EPCs: epcs, Scan: sc})
	if err != nil {
		return err
	}
	for _, al := range res.Alerts {
		if err := t.Raise(at.Gateway, at.Station, al); err != nil {
			return err
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
