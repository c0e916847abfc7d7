// Package storetest is the conformance suite of central's store contract
// (package store): every engine runs the same tests (badgerstore and
// memstore in their own tests; a new engine adds one line), so the
// application layer can rely on the contract and not on an engine.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Open returns a fresh, empty store that the test closes.
type Open func(t testing.TB) store.Store

// Run runs every conformance test against the stores open returns.
func Run(t *testing.T, open Open) {
	for name, test := range map[string]func(*testing.T, Open){
		"MatchesModel":                testMatchesModel,
		"AllOrNothing":                testAllOrNothing,
		"ViewIsReadOnly":              testViewIsReadOnly,
		"RecordsAreValues":            testRecordsAreValues,
		"UpdatesAreSerializable":      testUpdatesAreSerializable,
		"ListsAreOrderedAndPaged":     testListsArePaged,
		"Indexes":                     testIndexes,
		"OutgoingQueue":               testOutgoingQueue,
		"StreamsAndJournal":           testStreamsAndJournal,
		"SmallRecords":                testSmallRecords,
		"PoolsAndReservations":        testPoolsAndReservations,
		"CheckFindsTampering":         testCheckFindsTampering,
		"CheckFindsBadReservation":    testCheckFindsBadReservation,
		"OutboundRecords":             testOutboundRecords,
		"Queues":                      testQueues,
		"Timers":                      testTimers,
		"PoolReservations":            testPoolReservations,
		"CheckOutboundFindsTampering": testCheckOutboundFindsTampering,
	} {
		t.Run(name, func(t *testing.T) { test(t, open) })
	}
}

var ctx = context.Background()

func update(t testing.TB, st store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	require.NoError(t, st.Update(ctx, fn))
}

func view(t testing.TB, st store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	require.NoError(t, st.View(ctx, fn))
}

func consistent(t testing.TB, st store.Store) {
	t.Helper()
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	require.Empty(t, problems)
}

// RandomMovement returns a receipt, move, status change or issue over
// three items and three locations (the crash test uses it too).
func RandomMovement(r *rand.Rand) stock.Movement {
	locs := []string{"RECEIVING", "A-01-1-01", "A-01-1-02"}
	sku := []string{"A", "B", "C"}[r.IntN(3)]
	st := []stock.Status{stock.Available, stock.Quarantine}[r.IntN(2)]
	m := stock.Movement{SKU: sku, Quantity: r.Int64N(10) + 1, Lot: []string{"", "L1"}[r.IntN(2)], Reason: "test", At: time.Now().UTC()}
	from, to := locs[r.IntN(3)], locs[r.IntN(3)]
	switch r.IntN(4) {
	case 0:
		m.To, m.ToStatus = to, st
	case 1:
		m.From, m.FromStatus = from, st
	case 2:
		m.From, m.To, m.FromStatus, m.ToStatus = from, to, st, st
	case 3:
		m.From, m.To, m.FromStatus, m.ToStatus = from, from, st, []stock.Status{stock.Available, stock.Quarantine}[r.IntN(2)]
	}
	return m
}

var errRollback = errors.New("rollback")

// testMatchesModel applies random multi-movement commands to the store and
// to an in-memory model; a command whose movements do not all apply must
// leave nothing behind.
func testMatchesModel(t *testing.T, open Open) {
	st := open(t)
	r := rand.New(rand.NewPCG(7, 11))
	model := stock.NewMemQuants()
	for range 300 {
		ms := make([]stock.Movement, 1+r.IntN(4))
		for i := range ms {
			ms[i] = RandomMovement(r)
		}
		// Apply to a trial copy of the model first: all or nothing.
		trial := stock.NewMemQuants()
		for k, n := range model.All() {
			require.NoError(t, trial.SetQuant(k, n))
		}
		for p, n := range model.Pools() {
			require.NoError(t, trial.SetAvailable(p, n))
		}
		ok := true
		for _, m := range ms {
			if _, err := stock.Apply(trial, m); err != nil {
				ok = false
				break
			}
		}
		err := st.Update(ctx, func(tx store.Tx) error {
			for _, m := range ms {
				if _, err := stock.Post(tx, m); err != nil {
					return err
				}
			}
			if r.IntN(10) == 0 {
				return errRollback // a command that fails after posting
			}
			return nil
		})
		if errors.Is(err, errRollback) {
			continue
		}
		require.Equal(t, ok, err == nil, "store and model agree on acceptance: %v", err)
		if ok {
			model = trial
		}
	}
	view(t, st, func(tx store.Tx) error {
		qs, err := tx.Quants("")
		require.NoError(t, err)
		got := map[stock.QuantKey]int64{}
		for _, q := range qs {
			got[q.QuantKey] = q.Quantity
		}
		assert.Equal(t, model.All(), got)
		for p, n := range model.Pools() {
			a, err := tx.Available(p)
			require.NoError(t, err)
			assert.Equal(t, n, a, "available total of %s", p)
		}
		return nil
	})
	consistent(t, st)
}

func testAllOrNothing(t *testing.T, open Open) {
	st := open(t)
	err := st.Update(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.PutItem(stock.Item{SKU: "A", GTIN: "06901234567892", Name: "A"}))
		_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: stock.Available, Reason: "receipt"})
		require.NoError(t, err)
		require.NoError(t, tx.Enqueue("t/ops/stock", []byte(`{}`), false))
		require.NoError(t, tx.SetWatermark("gw", "s", 9))
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	select {
	case <-st.Queued():
		t.Fatal("a rolled-back transaction queued nothing")
	default:
	}
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Item("A")
		assert.ErrorIs(t, err, stock.ErrNotFound)
		_, err = tx.ItemByGTIN("06901234567892")
		assert.ErrorIs(t, err, stock.ErrNotFound)
		ms, err := tx.Movements(0, 0)
		assert.Empty(t, ms)
		avail, _ := tx.Available(stock.Pool{SKU: "A"})
		assert.Zero(t, avail)
		wm, _ := tx.Watermark("gw", "s")
		assert.Zero(t, wm)
		return err
	})
	out, err := st.Outgoing(ctx, 0, 10)
	require.NoError(t, err)
	assert.Empty(t, out)
	consistent(t, st)
}

func testViewIsReadOnly(t *testing.T, open Open) {
	st := open(t)
	err := st.View(ctx, func(tx store.Tx) error { return tx.PutItem(stock.Item{SKU: "A", Name: "A"}) })
	require.Error(t, err, "a View never writes")
	err = st.View(ctx, func(tx store.Tx) error { return tx.Enqueue("t", nil, false) })
	require.Error(t, err)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Item("A")
		assert.ErrorIs(t, err, stock.ErrNotFound)
		return nil
	})
	require.NoError(t, st.Probe(ctx), "the readiness probe writes")
}

// A record a Tx returns is the caller's copy.
func testRecordsAreValues(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		return tx.PutASN(inbound.ASN{ID: "ASN-1", Status: inbound.ASNOpen, Progress: []inbound.Progress{{SKU: "A", Expected: 5}}})
	})
	update(t, st, func(tx store.Tx) error {
		a, err := tx.ASN("ASN-1")
		require.NoError(t, err)
		a.Progress[0].Received = 5 // not written back
		b, err := tx.ASN("ASN-1")
		assert.Zero(t, b.Progress[0].Received, "changing a returned record changes nothing stored")
		return err
	})
}

// Concurrent Updates that read and then write the same record do not
// lose an update: every plate code is issued once.
func testUpdatesAreSerializable(t *testing.T, open Open) {
	st := open(t)
	const n = 40
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			update(t, st, func(tx store.Tx) error {
				c, err := tx.NextLPN()
				codes <- c
				return err
			})
		})
	}
	wg.Wait()
	close(codes)
	seen := map[string]bool{}
	for c := range codes {
		assert.False(t, seen[c], "code %s issued twice", c)
		seen[c] = true
	}
	assert.True(t, seen[fmt.Sprintf("L%09d", n)])
}

func testListsArePaged(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(25) {
			if err := tx.PutLocation(stock.Location{Code: fmt.Sprintf("A-%02d", i), Type: stock.LocReserve}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		all, err := tx.Locations()
		require.NoError(t, err)
		require.Len(t, all, 25)
		for i, l := range all {
			assert.Equal(t, fmt.Sprintf("A-%02d", i), l.Code, "in code order")
		}
		var paged []stock.Location
		p := store.Page{Limit: 10}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 4)
			ls, err := tx.Paged(&p).Locations()
			require.NoError(t, err)
			paged = append(paged, ls...)
			if p.Next == "" {
				break
			}
			p = store.Page{After: p.Next, Limit: 10}
		}
		assert.Equal(t, all, paged, "following the cursors lists every record once")

		p = store.Page{Limit: 25}
		ls, err := tx.Paged(&p).Locations()
		assert.Len(t, ls, 25)
		assert.Empty(t, p.Next, "a page that ends the list has no next")
		p = store.Page{After: "\xff\xff", Limit: 5}
		ls, _ = tx.Paged(&p).Locations()
		assert.Empty(t, ls, "a cursor past the end lists nothing")
		p = store.Page{After: "A-19", Limit: 100}
		ls, _ = tx.Paged(&p).Locations()
		assert.Len(t, ls, 5, "a cursor is a position: the records after it")
		return err
	})
}

func testIndexes(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.PutItem(stock.Item{SKU: "W", GTIN: "614141000418", Name: "W",
			Packs: []stock.Pack{{UoM: "case", Quantity: 12, GTIN: "10614141000415"}}}))
		require.NoError(t, tx.PutASN(inbound.ASN{ID: "ASN-2", Status: inbound.ASNOpen, Created: time.Unix(200, 0),
			Pallets: []inbound.ExpectedPallet{{SSCC: "106141410000000019", SKU: "W", Quantity: 48}}}))
		require.NoError(t, tx.PutASN(inbound.ASN{ID: "ASN-1", Status: inbound.ASNOpen, Created: time.Unix(300, 0)}))
		require.NoError(t, tx.PutASN(inbound.ASN{ID: "ASN-3", Status: inbound.ASNClosed, Created: time.Unix(100, 0)}))
		require.NoError(t, tx.PutLPN(stock.LPN{Code: "P1", Location: "RECEIVING", Putaway: "A-01"}))
		return tx.PutLPN(stock.LPN{Code: "P2", Location: "RECEIVING", Putaway: "A-01"})
	})
	update(t, st, func(tx store.Tx) error {
		it, err := tx.ItemByGTIN("00614141000418")
		require.NoError(t, err)
		assert.Equal(t, "W", it.SKU, "a GTIN-12 is found by its GTIN-14 form")
		it, err = tx.ItemByGTIN("10614141000415")
		require.NoError(t, err)
		assert.Equal(t, "W", it.SKU, "and by its case's GTIN")
		require.NoError(t, tx.PutItem(stock.Item{SKU: "W", Name: "W"}))
		_, err = tx.ItemByGTIN("10614141000415")
		assert.ErrorIs(t, err, stock.ErrNotFound, "replacing an item drops its old GTINs")

		a, p, err := tx.ExpectedPallet("106141410000000019")
		require.NoError(t, err)
		assert.Equal(t, "ASN-2", a.ID)
		assert.Equal(t, int64(48), p.Quantity)
		open, err := tx.OpenASNs()
		require.NoError(t, err)
		require.Len(t, open, 2)
		assert.Equal(t, []string{"ASN-2", "ASN-1"}, []string{open[0].ID, open[1].ID}, "open ASNs, oldest first")

		n, err := tx.Targeted("A-01")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		require.NoError(t, tx.PutLPN(stock.LPN{Code: "P1", Location: "A-01"}))
		n, _ = tx.Targeted("A-01")
		assert.Equal(t, 1, n, "a plate that arrived is no longer on its way")
		return nil
	})
}

func testOutgoingQueue(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.Enqueue(fmt.Sprintf("t/%d", i), []byte{byte(i)}, i == 4); err != nil {
				return err
			}
		}
		return nil
	})
	select {
	case <-st.Queued():
	default:
		t.Fatal("a commit that queued messages signals Queued")
	}
	out, err := st.Outgoing(ctx, 0, 3)
	require.NoError(t, err)
	require.Len(t, out, 3)
	assert.Equal(t, "t/0", out[0].Topic)
	assert.Equal(t, []byte{2}, out[2].Payload)
	require.NoError(t, st.Sent(ctx, out[0].Seq, out[1].Seq))
	rest, err := st.Outgoing(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, rest, 3, "sent messages are gone")
	assert.Equal(t, out[2].Seq, rest[0].Seq)
	assert.True(t, rest[2].Retain)
	after, err := st.Outgoing(ctx, rest[1].Seq, 10)
	require.NoError(t, err)
	require.Len(t, after, 1, "the messages after a seq")
	update(t, st, func(tx store.Tx) error { return tx.SetWatermark("g", "s", 1) })
	select {
	case <-st.Queued():
		t.Fatal("a commit that queued nothing does not signal")
	default:
	}
}

func testStreamsAndJournal(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.AnnounceStream("gw1", "s1", "must"))
		for seq := uint64(1); seq <= 3; seq++ {
			require.NoError(t, tx.Journal(store.Applied{Gateway: "gw1", Stream: "s1", Seq: seq, ID: fmt.Sprint("E", seq), Type: "scan"}))
		}
		require.NoError(t, tx.Journal(store.Applied{Gateway: "gw10", Stream: "s9", Seq: 1, ID: "X"}))
		return tx.SetWatermark("gw1", "s1", 3)
	})
	view(t, st, func(tx store.Tx) error {
		lane, ok, err := tx.StreamLane("gw1", "s1")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "must", lane)
		_, ok, _ = tx.StreamLane("gw1", "s2")
		assert.False(t, ok)
		has, _ := tx.HasStreams("gw1")
		assert.True(t, has)
		has, _ = tx.HasStreams("gw")
		assert.False(t, has, "a gateway whose name begins another's has no streams")
		wm, _ := tx.Watermark("gw1", "s1")
		assert.Equal(t, uint64(3), wm)
		id, ok, _ := tx.AppliedID("gw1", "s1", 2)
		assert.True(t, ok)
		assert.Equal(t, "E2", id)
		n, _ := tx.AppliedCount("gw1")
		assert.Equal(t, uint64(3), n)
		lines, err := tx.JournalFrom(1, 2)
		require.NoError(t, err)
		require.Len(t, lines, 2)
		assert.Equal(t, []uint64{2, 3}, []uint64{lines[0].N, lines[1].N}, "in application order")
		return err
	})
}

// testSmallRecords covers the records with one key each: what goes in
// comes out, and the defaults of what was never written.
func testSmallRecords(t *testing.T, open Open) {
	st := open(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	key := alerting.Key{Kind: "bad-scan", Class: "x"}
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.SetStationState("gw/st", map[string]string{"lpn": "P1"}))
		require.NoError(t, tx.SetIdempotent("POST /x k", []byte("fp"), []byte(`{"a":1}`)))
		require.NoError(t, tx.SetLastCounted("A-01", at))
		require.NoError(t, tx.SetAlertWindow(key, &alerting.Window{Key: key, Start: at, Count: 2}))
		return tx.PutPO(purchasing.PO{ID: "PO-1", Status: purchasing.Draft})
	})
	update(t, st, func(tx store.Tx) error {
		var s map[string]string
		require.NoError(t, tx.StationState("gw/st", &s))
		assert.Equal(t, "P1", s["lpn"])
		require.NoError(t, tx.SetStationState("gw/st", nil))
		assert.ErrorIs(t, tx.StationState("gw/st", &s), stock.ErrNotFound, "a cleared station is idle")
		ans, req, ok, err := tx.Idempotent("POST /x k")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []byte(`{"a":1}`), ans)
		assert.Equal(t, []byte("fp"), req)
		_, _, ok, _ = tx.Idempotent("POST /x other")
		assert.False(t, ok)
		last, _ := tx.LastCounted("A-01")
		assert.True(t, at.Equal(last))
		last, _ = tx.LastCounted("A-02")
		assert.True(t, last.IsZero())
		p, err := tx.CountPolicy()
		require.NoError(t, err)
		assert.Equal(t, 30, p.Days["A"], "the default policy until one is set")
		w, err := tx.AlertWindow(key)
		require.NoError(t, err)
		require.NotNil(t, w)
		assert.Equal(t, int64(2), w.Count)
		w, _ = tx.AlertWindow(alerting.Key{Kind: "other"})
		assert.Nil(t, w)
		po, err := tx.PO("PO-1")
		assert.Equal(t, purchasing.Draft, po.Status)
		return err
	})
}

// Pools are per warehouse; reservations are records whose totals the
// store keeps beside them, and Check reads them the same way.
func testPoolsAndReservations(t *testing.T, open Open) {
	st := open(t)
	bin := stock.QuantKey{SKU: "A", Location: "B-01", Status: stock.Available}
	update(t, st, func(tx store.Tx) error {
		require.NoError(t, tx.PutLocation(stock.Location{Code: "B-01", Type: stock.LocReserve, Warehouse: "W2"}))
		for _, m := range []stock.Movement{
			{SKU: "A", Quantity: 10, To: "B-01", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "A", Quantity: 4, To: "X", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "AB", Quantity: 1, To: "X", ToStatus: stock.Available, Reason: "receipt"},
		} {
			if _, err := stock.Post(tx, m); err != nil {
				return err
			}
		}
		_, err := stock.Reserve(tx, stock.Reservation{ID: "R1", Order: "O1", Line: "1", SKU: "A", Warehouse: "W2", Quantity: 6})
		require.NoError(t, err)
		_, err = stock.Allocate(tx, "R1", bin, 5)
		return err
	})
	consistent(t, st)
	view(t, st, func(tx store.Tx) error {
		pools, err := tx.Pools("A")
		require.NoError(t, err)
		assert.ElementsMatch(t, []stock.PoolBalance{{Pool: stock.Pool{SKU: "A"}, Available: 4},
			{Pool: stock.Pool{SKU: "A", Warehouse: "W2"}, Available: 10, Reserved: 6}}, pools)
		all, _ := tx.Pools("")
		assert.Len(t, all, 3)
		held, _ := tx.Allocated(bin)
		assert.Equal(t, int64(5), held)
		rs, err := tx.AllReservations()
		require.Len(t, rs, 1)
		assert.Equal(t, []stock.QuantReservation{{QuantKey: bin, Quantity: 5}}, rs[0].Quants)
		return err
	})
	err := st.Update(ctx, func(tx store.Tx) error {
		_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 6, From: "B-01", FromStatus: stock.Available, Reason: "ship"})
		return err
	})
	require.ErrorIs(t, err, stock.ErrReserved, "promised stock does not leave")
	update(t, st, func(tx store.Tx) error {
		_, err := stock.Release(tx, "R1", 6)
		return err
	})
	view(t, st, func(tx store.Tx) error {
		pools, err := tx.Pools("A")
		assert.ElementsMatch(t, []stock.PoolBalance{{Pool: stock.Pool{SKU: "A"}, Available: 4},
			{Pool: stock.Pool{SKU: "A", Warehouse: "W2"}, Available: 10}}, pools)
		held, _ := tx.Allocated(bin)
		assert.Zero(t, held)
		return err
	})
	consistent(t, st)
}

func testCheckFindsTampering(t *testing.T, open Open) {
	st := open(t)
	update(t, st, func(tx store.Tx) error {
		_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: stock.Available, Reason: "receipt"})
		return err
	})
	update(t, st, func(tx store.Tx) error {
		// A reservation of 9 with its total, as no rule would make it.
		if err := tx.PutReservation(stock.Reservation{ID: "R1", SKU: "A", Quantity: 9}); err != nil {
			return err
		}
		if err := tx.SetReserved(stock.Pool{SKU: "A"}, 9); err != nil {
			return err
		}
		return tx.SetQuant(stock.QuantKey{SKU: "A", Location: "X", Status: stock.Available}, 4)
	})
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	require.Len(t, problems, 2)
	assert.Contains(t, problems[0], "is 4, ledger says 5")
	assert.Contains(t, problems[1], "reserved 9 of A but 5 available")
}

func testCheckFindsBadReservation(t *testing.T, open Open) {
	st := open(t)
	k := stock.QuantKey{SKU: "A", Location: "X", Status: stock.Available}
	update(t, st, func(tx store.Tx) error {
		_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: stock.Available, Reason: "receipt"})
		require.NoError(t, err)
		require.NoError(t, tx.PutReservation(stock.Reservation{ID: "R1", SKU: "A", Quantity: 2,
			Quants: []stock.QuantReservation{{QuantKey: k, Quantity: 3}}}))
		require.NoError(t, tx.SetReserved(stock.Pool{SKU: "A"}, 1))
		return tx.SetAllocated(k, 7)
	})
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"allocated 7 on {SKU:A Location:X LPN: Lot: Expiry: Serial: Status:available} but it holds 5",
		"allocated total on {SKU:A Location:X LPN: Lot: Expiry: Serial: Status:available} is 7, reservations say 3",
		"reservation R1 allocates 3 of its 2",
		"reserved total of A is 1, reservations say 2",
	}, problems)
}
