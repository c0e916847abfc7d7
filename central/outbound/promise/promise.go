// Package promise is available-to-promise: it promises stock of a pool
// (an item in a warehouse) to order lines as reservations of the stock
// kernel, never more than is free; keeps what cannot be promised waiting
// in first-come-first-served queues (one per item, one per pre-sale);
// serves those queues when stock becomes free; and withdraws promises,
// newest first, when promised stock is lost. The kernel keeps the
// invariant reserved ≤ on hand − unavailable per pool at every commit;
// this package decides who gets what.
package promise

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Tx is what promising needs of the caller's transaction.
type Tx interface {
	stock.Reservations
	// PoolReservations lists the reservations of a pool, by id.
	PoolReservations(p stock.Pool) ([]stock.Reservation, error)
	// Quants lists the quants at a location ("" for all).
	Quants(location string) ([]stock.Quant, error)
	// Waiting lists an item's backorder queue; PresaleWaiting a
	// pre-sale's queue; both in queue order (Seq).
	Waiting(sku string) ([]Waiting, error)
	PresaleWaiting(presale string) ([]Waiting, error)
	// PutWaiting adds or replaces an entry of its queue (its Presale's,
	// else its item's); DeleteWaiting removes it.
	PutWaiting(Waiting) error
	DeleteWaiting(Waiting) error
}

// Demand is what an order line asks for, with its lot and shelf life.
type Demand struct {
	Order     string
	Line      int
	SKU       string
	Lot       string
	MinExpiry string
}

func (d Demand) constrained() bool { return d.Lot != "" || d.MinExpiry != "" }

// Waiting is a line's place in a queue: Quantity units of its item that
// wait for stock in a warehouse that serves Region (only Warehouse when
// Pinned), or for the goods of a pre-sale.
type Waiting struct {
	Seq       uint64    `json:"seq"`
	Order     string    `json:"order"`
	Line      int       `json:"line"`
	SKU       string    `json:"sku"`
	Lot       string    `json:"lot,omitempty"`
	MinExpiry string    `json:"min_expiry,omitempty"`
	Quantity  int64     `json:"quantity"`
	Region    string    `json:"region"`
	Warehouse string    `json:"warehouse,omitempty"`
	Pinned    bool      `json:"pinned,omitempty"`
	Presale   string    `json:"presale,omitempty"`
	Since     time.Time `json:"since"`
}

// Demand is what the waiting line asks for.
func (w Waiting) Demand() Demand {
	return Demand{Order: w.Order, Line: w.Line, SKU: w.SKU, Lot: w.Lot, MinExpiry: w.MinExpiry}
}

// Free is how much warehouse wh can promise to d now: its pool's
// available-to-promise and, for a line that wants a lot or a shelf life,
// what the stock that fits it can give without taking what another
// promise needs (the promises must still fit the stock all together:
// a transport problem over groups of like stock, solved as a maximum
// flow).
func Free(tx Tx, d Demand, wh string) (int64, error) {
	pool := stock.Pool{SKU: d.SKU, Warehouse: wh}
	atp, err := stock.AvailableToPromise(tx, pool)
	if err != nil || atp == 0 || !d.constrained() {
		return atp, err
	}
	res, err := tx.PoolReservations(pool)
	if err != nil {
		return 0, err
	}
	qs, err := tx.Quants("")
	if err != nil {
		return 0, err
	}
	// Stock in groups of one lot and expiry; promises in classes of one
	// lot and shelf life, d's among them.
	type group struct{ lot, expiry string }
	groups := map[group]int64{}
	for _, q := range qs {
		if q.SKU != d.SKU || q.Status != stock.Available {
			continue
		}
		if w, err := tx.Warehouse(q.Location); err != nil {
			return 0, err
		} else if w == wh {
			groups[group{q.Lot, q.Expiry}] += q.Quantity
		}
	}
	type class struct{ lot, minExpiry string }
	want := map[class]int64{}
	var promised int64
	for _, r := range res {
		want[class{r.Lot, r.MinExpiry}] += r.Quantity
		promised += r.Quantity
	}
	mine := class{d.Lot, d.MinExpiry}
	var total int64
	for _, n := range groups {
		total += n
	}
	want[mine] += total // as much as it can get
	var f flow
	classes := slices.SortedFunc(maps.Keys(want), func(a, b class) int { return cmp.Or(cmp.Compare(a.lot, b.lot), cmp.Compare(a.minExpiry, b.minExpiry)) })
	gs := slices.SortedFunc(maps.Keys(groups), func(a, b group) int { return cmp.Or(cmp.Compare(a.lot, b.lot), cmp.Compare(a.expiry, b.expiry)) })
	f.init(2 + len(classes) + len(gs))
	source, sink := 0, 1
	for i, c := range classes {
		f.edge(source, 2+i, want[c])
		fits := stock.Reservation{Lot: c.lot, MinExpiry: c.minExpiry}
		for j, g := range gs {
			if fits.Fits(stock.QuantKey{Lot: g.lot, Expiry: g.expiry}) {
				f.edge(2+i, 2+len(classes)+j, total)
			}
		}
	}
	for j, g := range gs {
		f.edge(2+len(classes)+j, sink, groups[g])
	}
	return max(min(atp, f.max(source, sink)-promised), 0), nil
}

// flow is a small flow network (Edmonds–Karp): a few classes of
// promises and groups of stock.
type flow struct {
	cap [][]int64
}

func (f *flow) init(n int) {
	f.cap = make([][]int64, n)
	for i := range f.cap {
		f.cap[i] = make([]int64, n)
	}
}

func (f *flow) edge(a, b int, c int64) { f.cap[a][b] += c }

// max is the maximum flow from s to t.
func (f *flow) max(s, t int) int64 {
	var total int64
	for {
		prev := make([]int, len(f.cap))
		for i := range prev {
			prev[i] = -1
		}
		prev[s] = s
		queue := []int{s}
		for len(queue) > 0 && prev[t] < 0 {
			u := queue[0]
			queue = queue[1:]
			for v, c := range f.cap[u] {
				if c > 0 && prev[v] < 0 {
					prev[v] = u
					queue = append(queue, v)
				}
			}
		}
		if prev[t] < 0 {
			return total
		}
		push := int64(-1)
		for v := t; v != s; v = prev[v] {
			if c := f.cap[prev[v]][v]; push < 0 || c < push {
				push = c
			}
		}
		for v := t; v != s; v = prev[v] {
			f.cap[prev[v]][v] -= push
			f.cap[v][prev[v]] += push
		}
		total += push
	}
}

// Reserve promises up to qty of d from warehouse wh — as much as is free
// — as reservation id, and returns how much it promised (0: nothing free).
func Reserve(tx Tx, d Demand, wh string, qty int64, id string, at time.Time) (int64, error) {
	free, err := Free(tx, d, wh)
	if err != nil {
		return 0, err
	}
	n := min(qty, free)
	if n <= 0 {
		return 0, nil
	}
	_, err = stock.Reserve(tx, stock.Reservation{ID: id, Order: d.Order, Line: strconv.Itoa(d.Line), SKU: d.SKU, Warehouse: wh,
		Lot: d.Lot, MinExpiry: d.MinExpiry, Quantity: n, Created: at})
	return n, err
}

// Rules say who may be served from a pool: whether a warehouse ships to a
// region, and the pre-sales of the item whose goods have arrived there,
// each with how many units of them are still to be served, in the order
// to serve them.
type Rules struct {
	Serves   func(wh, region string) bool
	Presales []Allowance
}

// Allowance is how much a pre-sale may still serve from arrived goods.
type Allowance struct {
	Presale string
	Left    int64
}

// Served is a waiting line promised stock: the entry as it was, how much
// and by which reservation.
type Served struct {
	Waiting     Waiting
	Quantity    int64
	Reservation string
	Warehouse   string
}

// Serve promises a pool's free stock to those waiting for it, in the
// transaction of the change that freed it: first the pre-sales' buyers in
// order of purchase, up to what arrived for each, then the item's
// backorders first come first served — each line as much as it can take
// before the next. Lines bound to another warehouse, or in a region the
// warehouse does not serve, are passed over.
func Serve(tx Tx, pool stock.Pool, rules Rules, at time.Time, newID func() string) ([]Served, error) {
	var out []Served
	serve := func(w Waiting, want int64) (int64, error) {
		id := newID()
		n, err := Reserve(tx, w.Demand(), pool.Warehouse, want, id, at)
		if err != nil || n == 0 {
			return 0, err
		}
		out = append(out, Served{Waiting: w, Quantity: n, Reservation: id, Warehouse: pool.Warehouse})
		if w.Quantity -= n; w.Quantity == 0 {
			return n, tx.DeleteWaiting(w)
		}
		return n, tx.PutWaiting(w)
	}
	for _, a := range rules.Presales {
		ws, err := tx.PresaleWaiting(a.Presale)
		if err != nil {
			return out, err
		}
		for _, w := range ws {
			if a.Left <= 0 {
				break
			}
			n, err := serve(w, min(w.Quantity, a.Left))
			if err != nil {
				return out, err
			}
			a.Left -= n
		}
	}
	ws, err := tx.Waiting(pool.SKU)
	if err != nil {
		return out, err
	}
	for _, w := range ws {
		if atp, err := stock.AvailableToPromise(tx, pool); err != nil || atp == 0 {
			return out, err
		}
		if w.Pinned && w.Warehouse != pool.Warehouse || !w.Pinned && !rules.Serves(pool.Warehouse, w.Region) {
			continue
		}
		if _, err := serve(w, w.Quantity); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Withdrawn is part of a reservation released because the stock it
// promised was lost.
type Withdrawn struct {
	Reservation stock.Reservation
	Quantity    int64
}

// Withdraw releases at least need units of a pool's reservations, when
// promised stock is lost: set-aside stock first (setAside says which
// reservations hold stock for a campaign rather than for a customer), then
// the newest promises, so the earliest orders keep theirs.
func Withdraw(tx Tx, pool stock.Pool, need int64, setAside func(stock.Reservation) bool) ([]Withdrawn, error) {
	rs, err := tx.PoolReservations(pool)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rs, func(a, b stock.Reservation) int {
		if sa, sb := setAside(a), setAside(b); sa != sb {
			if sa {
				return -1
			}
			return 1
		}
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	var out []Withdrawn
	for _, r := range rs {
		if need <= 0 {
			break
		}
		q := min(need, r.Quantity)
		if _, err := stock.Release(tx, r.ID, q); err != nil {
			return out, err
		}
		out = append(out, Withdrawn{Reservation: r, Quantity: q})
		need -= q
	}
	if need > 0 {
		return out, errors.New("promise: the pool's reservations hold less than must be withdrawn")
	}
	return out, nil
}
