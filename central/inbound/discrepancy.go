package inbound

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Discrepancy kinds.
const (
	DiscOver       = "over"
	DiscShort      = "short"
	DiscUnexpected = "unexpected"
	DiscRFIDCount  = "rfid-count"
)

// Discrepancy records a difference between what was announced and what
// arrived. Within is true when the difference is inside the tolerance.
type Discrepancy struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	ASN          string    `json:"asn,omitempty"`
	PO           string    `json:"po,omitempty"`
	SKU          string    `json:"sku"`
	Lot          string    `json:"lot,omitempty"`
	SSCC         string    `json:"sscc,omitempty"`
	Expected     int64     `json:"expected"`
	Received     int64     `json:"received"`
	TolerancePct float64   `json:"tolerance_pct"`
	Within       bool      `json:"within_tolerance"`
	Message      string    `json:"message"`
	Event        string    `json:"event,omitempty"`
	At           time.Time `json:"at"`
}

func (d Discrepancy) alert(severity string) stock.Alert {
	kind := map[string]string{DiscOver: AlertOverReceipt, DiscShort: AlertShortReceipt, DiscUnexpected: AlertUnexpectedItem,
		DiscRFIDCount: AlertRFIDCountMismatch}[d.Kind]
	return stock.Alert{Kind: kind, Severity: severity, Message: d.Message, Ref: d.ASN,
		Details: map[string]string{"discrepancy": d.ID, "sku": d.SKU, "expected": fmt.Sprint(d.Expected), "received": fmt.Sprint(d.Received)}}
}

// Closed is what closing an ASN found.
type Closed struct {
	ASN           ASN           `json:"asn"`
	Discrepancies []Discrepancy `json:"discrepancies"`
	Alerts        []stock.Alert `json:"-"`
}

// CloseASN ends receiving against an ASN: every line received short is
// recorded as a discrepancy, with a warning when it is beyond the
// under-receipt tolerance. Pallets of a closed ASN are no longer received.
func CloseASN(tx Tx, id string, at time.Time, newID func() string) (Closed, error) {
	a, err := tx.ASN(id)
	if err != nil {
		return Closed{}, fmt.Errorf("ASN %s: %w", id, err)
	}
	if a.Status == ASNClosed {
		return Closed{}, stock.Invalid{{Field: "status", Reason: "ASN " + id + " is already closed"}}
	}
	res := Closed{Discrepancies: []Discrepancy{}}
	tol := a.tolerance()
	for _, p := range a.Progress {
		if p.Received >= p.Expected {
			continue
		}
		floor := p.Expected - int64(float64(p.Expected)*tol.UnderPct/100)
		d := Discrepancy{ID: newID(), Kind: DiscShort, ASN: a.ID, PO: a.PO, SKU: p.SKU, Lot: p.Lot, Expected: p.Expected,
			Received: p.Received, TolerancePct: tol.UnderPct, Within: p.Received >= floor, At: at}
		d.Message = fmt.Sprintf("ASN %s closed short: %d of %d %s received (tolerance %g%%)", a.ID, p.Received, p.Expected, p.SKU, tol.UnderPct)
		if err := tx.PutDiscrepancy(d); err != nil {
			return Closed{}, err
		}
		sev := "warning"
		if d.Within {
			sev = "info"
		}
		res.Discrepancies = append(res.Discrepancies, d)
		res.Alerts = append(res.Alerts, d.alert(sev))
	}
	a.Status, a.ClosedAt = ASNClosed, &at
	res.ASN = a
	return res, tx.PutASN(a)
}
