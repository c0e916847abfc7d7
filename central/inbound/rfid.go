package inbound

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/epc"
)

// PortalRead is what an RFID portal saw pass in one go: EPCs of pallets
// (SSCC-96) and cases (SGTIN-96), in hex.
type PortalRead struct {
	EPCs []string
	Scan
}

// PalletCount is one pallet's RFID case count against its ASN.
type PalletCount struct {
	SSCC     string `json:"sscc"`
	ASN      string `json:"asn"`
	SKU      string `json:"sku"`
	Expected int64  `json:"expected_cases"`
	Counted  int64  `json:"counted_cases"`
}

// PortalResult is what a portal read found. Cases of items not on any
// pallet that passed are in Stray (GTIN → count).
type PortalResult struct {
	Pallets []PalletCount
	Stray   map[string]int64
	Alerts  []stock.Alert
}

// CountPortal counts the cases (distinct SGTIN serials) that passed with
// each announced pallet and compares them with the ASN: the pallet's
// quantity divided by the case size of the item. A difference is recorded
// as a discrepancy and raises an alert; an SSCC on no ASN raises
// unknown-pallet. Tags that are not SSCC-96 or SGTIN-96 are ignored.
// Counting does not receive: the pallet is received by its SSCC scan.
func CountPortal(tx Tx, r PortalRead) (PortalResult, error) {
	var ssccs []string
	cases := map[string]map[string]bool{} // GTIN-14 → serials
	for _, h := range r.EPCs {
		b, err := hex.DecodeString(h)
		if err != nil {
			continue
		}
		d, err := epc.Decode(b)
		if err != nil {
			continue
		}
		switch d.Scheme {
		case epc.SSCC96:
			ssccs = append(ssccs, d.GS1Key)
		case epc.SGTIN96:
			gtin := d.GS1Key
			if cases[gtin] == nil {
				cases[gtin] = map[string]bool{}
			}
			cases[gtin][d.Serial] = true
		}
	}
	res := PortalResult{Stray: map[string]int64{}}
	used := map[string]bool{}
	for _, sscc := range dedupe(ssccs) {
		asn, p, err := tx.ExpectedPallet(sscc)
		if errors.Is(err, stock.ErrNotFound) {
			res.Alerts = append(res.Alerts, stock.Alert{Kind: AlertUnknownPallet, Severity: "warning", Ref: sscc,
				Message: fmt.Sprintf("RFID portal at %s: pallet %s is not on any ASN", r.Station, sscc)})
			continue
		} else if err != nil {
			return res, err
		}
		item, err := tx.Item(p.SKU)
		if err != nil {
			return res, fmt.Errorf("item %s of ASN %s: %w", p.SKU, asn.ID, err)
		}
		pc := PalletCount{SSCC: sscc, ASN: asn.ID, SKU: item.SKU, Expected: expectedCases(item, p.Quantity)}
		for gtin, serials := range cases {
			if n, ok := item.UnitsPer(gtin); ok && n > 1 {
				pc.Counted += int64(len(serials))
				used[gtin] = true
			}
		}
		res.Pallets = append(res.Pallets, pc)
		for i := range asn.Pallets {
			if asn.Pallets[i].SSCC == sscc {
				asn.Pallets[i].CountedCases = &pc.Counted
			}
		}
		if err := tx.PutASN(asn); err != nil {
			return res, err
		}
		if pc.Counted != pc.Expected {
			d := Discrepancy{ID: r.NewID(), Kind: DiscRFIDCount, ASN: asn.ID, PO: asn.PO, SKU: item.SKU, Lot: p.Lot, SSCC: sscc,
				Expected: pc.Expected, Received: pc.Counted, At: r.At, Event: r.Event,
				Message: fmt.Sprintf("RFID portal at %s counted %d cases on pallet %s, ASN %s says %d", r.Station, pc.Counted, sscc, asn.ID, pc.Expected)}
			if err := tx.PutDiscrepancy(d); err != nil {
				return res, err
			}
			res.Alerts = append(res.Alerts, d.alert("warning"))
		}
	}
	for gtin, serials := range cases {
		if !used[gtin] {
			res.Stray[gtin] = int64(len(serials))
		}
	}
	return res, nil
}

// expectedCases is the pallet's quantity in cases of the item's "case"
// pack, or in base units when it has none.
func expectedCases(item stock.Item, qty int64) int64 {
	size := int64(1)
	if c, ok := item.PackOf("case"); ok {
		size = c.Quantity
	}
	return (qty + size - 1) / size
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
