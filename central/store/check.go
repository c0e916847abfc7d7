package store

import (
	"fmt"
	"sort"

	"github.com/dockhand/dockhand/central/stock"
)

// Check rebuilds the quant projection from the ledger and compares it, the
// per-item available totals and the reservations with what is stored. It
// returns every difference (none means consistent). Replay itself refuses
// negative stock and quantities above stock.MaxQuantity with checked
// arithmetic, so a ledger that would ever have gone negative or overflowed
// is reported too, and so is any stored balance no valid ledger can make
// (a quant of zero, below zero or above the maximum, a negative total).
func (s *Store) Check() ([]string, error) {
	var problems []string
	report := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	err := s.View(func(tx *Tx) error {
		rebuilt, err := tx.Rebuild(func(m stock.Movement, after uint64, err error) {
			if m.Seq != after+1 {
				report("ledger gap: movement %d follows %d", m.Seq, after)
			}
			if err != nil {
				report("movement %d does not replay: %v", m.Seq, err)
			}
		})
		if err != nil {
			return err
		}
		stored, err := tx.Quants("")
		if err != nil {
			return err
		}
		seen := map[stock.QuantKey]bool{}
		for _, q := range stored {
			seen[q.QuantKey] = true
			if q.Quantity <= 0 || q.Quantity > stock.MaxQuantity {
				report("impossible quant %+v: %d (must be 1 to %d)", q.QuantKey, q.Quantity, stock.MaxQuantity)
			}
			if want := rebuilt.All()[q.QuantKey]; want != q.Quantity {
				report("quant %+v is %d, ledger says %d", q.QuantKey, q.Quantity, want)
			}
		}
		for k, n := range rebuilt.All() {
			if !seen[k] {
				report("quant %+v missing, ledger says %d", k, n)
			}
		}
		avail, err := tx.counters(pAvail)
		if err != nil {
			return err
		}
		for sku, want := range rebuilt.AvailableBySKU() {
			if avail[sku] != want {
				report("available total of %s is %d, ledger says %d", sku, avail[sku], want)
			}
		}
		for sku, n := range avail {
			if _, ok := rebuilt.AvailableBySKU()[sku]; !ok {
				report("available total of %s is %d, ledger says 0", sku, n)
			}
			if n < 0 {
				report("impossible available total of %s: %d", sku, n)
			}
		}
		if err := tx.checkReceipts(report); err != nil {
			return err
		}
		reserved, err := tx.counters(pReserved)
		if err != nil {
			return err
		}
		for sku, n := range reserved {
			if a := rebuilt.AvailableBySKU()[sku]; n > a || n < 0 {
				report("reserved %d of %s but %d available", n, sku, a)
			}
		}
		return nil
	})
	sort.Strings(problems)
	return problems, err
}

// Rebuild replays the whole ledger into a fresh in-memory projection.
// visit, when not nil, sees every movement with the seq before it and the
// replay error (a movement that fails to replay is skipped).
func (t *Tx) Rebuild(visit func(m stock.Movement, after uint64, err error)) (*stock.MemQuants, error) {
	rebuilt := stock.NewMemQuants()
	var after uint64
	for {
		ms, err := t.Movements(after, 10000)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			return rebuilt, nil
		}
		for _, m := range ms {
			_, err := stock.Post(rebuilt, m)
			if visit != nil {
				visit(m, after, err)
			}
			after = m.Seq
		}
	}
}

// checkReceipts compares, per ASN, the receipts with the ASN's received
// progress and with the ledger's receipt movements.
func (t *Tx) checkReceipts(report func(string, ...any)) error {
	rcpts, err := t.Receipts()
	if err != nil {
		return err
	}
	// add sums with checked arithmetic; a sum that overflows is reported
	// and marked -1, which no progress can equal.
	add := func(sums map[string]int64, what, id string, q int64) {
		if sums[id] < 0 {
			return
		}
		n, ok := stock.Add(sums[id], q)
		if !ok || q < 0 {
			report("ASN %s: %s overflow or go negative", id, what)
			n = -1
		}
		sums[id] = n
	}
	byReceipts := map[string]int64{}
	for _, r := range rcpts {
		add(byReceipts, "receipts", r.ASN, r.Quantity)
	}
	byLedger := map[string]int64{}
	var after uint64
	for {
		ms, err := t.Movements(after, 10000)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			if m.Reason == "receipt" && m.From == "" {
				add(byLedger, "ledger receipts", m.Doc, m.Quantity)
			}
			after = m.Seq
		}
	}
	asns, err := t.ASNs()
	if err != nil {
		return err
	}
	for _, a := range asns {
		progress := map[string]int64{}
		for _, p := range a.Progress {
			add(progress, "progress", a.ID, p.Received)
		}
		if p := progress[a.ID]; p != byReceipts[a.ID] || p != byLedger[a.ID] {
			report("ASN %s: progress says %d received, receipts %d, ledger %d", a.ID, p, byReceipts[a.ID], byLedger[a.ID])
		}
	}
	return nil
}
