package kvstore

import (
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/quality"
)

// Records of the purchasing and quality workflows, one key per record.
const (
	pSupplier = "sup/"
	pPO       = "po/"
	pRule     = "rule/"
	pPlan     = "qplan/"
	pInspect  = "insp/"
	pReturn   = "rtv/"
)

// Supplier returns a supplier.
func (t *tx) Supplier(id string) (purchasing.Supplier, error) {
	var s purchasing.Supplier
	return s, t.getJSON(pSupplier+id, &s)
}

// PutSupplier creates or replaces a supplier.
func (t *tx) PutSupplier(s purchasing.Supplier) error { return t.putJSON(pSupplier+s.ID, s) }

// Suppliers lists suppliers by id.
func (t *tx) Suppliers() ([]purchasing.Supplier, error) {
	return listJSON[purchasing.Supplier](t, pSupplier)
}

// PO returns a purchase order.
func (t *tx) PO(id string) (purchasing.PO, error) {
	var po purchasing.PO
	return po, t.getJSON(pPO+id, &po)
}

// PutPO creates or replaces a purchase order.
func (t *tx) PutPO(po purchasing.PO) error { return t.putJSON(pPO+po.ID, po) }

// POs lists purchase orders by id.
func (t *tx) POs() ([]purchasing.PO, error) { return listJSON[purchasing.PO](t, pPO) }

// ApprovalRules lists approval rules by id.
func (t *tx) ApprovalRules() ([]purchasing.ApprovalRule, error) {
	return listJSON[purchasing.ApprovalRule](t, pRule)
}

// ApprovalRule returns an approval rule.
func (t *tx) ApprovalRule(id string) (purchasing.ApprovalRule, error) {
	var r purchasing.ApprovalRule
	return r, t.getJSON(pRule+id, &r)
}

// PutApprovalRule creates or replaces an approval rule.
func (t *tx) PutApprovalRule(r purchasing.ApprovalRule) error { return t.putJSON(pRule+r.ID, r) }

// Plans lists inspection plans by id.
func (t *tx) Plans() ([]quality.Plan, error) { return listJSON[quality.Plan](t, pPlan) }

// Plan returns an inspection plan.
func (t *tx) Plan(id string) (quality.Plan, error) {
	var p quality.Plan
	return p, t.getJSON(pPlan+id, &p)
}

// PutPlan creates or replaces an inspection plan.
func (t *tx) PutPlan(p quality.Plan) error { return t.putJSON(pPlan+p.ID, p) }

// Inspection returns an inspection task.
func (t *tx) Inspection(id string) (quality.Task, error) {
	var x quality.Task
	return x, t.getJSON(pInspect+id, &x)
}

// PutInspection creates or replaces an inspection task.
func (t *tx) PutInspection(x quality.Task) error { return t.putJSON(pInspect+x.ID, x) }

// Inspections lists inspection tasks in creation order.
func (t *tx) Inspections() ([]quality.Task, error) { return listJSON[quality.Task](t, pInspect) }

// PutReturn stores a return-to-vendor document.
func (t *tx) PutReturn(r quality.Return) error { return t.putJSON(pReturn+r.ID, r) }

// Returns lists return-to-vendor documents in creation order.
func (t *tx) Returns() ([]quality.Return, error) { return listJSON[quality.Return](t, pReturn) }
