package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/stock"
)

// CheckOutbound checks selling against the stock kernel (Check checks the
// kernel itself; centrald check runs both) and returns every difference:
// it compares what orders say with the records behind them:
// every line adds up; every promised unit is one unit of exactly one
// reservation of the line's pool, and every reservation is an order
// line's or a promotion's (no unit promised twice, none promised by
// nobody); the queues hold exactly what lines wait for; the sales
// counters are the orders' sums; reservations are indexed by pool; and
// every item's three layers reconcile.
func CheckOutbound(ctx context.Context, st Store) ([]string, error) {
	var problems []string
	report := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	err := st.View(ctx, func(tx Tx) error { return checkOutbound(tx, report) })
	sort.Strings(problems)
	return problems, err
}

func checkOutbound(tx Tx, report func(string, ...any)) error {
	all, err := tx.AllReservations()
	if err != nil {
		return err
	}
	owner := map[string]string{}
	held := map[string]int64{}
	for _, r := range all {
		held[r.ID] = r.Quantity
		indexed, err := tx.PoolReservations(r.Pool())
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(indexed, func(x stock.Reservation) bool { return x.ID == r.ID }) {
			report("reservation %s is not indexed under its pool %s", r.ID, r.Pool())
		}
	}
	promos, err := tx.Promotions()
	if err != nil {
		return err
	}
	for _, p := range promos {
		if p.Left+p.Used+p.Returned != p.Quantity || p.Left < 0 {
			report("promotion %s: left %d + used %d + returned %d ≠ %d", p.ID, p.Left, p.Used, p.Returned, p.Quantity)
		}
		if held[p.Reservation] != p.Left {
			report("promotion %s sets aside %d, its reservation %s holds %d", p.ID, p.Left, p.Reservation, held[p.Reservation])
		}
		owner[p.Reservation] = "promotion " + p.ID
	}
	os, err := tx.Orders()
	if err != nil {
		return err
	}
	want := map[string]promise.Waiting{}
	counters := map[string]layers.Counters{}
	skus := map[string]bool{}
	for _, o := range os {
		if o.Status != o.Derive() {
			report("order %s is %s, its lines say %s", o.ID, o.Status, o.Derive())
		}
		for _, l := range o.Lines {
			skus[l.SKU] = true
			if !l.Balanced() {
				report("order %s line %d does not add up: %+v", o.ID, l.Line, l)
			}
			for _, p := range l.Parts {
				r, err := tx.Reservation(p.Reservation)
				switch {
				case err != nil:
					report("order %s line %d: reservation %s: %v", o.ID, l.Line, p.Reservation, err)
				case r.Quantity != p.Quantity || r.SKU != l.SKU || r.Warehouse != p.Warehouse:
					report("order %s line %d promises %d of %s from %q by %s, which holds %d of %s from %q", o.ID, l.Line, p.Quantity, l.SKU,
						p.Warehouse, p.Reservation, r.Quantity, r.SKU, r.Warehouse)
				}
				if prev, dup := owner[p.Reservation]; dup {
					report("reservation %s is promised twice: to %s and order %s line %d", p.Reservation, prev, o.ID, l.Line)
				}
				owner[p.Reservation] = fmt.Sprintf("order %s line %d", o.ID, l.Line)
			}
			if l.Backordered > 0 {
				w := promise.Waiting{Seq: l.Seq, Order: o.ID, Line: l.Line, SKU: l.SKU, Quantity: l.Backordered}
				want[queueKey(w)] = w
			}
			if l.Presold > 0 {
				w := promise.Waiting{Seq: l.Seq, Order: o.ID, Line: l.Line, SKU: l.SKU, Quantity: l.Presold, Presale: o.Presale}
				want[queueKey(w)] = w
			}
		}
		for sku, c := range contribution(o) {
			k := sku + "|" + o.Channel
			counters[k] = counters[k].Add(c)
		}
	}
	for _, r := range all {
		if _, ok := owner[r.ID]; !ok {
			report("reservation %s (%d of %s) belongs to no order line and no promotion", r.ID, r.Quantity, r.Pool())
		}
	}
	queued, err := tx.AllWaiting()
	if err != nil {
		return err
	}
	for _, w := range queued {
		k := queueKey(w)
		if x, ok := want[k]; !ok || x.Quantity != w.Quantity {
			report("queue entry %s waits for %d, its line for %d", k, w.Quantity, x.Quantity)
		}
		delete(want, k)
	}
	for k, w := range want {
		report("order %s line %d waits for %d but is in no queue (%s)", w.Order, w.Line, w.Quantity, k)
	}
	stored, err := tx.SalesCountersOf("")
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(counters)) {
		if !counters[k].Zero() && stored[k] != counters[k] {
			report("sales counters of %s are %+v, the orders say %+v", k, stored[k], counters[k])
		}
		delete(stored, k)
	}
	for k, c := range stored {
		report("sales counters of %s are %+v, no order holds any", k, c)
	}
	pools, err := tx.Pools("")
	if err != nil {
		return err
	}
	for _, p := range pools {
		skus[p.SKU] = true
	}
	site, err := tx.Warehouses()
	if err != nil {
		return err
	}
	ls, err := LayersOf(tx, slices.Sorted(maps.Keys(skus)))
	if err != nil {
		return err
	}
	regions := LayerRegions(site)
	for _, sku := range slices.Sorted(maps.Keys(ls)) {
		for _, p := range layers.Check(ls[sku], regions) {
			report("layers of %s", p)
		}
	}
	return nil
}

// queueKey names a queue entry in Check's reports.
func queueKey(w promise.Waiting) string {
	q := "backorders of " + w.SKU
	if w.Presale != "" {
		q = "pre-sale " + w.Presale
	}
	return fmt.Sprintf("%s #%d %s/%d", q, w.Seq, w.Order, w.Line)
}

// contribution is what an order holds of each item, as the sales layer
// counts it: promised to it while unpaid (locked); promised or shipped
// once paid (sold); sold ahead in a pre-sale; shipped.
func contribution(o orders.Order) map[string]layers.Counters {
	out := map[string]layers.Counters{}
	for _, l := range o.Lines {
		c := out[l.SKU]
		if o.Payment == orders.Paid {
			c.Sold += l.Promised
		} else {
			c.Locked += l.Promised
		}
		c.Sold += l.Shipped
		c.Presold += l.Presold
		c.Shipped += l.Shipped
		out[l.SKU] = c
	}
	return out
}

// Contribution is what an order holds of each item, as the sales layer
// counts it (the application keeps the counters with it).
func Contribution(o orders.Order) map[string]layers.Counters { return contribution(o) }
