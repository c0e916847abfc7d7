package purchasing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
)

func setup(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		for _, it := range []stock.Item{{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"}, {SKU: "ACID", Name: "Acid", Category: "hazmat"}} {
			if err := tx.PutItem(it); err != nil {
				return err
			}
		}
		for _, r := range []purchasing.ApprovalRule{
			{ID: "r1-big", MinAmount: 100_000, Levels: []string{"supervisor", "finance"}},
			{ID: "r2-hazmat", Category: "hazmat", Levels: []string{"safety"}},
		} {
			if err := tx.PutApprovalRule(r); err != nil {
				return err
			}
		}
		return tx.PutSupplier(purchasing.Supplier{ID: "ACME", Name: "ACME", OverPct: 5})
	}))
	return st
}

func act(st store.Store, id, action, level, by, note string) (purchasing.PO, error) {
	var po purchasing.PO
	err := st.Update(context.Background(), func(tx store.Tx) error {
		var err error
		po, err = purchasing.Act(tx, id, action, level, purchasing.Actor{By: by, At: time.Now(), Note: note})
		return err
	})
	return po, err
}

func create(t *testing.T, st store.Store, po purchasing.PO) {
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		_, err := purchasing.CreatePO(tx, po, purchasing.Actor{By: "buyer", At: time.Now()})
		return err
	}))
}

func TestMultiLevelApprovalWithAuditTrail(t *testing.T) {
	st := setup(t)
	create(t, st, purchasing.PO{ID: "PO-1", Supplier: "ACME", Lines: []purchasing.Line{{SKU: "TEA", Quantity: 100, UnitPrice: 1500}, {SKU: "ACID", Quantity: 1, UnitPrice: 100}}})
	po, err := act(st, "PO-1", purchasing.ActSubmit, "", "buyer", "")
	require.NoError(t, err)
	assert.Equal(t, purchasing.PendingApproval, po.Status)
	assert.Equal(t, []string{"supervisor", "finance", "safety"}, po.Required, "amount 1501.00 and a hazmat item")

	_, err = act(st, "PO-1", purchasing.ActApprove, "finance", "fin", "")
	assert.ErrorContains(t, err, "next approval of PO-1 is by level supervisor", "levels approve in order")
	_, err = act(st, "PO-1", purchasing.ActApprove, "supervisor", "buyer", "")
	assert.ErrorContains(t, err, "may not approve", "the creator cannot approve")
	_, err = act(st, "PO-1", purchasing.ActApprove, "supervisor", "sup", "ok")
	require.NoError(t, err)
	_, err = act(st, "PO-1", purchasing.ActApprove, "finance", "sup", "")
	assert.ErrorContains(t, err, "already approved", "one person, one level")
	_, err = act(st, "PO-1", purchasing.ActApprove, "finance", "fin", "")
	require.NoError(t, err)
	po, err = act(st, "PO-1", purchasing.ActApprove, "safety", "hse", "")
	require.NoError(t, err)
	assert.Equal(t, purchasing.Approved, po.Status)
	var trail []string
	for _, e := range po.History {
		trail = append(trail, e.By+":"+e.Action+":"+e.To)
	}
	assert.Equal(t, []string{"buyer:create:draft", "buyer:submit:pending-approval", "sup:approve supervisor:pending-approval",
		"fin:approve finance:pending-approval", "hse:approve safety:approved"}, trail)

	// A receipt booked on the order moves it on (receiving books it:
	// central/app's TestReceiptAgainstAnASNBooksOnItsOrder).
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		return purchasing.Receive(tx, "PO-1", "TEA", 100, time.Now())
	}))
	require.NoError(t, st.View(context.Background(), func(tx store.Tx) error {
		po, err := tx.PO("PO-1")
		assert.Equal(t, purchasing.PartiallyReceived, po.Status, "the receipt booked on the order; the acid is still missing")
		assert.Equal(t, int64(100), po.Lines[0].Received)
		return err
	}))
	_, err = act(st, "PO-1", purchasing.ActCancel, "", "buyer", "")
	assert.ErrorContains(t, err, "can no longer be cancelled")
	po, err = act(st, "PO-1", purchasing.ActClose, "", "buyer", "short shipped")
	require.NoError(t, err)
	assert.Equal(t, purchasing.Closed, po.Status)
}

func TestSmallOrderNeedsNoApprovalAndRejectNeedsReason(t *testing.T) {
	st := setup(t)
	create(t, st, purchasing.PO{ID: "PO-2", Supplier: "ACME", Lines: []purchasing.Line{{SKU: "TEA", Quantity: 1, UnitPrice: 100}}})
	po, err := act(st, "PO-2", purchasing.ActSubmit, "", "buyer", "")
	require.NoError(t, err)
	assert.Equal(t, purchasing.Approved, po.Status)

	create(t, st, purchasing.PO{ID: "PO-3", Supplier: "ACME", Lines: []purchasing.Line{{SKU: "ACID", Quantity: 1}}})
	_, err = act(st, "PO-3", purchasing.ActSubmit, "", "buyer", "")
	require.NoError(t, err)
	_, err = act(st, "PO-3", purchasing.ActReject, "", "hse", "")
	assert.ErrorContains(t, err, "say why")
	po, err = act(st, "PO-3", purchasing.ActReject, "", "hse", "wrong grade")
	require.NoError(t, err)
	assert.Equal(t, purchasing.Draft, po.Status)
	require.NoError(t, st.View(context.Background(), func(tx store.Tx) error {
		why, err := purchasing.CheckReceivable(tx, "PO-3", "")
		assert.Contains(t, why, "not approved", "an ASN cannot name an unapproved order (central/app: TestASNCannotNameAnUnapprovedOrder)")
		return err
	}))
}

func TestCreatePONamesBadFields(t *testing.T) {
	st := setup(t)
	err := st.Update(context.Background(), func(tx store.Tx) error {
		_, err := purchasing.CreatePO(tx, purchasing.PO{ID: "PO 1", Supplier: "NOPE", Lines: []purchasing.Line{{SKU: "X", Quantity: 0, UnitPrice: -1}}},
			purchasing.Actor{At: time.Now()})
		return err
	})
	var inv stock.Invalid
	require.ErrorAs(t, err, &inv)
	var fields []string
	for _, f := range inv {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"by", "id", "supplier", "lines[0].sku", "lines[0].quantity", "lines[0].unit_price"}, fields)
}
