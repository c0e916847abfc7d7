package putaway_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
)

func setup(t *testing.T, locs ...stock.Location) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		for _, l := range locs {
			if err := tx.PutLocation(l); err != nil {
				return err
			}
		}
		return tx.PutItem(stock.Item{SKU: "BOX", Name: "Box", Dims: &stock.Dims{LengthMM: 100, WidthMM: 100, HeightMM: 100, WeightG: 1000}})
	}))
	return st
}

func suggest(t *testing.T, st store.Store, req putaway.Request) putaway.Suggestion {
	var s putaway.Suggestion
	require.NoError(t, st.View(context.Background(), func(tx store.Tx) error {
		var err error
		s, err = putaway.Suggest(tx, req)
		return err
	}))
	return s
}

func put(t *testing.T, st store.Store, sku, lot, loc, lpn string, qty int64) {
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		_, err := stock.Post(tx, stock.Movement{SKU: sku, Lot: lot, To: loc, LPN: lpn, Quantity: qty, ToStatus: stock.Available, Reason: "receipt"})
		return err
	}))
}

func TestSuggestStrategies(t *testing.T) {
	st := setup(t,
		stock.Location{Code: "A-01", Type: stock.LocReserve, PickSeq: 1},
		stock.Location{Code: "A-02", Type: stock.LocReserve, PickSeq: 2, Pallets: 3},
		stock.Location{Code: "A-03", Type: stock.LocReserve, PickSeq: 3},
		stock.Location{Code: "C-09", Type: stock.LocReserve, PickSeq: 9},
		stock.Location{Code: "F-01", Type: stock.LocReserve, PickSeq: 0, TempZone: "frozen"},
		stock.Location{Code: "PF-1", Type: stock.LocPickFace, MaxVolumeCM3: 5000},
		stock.Location{Code: "QC", Type: stock.LocQC},
	)
	item := stock.Item{SKU: "BOX", Dims: &stock.Dims{LengthMM: 100, WidthMM: 100, HeightMM: 100}}

	assert.Equal(t, putaway.Suggestion{Location: "A-01", Strategy: putaway.ABCZone}, suggest(t, st, putaway.Request{Item: item, Quantity: 1}),
		"first free bin from the dock; the freezer is not for ambient goods")
	item.ABC = "C"
	assert.Equal(t, "C-09", suggest(t, st, putaway.Request{Item: item, Quantity: 1}).Location, "C items start at the far end")
	item.ABC = ""

	item.PickFace = "PF-1"
	assert.Equal(t, putaway.Suggestion{Location: "PF-1", Strategy: putaway.PickFace}, suggest(t, st, putaway.Request{Item: item, Quantity: 5}))
	assert.Equal(t, "A-01", suggest(t, st, putaway.Request{Item: item, Quantity: 6}).Location, "6 boxes of 1 litre exceed the pick face's 5 litres")
	item.PickFace = ""

	put(t, st, "BOX", "L1", "A-02", "P1", 10)
	assert.Equal(t, putaway.Suggestion{Location: "A-02", Strategy: putaway.Consolidate}, suggest(t, st, putaway.Request{Item: item, Lot: "L1", Quantity: 10}),
		"same item and lot, and room for two more pallets")
	assert.Equal(t, "A-01", suggest(t, st, putaway.Request{Item: item, Lot: "L2", Quantity: 10}).Location, "another lot is not consolidated")

	item.TempZone = "frozen"
	assert.Equal(t, "F-01", suggest(t, st, putaway.Request{Item: item, Quantity: 1}).Location)
	put(t, st, "BOX", "", "F-01", "P2", 1)
	assert.Equal(t, putaway.Suggestion{Strategy: putaway.NoRoom}, suggest(t, st, putaway.Request{Item: item, Lot: "X", Quantity: 1}), "the only freezer bin is full")

	assert.Equal(t, putaway.Suggestion{Location: "QC", Strategy: putaway.QCArea}, suggest(t, st, putaway.Request{Item: item, Quantity: 1, Status: stock.Quarantine}))
}
