package stations

import (
	"fmt"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

// Inbound handles an inbound dock: a scan receives a pallet by its SSCC
// or cases by GTIN + lot + expiry (+ count).
type Inbound struct{}

// Scan receives what the label says, or refuses a label that names
// neither a pallet nor an item.
func (Inbound) Scan(t *app.Tx, at app.At, s wire.Scan) error {
	sscc, isPallet := s.Get("00")
	c, isCase, why := caseOf(s)
	if !isPallet && !isCase {
		if why == "" {
			why = fmt.Sprintf("scan %s at inbound dock %s carries no SSCC (AI 00) and no GTIN (AI 01 or 02)", orDash(s.HRI), s.Station)
		}
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertUnexpectedScan), Severity: "warning", Message: why, Ref: s.ID,
			Device: s.Device, Class: "unusable scan"})
	}
	l := inbound.Label{SSCC: sscc}
	if isCase {
		l.Case = &c
	}
	_, err := t.ReceiveLabel(at, l)
	return err
}

// caseOf reads a case label's elements: GTIN from AI 01 or 02, lot (10),
// expiry (17, else best-before 15), count (37) and serial (21). why says
// what is wrong with a label that has a GTIN but bad data.
func caseOf(s wire.Scan) (inbound.Case, bool, string) {
	gtin, ok := s.Get("01")
	if !ok {
		if gtin, ok = s.Get("02"); !ok {
			return inbound.Case{}, false, ""
		}
	}
	c := inbound.Case{GTIN: gtin}
	c.Lot, _ = s.Get("10")
	c.Serial, _ = s.Get("21")
	exp, ok := s.Get("17")
	if !ok {
		exp, ok = s.Get("15")
	}
	if ok {
		d, err := gs1.ParseDate(exp, s.TS)
		if err != nil {
			return c, false, fmt.Sprintf("case label %s: %v", s.HRI, err)
		}
		c.Expiry = d.Format("2006-01-02")
	}
	if n, ok := s.Get("37"); ok {
		if _, err := fmt.Sscan(n, &c.Count); err != nil || c.Count <= 0 {
			return c, false, fmt.Sprintf("case label %s: count (37) %q is not a positive number", s.HRI, n)
		}
	}
	return c, true, ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
