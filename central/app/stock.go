package app

import (
	"context"
	"strconv"
	"time"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// Use cases of stock already in the warehouse: inspection results,
// putaway, moves and counts.

// CreateInspectionPlan creates an inspection plan.
func (t *Tx) CreateInspectionPlan(p quality.Plan) (quality.Plan, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	if err := exists(t.st.Plan, p.ID, "inspection plan"); err != nil {
		return p, err
	}
	return p, t.st.PutPlan(p)
}

// RecordInspection records an inspection result: the plate's stock
// changes status, a failure opens a return to the vendor and raises an
// alert.
func (t *Tx) RecordInspection(id, result, note, by string) (quality.Outcome, error) {
	out, err := quality.Record(t.losing(), id, result, note, by, t.now(), wire.NewID)
	if err != nil {
		return out, err
	}
	return out, t.publish(out.Movements, out.Alerts...)
}

// ConfirmPutaway moves a licence plate to the location a worker scanned
// (or named over the API) and completes the move order that sent it
// there, if any. A location that cannot take it is a *putaway.Refused.
// c.At zero means now.
func (t *Tx) ConfirmPutaway(c putaway.Confirmation) (putaway.Result, error) {
	if c.At.IsZero() {
		c.At = t.now()
	}
	c.NewID = wire.NewID
	res, err := putaway.Confirm(t.losing(), c)
	if err != nil {
		return res, err
	}
	if res.MoveOrder != "" {
		if err := moves.CompleteMove(t.st, res.MoveOrder, res.LPN.Location, c.At); err != nil {
			return res, err
		}
	}
	return res, t.publishStock(res.Movements...)
}

// CheckMove checks what a direct move prints: its lot; no store needed.
func CheckMove(m moves.Move) error { return checkLots(nil, "lot", m.Lot).Err() }

// Move moves a quantity between locations now.
func (t *Tx) Move(m moves.Move) (stock.Movement, error) {
	if err := CheckMove(m); err != nil {
		return stock.Movement{}, err
	}
	p, err := moves.MoveNow(t.losing(), m, t.now(), wire.NewID)
	if err != nil {
		return stock.Movement{}, err
	}
	return p.Movement, t.publishStock(p)
}

// CreateMoveOrder orders a plate moved to a location.
func (t *Tx) CreateMoveOrder(o moves.MoveOrder) (moves.MoveOrder, error) {
	if err := exists(t.st.MoveOrder, o.ID, "move order"); err != nil {
		return o, err
	}
	o.Created = t.now()
	return moves.CreateMoveOrder(t.st, o)
}

// SetCountPolicy replaces the site's count policy.
func (t *Tx) SetCountPolicy(p counting.Policy) (counting.Policy, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, t.st.SetCountPolicy(p)
}

// PlanCounts opens a count of every location that is due.
func (t *Tx) PlanCounts() ([]counting.Task, error) { return counting.Plan(t.st, t.now(), wire.NewID) }

// StartCount opens a count of a location, or returns the one open there
// (stock.ErrNotFound for a location that does not exist). when zero
// means now.
func (t *Tx) StartCount(location string, when time.Time) (counting.Task, error) {
	if when.IsZero() {
		when = t.now()
	}
	return counting.StartCount(t.st, location, when, wire.NewID)
}

// CheckCount checks the lots of a count made over the API (a station's
// lots come from the GS1 parse of its scans); no store needed.
func CheckCount(lines []counting.Line) error {
	var v stock.Invalid
	for i, l := range lines {
		v = checkLots(v, "lines["+strconv.Itoa(i)+"].lot", l.Lot)
	}
	return v.Err()
}

// SubmitCount records a count of a task's location: a first count far off
// asks for a recount; a count that stands adjusts the ledger. when zero
// means now.
func (t *Tx) SubmitCount(id string, lines []counting.Line, reason, by string, when time.Time) (counting.Result, error) {
	if when.IsZero() {
		when = t.now()
	}
	res, err := counting.Submit(t.losing(), id, lines, reason, by, when, wire.NewID)
	if err != nil {
		return res, err
	}
	return res, t.publishStock(res.Movements...)
}

// ItemStock is one item's stock by status, location and lot, with its
// available and reserved totals.
type ItemStock struct {
	SKU        string                 `json:"sku"`
	OnHand     int64                  `json:"on_hand"`
	Available  int64                  `json:"available"`
	Reserved   int64                  `json:"reserved"`
	ByStatus   map[stock.Status]int64 `json:"by_status"`
	ByLocation map[string]int64       `json:"by_location"`
	ByLot      map[string]int64       `json:"by_lot"`
}

// StockOf sums an item's quants and pools with checked arithmetic: a
// total that does not fit is an error, never a wrapped number.
func (a *App) StockOf(ctx context.Context, sku string) (ItemStock, error) {
	out := ItemStock{SKU: sku, ByStatus: map[stock.Status]int64{}, ByLocation: map[string]int64{}, ByLot: map[string]int64{}}
	err := a.st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Item(sku); err != nil {
			return err
		}
		qs, err := tx.Quants("")
		if err != nil {
			return err
		}
		ok := true
		add := func(total *int64, q int64) {
			n, fits := stock.Add(*total, q)
			ok = ok && fits
			*total = n
		}
		addTo := func(m map[string]int64, k string, q int64) {
			n := m[k]
			add(&n, q)
			m[k] = n
		}
		for _, q := range qs {
			if q.SKU != sku {
				continue
			}
			add(&out.OnHand, q.Quantity)
			n := out.ByStatus[q.Status]
			add(&n, q.Quantity)
			out.ByStatus[q.Status] = n
			addTo(out.ByLocation, q.Location, q.Quantity)
			addTo(out.ByLot, q.Lot, q.Quantity)
		}
		pools, err := tx.Pools(sku)
		for _, p := range pools {
			add(&out.Available, p.Available)
			add(&out.Reserved, p.Reserved)
		}
		if !ok {
			return stock.Overflow("stock of " + sku)
		}
		return err
	})
	return out, err
}
