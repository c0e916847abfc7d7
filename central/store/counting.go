package store

import (
	"errors"
	"time"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/stock"
)

// Records of moves and cycle counts.
const (
	pMoveOrder = "mo/"
	pCount     = "cnt/"
	pLastCount = "cntlast/"
	kPolicy    = "meta/countpolicy"
)

// MoveOrder returns a move order.
func (t *Tx) MoveOrder(id string) (counting.MoveOrder, error) {
	var o counting.MoveOrder
	return o, t.getJSON(pMoveOrder+id, &o)
}

// PutMoveOrder creates or replaces a move order.
func (t *Tx) PutMoveOrder(o counting.MoveOrder) error { return t.putJSON(pMoveOrder+o.ID, o) }

// MoveOrders lists move orders by id.
func (t *Tx) MoveOrders() ([]counting.MoveOrder, error) {
	return listJSON[counting.MoveOrder](t, pMoveOrder)
}

// CountTask returns a count task.
func (t *Tx) CountTask(id string) (counting.Task, error) {
	var c counting.Task
	return c, t.getJSON(pCount+id, &c)
}

// PutCountTask creates or replaces a count task.
func (t *Tx) PutCountTask(c counting.Task) error { return t.putJSON(pCount+c.ID, c) }

// CountTasks lists count tasks in creation order.
func (t *Tx) CountTasks() ([]counting.Task, error) { return listJSON[counting.Task](t, pCount) }

// LastCounted is when a location was last counted (zero if never).
func (t *Tx) LastCounted(location string) (time.Time, error) {
	var at time.Time
	err := t.getJSON(pLastCount+location, &at)
	if errors.Is(err, stock.ErrNotFound) {
		return time.Time{}, nil
	}
	return at, err
}

// SetLastCounted records when a location was counted.
func (t *Tx) SetLastCounted(location string, at time.Time) error {
	return t.putJSON(pLastCount+location, at)
}

// CountPolicy is the site's count policy (counting.DefaultPolicy until set).
func (t *Tx) CountPolicy() (counting.Policy, error) {
	var p counting.Policy
	err := t.getJSON(kPolicy, &p)
	if errors.Is(err, stock.ErrNotFound) {
		return counting.DefaultPolicy, nil
	}
	return p, err
}

// SetCountPolicy replaces the site's count policy.
func (t *Tx) SetCountPolicy(p counting.Policy) error { return t.putJSON(kPolicy, p) }
