// Package purchasing holds suppliers, purchase orders and their approval:
// rules by order amount and item category decide which levels must
// approve, in order; every change is kept in the order's audit trail; and
// the order's state follows draft → pending-approval → approved →
// partially-received → received, with closed and cancelled as ends.
// Receipts against an ASN that names the order book their quantities here.
// Like package stock it works on a Tx supplied by the caller.
package purchasing

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Supplier is a vendor goods are bought from.
type Supplier struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	// OverPct and UnderPct are the default receiving tolerances of the
	// supplier's ASNs, in percent.
	OverPct  float64   `json:"over_pct"`
	UnderPct float64   `json:"under_pct"`
	Created  time.Time `json:"created"`
}

// Validate checks a supplier's fields.
func (s Supplier) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(s.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	}
	if s.Name == "" || len(s.Name) > 200 {
		v.Add("name", "is required, at most 200 bytes")
	}
	if s.OverPct < 0 || s.OverPct > 100 {
		v.Add("over_pct", "must be between 0 and 100")
	}
	if s.UnderPct < 0 || s.UnderPct > 100 {
		v.Add("under_pct", "must be between 0 and 100")
	}
	return v.Err()
}

// ApprovalRule requires approval by Levels, in order, for orders of at
// least MinAmount (in cents) that contain an item of Category ("" = any).
type ApprovalRule struct {
	ID        string   `json:"id"`
	MinAmount int64    `json:"min_amount"`
	Category  string   `json:"category,omitempty"`
	Levels    []string `json:"levels"`
}

// Validate checks a rule's fields.
func (r ApprovalRule) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(r.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	}
	if r.MinAmount < 0 {
		v.Add("min_amount", "must not be negative")
	}
	if len(r.Levels) == 0 {
		v.Add("levels", "at least one approval level is required")
	}
	for i, l := range r.Levels {
		if !stock.ValidCode(l) {
			v.Add(fmt.Sprintf("levels[%d]", i), "must be a name such as supervisor or finance")
		}
	}
	return v.Err()
}

// PO states.
const (
	Draft             = "draft"
	PendingApproval   = "pending-approval"
	Approved          = "approved"
	PartiallyReceived = "partially-received"
	Received          = "received"
	Closed            = "closed"
	Cancelled         = "cancelled"
)

// MaxUnitPrice is the highest unit price, in cents, an order line may have.
const MaxUnitPrice = 999_999_999_999

// PO is a purchase order.
type PO struct {
	ID       string `json:"id"`
	Supplier string `json:"supplier"`
	Lines    []Line `json:"lines"`
	Currency string `json:"currency,omitempty"`
	Expected string `json:"expected,omitempty"` // YYYY-MM-DD
	// Amount is the order value in cents, from the lines.
	Amount int64  `json:"amount"`
	Status string `json:"status"`
	// Required are the approval levels the rules asked for at submission;
	// Approvals are those given, in order.
	Required  []string   `json:"required,omitempty"`
	Approvals []Approval `json:"approvals,omitempty"`
	History   []Event    `json:"history"`
	CreatedBy string     `json:"created_by"`
	Created   time.Time  `json:"created"`
}

// Line is one item on a purchase order.
type Line struct {
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unit_price"` // cents per base unit
	Received  int64  `json:"received"`
}

// Approval is one level's decision.
type Approval struct {
	Level string    `json:"level"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Event is one line of the audit trail: who did what, when, and the state
// before and after.
type Event struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

// Tx is what purchasing needs from the caller's transaction.
type Tx interface {
	Item(sku string) (stock.Item, error)
	Supplier(id string) (Supplier, error)
	PO(id string) (PO, error)
	PutPO(PO) error
	ApprovalRules() ([]ApprovalRule, error)
}

// Actor is who does something, and when.
type Actor struct {
	By   string
	At   time.Time
	Note string
}

func (a Actor) check() error {
	if a.By == "" || len(a.By) > 64 {
		return stock.Invalid{{Field: "by", Reason: "is required: who does this (at most 64 characters)"}}
	}
	return nil
}

// CreatePO validates and stores a new draft order.
func CreatePO(tx Tx, po PO, who Actor) (PO, error) {
	var v stock.Invalid
	if err := who.check(); err != nil {
		v = append(v, err.(stock.Invalid)...)
	}
	if !stock.ValidCode(po.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	} else if _, err := tx.PO(po.ID); err == nil {
		v.Add("id", "purchase order %s already exists", po.ID)
	} else if !errors.Is(err, stock.ErrNotFound) {
		return po, err
	}
	if _, err := tx.Supplier(po.Supplier); errors.Is(err, stock.ErrNotFound) {
		v.Add("supplier", "supplier %q does not exist", po.Supplier)
	} else if err != nil {
		return po, err
	}
	if len(po.Lines) == 0 {
		v.Add("lines", "at least one line is required")
	}
	seen := map[string]bool{}
	po.Amount = 0
	for i, l := range po.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		if _, err := tx.Item(l.SKU); errors.Is(err, stock.ErrNotFound) {
			v.Add(f+"sku", "item %q does not exist", l.SKU)
		} else if err != nil {
			return po, err
		} else if seen[l.SKU] {
			v.Add(f+"sku", "%s is listed twice", l.SKU)
		}
		seen[l.SKU] = true
		v.Quantity(f+"quantity", l.Quantity, 1)
		if l.UnitPrice < 0 || l.UnitPrice > MaxUnitPrice {
			v.Add(f+"unit_price", "must be 0 to %d cents", int64(MaxUnitPrice))
		}
		if l.Received != 0 {
			v.Add(f+"received", "is kept by central")
		}
		amount, ok := stock.Mul(l.Quantity, l.UnitPrice)
		total, fits := stock.Add(po.Amount, amount)
		if !ok || !fits {
			v.Add(f+"unit_price", "quantity × unit_price makes the order's amount too large to count")
		}
		po.Amount = total
	}
	if po.Expected != "" {
		if _, err := time.Parse(time.DateOnly, po.Expected); err != nil {
			v.Add("expected", "%q is not a date like 2027-03-31", po.Expected)
		}
	}
	if po.Status != "" || len(po.Approvals) > 0 || len(po.History) > 0 || len(po.Required) > 0 {
		v.Add("status", "status, required, approvals and history are kept by central")
	}
	if err := v.Err(); err != nil {
		return po, err
	}
	po.Status, po.CreatedBy, po.Created = Draft, who.By, who.At
	po.record(who, "create", "", Draft)
	return po, tx.PutPO(po)
}

func (po *PO) record(who Actor, action, from, to string) {
	po.History = append(po.History, Event{At: who.At, By: who.By, Action: action, From: from, To: to, Note: who.Note})
	po.Status = to
}

// Action names for Act.
const (
	ActSubmit  = "submit"
	ActApprove = "approve"
	ActReject  = "reject"
	ActCancel  = "cancel"
	ActClose   = "close"
)

// Act applies an action to a purchase order: submit (draft → pending
// approval, or straight to approved when no rule applies), approve (the
// next required level; the creator and anyone who approved a lower level
// may not), reject (back to draft), cancel (before anything is received)
// and close (ends receiving). A wrong action for the state is a field
// error on "action"; nothing changes.
func Act(tx Tx, id, action, level string, who Actor) (PO, error) {
	if err := who.check(); err != nil {
		return PO{}, err
	}
	po, err := tx.PO(id)
	if err != nil {
		return po, fmt.Errorf("purchase order %s: %w", id, err)
	}
	wrong := func(format string, a ...any) (PO, error) {
		return po, stock.Invalid{{Field: "action", Reason: fmt.Sprintf(format, a...)}}
	}
	from := po.Status
	switch action {
	case ActSubmit:
		if from != Draft {
			return wrong("only a draft can be submitted; %s is %s", id, from)
		}
		req, err := requiredLevels(tx, po)
		if err != nil {
			return po, err
		}
		po.Required, po.Approvals = req, nil
		to := PendingApproval
		if len(req) == 0 {
			to = Approved
		}
		po.record(who, action, from, to)
	case ActApprove:
		if from != PendingApproval {
			return wrong("%s is %s, not pending approval", id, from)
		}
		next := po.Required[len(po.Approvals)]
		if level != next {
			return wrong("the next approval of %s is by level %s, not %q", id, next, level)
		}
		if who.By == po.CreatedBy {
			return wrong("%s created %s and may not approve it", who.By, id)
		}
		if slices.ContainsFunc(po.Approvals, func(a Approval) bool { return a.By == who.By }) {
			return wrong("%s already approved %s at another level", who.By, id)
		}
		po.Approvals = append(po.Approvals, Approval{Level: level, By: who.By, At: who.At, Note: who.Note})
		to := PendingApproval
		if len(po.Approvals) == len(po.Required) {
			to = Approved
		}
		po.record(who, action+" "+level, from, to)
	case ActReject:
		if from != PendingApproval {
			return wrong("%s is %s, not pending approval", id, from)
		}
		if who.Note == "" {
			return po, stock.Invalid{{Field: "note", Reason: "say why the order is rejected"}}
		}
		po.Approvals = nil
		po.record(who, action, from, Draft)
	case ActCancel:
		if from != Draft && from != PendingApproval && from != Approved {
			return wrong("%s is %s and can no longer be cancelled", id, from)
		}
		po.record(who, action, from, Cancelled)
	case ActClose:
		if from != Approved && from != PartiallyReceived && from != Received {
			return wrong("%s is %s; only approved or received orders are closed", id, from)
		}
		po.record(who, action, from, Closed)
	default:
		return wrong("%q is not one of submit, approve, reject, cancel, close", action)
	}
	return po, tx.PutPO(po)
}

// requiredLevels collects the levels of every rule the order meets, in
// rule order, each once.
func requiredLevels(tx Tx, po PO) ([]string, error) {
	rules, err := tx.ApprovalRules()
	if err != nil {
		return nil, err
	}
	cats := map[string]bool{}
	for _, l := range po.Lines {
		it, err := tx.Item(l.SKU)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", l.SKU, err)
		}
		cats[it.Category] = true
	}
	var out []string
	for _, r := range rules {
		if po.Amount < r.MinAmount || (r.Category != "" && !cats[r.Category]) {
			continue
		}
		for _, l := range r.Levels {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// CheckReceivable says why an ASN may not name po ("" if it may): the
// order must exist, be approved or partly received, and be the supplier's.
func CheckReceivable(tx Tx, id, supplier string) (string, error) {
	po, err := tx.PO(id)
	if errors.Is(err, stock.ErrNotFound) {
		return "", nil // an order kept only in the ERP
	} else if err != nil {
		return "", err
	}
	if po.Status != Approved && po.Status != PartiallyReceived {
		return fmt.Sprintf("purchase order %s is %s, not approved", id, po.Status), nil
	}
	if supplier != "" && supplier != po.Supplier {
		return fmt.Sprintf("purchase order %s is from %s, not %s", id, po.Supplier, supplier), nil
	}
	return "", nil
}

// Receive books qty of sku received against an order and moves it to
// partially received or received. Orders central does not know are left
// alone (they live in the ERP).
func Receive(tx Tx, id, sku string, qty int64, at time.Time) error {
	po, err := tx.PO(id)
	if errors.Is(err, stock.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	done := true
	for i := range po.Lines {
		if po.Lines[i].SKU == sku {
			var ok bool
			if po.Lines[i].Received, ok = stock.Add(po.Lines[i].Received, qty); !ok {
				return stock.Overflow("received quantity of " + id + " " + sku)
			}
		}
		done = done && po.Lines[i].Received >= po.Lines[i].Quantity
	}
	to := PartiallyReceived
	if done {
		to = Received
	}
	if to != po.Status && (po.Status == Approved || po.Status == PartiallyReceived) {
		po.record(Actor{By: "receiving", At: at}, "receive", po.Status, to)
	}
	return tx.PutPO(po)
}
