// Package moves is internal moves inside the warehouse: move orders (a
// plate to a location, confirmed by scanning the plate and then the
// location at a putaway station) and direct moves of a quantity, recorded
// as they are made. Every change goes through the ledger. Like package
// stock it works on a Tx supplied by the caller.
package moves

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Tx is what moves need from the caller's transaction.
type Tx interface {
	stock.Tx
	MoveOrder(id string) (MoveOrder, error)
	PutMoveOrder(MoveOrder) error
}

// Move order states.
const (
	MoveOpen      = "open"
	MoveDone      = "done"
	MoveCancelled = "cancelled"
)

// MoveOrder asks for a licence plate to be moved to a location; a worker
// confirms it at a putaway station by scanning the plate, then the
// location (another valid location is accepted and recorded).
type MoveOrder struct {
	ID      string     `json:"id"`
	LPN     string     `json:"lpn"`
	From    string     `json:"from"`
	To      string     `json:"to"`
	Reason  string     `json:"reason"`
	Status  string     `json:"status"`
	By      string     `json:"by"`
	Created time.Time  `json:"created"`
	DoneAt  *time.Time `json:"done_at,omitempty"`
	MovedTo string     `json:"moved_to,omitempty"`
}

// CreateMoveOrder validates and stores a move order and marks the plate
// with its target.
func CreateMoveOrder(tx Tx, o MoveOrder) (MoveOrder, error) {
	var v stock.Invalid
	if !stock.ValidCode(o.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	} else if _, err := tx.MoveOrder(o.ID); err == nil {
		v.Add("id", "move order %s already exists", o.ID)
	}
	lpn, err := tx.LPN(o.LPN)
	switch {
	case errors.Is(err, stock.ErrNotFound):
		v.Add("lpn", "licence plate %q does not exist", o.LPN)
	case err != nil:
		return o, err
	case lpn.MoveOrder != "":
		v.Add("lpn", "licence plate %s already has move order %s", o.LPN, lpn.MoveOrder)
	case lpn.Putaway != "":
		v.Add("lpn", "licence plate %s is waiting for putaway to %s", o.LPN, lpn.Putaway)
	}
	if to, err := tx.Location(o.To); errors.Is(err, stock.ErrNotFound) {
		v.Add("to", "location %q does not exist", o.To)
	} else if err != nil {
		return o, err
	} else if to.Code == lpn.Location {
		v.Add("to", "licence plate %s is already at %s", o.LPN, o.To)
	}
	if o.Reason == "" {
		v.Add("reason", "is required (replenish, consolidate, relocate, …)")
	}
	if o.By == "" {
		v.Add("by", "is required: who orders the move")
	}
	if o.Status != "" || o.DoneAt != nil || o.MovedTo != "" {
		v.Add("status", "status, done_at and moved_to are kept by central")
	}
	if err := v.Err(); err != nil {
		return o, err
	}
	o.Status, o.From = MoveOpen, lpn.Location
	lpn.Putaway, lpn.MoveOrder = o.To, o.ID
	if err := tx.PutLPN(lpn); err != nil {
		return o, err
	}
	return o, tx.PutMoveOrder(o)
}

// CompleteMove records that a move order's plate arrived at location.
func CompleteMove(tx Tx, id, location string, at time.Time) error {
	o, err := tx.MoveOrder(id)
	if err != nil {
		return fmt.Errorf("move order %s: %w", id, err)
	}
	o.Status, o.DoneAt, o.MovedTo = MoveDone, &at, location
	return tx.PutMoveOrder(o)
}

// Move is a direct move of a quantity, recorded as it is made.
type Move struct {
	SKU      string       `json:"sku"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Quantity int64        `json:"quantity"`
	LPN      string       `json:"lpn,omitempty"`
	Lot      string       `json:"lot,omitempty"`
	Expiry   string       `json:"expiry,omitempty"`
	Serial   string       `json:"serial,omitempty"`
	Status   stock.Status `json:"status,omitempty"` // default available
	Reason   string       `json:"reason"`
	By       string       `json:"by"`
}

// MoveNow moves a quantity between locations; a plate that leaves its
// location entirely follows it.
func MoveNow(tx Tx, m Move, at time.Time, newID func() string) (stock.Posted, error) {
	var v stock.Invalid
	if m.Status == "" {
		m.Status = stock.Available
	}
	for _, f := range []struct{ name, code string }{{"from", m.From}, {"to", m.To}} {
		if _, err := tx.Location(f.code); errors.Is(err, stock.ErrNotFound) {
			v.Add(f.name, "location %q does not exist", f.code)
		} else if err != nil {
			return stock.Posted{}, err
		}
	}
	v.Quantity("quantity", m.Quantity, 1)
	if !m.Status.Valid() {
		v.Add("status", "%q is not a stock status", m.Status)
	}
	if m.Reason == "" {
		v.Add("reason", "is required")
	}
	if m.By == "" {
		v.Add("by", "is required: who moved it")
	}
	if err := v.Err(); err != nil {
		return stock.Posted{}, err
	}
	posted, err := stock.Post(tx, stock.Movement{ID: newID(), At: at, SKU: m.SKU, Quantity: m.Quantity, From: m.From, To: m.To, LPN: m.LPN,
		Lot: m.Lot, Expiry: m.Expiry, Serial: m.Serial, FromStatus: m.Status, ToStatus: m.Status, Reason: "move", Note: m.Reason, By: m.By})
	if errors.Is(err, stock.ErrInsufficient) || errors.Is(err, stock.ErrReserved) || errors.Is(err, stock.ErrTooLarge) {
		return stock.Posted{}, stock.Invalid{{Field: "quantity", Reason: err.Error()}}
	} else if err != nil {
		return stock.Posted{}, err
	}
	if m.LPN != "" {
		if err := followPlate(tx, m.LPN, m.From, m.To); err != nil {
			return stock.Posted{}, err
		}
	}
	return posted, nil
}

// followPlate moves a plate's record when nothing of it is left behind.
func followPlate(tx Tx, code, from, to string) error {
	lpn, err := tx.LPN(code)
	if errors.Is(err, stock.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	qs, err := tx.Quants(from)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.LPN == code {
			return nil
		}
	}
	lpn.Location = to
	return tx.PutLPN(lpn)
}
