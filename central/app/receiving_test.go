package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Receiving and purchasing meet here (moved from purchasing's tests when
// the receipt's booking on the order moved to the application layer).

// poSite is a site with a supplier, two items and an approved order for
// 100 TEA and an acid.
func poSite(t *testing.T) site {
	st := newSite(t)
	st.do(t, func(tx *app.Tx) error {
		for _, it := range []stock.Item{{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"}, {SKU: "ACID", Name: "Acid", Category: "hazmat"}} {
			if _, err := tx.CreateItem(it); err != nil {
				return err
			}
		}
		if _, err := tx.CreateSupplier(purchasing.Supplier{ID: "ACME", Name: "ACME", OverPct: 5}); err != nil {
			return err
		}
		for _, po := range []purchasing.PO{
			{ID: "PO-1", Supplier: "ACME", Lines: []purchasing.Line{{SKU: "TEA", Quantity: 100, UnitPrice: 1500}, {SKU: "ACID", Quantity: 1, UnitPrice: 100}}},
			{ID: "PO-3", Supplier: "ACME", Lines: []purchasing.Line{{SKU: "ACID", Quantity: 1}}},
		} {
			if _, err := tx.CreatePO(po, "buyer"); err != nil {
				return err
			}
		}
		_, err := tx.ActOnPO("PO-1", purchasing.ActSubmit, "", "buyer", "")
		return err
	})
	return st
}

func TestReceiptAgainstAnASNBooksOnItsOrder(t *testing.T) {
	st := poSite(t)
	st.do(t, func(tx *app.Tx) error {
		a, err := tx.CreateASN(inbound.ASN{ID: "ASN-1", Supplier: "ACME", PO: "PO-1", Lines: []inbound.ExpectedLine{{SKU: "TEA", Quantity: 100}}})
		require.NoError(t, err)
		assert.Equal(t, &inbound.Tolerance{OverPct: 5}, a.Tolerance, "the supplier's tolerance")
		out, err := tx.ReceiveLabel(app.At{Gateway: "gw", Station: "dock", Time: time.Now()},
			inbound.Label{Case: &inbound.Case{GTIN: "06901234567892", Count: 100}})
		require.Equal(t, inbound.Received, out.Kind, out.Message)
		return err
	})
	require.NoError(t, st.View(ctx, func(tx store.Tx) error {
		po, err := tx.PO("PO-1")
		assert.Equal(t, purchasing.PartiallyReceived, po.Status, "the receipt booked on the order; the acid is still missing")
		assert.Equal(t, int64(100), po.Lines[0].Received)
		return err
	}))
}

func TestASNCannotNameAnUnapprovedOrder(t *testing.T) {
	st := poSite(t)
	err := st.app.Update(ctx, func(tx *app.Tx) error {
		_, err := tx.CreateASN(inbound.ASN{ID: "ASN-3", PO: "PO-3", Lines: []inbound.ExpectedLine{{SKU: "ACID", Quantity: 1}}})
		return err
	})
	var inv stock.Invalid
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "po", inv[0].Field, "an ASN cannot name an unapproved order")
}
