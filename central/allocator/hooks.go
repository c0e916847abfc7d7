package allocator

import (
	"errors"
	"time"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// receiving is a store transaction with the inbound.Hooks that let
// purchasing and quality take part in a receipt inside it; the decisions
// are theirs.
type receiving struct{ store.Tx }

var _ inbound.Tx = receiving{}

// SupplierTolerance is the supplier's default receiving tolerance.
func (t receiving) SupplierTolerance(id string) (*inbound.Tolerance, error) {
	s, err := t.Supplier(id)
	if errors.Is(err, stock.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &inbound.Tolerance{OverPct: s.OverPct, UnderPct: s.UnderPct}, nil
}

// CheckPO reports why an ASN may not name a purchase order ("" if it may).
func (t receiving) CheckPO(po, supplier string) (string, error) {
	return purchasing.CheckReceivable(t, po, supplier)
}

// POReceived books a received quantity against a purchase order.
func (t receiving) POReceived(po, sku string, qty int64, at time.Time) error {
	return purchasing.Receive(t, po, sku, qty, at)
}

// Inspect applies the inspection plan to a receipt.
func (t receiving) Inspect(r inbound.Receipt, newID func() string) (stock.Status, error) {
	return quality.OnReceipt(t, quality.Received{Receipt: r.ID, Supplier: r.Supplier, ASN: r.ASN, PO: r.PO, LPN: r.LPN,
		SKU: r.SKU, Lot: r.Lot, Quantity: r.Quantity, At: r.At}, newID)
}

// Inbound gives receiving workflows a transaction with the purchasing and
// quality hooks (for the HTTP API's ASN commands).
func Inbound(tx store.Tx) inbound.Tx { return receiving{tx} }
