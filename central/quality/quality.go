// Package quality is incoming inspection: plans per supplier and item say
// whether a receipt is skipped, sampled (n of every N units) or fully
// inspected; a receipt that needs inspection enters stock in quarantine
// with an inspection task; the result moves the stock — pass to available,
// concession to available with the inspector's note, fail to to-return
// with a return-to-vendor document. Like package stock it works on a Tx
// supplied by the caller.
package quality

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Plan modes.
const (
	Skip   = "skip"
	Sample = "sample"
	Full   = "full"
)

// Plan says how receipts of an item from a supplier are inspected;
// Supplier or SKU "" matches any. The most specific plan wins.
type Plan struct {
	ID       string `json:"id"`
	Supplier string `json:"supplier,omitempty"`
	SKU      string `json:"sku,omitempty"`
	Mode     string `json:"mode"`
	// Sample units of every Of units received (mode sample).
	Sample int64 `json:"sample,omitempty"`
	Of     int64 `json:"of,omitempty"`
}

// Validate checks a plan's fields.
func (p Plan) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(p.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	}
	switch p.Mode {
	case Skip, Full:
	case Sample:
		if p.Sample <= 0 || p.Of < p.Sample {
			v.Add("sample", "sample n of N needs 0 < sample ≤ of")
		}
		v.Quantity("of", p.Of, 1)
	default:
		v.Add("mode", "%q is not skip, sample or full", p.Mode)
	}
	return v.Err()
}

// specificity ranks a plan that matches: supplier and item > item > supplier > any.
func (p Plan) specificity(supplier, sku string) int {
	if (p.Supplier != "" && p.Supplier != supplier) || (p.SKU != "" && p.SKU != sku) {
		return -1
	}
	n := 0
	if p.SKU != "" {
		n += 2
	}
	if p.Supplier != "" {
		n++
	}
	return n
}

// Task states and results.
const (
	Open       = "open"
	Done       = "done"
	Pass       = "pass"
	Fail       = "fail"
	Concession = "concession"
)

// Task is one inspection of a received licence plate.
type Task struct {
	ID         string     `json:"id"`
	Plan       string     `json:"plan"`
	Mode       string     `json:"mode"`
	Receipt    string     `json:"receipt"`
	Supplier   string     `json:"supplier,omitempty"`
	ASN        string     `json:"asn,omitempty"`
	PO         string     `json:"po,omitempty"`
	LPN        string     `json:"lpn"`
	SKU        string     `json:"sku"`
	Lot        string     `json:"lot,omitempty"`
	Quantity   int64      `json:"quantity"`
	SampleSize int64      `json:"sample_size"`
	Status     string     `json:"status"`
	Result     string     `json:"result,omitempty"`
	Note       string     `json:"note,omitempty"`
	By         string     `json:"by,omitempty"`
	Created    time.Time  `json:"created"`
	DoneAt     *time.Time `json:"done_at,omitempty"`
	Return     string     `json:"return,omitempty"` // return-to-vendor document
}

// Return is a return-to-vendor document for failed goods.
type Return struct {
	ID         string    `json:"id"`
	Supplier   string    `json:"supplier,omitempty"`
	ASN        string    `json:"asn,omitempty"`
	PO         string    `json:"po,omitempty"`
	Inspection string    `json:"inspection"`
	LPN        string    `json:"lpn"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot,omitempty"`
	Quantity   int64     `json:"quantity"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"` // open until shipped back
	Created    time.Time `json:"created"`
}

// Tx is what quality needs from the caller's transaction.
type Tx interface {
	Plans() ([]Plan, error)
	Inspection(id string) (Task, error)
	PutInspection(Task) error
	PutReturn(Return) error
	stock.Plates
	stock.Ledger
}

// Received describes a receipt for the inspection decision.
type Received struct {
	Receipt, Supplier, ASN, PO, LPN, SKU, Lot string
	Quantity                                  int64
	At                                        time.Time
}

// OnReceipt applies the most specific plan to a receipt. When inspection
// is needed it creates the task and returns quarantine, the status the
// stock must enter; otherwise available.
func OnReceipt(tx Tx, r Received, newID func() string) (stock.Status, error) {
	plans, err := tx.Plans()
	if err != nil {
		return "", err
	}
	var best *Plan
	rank := -1
	for i := range plans {
		if s := plans[i].specificity(r.Supplier, r.SKU); s > rank {
			best, rank = &plans[i], s
		}
	}
	if best == nil || best.Mode == Skip {
		return stock.Available, nil
	}
	size := r.Quantity
	if best.Mode == Sample {
		size = min(r.Quantity, (r.Quantity+best.Of-1)/best.Of*best.Sample)
	}
	t := Task{ID: newID(), Plan: best.ID, Mode: best.Mode, Receipt: r.Receipt, Supplier: r.Supplier, ASN: r.ASN, PO: r.PO,
		LPN: r.LPN, SKU: r.SKU, Lot: r.Lot, Quantity: r.Quantity, SampleSize: size, Status: Open, Created: r.At}
	return stock.Quarantine, tx.PutInspection(t)
}

// AlertQCFailed is the kind of alert a failed inspection raises (one of
// the MQTT contract's, wire.AlertKinds, which central/app's tests check).
const AlertQCFailed = "qc-failed"

// Outcome is what recording a result did. A failed inspection raises an
// AlertQCFailed alert.
type Outcome struct {
	Task      Task           `json:"inspection"`
	Return    *Return        `json:"return,omitempty"`
	Movements []stock.Posted `json:"movements"`
	Alerts    []stock.Alert  `json:"-"`
}

// Record records an inspection result and changes the status of the stock
// on the licence plate wherever it is now.
func Record(tx Tx, id, result, note, by string, at time.Time, newID func() string) (Outcome, error) {
	var v stock.Invalid
	if result != Pass && result != Fail && result != Concession {
		v.Add("result", "%q is not pass, fail or concession", result)
	}
	if by == "" {
		v.Add("by", "is required: who inspected")
	}
	if (result == Fail || result == Concession) && note == "" {
		v.Add("note", "say what was found")
	}
	if err := v.Err(); err != nil {
		return Outcome{}, err
	}
	t, err := tx.Inspection(id)
	if err != nil {
		return Outcome{}, fmt.Errorf("inspection %s: %w", id, err)
	}
	if t.Status != Open {
		return Outcome{}, stock.Invalid{{Field: "result", Reason: fmt.Sprintf("inspection %s already has result %s", id, t.Result)}}
	}
	lpn, err := tx.LPN(t.LPN)
	if err != nil {
		return Outcome{}, fmt.Errorf("licence plate %s: %w", t.LPN, err)
	}
	to := stock.Available
	reason := "qc-" + result
	out := Outcome{}
	if result == Fail {
		to = stock.ToReturn
		rtv := Return{ID: newID(), Supplier: t.Supplier, ASN: t.ASN, PO: t.PO, Inspection: t.ID, LPN: t.LPN, SKU: t.SKU, Lot: t.Lot,
			Reason: note, Status: Open, Created: at}
		out.Return = &rtv
		t.Return = rtv.ID
	}
	qs, err := tx.Quants(lpn.Location)
	if err != nil {
		return Outcome{}, err
	}
	for _, q := range qs {
		if q.LPN != lpn.Code || q.Status != stock.Quarantine {
			continue
		}
		posted, err := stock.Post(tx, stock.Movement{ID: newID(), At: at, SKU: q.SKU, Quantity: q.Quantity, From: q.Location, To: q.Location,
			LPN: q.LPN, Lot: q.Lot, Expiry: q.Expiry, Serial: q.Serial, FromStatus: q.Status, ToStatus: to, Reason: reason,
			Doc: t.ID, By: by, Note: note})
		if err != nil {
			return Outcome{}, fmt.Errorf("release %s: %w", lpn.Code, err)
		}
		out.Movements = append(out.Movements, posted)
		if out.Return != nil {
			var ok bool
			if out.Return.Quantity, ok = stock.Add(out.Return.Quantity, q.Quantity); !ok {
				return Outcome{}, stock.Overflow("return of " + lpn.Code)
			}
		}
	}
	if len(out.Movements) == 0 {
		return Outcome{}, stock.Invalid{{Field: "result", Reason: fmt.Sprintf("licence plate %s has no stock in quarantine", lpn.Code)}}
	}
	if out.Return != nil {
		if err := tx.PutReturn(*out.Return); err != nil {
			return Outcome{}, err
		}
		out.Alerts = append(out.Alerts, stock.Alert{Kind: AlertQCFailed, Severity: "warning", Ref: out.Return.ID,
			Message: "inspection " + t.ID + " failed: " + t.LPN + " is to be returned (" + note + ")"})
	}
	lpn.Status = to
	if err := tx.PutLPN(lpn); err != nil {
		return Outcome{}, err
	}
	t.Status, t.Result, t.Note, t.By, t.DoneAt = Done, result, note, by, &at
	out.Task = t
	return out, tx.PutInspection(t)
}
