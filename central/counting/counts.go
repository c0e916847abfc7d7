// Package counting is cycle counting: count tasks planned by ABC
// frequency, blind counting, a recount when the variance is above a
// threshold, and gain/loss adjustments with a reason. Every change goes
// through the ledger. Like package stock it works on a Tx supplied by the
// caller.
package counting

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Tx is what counting needs from the caller's transaction.
type Tx interface {
	stock.Tx
	CountTask(id string) (Task, error)
	PutCountTask(Task) error
	CountTasks() ([]Task, error)
	LastCounted(location string) (time.Time, error)
	SetLastCounted(location string, at time.Time) error
	CountPolicy() (Policy, error)
}

// Policy says how often locations are counted and when a count must be
// repeated.
type Policy struct {
	// Days between counts of a location by the best ABC class of the items
	// in it; items without a class count as C.
	Days map[string]int `json:"days"`
	// RecountPct: a first count whose variance on any line is above this
	// share of the expected quantity (or any variance where nothing was
	// expected) is counted again before stock is adjusted.
	RecountPct float64 `json:"recount_pct"`
}

// DefaultPolicy counts A locations monthly, B quarterly and C twice a year
// and asks for a recount above 2 %.
var DefaultPolicy = Policy{Days: map[string]int{"A": 30, "B": 90, "C": 180}, RecountPct: 2}

// Validate checks a policy's fields.
func (p Policy) Validate() error {
	var v stock.Invalid
	for _, c := range stock.ABCClasses {
		if p.Days[c] <= 0 {
			v.Add("days."+c, "must be a positive number of days")
		}
	}
	for c := range p.Days {
		if c != "A" && c != "B" && c != "C" {
			v.Add("days."+c, "only A, B and C are classes")
		}
	}
	if p.RecountPct < 0 || p.RecountPct > 100 {
		v.Add("recount_pct", "must be between 0 and 100")
	}
	return v.Err()
}

// Count task states.
const (
	CountOpen    = "open"
	CountRecount = "recount"
	CountDone    = "done"
)

// Line is one counted (or expected) quantity of an item and lot.
type Line struct {
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Quantity int64  `json:"quantity"`
}

// Task is the count of one location. Counts are blind: the API shows
// Expected only once the task is done.
type Task struct {
	ID       string     `json:"id"`
	Location string     `json:"location"`
	Class    string     `json:"class"`
	Status   string     `json:"status"`
	Attempts [][]Line   `json:"attempts"`
	Expected []Line     `json:"expected,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	By       string     `json:"by,omitempty"`
	Created  time.Time  `json:"created"`
	DoneAt   *time.Time `json:"done_at,omitempty"`
}

// Blind hides what the system expects until the count is done.
func (t Task) Blind() Task {
	if t.Status != CountDone {
		t.Expected = nil
	}
	return t
}

// Plan creates a count task for every storage location with stock that
// is due under the policy and has no open task.
func Plan(tx Tx, now time.Time, newID func() string) ([]Task, error) {
	p, err := tx.CountPolicy()
	if err != nil {
		return nil, err
	}
	tasks, err := tx.CountTasks()
	if err != nil {
		return nil, err
	}
	busy := map[string]bool{}
	for _, t := range tasks {
		busy[t.Location] = busy[t.Location] || t.Status != CountDone
	}
	locs, err := tx.Locations()
	if err != nil {
		return nil, err
	}
	var out []Task
	for _, l := range locs {
		if !l.Type.Storage() || busy[l.Code] {
			continue
		}
		class, err := classOf(tx, l.Code)
		if err != nil || class == "" {
			if err != nil {
				return nil, err
			}
			continue // empty
		}
		last, err := tx.LastCounted(l.Code)
		if err != nil {
			return nil, err
		}
		if !last.IsZero() && now.Sub(last) < time.Duration(p.Days[class])*24*time.Hour {
			continue
		}
		t := Task{ID: newID(), Location: l.Code, Class: class, Status: CountOpen, Created: now}
		if err := tx.PutCountTask(t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// classOf is the best ABC class of the items at a location ("" if empty).
func classOf(tx Tx, loc string) (string, error) {
	qs, err := tx.Quants(loc)
	if err != nil {
		return "", err
	}
	best := ""
	for _, q := range qs {
		it, err := tx.Item(q.SKU)
		if err != nil {
			return "", fmt.Errorf("item %s at %s: %w", q.SKU, loc, err)
		}
		c := it.ABC
		if c == "" {
			c = "C"
		}
		if best == "" || c < best {
			best = c
		}
	}
	return best, nil
}

// StartCount opens an unplanned count of a location (a count station scan
// of a location with no open task).
func StartCount(tx Tx, location string, now time.Time, newID func() string) (Task, error) {
	if _, err := tx.Location(location); err != nil {
		return Task{}, fmt.Errorf("location %s: %w", location, err)
	}
	tasks, err := tx.CountTasks()
	if err != nil {
		return Task{}, err
	}
	for _, t := range tasks {
		if t.Location == location && t.Status != CountDone {
			return t, nil
		}
	}
	class, err := classOf(tx, location)
	if err != nil {
		return Task{}, err
	}
	t := Task{ID: newID(), Location: location, Class: class, Status: CountOpen, Created: now}
	return t, tx.PutCountTask(t)
}

// Result is what submitting a count did.
type Result struct {
	Task      Task           `json:"task"`
	Recount   bool           `json:"recount"`
	Movements []stock.Posted `json:"movements"`
}

type lotKey struct{ sku, lot string }

// Submit records a count of a task's location. Items the counter did not
// list were not found (counted zero). A first count with a variance above
// the policy's threshold asks for a recount and changes no stock; a
// count that stands adjusts the ledger: gains into available stock, losses
// from available stock first; reason is required when anything changes.
func Submit(tx Tx, id string, counted []Line, reason, by string, at time.Time, newID func() string) (Result, error) {
	var v stock.Invalid
	if by == "" {
		v.Add("by", "is required: who counted")
	}
	seen := map[lotKey]bool{}
	for i, l := range counted {
		v.Quantity(fmt.Sprintf("lines[%d].quantity", i), l.Quantity, 0)
		if seen[lotKey{l.SKU, l.Lot}] {
			v.Add(fmt.Sprintf("lines[%d]", i), "%s lot %q is listed twice", l.SKU, l.Lot)
		} else if _, err := tx.Item(l.SKU); errors.Is(err, stock.ErrNotFound) {
			v.Add(fmt.Sprintf("lines[%d].sku", i), "item %q does not exist", l.SKU)
		} else if err != nil {
			return Result{}, err
		}
		seen[lotKey{l.SKU, l.Lot}] = true
	}
	if err := v.Err(); err != nil {
		return Result{}, err
	}
	t, err := tx.CountTask(id)
	if err != nil {
		return Result{}, fmt.Errorf("count %s: %w", id, err)
	}
	if t.Status == CountDone {
		return Result{}, stock.Invalid{{Field: "status", Reason: "count " + id + " is already done"}}
	}
	p, err := tx.CountPolicy()
	if err != nil {
		return Result{}, err
	}
	qs, err := tx.Quants(t.Location)
	if err != nil {
		return Result{}, err
	}
	expected := map[lotKey]int64{}
	for _, q := range qs {
		k := lotKey{q.SKU, q.Lot}
		var ok bool
		if expected[k], ok = stock.Add(expected[k], q.Quantity); !ok {
			return Result{}, stock.Overflow("stock of " + q.SKU + " at " + t.Location)
		}
	}
	got := map[lotKey]int64{}
	for _, l := range counted {
		got[lotKey{l.SKU, l.Lot}] = l.Quantity
	}
	keys := map[lotKey]bool{}
	for k := range expected {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var ordered []lotKey
	varies, tooMuch := false, false
	for k := range keys {
		ordered = append(ordered, k)
		d := got[k] - expected[k]
		if d != 0 {
			varies = true
			if expected[k] == 0 || math.Abs(float64(d)) > float64(expected[k])*p.RecountPct/100 {
				tooMuch = true
			}
		}
	}
	sort.Slice(ordered, func(i, j int) bool {
		return ordered[i].sku < ordered[j].sku || ordered[i].sku == ordered[j].sku && ordered[i].lot < ordered[j].lot
	})
	t.Attempts = append(t.Attempts, counted)
	if tooMuch && len(t.Attempts) == 1 {
		t.Status = CountRecount
		return Result{Task: t.Blind(), Recount: true}, tx.PutCountTask(t)
	}
	if varies && reason == "" {
		return Result{}, stock.Invalid{{Field: "reason", Reason: "the count differs from stock: give a reason (damaged, miscount, found, theft, …)"}}
	}
	res := Result{}
	t.Expected = nil
	for _, k := range ordered {
		t.Expected = append(t.Expected, Line{SKU: k.sku, Lot: k.lot, Quantity: expected[k]})
		d := got[k] - expected[k]
		var ms []stock.Posted
		var err error
		switch {
		case d > 0:
			ms, err = gain(tx, t, k, d, qs, reason, by, at, newID)
		case d < 0:
			ms, err = lose(tx, t, k, -d, qs, reason, by, at, newID)
		}
		if err != nil {
			return Result{}, err
		}
		res.Movements = append(res.Movements, ms...)
	}
	t.Status, t.Reason, t.By, t.DoneAt = CountDone, reason, by, &at
	if err := tx.SetLastCounted(t.Location, at); err != nil {
		return Result{}, err
	}
	res.Task = t
	return res, tx.PutCountTask(t)
}

func gain(tx Tx, t Task, k lotKey, n int64, qs []stock.Quant, reason, by string, at time.Time, newID func() string) ([]stock.Posted, error) {
	expiry := ""
	for _, q := range qs {
		if q.SKU == k.sku && q.Lot == k.lot {
			expiry = q.Expiry
			break
		}
	}
	posted, err := stock.Post(tx, stock.Movement{ID: newID(), At: at, SKU: k.sku, Quantity: n, To: t.Location, Lot: k.lot, Expiry: expiry,
		ToStatus: stock.Available, Reason: "count-gain", Doc: t.ID, By: by, Note: reason})
	if err != nil {
		return nil, fmt.Errorf("count gain of %s at %s: %w", k.sku, t.Location, err)
	}
	return []stock.Posted{posted}, nil
}

// lose takes n from the quants of an item and lot, available ones first.
func lose(tx Tx, t Task, k lotKey, n int64, qs []stock.Quant, reason, by string, at time.Time, newID func() string) ([]stock.Posted, error) {
	var from []stock.Quant
	for _, q := range qs {
		if q.SKU == k.sku && q.Lot == k.lot {
			from = append(from, q)
		}
	}
	sort.SliceStable(from, func(i, j int) bool { return from[i].Status == stock.Available && from[j].Status != stock.Available })
	var out []stock.Posted
	for _, q := range from {
		take := min(n, q.Quantity)
		if take == 0 {
			break
		}
		posted, err := stock.Post(tx, stock.Movement{ID: newID(), At: at, SKU: q.SKU, Quantity: take, From: q.Location, LPN: q.LPN, Lot: q.Lot,
			Expiry: q.Expiry, Serial: q.Serial, FromStatus: q.Status, Reason: "count-loss", Doc: t.ID, By: by, Note: reason})
		if err != nil {
			return nil, fmt.Errorf("count loss of %s at %s: %w", k.sku, t.Location, err)
		}
		out = append(out, posted)
		n -= take
	}
	return out, nil
}
