package kvstore

import (
	"errors"
	"time"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/moves"
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
func (t *tx) MoveOrder(id string) (moves.MoveOrder, error) {
	var o moves.MoveOrder
	return o, t.getJSON(pMoveOrder+id, &o)
}

// PutMoveOrder creates or replaces a move order.
func (t *tx) PutMoveOrder(o moves.MoveOrder) error { return t.putJSON(pMoveOrder+o.ID, o) }

// MoveOrders lists move orders by id.
func (t *tx) MoveOrders() ([]moves.MoveOrder, error) {
	return listJSON[moves.MoveOrder](t, pMoveOrder)
}

// CountTask returns a count task.
func (t *tx) CountTask(id string) (counting.Task, error) {
	var c counting.Task
	return c, t.getJSON(pCount+id, &c)
}

// PutCountTask creates or replaces a count task.
func (t *tx) PutCountTask(c counting.Task) error { return t.putJSON(pCount+c.ID, c) }

// CountTasks lists count tasks in creation order.
func (t *tx) CountTasks() ([]counting.Task, error) { return listJSON[counting.Task](t, pCount) }

// LastCounted is when a location was last counted (zero if never).
func (t *tx) LastCounted(location string) (time.Time, error) {
	var at time.Time
	err := t.getJSON(pLastCount+location, &at)
	if errors.Is(err, stock.ErrNotFound) {
		return time.Time{}, nil
	}
	return at, err
}

// SetLastCounted records when a location was counted.
func (t *tx) SetLastCounted(location string, at time.Time) error {
	return t.putJSON(pLastCount+location, at)
}

// CountPolicy is the site's count policy (counting.DefaultPolicy until set).
func (t *tx) CountPolicy() (counting.Policy, error) {
	var p counting.Policy
	err := t.getJSON(kPolicy, &p)
	if errors.Is(err, stock.ErrNotFound) {
		return counting.DefaultPolicy, nil
	}
	return p, err
}

// SetCountPolicy replaces the site's count policy.
func (t *tx) SetCountPolicy(p counting.Policy) error { return t.putJSON(kPolicy, p) }
