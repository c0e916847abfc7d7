package badgerstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/kvstore"
)

// benchMovements returns n movements that always apply: receipts into 100
// bins, each followed by moves and issues of part of what arrived.
func benchMovements(n int) []stock.Movement {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]stock.Movement, 0, n)
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for i := 0; len(out) < n; i++ {
		sku := fmt.Sprintf("SKU-%03d", r.IntN(500))
		bin := fmt.Sprintf("A-%02d-%d-%02d", r.IntN(10), r.IntN(5), r.IntN(2))
		lpn := fmt.Sprintf("L%09d", i)
		base := stock.Movement{ID: lpn, At: at, SKU: sku, LPN: lpn, Lot: "LOT-1", Expiry: "2027-06-30", By: "bench"}
		rcv, mv, out1 := base, base, base
		rcv.Quantity, rcv.To, rcv.ToStatus, rcv.Reason = 48, "RECEIVING", stock.Available, "receipt"
		mv.Quantity, mv.From, mv.To, mv.FromStatus, mv.ToStatus, mv.Reason = 48, "RECEIVING", bin, stock.Available, stock.Available, "putaway"
		out1.Quantity, out1.From, out1.FromStatus, out1.Reason = 12, bin, stock.Available, "ship"
		out = append(out, rcv, mv, out1)
	}
	return out[:n]
}

func benchStore(b *testing.B) *kvstore.Store {
	st, err := Open(b.TempDir(), zerolog.Nop())
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// BenchmarkPostDurableSingle commits every movement in its own durable
// (fsync'd) transaction: one command, one movement.
func BenchmarkPostDurableSingle(b *testing.B) {
	st := benchStore(b)
	ms := benchMovements(1 << 16)
	i := 0
	for b.Loop() {
		m := ms[i%len(ms)]
		i++
		if i > len(ms) {
			b.Fatal("benchmark ran past its movements")
		}
		require.NoError(b, st.Update(context.Background(), func(tx store.Tx) error { _, err := stock.Post(tx, m); return err }))
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "movements/s")
}

// BenchmarkPostDurableConcurrent commits every movement in its own
// Update, from 64 goroutines at once (as many API clients): group commit
// lets them share fsyncs. Each goroutine posts a plate's receipt, putaway
// and issue in order, so every movement applies.
func BenchmarkPostDurableConcurrent(b *testing.B) {
	st := benchStore(b)
	ms := benchMovements(3 << 17)
	var next atomic.Int64
	b.SetParallelism(32) // × GOMAXPROCS goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)-1) * 3
			if i+3 > len(ms) {
				b.Error("benchmark ran past its movements")
				return
			}
			for _, m := range ms[i : i+3] {
				if err := st.Update(context.Background(), func(tx store.Tx) error { _, err := stock.Post(tx, m); return err }); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	b.ReportMetric(float64(3*next.Load())/b.Elapsed().Seconds(), "movements/s")
	s := st.Stats()
	b.ReportMetric(float64(s.Updates)/float64(max(s.Commits, 1)), "updates/commit")
}

// BenchmarkReserveConcurrent promises order lines: 64 goroutines at once
// each reserve a 10-line order (10 of 100 SKUs) in one Update, as the
// order intake will, with durable commits shared by group commit. It is
// the store's part of "order lines promised per second", without HTTP.
func BenchmarkReserveConcurrent(b *testing.B) {
	const skus, lines = 100, 10
	st := benchStore(b)
	require.NoError(b, st.Update(context.Background(), func(tx store.Tx) error {
		for i := range skus {
			m := stock.Movement{SKU: fmt.Sprintf("SKU-%03d", i), Quantity: stock.MaxQuantity / 2, To: "A-01", ToStatus: stock.Available, Reason: "receipt"}
			if _, err := stock.Post(tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	var orders atomic.Int64
	b.SetParallelism(32) // × GOMAXPROCS goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o := orders.Add(1)
			err := st.Update(context.Background(), func(tx store.Tx) error {
				for l := range lines {
					_, err := stock.Reserve(tx, stock.Reservation{ID: fmt.Sprintf("O%d-%d", o, l), Order: fmt.Sprint("O", o), Line: fmt.Sprint(l),
						SKU: fmt.Sprintf("SKU-%03d", (int(o)*7+l*13)%skus), Quantity: 1})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(lines*orders.Load())/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkPostDurableBatched commits 1,000 movements per durable
// transaction, as the allocator does with a batch of gateway events.
func BenchmarkPostDurableBatched(b *testing.B) {
	const batch = 1000
	st := benchStore(b)
	ms := benchMovements(600_000)
	n := 0
	for b.Loop() {
		if n+batch > len(ms) {
			b.Fatal("benchmark ran past its movements")
		}
		chunk := ms[n : n+batch]
		n += batch
		require.NoError(b, st.Update(context.Background(), func(tx store.Tx) error {
			for _, m := range chunk {
				if _, err := stock.Post(tx, m); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "movements/s")
}

// BenchmarkRebuildQuants replays a ledger of DOCKHAND_BENCH_LEDGER
// movements (default 1,000,000) into a fresh quant projection; building
// the ledger is not timed.
func BenchmarkRebuildQuants(b *testing.B) {
	size := 1_000_000
	if s := os.Getenv("DOCKHAND_BENCH_LEDGER"); s != "" {
		var err error
		size, err = strconv.Atoi(s)
		require.NoError(b, err)
	}
	st := benchStore(b)
	ms := benchMovements(size)
	for i := 0; i < len(ms); i += 1000 {
		chunk := ms[i:min(i+1000, len(ms))]
		require.NoError(b, st.Update(context.Background(), func(tx store.Tx) error {
			for _, m := range chunk {
				if _, err := stock.Post(tx, m); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	b.ResetTimer()
	for b.Loop() {
		require.NoError(b, st.View(context.Background(), func(tx store.Tx) error {
			q, err := store.Rebuild(tx, nil)
			if err == nil && len(q.All()) == 0 {
				err = fmt.Errorf("nothing rebuilt")
			}
			return err
		}))
	}
	b.ReportMetric(float64(size), "movements")
}
