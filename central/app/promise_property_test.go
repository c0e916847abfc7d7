package app_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
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
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/central/store/memstore"
)

// The property test of promising: random interleavings of orders,
// changes, cancels, payments and payment timeouts (on a fake clock),
// receipts, counts with gains and losses, inspections passed and failed,
// moves and transfers between warehouses, promotions and shipments. After
// every commit — and after every refusal, which must change nothing — it
// checks:
//
//   - reserved ≤ on hand − unavailable per item and warehouse, where
//     available is what the quants hold; no unit promised twice or by
//     nobody, queues as the lines say, the three layers reconcile
//     (store.CheckOutbound); and every tenth step the ledger replay of
//     store.Check;
//   - no stock idles while a line that could take it waits;
//   - backorders are served first come, first served: a line served from
//     a warehouse never jumps one that waited longer and could be served
//     from it.
func TestPromisingProperty(t *testing.T) {
	seeds, steps := 8, 150
	if testing.Short() {
		seeds = 3
	}
	seen := map[string]int{}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			for k, n := range runPromising(t, memstore.New(), seed, steps) {
				seen[k] += n
			}
		})
	}
	// The runs reach every path the invariants are about.
	for _, what := range []string{orders.Served, orders.Withdrawn, orders.ExpiredEvent, orders.ShippedEvent, orders.CancelledEvent,
		orders.Changed, "ok transfer-in", "ok promotion", "ok promotion-end", "ok inspection", "ok count", "ok move"} {
		assert.Positive(t, seen[what], "no step did %q", what)
	}
	t.Logf("what the runs did: %v", seen)
}

// The same on Badger, shorter: the engine that runs in production keeps
// the same rules.
func TestPromisingPropertyOnBadger(t *testing.T) {
	for seed := range uint64(1) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			st, err := badgerstore.Open(t.TempDir(), zerolog.Nop())
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			runPromising(t, st, 1000+seed, 80)
		})
	}
}

type model struct {
	*shop
	r      *rand.Rand
	orders []string
	xfers  []string
	promos []string
	n      int
	log    []string
}

var (
	propSKUs    = []string{"TEA", "CUP"}
	propRegions = []string{"north", "south", "east"}
	propLocs    = []string{app.DefaultReceiving, "N-01", "S-01", "M-01"}
)

// runPromising runs steps random use cases and returns how often each
// succeeded ("ok <name>") and each order event happened.
func runPromising(t *testing.T, st store.Store, seed uint64, steps int) map[string]int {
	m := &model{shop: newShop(t, st), r: rand.New(rand.NewPCG(seed, seed*7919+1))}
	m.do(t, func(tx *app.Tx) error {
		if _, err := tx.CreateChannel(orders.Channel{ID: "SPL", Name: "split", Shortage: orders.Backorder, Split: true}); err != nil {
			return err
		}
		for _, l := range []stock.Location{{Code: "N-01", Type: stock.LocReserve, Warehouse: "N", Pallets: 99}, {Code: "N-RCV", Type: stock.LocReceiving, Warehouse: "N"},
			{Code: "S-01", Type: stock.LocReserve, Warehouse: "S", Pallets: 99}, {Code: "S-RCV", Type: stock.LocReceiving, Warehouse: "S"},
			{Code: "M-01", Type: stock.LocReserve, Pallets: 99}, {Code: "QC-1", Type: stock.LocQC}} {
			if _, err := tx.CreateLocation(l); err != nil {
				return err
			}
		}
		for _, w := range []routing.Warehouse{{Code: "N", Name: "north", Regions: []string{"north", "east"}, Priority: 1, Receiving: "N-RCV"},
			{Code: "S", Name: "south", Regions: []string{"north", "south"}, Priority: 2, Receiving: "S-RCV"}} {
			if _, err := tx.CreateWarehouse(w); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		return tx.PutPlan(quality.Plan{ID: "cups", SKU: "CUP", Mode: quality.Full})
	}))
	ops := []struct {
		weight int
		name   string
		do     func() error
	}{
		{5, "order", m.newOrder}, {2, "change", m.change}, {2, "cancel", m.cancel}, {2, "pay", m.pay}, {2, "timeout", m.timeout},
		{5, "receipt", m.receipt}, {2, "inspection", m.inspect}, {3, "move", m.move}, {2, "count", m.count}, {2, "transfer", m.transfer},
		{2, "transfer-in", m.transferIn}, {3, "ship", m.ship}, {1, "promotion", m.promotion}, {1, "promotion-end", m.endPromotion},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	seen := map[string]int{}
	for step := range steps {
		pick := m.r.IntN(total)
		i := 0
		for pick >= ops[i].weight {
			pick -= ops[i].weight
			i++
		}
		m.drain()
		before := m.snapshot()
		err := ops[i].do()
		m.log = append(m.log, fmt.Sprintf("%d %s: %v", step, ops[i].name, err))
		if errors.Is(err, errSkip) {
			continue
		}
		if err == nil {
			seen["ok "+ops[i].name]++
		}
		if err != nil {
			require.True(t, refusal(err), "step %d %s: not a refusal: %v\n%s", step, ops[i].name, err, m.trail())
			require.Equal(t, before, m.snapshot(), "step %d %s: a refused use case changes nothing", step, ops[i].name)
		}
		m.check(step, before)
	}
	for _, o := range m.snapshot().Orders {
		for _, e := range o.History {
			seen[e.Event]++
		}
	}
	return seen
}

// errSkip is a step that found nothing to do (no order yet, …).
var errSkip = errors.New("nothing to do")

func (m *model) trail() string {
	n := max(len(m.log)-15, 0)
	out := ""
	for _, l := range m.log[n:] {
		out += l + "\n"
	}
	return out
}

// refusal reports whether err is a use case saying no (bad input, a
// state that does not allow it, stock that is promised), not a failure.
func refusal(err error) bool {
	var inv stock.Invalid
	var conflict *app.ConflictError
	return errors.As(err, &inv) || errors.As(err, &conflict) || errors.Is(err, stock.ErrReserved) || errors.Is(err, stock.ErrInsufficient)
}

func (m *model) pickOrder() (orders.Order, bool) {
	if len(m.orders) == 0 {
		return orders.Order{}, false
	}
	return m.get(m.orders[m.r.IntN(len(m.orders))]), true
}

func (m *model) newOrder() error {
	m.n++
	ch := []string{"SHOP", "MKT", "SPL"}[m.r.IntN(3)]
	pay := []orders.Payment{orders.Paid, orders.Unpaid}[m.r.IntN(2)]
	r := req(ch, fmt.Sprint("o", m.n), pay, line(propSKUs[m.r.IntN(2)], m.r.Int64N(6)+1))
	if m.r.IntN(3) == 0 {
		r.Lines = append(r.Lines, line(otherSKU(r.Lines[0].SKU), m.r.Int64N(5)+1))
	}
	r.Region = propRegions[m.r.IntN(len(propRegions))]
	if len(m.promos) > 0 && ch == "SHOP" && m.r.IntN(2) == 0 {
		r.Campaign = m.promos[len(m.promos)-1]
	}
	o, err := m.order(r)
	if err == nil {
		m.orders = append(m.orders, o.ID)
	}
	return err
}

func otherSKU(s string) string {
	if s == "TEA" {
		return "CUP"
	}
	return "TEA"
}

func (m *model) change() error {
	o, ok := m.pickOrder()
	if !ok {
		return errSkip
	}
	var ls []orders.LineRequest
	for _, l := range o.Lines {
		if m.r.IntN(4) == 0 && len(o.Lines) > 1 {
			continue // removed
		}
		ls = append(ls, orders.LineRequest{Line: l.Line, SKU: l.SKU, Quantity: orders.Qty(max(l.Shipped, 1) + m.r.Int64N(8))})
	}
	if len(ls) == 0 {
		ls = append(ls, orders.LineRequest{Line: 9, SKU: propSKUs[m.r.IntN(2)], Quantity: orders.Qty(m.r.Int64N(4) + 1)})
	}
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.ChangeOrder(o.ID, orders.ChangeRequest{Lines: ls}); return err })
}

func (m *model) cancel() error {
	o, ok := m.pickOrder()
	if !ok {
		return errSkip
	}
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.CancelOrder(o.ID, "test", "t"); return err })
}

func (m *model) pay() error {
	o, ok := m.pickOrder()
	if !ok {
		return errSkip
	}
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.PayOrder(o.ID, "psp"); return err })
}

func (m *model) timeout() error {
	m.clock.Add(time.Duration(m.r.IntN(8)) * time.Minute)
	_, err := m.app.RunTimers(ctx)
	return err
}

func (m *model) receipt() error {
	m.asns++
	sku := propSKUs[m.r.IntN(2)]
	n := m.r.Int64N(15) + 1
	return m.app.Update(ctx, func(tx *app.Tx) error {
		if _, err := tx.CreateASN(inbound.ASN{ID: fmt.Sprint("ASN-", m.asns), Lines: []inbound.ExpectedLine{{SKU: sku, Quantity: n}}}); err != nil {
			return err
		}
		_, err := tx.ReceiveLabel(app.At{Gateway: "gw", Station: "dock", Time: m.clock.Now()}, inbound.Label{Case: &inbound.Case{GTIN: items[sku], Count: n}})
		return err
	})
}

func (m *model) inspect() error {
	var open []quality.Task
	require.NoError(m.t, m.View(ctx, func(tx store.Tx) error {
		ts, err := tx.Inspections()
		for _, x := range ts {
			if x.Status == quality.Open {
				open = append(open, x)
			}
		}
		return err
	}))
	if len(open) == 0 {
		return errSkip
	}
	task := open[m.r.IntN(len(open))]
	result, note := quality.Pass, ""
	if m.r.IntN(3) == 0 {
		result, note = quality.Fail, "broken"
	}
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.RecordInspection(task.ID, result, note, "qa"); return err })
}

// quants lists available stock at a location.
func (m *model) quants(loc string) []stock.Quant {
	var qs []stock.Quant
	require.NoError(m.t, m.View(ctx, func(tx store.Tx) (err error) { qs, err = tx.Quants(loc); return err }))
	return qs
}

func (m *model) move() error {
	from := propLocs[m.r.IntN(len(propLocs))]
	qs := m.quants(from)
	if len(qs) == 0 {
		return errSkip
	}
	q := qs[m.r.IntN(len(qs))]
	to := propLocs[m.r.IntN(len(propLocs))]
	if to == from || to == app.DefaultReceiving {
		return errSkip
	}
	mv := moves.Move{SKU: q.SKU, From: from, To: to, Quantity: m.r.Int64N(q.Quantity) + 1, LPN: q.LPN, Lot: q.Lot, Expiry: q.Expiry,
		Status: q.Status, Reason: "putaway", By: "t"}
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.Move(mv); return err })
}

func (m *model) count() error {
	loc := propLocs[m.r.IntN(len(propLocs))]
	got := map[string]int64{}
	for _, q := range m.quants(loc) {
		got[q.SKU] += q.Quantity
	}
	var lines []counting.Line
	for _, sku := range propSKUs {
		n := max(got[sku]+m.r.Int64N(7)-3, 0)
		if got[sku] > 0 || n > 0 {
			lines = append(lines, counting.Line{SKU: sku, Quantity: n})
		}
	}
	return m.app.Update(ctx, func(tx *app.Tx) error {
		task, err := tx.StartCount(loc, time.Time{})
		if err != nil {
			return err
		}
		res, err := tx.SubmitCount(task.ID, lines, "cycle count", "counter", time.Time{})
		if err == nil && res.Recount {
			_, err = tx.SubmitCount(task.ID, lines, "cycle count", "counter", time.Time{})
		}
		return err
	})
}

func (m *model) transfer() error {
	m.n++
	from, to := "N", "S"
	if m.r.IntN(2) == 0 {
		from, to = to, from
	}
	x := routing.Transfer{ID: fmt.Sprint("T", m.n), SKU: propSKUs[m.r.IntN(2)], Quantity: m.r.Int64N(4) + 1, From: from, To: to, By: "t"}
	err := m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.CreateTransfer(x); return err })
	if err == nil {
		m.xfers = append(m.xfers, x.ID)
	}
	return err
}

func (m *model) transferIn() error {
	if len(m.xfers) == 0 {
		return errSkip
	}
	id := m.xfers[m.r.IntN(len(m.xfers))]
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.ReceiveTransfer(id, "", "t"); return err })
}

func (m *model) ship() error {
	o, ok := m.pickOrder()
	if !ok {
		return errSkip
	}
	var wh *string
	for _, l := range o.Lines {
		for _, p := range l.Parts {
			wh = &p.Warehouse
		}
	}
	return m.app.Update(ctx, func(tx *app.Tx) error {
		_, err := tx.ShipOrder(o.ID, app.ShipRequest{Warehouse: wh, Tracking: "TRK" + o.ID, By: "packer"})
		return err
	})
}

func (m *model) promotion() error {
	m.n++
	id := fmt.Sprint("PR", m.n)
	p := campaigns.Promotion{ID: id, Channel: "SHOP", SKU: propSKUs[m.r.IntN(2)], Quantity: m.r.Int64N(4) + 1}
	if m.r.IntN(2) == 0 {
		p.Warehouse = "N"
	}
	err := m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.CreatePromotion(p); return err })
	if err == nil {
		m.promos = append(m.promos, id)
	}
	return err
}

func (m *model) endPromotion() error {
	if len(m.promos) == 0 {
		return errSkip
	}
	id := m.promos[m.r.IntN(len(m.promos))]
	return m.app.Update(ctx, func(tx *app.Tx) error { _, err := tx.EndPromotion(id); return err })
}

// snapshot is what a refused use case must leave as it was: every order,
// reservation, queue entry, pool, quant and queued message.
type snapshot struct {
	Orders   []orders.Order
	Res      []stock.Reservation
	Waiting  []promise.Waiting
	Pools    []stock.PoolBalance
	Quants   []stock.Quant
	Messages int
}

func (m *model) snapshot() snapshot {
	var s snapshot
	require.NoError(m.t, m.View(ctx, func(tx store.Tx) error {
		var err error
		s.Orders, err = tx.Orders()
		if err == nil {
			s.Res, err = tx.AllReservations()
		}
		if err == nil {
			s.Waiting, err = tx.AllWaiting()
		}
		if err == nil {
			s.Pools, err = tx.Pools("")
		}
		if err == nil {
			s.Quants, err = tx.Quants("")
		}
		return err
	}))
	out, err := m.Outgoing(ctx, 0, 1<<20)
	require.NoError(m.t, err)
	s.Messages = len(out)
	return s
}

// drain takes the queued messages off the queue, as the MQTT link would.
func (m *model) drain() {
	out, err := m.Outgoing(ctx, 0, 1<<20)
	require.NoError(m.t, err)
	var seqs []uint64
	for _, msg := range out {
		seqs = append(seqs, msg.Seq)
	}
	require.NoError(m.t, m.Sent(ctx, seqs...))
}

// check asserts the invariants after a step; before is the state the
// step started from.
func (m *model) check(step int, before snapshot) {
	t := m.t
	t.Helper()
	after := m.snapshot()
	where := fmt.Sprintf("step %d\n%s", step, m.trail())
	avail := map[stock.Pool]int64{}
	var site routing.Site
	require.NoError(t, m.View(ctx, func(tx store.Tx) error {
		var err error
		if site, err = tx.Warehouses(); err != nil {
			return err
		}
		for _, q := range after.Quants {
			wh, err := tx.Warehouse(q.Location)
			if err != nil {
				return err
			}
			if q.Status == stock.Available {
				avail[stock.Pool{SKU: q.SKU, Warehouse: wh}] += q.Quantity
			}
		}
		return nil
	}))
	free := map[stock.Pool]int64{}
	for _, p := range after.Pools {
		require.Equal(t, avail[p.Pool], p.Available, "on hand − unavailable of %s is the available quants; %s", p.Pool, where)
		require.LessOrEqual(t, p.Reserved, p.Available, "reserved ≤ on hand − unavailable for %s; %s", p.Pool, where)
		free[p.Pool] = p.Available - p.Reserved
	}
	problems, err := store.CheckOutbound(ctx, m.Store)
	require.NoError(t, err)
	require.Empty(t, problems, where)
	if step%10 == 9 {
		// The ledger replay grows with every step: every tenth (the
		// pools checked above are what it would check at each).
		problems, err = store.Check(ctx, m.Store)
		require.NoError(t, err)
		require.Empty(t, problems, where)
	}
	eligible := func(w promise.Waiting, wh string) bool {
		return w.Presale == "" && (w.Pinned && w.Warehouse == wh || !w.Pinned && site.Serves(wh, w.Region))
	}
	// Nothing idles while someone who could take it waits.
	for p, n := range free {
		if n == 0 {
			continue
		}
		for _, w := range after.Waiting {
			require.False(t, w.SKU == p.SKU && eligible(w, p.Warehouse), "%d of %s are free while %s line %d (#%d) waits for them; %s",
				n, p, w.Order, w.Line, w.Seq, where)
		}
	}
	// First come, first served: what a step served from a warehouse went
	// to lines that waited longer than any it left waiting there.
	parts := map[string]bool{}
	seqOf := map[string]uint64{}
	for _, o := range before.Orders {
		for _, l := range o.Lines {
			key := fmt.Sprint(o.ID, "/", l.Line)
			seqOf[key] = l.Seq
			for _, p := range l.Parts {
				parts[p.Reservation] = true
			}
		}
	}
	served := map[stock.Pool]uint64{}
	for _, o := range after.Orders {
		for _, l := range o.Lines {
			key := fmt.Sprint(o.ID, "/", l.Line)
			if s, ok := seqOf[key]; !ok || s != l.Seq {
				continue // a new line, or one a change added to
			}
			for _, p := range l.Parts {
				if !parts[p.Reservation] && p.Promotion == "" {
					pool := stock.Pool{SKU: l.SKU, Warehouse: p.Warehouse}
					served[pool] = max(served[pool], l.Seq)
				}
			}
		}
	}
	for _, pool := range slices.SortedFunc(maps.Keys(served), func(a, b stock.Pool) int { return cmpPool(a, b) }) {
		for _, w := range after.Waiting {
			if w.SKU == pool.SKU && eligible(w, pool.Warehouse) {
				require.GreaterOrEqual(t, w.Seq, served[pool], "%s served #%d while %s line %d (#%d) still waits; %s",
					pool, served[pool], w.Order, w.Line, w.Seq, where)
			}
		}
	}
}

func cmpPool(a, b stock.Pool) int {
	if a.SKU != b.SKU {
		if a.SKU < b.SKU {
			return -1
		}
		return 1
	}
	if a.Warehouse < b.Warehouse {
		return -1
	}
	if a.Warehouse > b.Warehouse {
		return 1
	}
	return 0
}
