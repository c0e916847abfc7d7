package app_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/internal/wire"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// shop is a site that sells: items with GTINs, channels, the application
// on a fake clock.
type shop struct {
	site
	t     *testing.T
	clock *clock
	asns  int
}

var items = map[string]string{"TEA": "06901234567892", "CUP": "00614141000418", "PEN": "04006381333931"}

func newShop(t *testing.T, st store.Store) *shop {
	c := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	a, err := app.New(ctx, app.Config{Site: "t", Now: c.Now, PaymentHold: 10 * time.Minute}, st, zerolog.Nop())
	require.NoError(t, err)
	s := &shop{site: site{Store: st, app: a}, t: t, clock: c}
	s.do(t, func(tx *app.Tx) error {
		for sku, gtin := range items {
			if _, err := tx.CreateItem(stock.Item{SKU: sku, GTIN: gtin, Name: sku}); err != nil {
				return err
			}
		}
		for _, ch := range []orders.Channel{{ID: "SHOP", Name: "web shop", Shortage: orders.Backorder},
			{ID: "MKT", Name: "marketplace", Shortage: orders.Refuse, Split: true, PaymentHold: 60}} {
			if _, err := tx.CreateChannel(ch); err != nil {
				return err
			}
		}
		return nil
	})
	return s
}

// receive books n units of sku at the dock (an ASN line and a case scan).
func (s *shop) receive(sku string, n int64) {
	s.t.Helper()
	s.asns++
	s.do(s.t, func(tx *app.Tx) error {
		id := fmt.Sprint("ASN-", s.asns)
		if _, err := tx.CreateASN(inbound.ASN{ID: id, Lines: []inbound.ExpectedLine{{SKU: sku, Quantity: n}}}); err != nil {
			return err
		}
		out, err := tx.ReceiveLabel(app.At{Gateway: "gw", Station: "dock", Time: s.clock.Now()}, inbound.Label{Case: &inbound.Case{GTIN: items[sku], Count: n}})
		if err == nil && out.Kind != inbound.Received {
			return fmt.Errorf("not received: %s", out.Message)
		}
		return err
	})
}

// order sends an order; it returns the order as answered.
func (s *shop) order(r orders.Request) (orders.Order, error) {
	var o orders.Order
	err := s.app.Update(ctx, func(tx *app.Tx) error {
		b, err := tx.CreateOrder(r)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &o)
	})
	return o, err
}

func (s *shop) mustOrder(r orders.Request) orders.Order {
	s.t.Helper()
	o, err := s.order(r)
	require.NoError(s.t, err)
	return o
}

func req(channel, id string, pay orders.Payment, lines ...orders.LineRequest) orders.Request {
	return orders.Request{Channel: channel, ChannelOrder: id, Payment: pay, ShipTo: orders.Address{Name: "Ada"}, Region: "north", Lines: lines}
}

func line(sku string, n int64) orders.LineRequest {
	return orders.LineRequest{SKU: sku, Quantity: orders.Qty(n)}
}

func (s *shop) get(id string) orders.Order {
	s.t.Helper()
	var o orders.Order
	require.NoError(s.t, s.View(ctx, func(tx store.Tx) (err error) { o, err = tx.Order(id); return err }))
	return o
}

// consistent runs what centrald check runs.
func (s *shop) consistent() {
	s.t.Helper()
	for _, check := range []func() ([]string, error){
		func() ([]string, error) { return store.Check(ctx, s.Store) },
		func() ([]string, error) { return store.CheckOutbound(ctx, s.Store) },
	} {
		problems, err := check()
		require.NoError(s.t, err)
		require.Empty(s.t, problems)
	}
}

// messages returns the queued messages of a type, decoded as maps.
func (s *shop) messages(typ wire.MessageType) []map[string]any {
	s.t.Helper()
	out, err := s.Outgoing(ctx, 0, 100000)
	require.NoError(s.t, err)
	var got []map[string]any
	for _, m := range out {
		var v map[string]any
		require.NoError(s.t, json.Unmarshal(m.Payload, &v))
		if v["type"] == string(typ) {
			got = append(got, v)
		}
	}
	return got
}

func TestOrderPromisedBackorderedAndServedByAReceipt(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 10)
	a := s.mustOrder(req("SHOP", "1001", orders.Paid, line("TEA", 6)))
	assert.Equal(t, orders.Promised, a.Status)
	assert.Equal(t, int64(6), a.Lines[0].Promised)
	b := s.mustOrder(req("SHOP", "1002", orders.Paid, line("TEA", 8)))
	assert.Equal(t, orders.PartlyBackordered, b.Status)
	assert.Equal(t, int64(4), b.Lines[0].Promised)
	assert.Equal(t, int64(4), b.Lines[0].Backordered)
	s.consistent()

	s.receive("TEA", 3)
	b = s.get(b.ID)
	assert.Equal(t, int64(7), b.Lines[0].Promised, "the receipt serves the backorder in its own transaction")
	assert.Equal(t, int64(1), b.Lines[0].Backordered)
	s.receive("TEA", 5)
	b = s.get(b.ID)
	assert.Equal(t, orders.Promised, b.Status)
	assert.Equal(t, []string{orders.Created, orders.Served, orders.Served}, events(b))
	s.consistent()

	var statuses []string
	for _, m := range s.messages(wire.OpsOrder) {
		if m["order"] == b.ID {
			statuses = append(statuses, m["event"].(string)+" "+m["status"].(string))
		}
	}
	assert.Equal(t, []string{"created partly-backordered", "served partly-backordered", "served promised"}, statuses)
	var kinds []string
	for _, m := range s.messages(wire.OpsAlert) {
		kinds = append(kinds, m["kind"].(string))
	}
	assert.Equal(t, []string{"backorder"}, kinds)
}

func events(o orders.Order) []string {
	var out []string
	for _, e := range o.History {
		out = append(out, e.Event)
	}
	return out
}

func TestSameOrderAgainIsTheFirstAnswerAnotherBodyConflicts(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 5)
	r := req("SHOP", "1001", orders.Paid, line("TEA", 3))
	first := s.mustOrder(r)
	s.receive("TEA", 5)
	again := s.mustOrder(r)
	assert.Equal(t, first, again, "a retry gets the first answer")
	r.Lines[0] = line("TEA", 4)
	_, err := s.order(r)
	var conflict *app.ConflictError
	require.ErrorAs(t, err, &conflict)
	var all []orders.Order
	require.NoError(t, s.View(ctx, func(tx store.Tx) (err error) { all, err = tx.Orders(); return err }))
	assert.Len(t, all, 1)
	s.consistent()
}

func TestRefusingChannelRefusesShortage(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 2)
	o := s.mustOrder(req("MKT", "m1", orders.Paid, line("TEA", 5)))
	assert.Equal(t, orders.Promised, o.Status, "what is open is promised")
	assert.Equal(t, int64(3), o.Lines[0].Refused)
	o = s.mustOrder(req("MKT", "m2", orders.Paid, line("TEA", 5)))
	assert.Equal(t, orders.Refused, o.Status)
	s.receive("TEA", 5)
	assert.Equal(t, orders.Refused, s.get(o.ID).Status, "refused lines never wait")
	s.consistent()
}

func TestCancelServesTheOldestBackorderFirst(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 4)
	a := s.mustOrder(req("SHOP", "a", orders.Paid, line("TEA", 4)))
	b := s.mustOrder(req("SHOP", "b", orders.Paid, line("TEA", 3)))
	c := s.mustOrder(req("SHOP", "c", orders.Paid, line("TEA", 3)))
	s.do(t, func(tx *app.Tx) error { _, err := tx.CancelOrder(a.ID, "customer", "cs"); return err })
	assert.Equal(t, int64(3), s.get(b.ID).Lines[0].Promised, "b waited first")
	assert.Equal(t, int64(1), s.get(c.ID).Lines[0].Promised)
	assert.Equal(t, orders.Cancelled, s.get(a.ID).Status)
	s.consistent()
}

func TestChangeReleasesAndPromisesOnlyWhatChanged(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 10)
	s.receive("CUP", 2)
	o := s.mustOrder(req("SHOP", "1", orders.Paid, line("TEA", 6), line("CUP", 1)))
	w := s.mustOrder(req("SHOP", "2", orders.Paid, line("TEA", 6)))
	keep := o.Lines[1].Parts
	var changed orders.Order
	s.do(t, func(tx *app.Tx) (err error) {
		changed, err = tx.ChangeOrder(o.ID, orders.ChangeRequest{Lines: []orders.LineRequest{line("TEA", 2), line("CUP", 2)}})
		return err
	})
	assert.Equal(t, int64(2), changed.Lines[0].Promised)
	assert.Equal(t, int64(2), changed.Lines[1].Promised)
	assert.Equal(t, keep, changed.Lines[1].Parts[:1], "the unchanged promise stays")
	assert.Equal(t, orders.Promised, s.get(w.ID).Status, "what the change gave back went to the waiting order")
	s.consistent()
}

func TestUnpaidOrderLapsesOnceAfterItsHold(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 5)
	o := s.mustOrder(req("SHOP", "u1", orders.Unpaid, line("TEA", 5)))
	p := s.mustOrder(req("SHOP", "p1", orders.Paid, line("TEA", 2)))
	assert.Equal(t, orders.Backordered, p.Status)
	n, err := s.app.RunTimers(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not due yet")
	s.clock.Add(10*time.Minute + time.Second)
	n, err = s.app.RunTimers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, orders.Expired, s.get(o.ID).Status)
	assert.Equal(t, orders.Promised, s.get(p.ID).Status, "what lapsed went to the waiting order")
	n, _ = s.app.RunTimers(ctx)
	assert.Zero(t, n, "a timer runs once")
	s.consistent()

	q := s.mustOrder(req("SHOP", "u2", orders.Unpaid, line("TEA", 1)))
	s.do(t, func(tx *app.Tx) error { _, err := tx.PayOrder(q.ID, "psp"); return err })
	s.clock.Add(time.Hour)
	n, _ = s.app.RunTimers(ctx)
	assert.Zero(t, n, "a paid order's hold is gone")
	assert.Equal(t, orders.Promised, s.get(q.ID).Status)
}

// count counts a location: the first count and, when it is far off, the
// recount the policy asks for.
func (s *shop) count(location string, lines ...counting.Line) {
	s.t.Helper()
	s.do(s.t, func(tx *app.Tx) error {
		task, err := tx.StartCount(location, time.Time{})
		if err != nil {
			return err
		}
		res, err := tx.SubmitCount(task.ID, lines, "counted", "counter", time.Time{})
		if err == nil && res.Recount {
			_, err = tx.SubmitCount(task.ID, lines, "counted", "counter", time.Time{})
		}
		return err
	})
}

func TestCountLossWithdrawsTheNewestPromise(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 10)
	a := s.mustOrder(req("SHOP", "a", orders.Paid, line("TEA", 5)))
	s.clock.Add(time.Second)
	b := s.mustOrder(req("SHOP", "b", orders.Paid, line("TEA", 5)))
	s.count(app.DefaultReceiving, counting.Line{SKU: "TEA", Quantity: 7})
	assert.Equal(t, orders.Promised, s.get(a.ID).Status, "the earliest keeps its promise")
	bb := s.get(b.ID)
	assert.Equal(t, int64(2), bb.Lines[0].Promised)
	assert.Equal(t, int64(3), bb.Lines[0].Backordered)
	assert.Equal(t, orders.Withdrawn, bb.History[len(bb.History)-1].Event)
	s.consistent()
	s.count(app.DefaultReceiving, counting.Line{SKU: "TEA", Quantity: 9})
	assert.Equal(t, int64(4), s.get(b.ID).Lines[0].Promised, "a count gain serves the backorder")
	s.consistent()
}

func TestPromotionSetsAsideForItsCampaignOnly(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 10)
	ends := s.clock.Now().Add(time.Hour)
	s.do(t, func(tx *app.Tx) error {
		_, err := tx.CreatePromotion(campaigns.Promotion{ID: "FLASH", Channel: "SHOP", SKU: "TEA", Quantity: 6, Ends: &ends})
		return err
	})
	plain := s.mustOrder(req("SHOP", "p", orders.Paid, line("TEA", 6)))
	assert.Equal(t, int64(4), plain.Lines[0].Promised, "6 are set aside")
	r := req("SHOP", "f", orders.Paid, line("TEA", 5))
	r.Campaign = "FLASH"
	f := s.mustOrder(r)
	assert.Equal(t, int64(5), f.Lines[0].Promised)
	assert.Equal(t, "FLASH", f.Lines[0].Parts[0].Promotion)
	s.consistent()
	s.clock.Add(2 * time.Hour)
	_, err := s.app.RunTimers(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(5), s.get(plain.ID).Lines[0].Promised, "the unused unit came back at the end and served the backorder")
	var p campaigns.Promotion
	require.NoError(t, s.View(ctx, func(tx store.Tx) (err error) { p, err = tx.Promotion("FLASH"); return err }))
	assert.Equal(t, campaigns.Promotion{Left: 0, Used: 5, Returned: 1, Status: campaigns.Ended}, campaigns.Promotion{Left: p.Left, Used: p.Used, Returned: p.Returned, Status: p.Status})
	s.consistent()
}

func TestPresaleServedAtReceiptInOrderOfPurchase(t *testing.T) {
	s := newShop(t, memstore.New())
	s.do(t, func(tx *app.Tx) error {
		if _, err := tx.CreateASN(inbound.ASN{ID: "ASN-PS", Lines: []inbound.ExpectedLine{{SKU: "PEN", Quantity: 20}}}); err != nil {
			return err
		}
		_, err := tx.CreatePresale(campaigns.Presale{ID: "PS1", Channel: "SHOP", SKU: "PEN", ASN: "ASN-PS", Cap: 8})
		return err
	})
	var ps []orders.Order
	for i := range 3 {
		r := req("SHOP", fmt.Sprint("ps", i), orders.Paid, line("PEN", 3))
		r.Presale = "PS1"
		ps = append(ps, s.mustOrder(r))
	}
	assert.Equal(t, int64(3), ps[0].Lines[0].Presold)
	assert.Equal(t, int64(2), ps[2].Lines[0].Presold, "the cap is 8")
	assert.Equal(t, int64(1), ps[2].Lines[0].Backordered)
	early := s.mustOrder(req("SHOP", "plain", orders.Paid, line("PEN", 2)))
	s.consistent()
	s.do(t, func(tx *app.Tx) error {
		_, err := tx.ReceiveLabel(app.At{Gateway: "gw", Station: "dock", Time: s.clock.Now()}, inbound.Label{Case: &inbound.Case{GTIN: items["PEN"], Count: 5}})
		return err
	})
	assert.Equal(t, int64(3), s.get(ps[0].ID).Lines[0].Promised, "pre-sale buyers first, in order of purchase")
	assert.Equal(t, int64(2), s.get(ps[1].ID).Lines[0].Promised)
	assert.Equal(t, int64(0), s.get(early.ID).Lines[0].Promised)
	s.consistent()
}

func TestRoutingPrefersOneWarehouseAndSplitsOnlyWhenAllowed(t *testing.T) {
	s := newShop(t, memstore.New())
	s.do(t, func(tx *app.Tx) error {
		for _, l := range []stock.Location{{Code: "N-01", Type: stock.LocReserve, Warehouse: "N"}, {Code: "S-01", Type: stock.LocReserve, Warehouse: "S"},
			{Code: "N-RCV", Type: stock.LocReceiving, Warehouse: "N"}} {
			if _, err := tx.CreateLocation(l); err != nil {
				return err
			}
		}
		return nil
	})
	s.receive("TEA", 10)
	s.receive("CUP", 10)
	for _, m := range []moves.Move{{SKU: "TEA", Quantity: 4, To: "N-01"}, {SKU: "TEA", Quantity: 6, To: "S-01"}, {SKU: "CUP", Quantity: 5, To: "S-01"}} {
		s.moveFromReceiving(m)
	}
	s.do(t, func(tx *app.Tx) error {
		for _, w := range []routing.Warehouse{{Code: "N", Name: "north", Regions: []string{"north", "east"}, Priority: 1, Receiving: "N-RCV"},
			{Code: "S", Name: "south", Regions: []string{"north", "south"}, Priority: 2}} {
			if _, err := tx.CreateWarehouse(w); err != nil {
				return err
			}
		}
		return nil
	})
	o := s.mustOrder(req("SHOP", "1", orders.Paid, line("TEA", 5), line("CUP", 2)))
	assert.Equal(t, "S", o.Lines[0].Parts[0].Warehouse, "the whole order from the one warehouse that has it all")
	assert.Equal(t, "S", o.Warehouse)
	r := req("SHOP", "2", orders.Paid, line("TEA", 5))
	o = s.mustOrder(r)
	assert.Equal(t, int64(4), o.Lines[0].Promised, "no split: the best warehouse's 4 (N), the rest waits there")
	assert.True(t, o.Pinned)
	r = req("MKT", "3", orders.Paid, line("TEA", 2))
	r.Region = "south"
	o = s.mustOrder(r)
	assert.Equal(t, int64(1), o.Lines[0].Promised, "south: only S and the main warehouse serve it")
	_, err := s.order(orders.Request{Channel: "SHOP", ChannelOrder: "x", Payment: orders.Paid, ShipTo: orders.Address{Name: "A"}, Region: "west",
		Lines: []orders.LineRequest{line("TEA", 1)}})
	var inv stock.Invalid
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "region", inv[0].Field)
	s.consistent()

	s.do(t, func(tx *app.Tx) error {
		_, err := tx.CreateTransfer(routing.Transfer{ID: "T1", SKU: "CUP", Quantity: 3, From: "S", To: "N", By: "ops"})
		return err
	})
	lay, err := s.app.Layers(ctx, "CUP")
	require.NoError(t, err)
	assert.Equal(t, int64(3), dispatchOf(lay, "N").InTransit)
	var site routing.Site
	require.NoError(t, s.View(ctx, func(tx store.Tx) (err error) { site, err = tx.Warehouses(); return err }))
	assert.Empty(t, layers.Check(lay, store.LayerRegions(site)), "layers reconcile")
	s.do(t, func(tx *app.Tx) error { _, err := tx.ReceiveTransfer("T1", "", "ops"); return err })
	lay, err = s.app.Layers(ctx, "CUP")
	require.NoError(t, err)
	assert.Equal(t, int64(3), dispatchOf(lay, "N").Available)
	s.consistent()
}

// moveFromReceiving moves m.Quantity of m.SKU from the receiving location,
// plate by plate.
func (s *shop) moveFromReceiving(m moves.Move) {
	s.t.Helper()
	var qs []stock.Quant
	require.NoError(s.t, s.View(ctx, func(tx store.Tx) (err error) { qs, err = tx.Quants(app.DefaultReceiving); return err }))
	left := m.Quantity
	for _, q := range qs {
		if q.SKU != m.SKU || left == 0 || q.Status != stock.Available {
			continue
		}
		n := min(left, q.Quantity)
		mv := m
		mv.From, mv.LPN, mv.Lot, mv.Quantity, mv.Reason, mv.By = q.Location, q.LPN, q.Lot, n, "putaway", "test"
		s.do(s.t, func(tx *app.Tx) error { _, err := tx.Move(mv); return err })
		left -= n
	}
	require.Zero(s.t, left, "%s short at receiving", m.SKU)
}

func dispatchOf(l layers.Layers, wh string) layers.Dispatch {
	for _, d := range l.Warehouses {
		if d.Warehouse == wh {
			return d
		}
	}
	return layers.Dispatch{}
}

func TestShipConsumesThePromiseAndPostsStockOut(t *testing.T) {
	s := newShop(t, memstore.New())
	s.receive("TEA", 5)
	o := s.mustOrder(req("SHOP", "1", orders.Paid, line("TEA", 3)))
	var sh orders.Shipment
	s.do(t, func(tx *app.Tx) (err error) {
		sh, err = tx.ShipOrder(o.ID, app.ShipRequest{Tracking: "1Z999", By: "packer"})
		return err
	})
	assert.Equal(t, int64(3), sh.Lines[0].Quantity)
	o = s.get(o.ID)
	assert.Equal(t, orders.Shipped, o.Status)
	assert.Equal(t, int64(3), o.Lines[0].Shipped)
	_, err := s.order(req("SHOP", "1", orders.Paid, line("TEA", 3)))
	require.NoError(t, err, "the same order again is its first answer")
	err = s.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.CancelOrder(o.ID, "", ""); return err })
	var inv stock.Invalid
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "status", inv[0].Field)
	sm := s.messages(wire.OpsShipment)
	require.Len(t, sm, 1)
	assert.Equal(t, "1Z999", sm[0]["tracking"])
	s.consistent()
}
