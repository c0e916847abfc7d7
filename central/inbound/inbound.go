// Package inbound is the receiving side of central's workflow: advance
// shipping notices (ASNs), receiving whole pallets by their SSCC and cases
// by GTIN + lot + expiry at an inbound dock, over/under-receipt
// discrepancies with tolerances and RFID portal counts. Like package
// stock it works on a Tx supplied by the caller and knows nothing of
// storage or transport, nor of the other workflows: what purchasing says
// about an ASN's order (Supply) and what inspection and putaway decide
// about a receipt (Book's status and location) are handed in by the
// application layer.
package inbound

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/gs1"
)

// ASN statuses.
const (
	ASNOpen   = "open"
	ASNClosed = "closed"
)

// ASN is an advance shipping notice: the pallets and loose cases a
// supplier says are coming, and how much has arrived so far.
type ASN struct {
	ID       string           `json:"id"`
	Supplier string           `json:"supplier,omitempty"`
	PO       string           `json:"po,omitempty"`
	Pallets  []ExpectedPallet `json:"pallets,omitempty"`
	Lines    []ExpectedLine   `json:"lines,omitempty"`
	// Tolerance bounds over- and under-receipt before a discrepancy needs
	// attention; when not given it comes from the supplier.
	Tolerance *Tolerance `json:"tolerance,omitempty"`
	Status    string     `json:"status"`
	Progress  []Progress `json:"progress"`
	Created   time.Time  `json:"created"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
}

// ExpectedPallet is one pallet on an ASN.
type ExpectedPallet struct {
	SSCC     string `json:"sscc"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"` // YYYY-MM-DD
	// CountedCases is what an RFID portal counted on the pallet.
	CountedCases *int64 `json:"counted_cases,omitempty"`
}

// ExpectedLine is a quantity of an item expected as loose cases, received
// by case scans.
type ExpectedLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
}

// Tolerance is how far received quantities may differ from expected, in
// percent of the expected quantity.
type Tolerance struct {
	OverPct  float64 `json:"over_pct"`
	UnderPct float64 `json:"under_pct"`
}

// Progress is expected against received per item and lot (lot "" matches
// any lot).
type Progress struct {
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Expected int64  `json:"expected"`
	Received int64  `json:"received"`
}

// Receipt records goods received.
type Receipt struct {
	ID       string       `json:"id"`
	ASN      string       `json:"asn,omitempty"`
	PO       string       `json:"po,omitempty"`
	Supplier string       `json:"supplier,omitempty"`
	SSCC     string       `json:"sscc,omitempty"`
	LPN      string       `json:"lpn"`
	SKU      string       `json:"sku"`
	GTIN     string       `json:"gtin,omitempty"`
	Quantity int64        `json:"quantity"`
	Lot      string       `json:"lot,omitempty"`
	Expiry   string       `json:"expiry,omitempty"`
	Serial   string       `json:"serial,omitempty"`
	Status   stock.Status `json:"status"`
	Location string       `json:"location"`
	Putaway  string       `json:"putaway,omitempty"`
	Gateway  string       `json:"gateway,omitempty"`
	Station  string       `json:"station,omitempty"`
	Event    string       `json:"event,omitempty"`
	At       time.Time    `json:"at"`
}

// Tx is what receiving needs from the caller's transaction.
type Tx interface {
	stock.Tx
	ASN(id string) (ASN, error)
	PutASN(ASN) error
	// OpenASNs lists open ASNs, oldest first.
	OpenASNs() ([]ASN, error)
	// ExpectedPallet finds the ASN that announced an SSCC.
	ExpectedPallet(sscc string) (ASN, ExpectedPallet, error)
	PutReceipt(Receipt) error
	PutDiscrepancy(Discrepancy) error
	// NextLPN issues a new licence-plate code for stock received without one.
	NextLPN() (string, error)
}

// Supply is what purchasing says about a new ASN: why it may not name its
// purchase order ("" when it may, or names none) and the supplier's
// default receiving tolerance (nil when none).
type Supply struct {
	POProblem string
	Tolerance *Tolerance
}

// CreateASN validates an ASN against the items it names and what
// purchasing said about it, and stores it.
func CreateASN(tx Tx, a ASN, s Supply) (ASN, error) {
	var v stock.Invalid
	if !stock.ValidCode(a.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	} else if _, err := tx.ASN(a.ID); err == nil {
		v.Add("id", "ASN %s already exists", a.ID)
	} else if !errors.Is(err, stock.ErrNotFound) {
		return a, err
	}
	if a.PO != "" && s.POProblem != "" {
		v.Add("po", "%s", s.POProblem)
	}
	if len(a.Pallets) == 0 && len(a.Lines) == 0 {
		v.Add("pallets", "at least one pallet or line is required")
	}
	seen := map[string]bool{}
	for i, p := range a.Pallets {
		f := fmt.Sprintf("pallets[%d].", i)
		if err := gs1.ValidSSCC(p.SSCC); err != nil {
			v.Add(f+"sscc", "%v", err)
		} else if seen[p.SSCC] {
			v.Add(f+"sscc", "%s is listed twice", p.SSCC)
		} else if other, _, err := tx.ExpectedPallet(p.SSCC); err == nil {
			v.Add(f+"sscc", "%s is already on ASN %s", p.SSCC, other.ID)
		}
		seen[p.SSCC] = true
		if p.CountedCases != nil {
			v.Add(f+"counted_cases", "is set by RFID counts, not by the sender")
		}
		if err := checkLine(tx, &v, f, p.SKU, p.Quantity, p.Lot, p.Expiry); err != nil {
			return a, err
		}
	}
	for i, l := range a.Lines {
		if err := checkLine(tx, &v, fmt.Sprintf("lines[%d].", i), l.SKU, l.Quantity, l.Lot, l.Expiry); err != nil {
			return a, err
		}
	}
	if t := a.Tolerance; t != nil && (t.OverPct < 0 || t.OverPct > 100 || t.UnderPct < 0 || t.UnderPct > 100) {
		v.Add("tolerance", "over_pct and under_pct must be between 0 and 100")
	}
	if a.Status != "" || len(a.Progress) > 0 || a.ClosedAt != nil {
		v.Add("status", "status, progress and closed_at are kept by central")
	}
	if err := v.Err(); err != nil {
		return a, err
	}
	if a.Tolerance == nil && a.Supplier != "" {
		a.Tolerance = s.Tolerance
	}
	a.Status = ASNOpen
	for i, p := range a.Pallets {
		if !a.expect(p.SKU, p.Lot, p.Quantity) {
			v.Add(fmt.Sprintf("pallets[%d].quantity", i), "the ASN's total of %s lot %q would exceed %d", p.SKU, p.Lot, stock.MaxQuantity)
		}
	}
	for i, l := range a.Lines {
		if !a.expect(l.SKU, l.Lot, l.Quantity) {
			v.Add(fmt.Sprintf("lines[%d].quantity", i), "the ASN's total of %s lot %q would exceed %d", l.SKU, l.Lot, stock.MaxQuantity)
		}
	}
	if err := v.Err(); err != nil {
		return a, err
	}
	return a, tx.PutASN(a)
}

func checkLine(tx Tx, v *stock.Invalid, f, sku string, qty int64, lot, expiry string) error {
	if _, err := tx.Item(sku); errors.Is(err, stock.ErrNotFound) {
		v.Add(f+"sku", "item %q does not exist", sku)
	} else if err != nil {
		return err
	}
	v.Quantity(f+"quantity", qty, 1)
	if len(lot) > 20 {
		v.Add(f+"lot", "at most 20 characters (GS1 AI 10)")
	}
	if expiry != "" {
		if _, err := time.Parse(time.DateOnly, expiry); err != nil {
			v.Add(f+"expiry", "%q is not a date like 2027-03-31", expiry)
		}
	}
	return nil
}

// expect adds qty to what the ASN expects of sku and lot; false when the
// total would exceed MaxQuantity.
func (a *ASN) expect(sku, lot string, qty int64) bool {
	if p := a.progress(sku, lot); p != nil && p.Lot == lot {
		n, ok := stock.Add(p.Expected, qty)
		p.Expected = n
		return ok && n <= stock.MaxQuantity
	}
	a.Progress = append(a.Progress, Progress{SKU: sku, Lot: lot, Expected: qty})
	return true
}

// progress finds the line a receipt of sku and lot counts against: the
// exact lot first, then a line that names no lot.
func (a *ASN) progress(sku, lot string) *Progress {
	var any *Progress
	for i := range a.Progress {
		p := &a.Progress[i]
		if p.SKU != sku {
			continue
		}
		if p.Lot == lot {
			return p
		}
		if p.Lot == "" && any == nil {
			any = p
		}
	}
	return any
}

func (a *ASN) tolerance() Tolerance {
	if a.Tolerance == nil {
		return Tolerance{}
	}
	return *a.Tolerance
}
