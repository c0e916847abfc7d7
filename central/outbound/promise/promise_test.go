package promise_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// pool puts lots of item A into the main warehouse: L1 expiring in April,
// L2 in June, and 2 without an expiry.
func pool(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		for _, m := range []stock.Movement{
			{SKU: "A", Quantity: 5, To: "B1", Lot: "L1", Expiry: "2026-04-30", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "A", Quantity: 3, To: "B1", Lot: "L2", Expiry: "2026-06-30", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "A", Quantity: 2, To: "B2", ToStatus: stock.Available, Reason: "receipt"},
		} {
			if _, err := stock.Post(tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	return st
}

func TestFreeKeepsRoomForNarrowerPromises(t *testing.T) {
	st := pool(t)
	require.NoError(t, st.Update(context.Background(), func(tx store.Tx) error {
		free := func(d promise.Demand) int64 {
			n, err := promise.Free(tx, d, "")
			require.NoError(t, err)
			return n
		}
		assert.Equal(t, int64(10), free(promise.Demand{SKU: "A"}))
		assert.Equal(t, int64(5), free(promise.Demand{SKU: "A", Lot: "L1"}))
		assert.Equal(t, int64(5), free(promise.Demand{SKU: "A", MinExpiry: "2026-05-01"}), "L2 and the stock that does not expire")
		n, err := promise.Reserve(tx, promise.Demand{Order: "O1", Line: 1, SKU: "A", MinExpiry: "2026-05-01"}, "", 4, "R1", at)
		require.NoError(t, err)
		assert.Equal(t, int64(4), n)
		assert.Equal(t, int64(1), free(promise.Demand{SKU: "A", Lot: "L2"}), "L2 is mostly needed for the long shelf life")
		assert.Equal(t, int64(1), free(promise.Demand{SKU: "A", MinExpiry: "2026-06-01"}))
		assert.Equal(t, int64(5), free(promise.Demand{SKU: "A", Lot: "L1"}))
		assert.Equal(t, int64(6), free(promise.Demand{SKU: "A"}))
		n, err = promise.Reserve(tx, promise.Demand{Order: "O2", Line: 1, SKU: "A", Lot: "L2"}, "", 3, "R2", at)
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "as much as is free, no more")
		return nil
	}))
}

func TestServeFirstComeFirstServedAndWithdrawNewestFirst(t *testing.T) {
	st := pool(t)
	ctx := context.Background()
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		for i, w := range []promise.Waiting{
			{Seq: 3, Order: "O3", Line: 1, SKU: "A", Quantity: 4, Region: "north"},
			{Seq: 1, Order: "O1", Line: 1, SKU: "A", Quantity: 3, Region: "north"},
			{Seq: 2, Order: "O2", Line: 1, SKU: "A", Quantity: 5, Region: "south"},
			{Seq: 4, Order: "O4", Line: 1, SKU: "A", Quantity: 9, Region: "north", Warehouse: "W2", Pinned: true},
			{Seq: 5, Order: "O5", Line: 1, SKU: "A", Quantity: 2, Region: "north", Presale: "PS"},
		} {
			require.NoError(t, tx.PutWaiting(w), "%d", i)
		}
		n := 0
		id := func() string { n++; return fmt.Sprint("S", n) }
		served, err := promise.Serve(tx, stock.Pool{SKU: "A"}, promise.Rules{Serves: func(wh, region string) bool { return region == "north" },
			Presales: []promise.Allowance{{Presale: "PS", Left: 1}}}, at, id)
		require.NoError(t, err)
		var got []string
		for _, s := range served {
			got = append(got, fmt.Sprintf("%s:%d", s.Waiting.Order, s.Quantity))
		}
		assert.Equal(t, []string{"O5:1", "O1:3", "O3:4"}, got, "pre-sale buyers up to what arrived, then first come first served; "+
			"O2's region is not served, O4 waits for another warehouse")
		left, err := tx.Waiting("A")
		require.NoError(t, err)
		assert.Len(t, left, 2)

		ws, err := promise.Withdraw(tx, stock.Pool{SKU: "A"}, 5, func(stock.Reservation) bool { return false })
		require.NoError(t, err)
		require.Len(t, ws, 2)
		assert.Equal(t, "S3", ws[0].Reservation.ID, "the newest promise gives way first")
		assert.Equal(t, int64(4), ws[0].Quantity)
		assert.Equal(t, int64(1), ws[1].Quantity)
		return nil
	}))
}
