package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Counted is a store that reports its Stats (store.Stats).
type Counted interface{ Stats() store.Stats }

// GroupCommit describes an engine that commits concurrent Updates
// together, for RunGroupCommit.
type GroupCommit struct {
	// StatesPerCommit is about how many station states of 1 KB one commit
	// holds (the engine's transaction size limit).
	StatesPerCommit int
	// TooBig is the error (errors.Is) of a function whose writes alone do
	// not fit in one commit.
	TooBig error
}

// RunGroupCommit checks what group commit must keep, on stores whose
// batches it forms on purpose: the first Update of a batch holds its turn
// until all the others wait for theirs, so they run, one after another,
// in one batch.
func RunGroupCommit(t *testing.T, open Open, gc GroupCommit) {
	for name, test := range map[string]func(*testing.T, Open, GroupCommit){
		"FailuresStayApart": testFailuresStayApart,
		"ReadsSeeTheBatch":  testReadsSeeTheBatch,
		"FullBatchSplits":   testFullBatchSplits,
		"TooBigFailsAlone":  testTooBigFailsAlone,
	} {
		t.Run(name, func(t *testing.T) { test(t, open, gc) })
	}
}

// inOneBatch runs fns as concurrent Updates in one batch (fns[0] first,
// the others in any order) and returns their errors and the number of
// commits the store made meanwhile.
func inOneBatch(t *testing.T, st store.Store, fns ...func(store.Tx) error) ([]error, uint64) {
	t.Helper()
	c, ok := st.(Counted)
	require.True(t, ok, "a group-committing store reports its Stats")
	before := c.Stats()
	require.Zero(t, before.Waiting)
	errs := make([]error, len(fns))
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		errs[0] = st.Update(ctx, func(tx store.Tx) error {
			close(started)
			<-release
			return fns[0](tx)
		})
	})
	<-started
	for i := 1; i < len(fns); i++ {
		wg.Go(func() { errs[i] = st.Update(ctx, fns[i]) })
	}
	require.Eventually(t, func() bool { return c.Stats().Waiting == len(fns) }, 10*time.Second, time.Millisecond,
		"every Update waits for its turn behind the first")
	close(release)
	wg.Wait()
	after := c.Stats()
	assert.Equal(t, before.Updates+uint64(len(fns)), after.Updates)
	return errs, after.Commits - before.Commits
}

// A function that fails in a batch leaves nothing and takes nothing from
// the others: the plate codes the successful ones drew are consecutive
// (each read the counter the one before it wrote in the same batch; the
// failed ones' draws are gone), and only their states are stored.
func testFailuresStayApart(t *testing.T, open Open, _ GroupCommit) {
	st := open(t)
	const n = 16
	codes := make([]string, n)
	fns := make([]func(store.Tx) error, n)
	for i := range fns {
		fns[i] = func(tx store.Tx) error {
			code, err := tx.NextLPN()
			if err != nil {
				return err
			}
			codes[i] = code
			if err := tx.SetStationState(fmt.Sprint("gw/s", i), code); err != nil {
				return err
			}
			if i%3 == 2 {
				return errRollback
			}
			return nil
		}
	}
	errs, commits := inOneBatch(t, st, fns...)
	assert.Equal(t, uint64(1), commits, "one batch, one commit")
	var drawn []string
	for i, err := range errs {
		if i%3 == 2 {
			require.ErrorIs(t, err, errRollback, "function %d", i)
			continue
		}
		require.NoError(t, err, "function %d", i)
		drawn = append(drawn, codes[i])
	}
	want := make([]string, len(drawn))
	for i := range want {
		want[i] = fmt.Sprintf("L%09d", i+1)
	}
	assert.ElementsMatch(t, want, drawn, "successful functions drew consecutive codes")
	view(t, st, func(tx store.Tx) error {
		for i := range n {
			var code string
			err := tx.StationState(fmt.Sprint("gw/s", i), &code)
			if i%3 == 2 {
				assert.ErrorIs(t, err, stock.ErrNotFound, "function %d failed and wrote nothing", i)
				continue
			}
			require.NoError(t, err)
			assert.Equal(t, codes[i], code)
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		code, err := tx.NextLPN()
		assert.Equal(t, fmt.Sprintf("L%09d", len(drawn)+1), code, "the counter kept only the successful draws")
		return err
	})
}

// Functions read what the batch's earlier functions wrote: ten units
// received by the first function of a batch are issued three at a time
// by the others, exactly three times.
func testReadsSeeTheBatch(t *testing.T, open Open, _ GroupCommit) {
	st := open(t)
	const n = 9
	fns := make([]func(store.Tx) error, n)
	fns[0] = func(tx store.Tx) error {
		_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 10, To: "X", ToStatus: stock.Available, Reason: "receipt"})
		return err
	}
	for i := 1; i < n; i++ {
		fns[i] = func(tx store.Tx) error {
			_, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 3, From: "X", FromStatus: stock.Available, Reason: "ship"})
			return err
		}
	}
	errs, commits := inOneBatch(t, st, fns...)
	assert.Equal(t, uint64(1), commits)
	require.NoError(t, errs[0])
	shipped := 0
	for _, err := range errs[1:] {
		if err == nil {
			shipped++
		} else {
			require.ErrorIs(t, err, stock.ErrInsufficient)
		}
	}
	assert.Equal(t, 3, shipped, "10 units make three issues of 3")
	view(t, st, func(tx store.Tx) error {
		q, err := tx.Quant(stock.QuantKey{SKU: "A", Location: "X", Status: stock.Available})
		assert.Equal(t, int64(1), q)
		return err
	})
	consistent(t, st)
}

// kilobyte is a station state of about 1 KB.
var kilobyte = strings.Repeat("x", 1000)

// putStates stores n station states of 1 KB named by prefix.
func putStates(tx store.Tx, prefix string, n int) error {
	for j := range n {
		if err := tx.SetStationState(fmt.Sprintf("%s/%04d", prefix, j), kilobyte); err != nil {
			return err
		}
	}
	return nil
}

// statesOf counts the stored states of putStates(prefix, n).
func statesOf(t *testing.T, tx store.Tx, prefix string, n int) int {
	found := 0
	for j := range n {
		var s string
		err := tx.StationState(fmt.Sprintf("%s/%04d", prefix, j), &s)
		if err == nil {
			found++
		} else {
			require.ErrorIs(t, err, stock.ErrNotFound)
		}
	}
	return found
}

// A batch larger than one commit holds is committed in parts, each
// function whole in one of them: two functions of 2/5 of a commit fit,
// three do not, so six make three commits.
func testFullBatchSplits(t *testing.T, open Open, gc GroupCommit) {
	st := open(t)
	const n = 6
	per := gc.StatesPerCommit * 2 / 5
	fns := make([]func(store.Tx) error, n)
	for i := range fns {
		fns[i] = func(tx store.Tx) error { return putStates(tx, fmt.Sprint("gw/f", i), per) }
	}
	errs, commits := inOneBatch(t, st, fns...)
	for i, err := range errs {
		require.NoError(t, err, "function %d", i)
	}
	assert.Equal(t, uint64(3), commits, "three commits of two functions each")
	view(t, st, func(tx store.Tx) error {
		for i := range n {
			assert.Equal(t, per, statesOf(t, tx, fmt.Sprint("gw/f", i), per), "function %d whole", i)
		}
		return nil
	})
}

// A function whose writes alone exceed one commit fails with the engine's
// error and writes nothing; the functions before and after it in its
// batch commit.
func testTooBigFailsAlone(t *testing.T, open Open, gc GroupCommit) {
	st := open(t)
	small := func(i int) func(store.Tx) error {
		return func(tx store.Tx) error { return putStates(tx, fmt.Sprint("gw/small", i), 10) }
	}
	big := func(tx store.Tx) error { return putStates(tx, "gw/big", 2*gc.StatesPerCommit) }
	errs, _ := inOneBatch(t, st, small(0), big, small(2), small(3))
	require.Error(t, errs[1])
	assert.True(t, errors.Is(errs[1], gc.TooBig), "the engine's error: %v", errs[1])
	view(t, st, func(tx store.Tx) error {
		assert.Zero(t, statesOf(t, tx, "gw/big", 2*gc.StatesPerCommit), "nothing of the function that did not fit")
		for _, i := range []int{0, 2, 3} {
			assert.Equal(t, 10, statesOf(t, tx, fmt.Sprint("gw/small", i), 10), "function %d", i)
		}
		return nil
	})
}

// Busy returns an Open whose stores are kept busy by concurrent writers
// for the whole test, so every Update of a test may share its commit with
// theirs (run the suite with it on a group-committing engine). The
// writers touch only their own station states; a third of their Updates
// fail after writing. They count their successes in a station state as
// they go, and the count is checked when the test ends: concurrent
// increments lose nothing, failed ones add nothing.
func Busy(open Open) Open {
	return func(t testing.TB) store.Store {
		st := open(t)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		const writers = 4
		ok := make([]int, writers)
		for w := range writers {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					err := st.Update(ctx, func(tx store.Tx) error {
						var n int
						if err := tx.StationState("busy/count", &n); err != nil && !errors.Is(err, stock.ErrNotFound) {
							return err
						}
						if err := tx.SetStationState("busy/count", n+1); err != nil {
							return err
						}
						if err := tx.SetStationState(fmt.Sprint("busy/", w), i); err != nil {
							return err
						}
						if i%3 == 2 {
							return errRollback
						}
						return nil
					})
					switch {
					case err == nil:
						ok[w]++
					case !errors.Is(err, errRollback):
						t.Errorf("busy writer %d: %v", w, err)
						return
					}
				}
			})
		}
		t.Cleanup(func() {
			close(stop)
			wg.Wait()
			total := 0
			for _, n := range ok {
				total += n
			}
			var n int
			require.NoError(t, st.View(ctx, func(tx store.Tx) error {
				if err := tx.StationState("busy/count", &n); !errors.Is(err, stock.ErrNotFound) {
					return err
				}
				return nil
			}))
			assert.Equal(t, total, n, "every successful busy Update counted once, no failed one")
		})
		return st
	}
}
