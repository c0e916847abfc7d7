package app

import (
	"github.com/dockhand/dockhand/central/purchasing"
)

// CheckSupplier checks a supplier's fields and that the pallet label can
// print its id; no store needed.
func CheckSupplier(s purchasing.Supplier) error { return merge(s.Validate(), checkSupplier(s)) }

// CreateSupplier creates a supplier.
func (t *Tx) CreateSupplier(s purchasing.Supplier) (purchasing.Supplier, error) {
	if err := CheckSupplier(s); err != nil {
		return s, err
	}
	if err := exists(t.st.Supplier, s.ID, "supplier"); err != nil {
		return s, err
	}
	s.Created = t.now()
	return s, t.st.PutSupplier(s)
}

// CreateApprovalRule creates an approval rule.
func (t *Tx) CreateApprovalRule(r purchasing.ApprovalRule) (purchasing.ApprovalRule, error) {
	if err := r.Validate(); err != nil {
		return r, err
	}
	if err := exists(t.st.ApprovalRule, r.ID, "approval rule"); err != nil {
		return r, err
	}
	return r, t.st.PutApprovalRule(r)
}

// CreatePO creates a draft purchase order on behalf of by.
func (t *Tx) CreatePO(po purchasing.PO, by string) (purchasing.PO, error) {
	if err := exists(t.st.PO, po.ID, "purchase order"); err != nil {
		return po, err
	}
	return purchasing.CreatePO(t.st, po, purchasing.Actor{By: by, At: t.now()})
}

// ActOnPO submits, approves (at level), rejects, cancels or closes a
// purchase order.
func (t *Tx) ActOnPO(id, action, level, by, note string) (purchasing.PO, error) {
	return purchasing.Act(t.st, id, action, level, purchasing.Actor{By: by, At: t.now(), Note: note})
}
