package inbound_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/drivers/epc"
	"github.com/dockhand/dockhand/internal/wire"
)

// Receiving's own rules on a store in memory; receiving at a dock with
// inspection, putaway and the purchase order is central/app's and the
// stations' tests.

var ctx = context.Background()

const (
	pallet   = "106141410000000019"
	caseGTIN = "10614141000415"
)

func dock(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.PutItem(stock.Item{SKU: "W", GTIN: "00614141000418", Name: "Widget",
			Packs: []stock.Pack{{UoM: "case", Quantity: 12, GTIN: caseGTIN}}}))
		require.NoError(t, tx.PutItem(stock.Item{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"}))
		_, err := inbound.CreateASN(tx, inbound.ASN{ID: "ASN-1", Tolerance: &inbound.Tolerance{OverPct: 10, UnderPct: 5},
			Pallets: []inbound.ExpectedPallet{{SSCC: pallet, SKU: "W", Quantity: 48}},
			Lines:   []inbound.ExpectedLine{{SKU: "W", Quantity: 24, Lot: "L1"}}}, inbound.Supply{})
		return err
	}))
	return st
}

func scan() inbound.Scan {
	return inbound.Scan{Gateway: "gw", Station: "dock", Event: wire.NewID(), At: time.Now(), Into: "RECEIVING", NewID: wire.NewID}
}

// receive receives a label and books what arrives in status available.
func receive(t *testing.T, st store.Store, l inbound.Label) inbound.Outcome {
	var out inbound.Outcome
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		o, arr, err := inbound.Receive(tx, l, scan())
		if err != nil || arr == nil {
			out = o
			return err
		}
		out, err = inbound.Book(tx, arr, stock.Available, "A-01", scan())
		return err
	}))
	return out
}

func TestCreateASNTakesWhatPurchasingSays(t *testing.T) {
	st := dock(t)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		_, err := inbound.CreateASN(tx, inbound.ASN{ID: "ASN-2", PO: "PO-9", Lines: []inbound.ExpectedLine{{SKU: "W", Quantity: 1}}},
			inbound.Supply{POProblem: "purchase order PO-9 is draft, not approved"})
		var inv stock.Invalid
		require.ErrorAs(t, err, &inv)
		assert.Equal(t, stock.Invalid{{Field: "po", Reason: "purchase order PO-9 is draft, not approved"}}, inv)
		a, err := inbound.CreateASN(tx, inbound.ASN{ID: "ASN-3", Supplier: "ACME", Lines: []inbound.ExpectedLine{{SKU: "W", Quantity: 1}}},
			inbound.Supply{Tolerance: &inbound.Tolerance{OverPct: 3}})
		assert.Equal(t, &inbound.Tolerance{OverPct: 3}, a.Tolerance, "the supplier's tolerance when the ASN gives none")
		return err
	}))
}

func TestPalletOnceThenDuplicate(t *testing.T) {
	st := dock(t)
	out := receive(t, st, inbound.Label{SSCC: pallet})
	require.Equal(t, inbound.Received, out.Kind, out.Message)
	assert.Equal(t, inbound.PalletLabel, out.Label)
	assert.Equal(t, int64(48), out.Receipt.Quantity)
	assert.Equal(t, "A-01", out.LPN.Putaway)
	out = receive(t, st, inbound.Label{SSCC: pallet})
	assert.Equal(t, inbound.Duplicate, out.Kind)
	assert.Equal(t, inbound.AlertDuplicatePallet, out.Alerts[0].Kind)
	out = receive(t, st, inbound.Label{SSCC: "106141410000000026"})
	assert.Equal(t, inbound.Unknown, out.Kind)
	assert.Equal(t, inbound.AlertUnknownPallet, out.Alerts[0].Kind)
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestCasesWithinAndBeyondTolerance(t *testing.T) {
	st := dock(t)
	c := &inbound.Case{GTIN: caseGTIN, Lot: "L1", Count: 2}
	out := receive(t, st, inbound.Label{Case: c})
	require.Equal(t, inbound.Received, out.Kind, out.Message)
	assert.Equal(t, inbound.PlateLabel, out.Label)
	assert.Equal(t, "L000000001", out.LPN.Code, "a plate central issues")
	c.Count = 1 // 36 of 24 is beyond 10 %
	out = receive(t, st, inbound.Label{Case: c})
	assert.Equal(t, inbound.Refused, out.Kind)
	assert.Equal(t, inbound.AlertOverReceipt, out.Alerts[0].Kind)
	out = receive(t, st, inbound.Label{Case: &inbound.Case{GTIN: "06901234567892"}})
	assert.Equal(t, inbound.Refused, out.Kind)
	assert.Equal(t, inbound.AlertUnexpectedItem, out.Alerts[0].Kind, "no ASN expects tea")
	require.NoError(t, st.View(ctx, func(tx store.Tx) error {
		ds, err := tx.Discrepancies()
		assert.Len(t, ds, 2, "the refused over-receipt and the unexpected item are recorded")
		return err
	}))
}

func TestCloseASNShortAndPortalCount(t *testing.T) {
	st := dock(t)
	pal, err := epc.EncodeSSCC96(0, "0614141", "1000000001")
	require.NoError(t, err)
	c1, err := epc.EncodeSGTIN96(2, "0614141", "100041", 1)
	require.NoError(t, err)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		res, err := inbound.CountPortal(tx, inbound.PortalRead{EPCs: []string{fmt.Sprintf("%X", pal), fmt.Sprintf("%X", c1)}, Scan: scan()})
		require.NoError(t, err)
		require.Len(t, res.Pallets, 1)
		assert.Equal(t, inbound.PalletCount{SSCC: pallet, ASN: "ASN-1", SKU: "W", Expected: 4, Counted: 1}, res.Pallets[0])
		assert.Equal(t, inbound.AlertRFIDCountMismatch, res.Alerts[0].Kind)
		closed, err := inbound.CloseASN(tx, "ASN-1", time.Now(), wire.NewID)
		require.NoError(t, err)
		require.Len(t, closed.Discrepancies, 2, "nothing of either line arrived")
		assert.Equal(t, inbound.AlertShortReceipt, closed.Alerts[0].Kind)
		_, err = inbound.CloseASN(tx, "ASN-1", time.Now(), wire.NewID)
		var inv stock.Invalid
		assert.ErrorAs(t, err, &inv, "closed once")
		return nil
	}))
}
