package app

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// Promising: where orders (package orders), available-to-promise and its
// queues (promise), routing and campaigns meet. Every function here runs
// inside the transaction of a use case.

// promiseNeeds promises what lines of o need now (need by line number):
// from the campaign's promotion first, then the pre-sale's cap, then the
// warehouses routing chooses; what is left waits in its item's queue, or
// is refused when the channel refuses shortages.
func (t *Tx) promiseNeeds(o *orders.Order, ch orders.Channel, need map[int]int64) error {
	need = maps.Clone(need)
	if err := t.drawPromotion(o, need); err != nil {
		return err
	}
	if err := t.sellAhead(o, need); err != nil {
		return err
	}
	site, err := t.warehouses()
	if err != nil {
		return err
	}
	var needs []routing.Need
	for _, n := range slices.Sorted(maps.Keys(need)) {
		if need[n] > 0 {
			needs = append(needs, routing.Need{Line: n, Quantity: need[n]})
		}
	}
	demand := func(n int) promise.Demand {
		l, _ := o.Line(n)
		return promise.Demand{Order: o.ID, Line: n, SKU: l.SKU, Lot: l.Lot, MinExpiry: l.MinExpiry}
	}
	free := func(wh string, n int) (int64, error) { return promise.Free(t.st, demand(n), wh) }
	plan, err := routing.Route(needs, site.Candidates(o.Region), free, ch.Split, o.Warehouse, o.Pinned)
	if err != nil {
		return err
	}
	short := plan.Short
	for _, tk := range plan.Takes {
		id := wire.NewID()
		n, err := promise.Reserve(t.st, demand(tk.Line), tk.Warehouse, tk.Quantity, id, t.now())
		if err != nil {
			return err
		}
		l, _ := o.Line(tk.Line)
		if n > 0 {
			l.Parts = append(l.Parts, orders.Part{Reservation: id, Warehouse: tk.Warehouse, Quantity: n})
			l.Promised += n
		}
		short[tk.Line] += tk.Quantity - n
	}
	if !ch.Split && plan.Bound {
		o.Warehouse, o.Pinned = plan.Pinned, true
	}
	for n, q := range short {
		l, _ := o.Line(n)
		if ch.Shortage == orders.Refuse {
			l.Refused += q
		} else {
			l.Backordered += q
		}
	}
	for n := range need {
		l, _ := o.Line(n)
		if err := t.requeue(*o, *l); err != nil {
			return err
		}
	}
	return nil
}

// drawPromotion promises lines of the campaign's item from the units its
// promotion set aside: the promotion's reservation gives them up and the
// line's takes them, so the pool's total does not change.
func (t *Tx) drawPromotion(o *orders.Order, need map[int]int64) error {
	if o.Campaign == "" {
		return nil
	}
	p, err := t.st.Promotion(o.Campaign)
	if err != nil {
		return err
	}
	for n, want := range need {
		l, _ := o.Line(n)
		q := p.Draw(want)
		if l.SKU != p.SKU || l.Lot != "" || l.MinExpiry != "" || q == 0 {
			continue
		}
		if _, err := stock.Release(t.st, p.Reservation, q); err != nil {
			return fmt.Errorf("promotion %s: %w", p.ID, err)
		}
		id := wire.NewID()
		if _, err := stock.Reserve(t.st, stock.Reservation{ID: id, Order: o.ID, Line: fmt.Sprint(n), SKU: l.SKU, Warehouse: p.Warehouse,
			Quantity: q, Created: t.now()}); err != nil {
			return fmt.Errorf("promotion %s: %w", p.ID, err)
		}
		l.Parts = append(l.Parts, orders.Part{Reservation: id, Warehouse: p.Warehouse, Quantity: q, Promotion: p.ID})
		l.Promised += q
		need[n] -= q
		p.Left -= q
		p.Used += q
	}
	if err := t.st.MarkLayers(p.SKU); err != nil {
		return err
	}
	return t.st.PutPromotion(p)
}

// sellAhead sells lines of the pre-sale's item against its cap: they wait
// in the pre-sale's queue for its goods.
func (t *Tx) sellAhead(o *orders.Order, need map[int]int64) error {
	if o.Presale == "" {
		return nil
	}
	p, err := t.st.Presale(o.Presale)
	if err != nil {
		return err
	}
	for _, n := range slices.Sorted(maps.Keys(need)) {
		l, _ := o.Line(n)
		q := p.Sell(need[n])
		if l.SKU != p.SKU || l.Lot != "" || l.MinExpiry != "" || q == 0 {
			continue
		}
		l.Presold += q
		need[n] -= q
		p.Sold += q
	}
	return t.st.PutPresale(p)
}

// serve gives stock that became free in pools to whoever waits for it,
// first come first served (promise.Serve), and updates their orders.
func (t *Tx) serve(pools ...stock.Pool) error {
	site, err := t.warehouses()
	if err != nil {
		return err
	}
	done := map[stock.Pool]bool{}
	for _, pool := range pools {
		if done[pool] {
			continue
		}
		done[pool] = true
		if atp, err := stock.AvailableToPromise(t.st, pool); err != nil || atp == 0 {
			if err != nil {
				return err
			}
			continue
		}
		allow, err := t.allowances(pool)
		if err != nil {
			return err
		}
		served, err := promise.Serve(t.st, pool, promise.Rules{Serves: site.Serves, Presales: allow}, t.now(), wire.NewID)
		if err != nil {
			return err
		}
		if err := t.applyServed(served); err != nil {
			return err
		}
	}
	return nil
}

// applyServed books what Serve promised on the orders, in order of
// arrival, and on the pre-sales it served.
func (t *Tx) applyServed(served []promise.Served) error {
	byOrder := map[string][]promise.Served{}
	for _, s := range served {
		byOrder[s.Waiting.Order] = append(byOrder[s.Waiting.Order], s)
		if s.Waiting.Presale == "" {
			continue
		}
		p, err := t.st.Presale(s.Waiting.Presale)
		if err != nil {
			return err
		}
		p.Served += s.Quantity
		if err := t.st.PutPresale(p); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(byOrder)) {
		err := t.updateOrder(id, orders.Served, wire.OrderServed, func(o *orders.Order) (note []string, err error) {
			ch, err := t.st.Channel(o.Channel)
			if err != nil {
				return nil, err
			}
			for _, s := range byOrder[id] {
				l, ok := o.Line(s.Waiting.Line)
				if !ok {
					return nil, fmt.Errorf("order %s has no line %d to serve", id, s.Waiting.Line)
				}
				if err := l.Promise(orders.Part{Reservation: s.Reservation, Warehouse: s.Warehouse, Quantity: s.Quantity}, s.Waiting.Presale != ""); err != nil {
					return nil, err
				}
				note = append(note, fmt.Sprintf("line %d: %d %s from %s", l.Line, s.Quantity, l.SKU, whName(s.Warehouse)))
				if !ch.Split && !o.Pinned {
					o.Warehouse, o.Pinned = s.Warehouse, true
				}
			}
			return note, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// updateOrder changes order id with change, puts its lines back in their
// queues as they now stand, records event with change's notes and saves
// it (publishing wev).
func (t *Tx) updateOrder(id, event string, wev wire.OrderEvent, change func(o *orders.Order) ([]string, error)) error {
	o, err := t.st.Order(id)
	if err != nil {
		return err
	}
	before := o.Clone()
	note, err := change(&o)
	if err != nil {
		return err
	}
	for _, l := range o.Lines {
		if err := t.requeue(o, l); err != nil {
			return err
		}
	}
	o.Record(t.now(), event, joinNotes(note), "")
	return t.saveOrder(&before, &o, wev)
}

func whName(wh string) string {
	if wh == routing.Main {
		return "the main warehouse"
	}
	return "warehouse " + wh
}

func joinNotes(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += "; "
		}
		out += n
	}
	return out
}

// allowances are the pre-sales of a pool's item whose goods have arrived
// there, with how many of their buyers may be served, by pre-sale id.
func (t *Tx) allowances(pool stock.Pool) ([]promise.Allowance, error) {
	ps, err := t.st.Presales()
	if err != nil {
		return nil, err
	}
	var out []promise.Allowance
	for _, p := range ps {
		if p.Status != campaigns.Active || p.SKU != pool.SKU || p.Warehouse != pool.Warehouse || p.Sold == p.Served {
			continue
		}
		got, err := t.received(p)
		if err != nil {
			return nil, err
		}
		if n := p.Allowance(got); n > 0 {
			out = append(out, promise.Allowance{Presale: p.ID, Left: n})
		}
	}
	return out, nil
}

// received is what a pre-sale's ASN or purchase order has received of
// its item so far.
func (t *Tx) received(p campaigns.Presale) (int64, error) {
	_, got, _, err := t.sourceOf(p)
	return got, err
}

// sourceOf is what a pre-sale's ASN or purchase order expects and has
// received of its item, and the document's status.
func (t *Tx) sourceOf(p campaigns.Presale) (expected, received int64, status string, err error) {
	if p.ASN != "" {
		a, err := t.st.ASN(p.ASN)
		for _, pr := range a.Progress {
			if pr.SKU == p.SKU {
				expected, received = expected+pr.Expected, received+pr.Received
			}
		}
		return expected, received, a.Status, err
	}
	po, err := t.st.PO(p.PO)
	for _, l := range po.Lines {
		if l.SKU == p.SKU {
			expected, received = expected+l.Quantity, received+l.Received
		}
	}
	return expected, received, po.Status, err
}

// yield is stock.Yielder for use cases where stock physically goes (a
// count that finds less, an inspection, a putaway or move into another
// warehouse): promised stock that is gone is withdrawn — promotions'
// set-aside units first, then the newest promises, whose lines wait again
// at their place in the queue and are served at once from another
// warehouse's free stock (stock moved into another warehouse serves them
// there when the movement is published).
func (t *Tx) yield(pool stock.Pool, need int64) error {
	ws, err := promise.Withdraw(t.st, pool, need, campaigns.SetAside)
	if err != nil {
		return err
	}
	byOrder := map[string][]promise.Withdrawn{}
	for _, w := range ws {
		if promo, ok := campaigns.PromotionOf(w.Reservation); ok {
			p, err := t.st.Promotion(promo)
			if err != nil {
				return err
			}
			p.Left -= w.Quantity
			p.Returned += w.Quantity
			if err := t.st.PutPromotion(p); err != nil {
				return err
			}
			continue
		}
		byOrder[w.Reservation.Order] = append(byOrder[w.Reservation.Order], w)
	}
	for _, id := range slices.Sorted(maps.Keys(byOrder)) {
		var lost []string
		err := t.updateOrder(id, orders.Withdrawn, wire.OrderWithdrawn, func(o *orders.Order) ([]string, error) {
			for _, w := range byOrder[id] {
				for i := range o.Lines {
					l := &o.Lines[i]
					if !slices.ContainsFunc(l.Parts, func(p orders.Part) bool { return p.Reservation == w.Reservation.ID }) {
						continue
					}
					if err := l.Withdraw(w.Reservation.ID, w.Quantity); err != nil {
						return nil, err
					}
					lost = append(lost, fmt.Sprintf("line %d: %d %s lost in %s", l.Line, w.Quantity, l.SKU, whName(pool.Warehouse)))
				}
			}
			return lost, nil
		})
		if err != nil {
			return err
		}
		o, err := t.st.Order(id)
		if err != nil {
			return err
		}
		if err := t.Raise("", "", stock.Alert{Kind: string(wire.AlertPromiseWithdrawn), Severity: "warning", Ref: o.ID, Class: pool.SKU,
			Message: fmt.Sprintf("order %s (%s %s): promised stock was lost, it waits again: %s", o.ID, o.Channel, o.ChannelOrder, joinNotes(lost))}); err != nil {
			return err
		}
	}
	// Lines that wait again may be served from another warehouse's free
	// stock at once.
	others, err := t.st.Pools(pool.SKU)
	if err != nil {
		return err
	}
	var elsewhere []stock.Pool
	for _, p := range others {
		if p.Pool != pool {
			elsewhere = append(elsewhere, p.Pool)
		}
	}
	return t.serve(elsewhere...)
}

// yielding is the transaction as the kernel sees it when stock may be
// lost: a Yielder, so promised stock that is gone is withdrawn.
type yielding struct {
	store.Tx
	t *Tx
}

// Yield withdraws promises of the pool.
func (y yielding) Yield(p stock.Pool, need int64) error { return y.t.yield(p, need) }

// losing is the transaction for a use case that may take promised stock
// out of its pool: the stock moves, the promises give way.
func (t *Tx) losing() yielding { return yielding{Tx: t.st, t: t} }

// saveOrder stores an order that was before (nil: new), keeps the sales
// counters of its channel, marks its items' layers changed and, with an
// event, publishes it on ops/order.
func (t *Tx) saveOrder(before, after *orders.Order, event wire.OrderEvent) error {
	was := map[string]layers.Counters{}
	if before != nil {
		was = store.Contribution(*before)
	}
	is := store.Contribution(*after)
	skus := map[string]bool{}
	for _, m := range []map[string]layers.Counters{was, is} {
		for sku := range m {
			skus[sku] = true
		}
	}
	for _, sku := range slices.Sorted(maps.Keys(skus)) {
		if d := is[sku].Sub(was[sku]); !d.Zero() {
			c, err := t.st.SalesCounters(after.Channel, sku)
			if err != nil {
				return err
			}
			if err := t.st.PutSalesCounters(after.Channel, sku, c.Add(d)); err != nil {
				return err
			}
		}
		if err := t.st.MarkLayers(sku); err != nil {
			return err
		}
	}
	if err := t.st.PutOrder(*after); err != nil {
		return err
	}
	if event == "" {
		return nil
	}
	return t.publishOrder(*after, event)
}
