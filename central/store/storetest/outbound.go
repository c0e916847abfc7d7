package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Selling's records: what goes in comes out, lists in key order, the
// indexes and queues in their order, timers by due time.
func testOutboundRecords(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.PutChannel(orders.Channel{ID: "SHOP", Name: "shop", Shortage: orders.Backorder}))
		require.NoError(t, tx.PutWarehouse(routing.Warehouse{Code: "S", Name: "south", Regions: []string{"south"}}))
		require.NoError(t, tx.PutWarehouse(routing.Warehouse{Code: "N", Name: "north", Regions: []string{"north"}}))
		for _, id := range []string{"SO0000000002", "SO0000000001"} {
			require.NoError(t, tx.PutOrder(orders.Order{ID: id, Channel: "SHOP", ChannelOrder: "c" + id}))
		}
		seq, err := tx.NextOrderSeq()
		require.NoError(t, err)
		assert.Equal(t, uint64(1), seq)
		require.NoError(t, tx.PutShipment(orders.Shipment{ID: "01H", Order: "SO0000000001", Tracking: "1Z"}))
		require.NoError(t, tx.PutPromotion(campaigns.Promotion{ID: "P", SKU: "A", Quantity: 3}))
		require.NoError(t, tx.PutPresale(campaigns.Presale{ID: "PS", SKU: "A", Cap: 3}))
		require.NoError(t, tx.PutTransfer(routing.Transfer{ID: "T", SKU: "A", Quantity: 2}))
		require.NoError(t, tx.PutSalesCounters("SHOP", "A", layers.Counters{Locked: 2}))
		require.NoError(t, tx.PutSalesCounters("SHOP", "AB", layers.Counters{Sold: 1}))
		require.NoError(t, tx.AddShipped("B-01", "A", 2))
		require.NoError(t, tx.AddShipped("B-01", "A", 3))
		require.NoError(t, tx.MarkLayers("A"))
		return tx.MarkLayers("B")
	})
	view(t, st, func(tx store.Tx) error {
		ch, err := tx.Channel("SHOP")
		require.NoError(t, err)
		assert.Equal(t, orders.Backorder, ch.Shortage)
		ws, err := tx.Warehouses()
		require.NoError(t, err)
		require.Len(t, ws, 2)
		assert.Equal(t, "N", ws[0].Code, "warehouses by code")
		w, err := tx.WarehouseByCode("S")
		require.NoError(t, err)
		assert.Equal(t, []string{"south"}, w.Regions)
		os, err := tx.Orders()
		require.NoError(t, err)
		require.Len(t, os, 2)
		assert.Equal(t, "SO0000000001", os[0].ID, "orders by id: the order of arrival")
		id, err := tx.OrderOf("SHOP", "cSO0000000002")
		require.NoError(t, err)
		assert.Equal(t, "SO0000000002", id)
		_, err = tx.OrderOf("SHOP", "nope")
		assert.ErrorIs(t, err, stock.ErrNotFound)
		s, err := tx.Shipment("01H")
		require.NoError(t, err)
		assert.Equal(t, "1Z", s.Tracking)
		p, err := tx.Promotion("P")
		require.NoError(t, err)
		assert.Equal(t, int64(3), p.Quantity)
		ps, err := tx.Presale("PS")
		require.NoError(t, err)
		assert.Equal(t, int64(3), ps.Cap)
		x, err := tx.Transfer("T")
		require.NoError(t, err)
		assert.Equal(t, int64(2), x.Quantity)
		c, err := tx.SalesCounters("SHOP", "A")
		require.NoError(t, err)
		assert.Equal(t, int64(2), c.Locked)
		of, err := tx.SalesCountersOf("A")
		require.NoError(t, err)
		assert.Equal(t, map[string]layers.Counters{"SHOP": {Locked: 2}}, of, "an item's counters, not those of an item whose SKU begins with it")
		all, err := tx.SalesCountersOf("")
		require.NoError(t, err)
		assert.Len(t, all, 2)
		sh, err := tx.ShippedOf("A")
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"B-01": 5}, sh)
		dirty, err := tx.DirtyLayers(10)
		require.NoError(t, err)
		assert.Equal(t, []string{"A", "B"}, dirty)
		dirty, _ = tx.DirtyLayers(1)
		assert.Equal(t, []string{"A"}, dirty)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.CleanLayers("A"))
		return tx.PutSalesCounters("SHOP", "A", layers.Counters{})
	})
	view(t, st, func(tx store.Tx) error {
		dirty, err := tx.DirtyLayers(10)
		assert.Equal(t, []string{"B"}, dirty)
		of, _ := tx.SalesCountersOf("A")
		assert.Empty(t, of, "zero counters are removed")
		return err
	})
}

// Queues list first come first served, each in its own queue.
func testQueues(t *testing.T, open Open) {
	st := open(t)
	w := func(seq uint64, order string, line int, sku, presale string, n int64) promise.Waiting {
		return promise.Waiting{Seq: seq, Order: order, Line: line, SKU: sku, Presale: presale, Quantity: n, Region: "north"}
	}
	update(t, st, func(tx store.Tx) error {
		for _, x := range []promise.Waiting{w(300, "SO3", 1, "A", "", 1), w(2, "SO2", 2, "A", "", 2), w(2, "SO2", 1, "A", "", 3),
			w(1, "SO1", 1, "AB", "", 4), w(5, "SO5", 1, "A", "PS", 5), w(4, "SO4", 1, "A", "PS", 6)} {
			require.NoError(t, tx.PutWaiting(x))
		}
		assert.Error(t, tx.PutWaiting(w(9, "SO9", 1, "A", "", 0)), "an empty entry is not kept")
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		a, err := tx.Waiting("A")
		require.NoError(t, err)
		var got []int64
		for _, x := range a {
			got = append(got, x.Quantity)
		}
		assert.Equal(t, []int64{3, 2, 1}, got, "by seq (300 after 2 though it sorts first as text), then order and line")
		ps, err := tx.PresaleWaiting("PS")
		require.NoError(t, err)
		require.Len(t, ps, 2)
		assert.Equal(t, "SO4", ps[0].Order)
		all, err := tx.AllWaiting()
		require.NoError(t, err)
		assert.Len(t, all, 6)
		x := a[0]
		x.Quantity = 9
		require.NoError(t, tx.PutWaiting(x))
		require.NoError(t, tx.DeleteWaiting(a[1]))
		a, err = tx.Waiting("A")
		require.Len(t, a, 2)
		assert.Equal(t, int64(9), a[0].Quantity, "an entry is replaced in place")
		return err
	})
}

// Timers come back due, earliest first, and a timer moved or cancelled
// is not due twice.
func testTimers(t *testing.T, open Open) {
	st := open(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.SetTimer(store.Timer{Kind: "hold", Ref: "SO2", Due: t0.Add(2 * time.Minute)}))
		require.NoError(t, tx.SetTimer(store.Timer{Kind: "hold", Ref: "SO1", Due: t0.Add(time.Minute)}))
		require.NoError(t, tx.SetTimer(store.Timer{Kind: "end", Ref: "P", Due: t0.Add(time.Hour)}))
		require.NoError(t, tx.SetTimer(store.Timer{Kind: "hold", Ref: "SO3", Due: t0}))
		require.NoError(t, tx.SetTimer(store.Timer{Kind: "hold", Ref: "SO3", Due: t0.Add(3 * time.Minute)}))
		return tx.CancelTimer("hold", "SO2")
	})
	view(t, st, func(tx store.Tx) error {
		due, err := tx.DueTimers(t0.Add(5*time.Minute), 10)
		require.NoError(t, err)
		var refs []string
		for _, d := range due {
			refs = append(refs, d.Ref)
		}
		assert.Equal(t, []string{"SO1", "SO3"}, refs, "due ones, earliest first; a moved timer once, a cancelled one not")
		due, _ = tx.DueTimers(t0.Add(5*time.Minute), 1)
		assert.Len(t, due, 1)
		tm, ok, err := tx.TimerOf("hold", "SO3")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.True(t, t0.Add(3*time.Minute).Equal(tm.Due))
		_, ok, _ = tx.TimerOf("hold", "SO2")
		assert.False(t, ok)
		return nil
	})
}

// Reservations are listed by pool, and leave the index when released.
func testPoolReservations(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.PutLocation(stock.Location{Code: "B-01", Type: stock.LocReserve, Warehouse: "W2"}))
		for _, m := range []stock.Movement{{SKU: "A", Quantity: 10, To: "B-01", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "A", Quantity: 4, To: "X", ToStatus: stock.Available, Reason: "receipt"}} {
			if _, err := stock.Post(tx, m); err != nil {
				return err
			}
		}
		for _, r := range []stock.Reservation{{ID: "R2", SKU: "A", Warehouse: "W2", Quantity: 3}, {ID: "R1", SKU: "A", Warehouse: "W2", Quantity: 2},
			{ID: "R3", SKU: "A", Quantity: 1}} {
			if _, err := stock.Reserve(tx, r); err != nil {
				return err
			}
		}
		_, err := stock.Release(tx, "R2", 3)
		return err
	})
	view(t, st, func(tx store.Tx) error {
		rs, err := tx.PoolReservations(stock.Pool{SKU: "A", Warehouse: "W2"})
		require.NoError(t, err)
		require.Len(t, rs, 1, "a reservation released in full leaves the index")
		assert.Equal(t, "R1", rs[0].ID)
		rs, err = tx.PoolReservations(stock.Pool{SKU: "A"})
		require.Len(t, rs, 1)
		assert.Equal(t, "R3", rs[0].ID)
		return err
	})
	consistent(t, st)
}

// CheckOutbound finds what no use case would write: a reservation
// promised to two lines, one promised to nobody, a line whose numbers do
// not add up, a waiting line in no queue, counters that are not the
// orders' sums.
func testCheckOutboundFindsTampering(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		if _, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 10, To: "X", ToStatus: stock.Available, Reason: "receipt"}); err != nil {
			return err
		}
		for _, r := range []stock.Reservation{{ID: "R1", SKU: "A", Quantity: 2}, {ID: "R9", SKU: "A", Quantity: 1}} {
			if _, err := stock.Reserve(tx, r); err != nil {
				return err
			}
		}
		part := []orders.Part{{Reservation: "R1", Quantity: 2}}
		for _, o := range []orders.Order{
			{ID: "SO1", Channel: "SHOP", ChannelOrder: "1", Payment: orders.Paid, Status: orders.Promised,
				Lines: []orders.Line{{Line: 1, SKU: "A", Quantity: 2, Promised: 2, Parts: part}}},
			{ID: "SO2", Channel: "SHOP", ChannelOrder: "2", Payment: orders.Paid, Status: orders.PartlyBackordered,
				Lines: []orders.Line{{Line: 1, SKU: "A", Quantity: 5, Promised: 2, Backordered: 2, Parts: part, Seq: 2}}},
		} {
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return tx.PutSalesCounters("SHOP", "A", layers.Counters{Sold: 4})
	})
	problems, err := store.CheckOutbound(ctx, st)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"order SO2 line 1 does not add up: {Line:1 SKU:A Quantity:5 Lot: MinShelfLifeDays:0 MinExpiry: Promised:2 Backordered:2 Presold:0 Refused:0 Shipped:0 Cancelled:0 Parts:[{Reservation:R1 Warehouse: Quantity:2 Promotion:}] Seq:2}",
		"reservation R1 is promised twice: to order SO1 line 1 and order SO2 line 1",
		"reservation R9 (1 of A) belongs to no order line and no promotion",
		"order SO2 line 1 waits for 2 but is in no queue (backorders of A #2 SO2/1)",
		"layers of A: the channels hold 4 (locked + sold), the warehouses 3 allocated and 0 shipped",
	}, problems)
}
