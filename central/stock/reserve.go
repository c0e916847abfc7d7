package stock

import (
	"errors"
	"fmt"
	"time"
)

// Reservation promises stock to one order line: Quantity units of SKU
// from a pool (the item in a warehouse, optionally one lot). It is made
// against available-to-promise, before any bin is chosen; Quants are the
// parts of it later bound to particular quants (allocation: which bin,
// plate and lot will be picked). The kernel keeps, at every commit:
//
//	Σ reservations of a pool            ≤ available stock of the pool
//	Σ quant reservations on one quant   ≤ the quant
//	Σ quant reservations of a line      ≤ the line's Quantity
//
// and Apply refuses any movement that would break the first two.
type Reservation struct {
	ID        string `json:"id"`
	Order     string `json:"order"`
	Line      string `json:"line"`
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse,omitempty"`
	Lot       string `json:"lot,omitempty"`
	// MinExpiry, when set, is the earliest expiry (YYYY-MM-DD) of the
	// stock that may fill the reservation (a minimum remaining shelf
	// life); stock without an expiry always may.
	MinExpiry string             `json:"min_expiry,omitempty"`
	Quantity  int64              `json:"quantity"`
	Quants    []QuantReservation `json:"quants,omitempty"`
	Created   time.Time          `json:"created"`
}

// QuantReservation is the part of a reservation held on one quant.
type QuantReservation struct {
	QuantKey
	Quantity int64 `json:"quantity"`
}

// Pool is the pool the reservation promises from.
func (r Reservation) Pool() Pool { return Pool{SKU: r.SKU, Warehouse: r.Warehouse} }

// Fits reports whether stock of quant k meets the reservation's lot and
// shelf life (its item, status and warehouse aside).
func (r Reservation) Fits(k QuantKey) bool {
	return (r.Lot == "" || k.Lot == r.Lot) && (r.MinExpiry == "" || k.Expiry == "" || k.Expiry >= r.MinExpiry)
}

// Allocated is how much of the reservation is bound to quants.
func (r Reservation) Allocated() int64 {
	var n int64
	for _, q := range r.Quants {
		n += q.Quantity // each ≤ Quantity ≤ MaxQuantity, and their sum ≤ Quantity
	}
	return n
}

// Reservations is what the reservation rules need of the caller's
// transaction: the projection, the reservation records and the totals kept
// beside them.
type Reservations interface {
	Projection
	// Reservation returns a reservation (ErrNotFound when none).
	Reservation(id string) (Reservation, error)
	PutReservation(Reservation) error
	DeleteReservation(id string) error
	// SetReserved stores a pool's reserved total; zero removes it.
	SetReserved(p Pool, qty int64) error
	// SetAllocated stores what reservations hold on a quant; zero removes it.
	SetAllocated(k QuantKey, qty int64) error
}

// AvailableToPromise is what a new reservation could take from a pool.
func AvailableToPromise(p Projection, pool Pool) (int64, error) {
	avail, err := p.Available(pool)
	if err != nil {
		return 0, err
	}
	res, err := p.Reserved(pool)
	return max(avail-res, 0), err
}

// Reserve records r, a new reservation of an order line, if its pool has
// that much available to promise; otherwise it returns ErrReserved and
// changes nothing.
func Reserve(tx Reservations, r Reservation) (Reservation, error) {
	var v Invalid
	if !ValidCode(r.ID) {
		v.Add("id", "must be %s", CodeRule)
	} else if _, err := tx.Reservation(r.ID); err == nil {
		v.Add("id", "reservation %s already exists", r.ID)
	} else if !errors.Is(err, ErrNotFound) {
		return r, err
	}
	if r.SKU == "" {
		v.Add("sku", "is required")
	}
	v.Quantity("quantity", r.Quantity, 1)
	if len(r.Quants) > 0 {
		v.Add("quants", "are bound by Allocate, not at reservation")
	}
	if err := v.Err(); err != nil {
		return r, err
	}
	pool := r.Pool()
	res, err := tx.Reserved(pool)
	if err != nil {
		return r, fmt.Errorf("read reservations: %w", err)
	}
	avail, err := tx.Available(pool)
	if err != nil {
		return r, fmt.Errorf("read available: %w", err)
	}
	total, ok := Add(res, r.Quantity)
	switch {
	case !ok:
		return r, fmt.Errorf("%w: reserve %d of %s on top of %d", ErrTooLarge, r.Quantity, pool, res)
	case total > avail:
		return r, fmt.Errorf("%w: reserve %d of %s: %d available, %d already reserved", ErrReserved, r.Quantity, pool, avail, res)
	}
	if err := tx.SetReserved(pool, total); err != nil {
		return r, err
	}
	return r, tx.PutReservation(r)
}

// Allocate binds qty of reservation id to quant k: available stock of the
// reservation's item (and lot) in its warehouse that no other reservation
// holds. Picking that quant later consumes the allocation.
func Allocate(tx Reservations, id string, k QuantKey, qty int64) (Reservation, error) {
	r, err := tx.Reservation(id)
	if err != nil {
		return r, err
	}
	var v Invalid
	v.Quantity("quantity", qty, 1)
	wh, err := tx.Warehouse(k.Location)
	if err != nil {
		return r, err
	}
	switch {
	case k.SKU != r.SKU || k.Status != Available || wh != r.Warehouse || !r.Fits(k):
		v.Add("quant", "%+v is not available stock of %s lot %q expiring from %q in warehouse %q", k, r.SKU, r.Lot, r.MinExpiry, r.Warehouse)
	case r.Allocated()+qty > r.Quantity:
		v.Add("quantity", "reservation %s has %d of %d allocated; %d more is too much", id, r.Allocated(), r.Quantity, qty)
	}
	if err := v.Err(); err != nil {
		return r, err
	}
	have, err := tx.Quant(k)
	if err != nil {
		return r, err
	}
	held, err := tx.Allocated(k)
	if err != nil {
		return r, err
	}
	if held+qty > have {
		return r, fmt.Errorf("%w: %+v holds %d, %d already allocated, %d more asked", ErrReserved, k, have, held, qty)
	}
	if err := tx.SetAllocated(k, held+qty); err != nil {
		return r, err
	}
	i := 0
	for i < len(r.Quants) && r.Quants[i].QuantKey != k {
		i++
	}
	if i == len(r.Quants) {
		r.Quants = append(r.Quants, QuantReservation{QuantKey: k})
	}
	r.Quants[i].Quantity += qty
	return r, tx.PutReservation(r)
}

// Release gives back qty of reservation id (a cancelled line, a line
// shipped or changed): what is not bound to quants first, then its quant
// reservations, the last bound first. A reservation released in full is
// removed.
func Release(tx Reservations, id string, qty int64) (Reservation, error) {
	r, err := tx.Reservation(id)
	if err != nil {
		return r, err
	}
	if qty < 1 || qty > r.Quantity {
		return r, Invalid{{Field: "quantity", Reason: fmt.Sprintf("must be 1 to %d, the reservation's quantity; got %d", r.Quantity, qty)}}
	}
	res, err := tx.Reserved(r.Pool())
	if err != nil {
		return r, err
	}
	if err := tx.SetReserved(r.Pool(), res-qty); err != nil {
		return r, err
	}
	free := r.Quantity - r.Allocated()
	r.Quantity -= qty
	for unbind := qty - free; unbind > 0; {
		last := &r.Quants[len(r.Quants)-1]
		take := min(unbind, last.Quantity)
		held, err := tx.Allocated(last.QuantKey)
		if err != nil {
			return r, err
		}
		if err := tx.SetAllocated(last.QuantKey, held-take); err != nil {
			return r, err
		}
		last.Quantity -= take
		unbind -= take
		if last.Quantity == 0 {
			r.Quants = r.Quants[:len(r.Quants)-1]
		}
	}
	if r.Quantity == 0 {
		return r, tx.DeleteReservation(id)
	}
	return r, tx.PutReservation(r)
}
