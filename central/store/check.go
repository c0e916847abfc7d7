package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/dockhand/dockhand/central/stock"
)

// Check rebuilds the quant projection from the ledger and compares it,
// the pool totals and the reservations with what is stored. It returns
// every difference (none means consistent). Replay itself refuses negative
// stock and quantities above stock.MaxQuantity with checked arithmetic, so
// a ledger that would ever have gone negative or overflowed is reported
// too, and so is any stored balance no valid ledger can make (a quant of
// zero, below zero or above the maximum, a negative total, more reserved
// than available in a pool or allocated than a quant holds). centrald
// check runs it; it needs nothing but the Store interface, so it checks
// every engine the same way.
func Check(ctx context.Context, st Store) ([]string, error) {
	var problems []string
	report := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	err := st.View(ctx, func(tx Tx) error {
		rebuilt, err := Rebuild(tx, func(m stock.Movement, after uint64, err error) {
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
		pools, err := tx.Pools("")
		if err != nil {
			return err
		}
		if err := checkPools(tx, rebuilt, pools, report); err != nil {
			return err
		}
		return checkReceipts(tx, report)
	})
	sort.Strings(problems)
	return problems, err
}

// checkPools compares the stored pool totals with the rebuilt ones, and
// the reserved and allocated totals with the reservation records.
func checkPools(tx Tx, rebuilt *stock.MemQuants, pools []stock.PoolBalance, report func(string, ...any)) error {
	stored := map[stock.Pool]stock.PoolBalance{}
	for _, p := range pools {
		stored[p.Pool] = p
		if want := rebuilt.Pools()[p.Pool]; p.Available != want {
			report("available total of %s is %d, ledger says %d", p.Pool, p.Available, want)
		}
		if p.Available < 0 {
			report("impossible available total of %s: %d", p.Pool, p.Available)
		}
	}
	for p, n := range rebuilt.Pools() {
		if _, ok := stored[p]; !ok {
			report("available total of %s is 0, ledger says %d", p, n)
		}
	}
	recs, err := tx.AllReservations()
	if err != nil {
		return err
	}
	reserved := map[stock.Pool]int64{}
	allocated := map[stock.QuantKey]int64{}
	for _, r := range recs {
		if !addTo(reserved, r.Pool(), r.Quantity) {
			report("reservations of %s overflow", r.Pool())
		}
		var bound int64
		fits := true
		for _, q := range r.Quants {
			if !addTo(allocated, q.QuantKey, q.Quantity) {
				report("allocations on %+v overflow", q.QuantKey)
			}
			if bound, fits = stock.Add(bound, q.Quantity); !fits || q.Quantity <= 0 {
				fits = false
				break
			}
		}
		if !fits || bound > r.Quantity || r.Quantity <= 0 {
			report("reservation %s allocates %d of its %d", r.ID, bound, r.Quantity)
		}
	}
	for p := range reserved {
		if _, ok := stored[p]; !ok {
			stored[p] = stock.PoolBalance{Pool: p}
		}
	}
	for p, b := range stored {
		if b.Reserved != reserved[p] {
			report("reserved total of %s is %d, reservations say %d", p, b.Reserved, reserved[p])
		}
		if a := rebuilt.Pools()[p]; b.Reserved > a {
			report("reserved %d of %s but %d available", b.Reserved, p, a)
		}
	}
	keys := map[stock.QuantKey]bool{}
	for k := range rebuilt.All() {
		keys[k] = true
	}
	for k := range allocated {
		keys[k] = true
	}
	for k := range keys {
		held, err := tx.Allocated(k)
		if err != nil {
			return err
		}
		if held != allocated[k] {
			report("allocated total on %+v is %d, reservations say %d", k, held, allocated[k])
		}
		if have := rebuilt.All()[k]; held > have {
			report("allocated %d on %+v but it holds %d", held, k, have)
		}
	}
	return nil
}

// addTo adds q to m[k] with checked arithmetic; false (and m[k] set to
// -1, which no stored total equals) when the sum does not fit.
func addTo[K comparable](m map[K]int64, k K, q int64) bool {
	if m[k] < 0 {
		return true // already reported
	}
	n, ok := stock.Add(m[k], q)
	if !ok || q < 0 {
		m[k] = -1
		return false
	}
	m[k] = n
	return true
}

// Rebuild replays the whole ledger into a fresh in-memory projection.
// visit, when not nil, sees every movement with the seq before it and the
// replay error (a movement that fails to replay is skipped).
func Rebuild(tx Tx, visit func(m stock.Movement, after uint64, err error)) (*stock.MemQuants, error) {
	rebuilt := stock.NewMemQuants()
	locs, err := tx.Locations()
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		if l.Warehouse != "" {
			rebuilt.Locate(l.Code, l.Warehouse)
		}
	}
	var after uint64
	for {
		ms, err := tx.Movements(after, 10000)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			return rebuilt, nil
		}
		for _, m := range ms {
			_, err := stock.Apply(rebuilt, m)
			if visit != nil {
				visit(m, after, err)
			}
			after = m.Seq
		}
	}
}

// checkReceipts compares, per ASN, the receipts with the ASN's received
// progress and with the ledger's receipt movements.
func checkReceipts(tx Tx, report func(string, ...any)) error {
	rcpts, err := tx.Receipts()
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
		ms, err := tx.Movements(after, 10000)
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
	asns, err := tx.ASNs()
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
