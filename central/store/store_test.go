package store

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
)

func openStore(t testing.TB, dir string) *Store {
	st, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// randomMovement returns a receipt, move, status change or issue.
func randomMovement(r *rand.Rand) stock.Movement {
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

// TestStoreMatchesModelProperty applies random multi-movement commands to
// the store and to an in-memory model; a command whose movements do not all
// apply must leave nothing behind.
func TestStoreMatchesModelProperty(t *testing.T) {
	st := openStore(t, t.TempDir())
	r := rand.New(rand.NewPCG(7, 11))
	model := stock.NewMemQuants()
	for range 300 {
		ms := make([]stock.Movement, 1+r.IntN(4))
		for i := range ms {
			ms[i] = randomMovement(r)
		}
		// Apply to a trial copy of the model first: all or nothing.
		trial := stock.NewMemQuants()
		for k, n := range model.All() {
			require.NoError(t, trial.SetQuant(k, n))
		}
		ok := true
		for _, m := range ms {
			if _, err := stock.Post(trial, m); err != nil {
				ok = false
				break
			}
		}
		err := st.Update(func(tx *Tx) error {
			for _, m := range ms {
				if _, _, err := tx.Post(m); err != nil {
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
	require.NoError(t, st.View(func(tx *Tx) error {
		qs, err := tx.Quants("")
		require.NoError(t, err)
		got := map[stock.QuantKey]int64{}
		for _, q := range qs {
			got[q.QuantKey] = q.Quantity
		}
		assert.Equal(t, model.All(), got)
		for sku, n := range model.AvailableBySKU() {
			a, err := tx.Available(sku)
			require.NoError(t, err)
			assert.Equal(t, n, a, "available total of %s", sku)
		}
		return nil
	}))
	problems, err := st.Check()
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestCheckFindsTampering(t *testing.T) {
	st := openStore(t, t.TempDir())
	require.NoError(t, st.Update(func(tx *Tx) error {
		_, _, err := tx.Post(stock.Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: stock.Available, Reason: "receipt"})
		return err
	}))
	require.NoError(t, st.Update(func(tx *Tx) error {
		if err := tx.SetReserved("A", 9); err != nil {
			return err
		}
		return tx.setInt(quantKey(stock.QuantKey{SKU: "A", Location: "X", Status: stock.Available}), 4)
	}))
	problems, err := st.Check()
	require.NoError(t, err)
	require.Len(t, problems, 2)
	assert.Contains(t, problems[0], "is 4, ledger says 5")
	assert.Contains(t, problems[1], "reserved 9 of A but 5 available")
}

// TestCheckFindsOverflowedBalances writes what an unchecked ledger made of
// the report — two receipts of 9,223,372,036,854,775,807 units on
// two plates, the item's available total wrapped to −2 — and expects
// centrald check to refuse it, though quants and totals agree with a
// replay that wraps the same way.
func TestCheckFindsOverflowedBalances(t *testing.T) {
	st := openStore(t, t.TempDir())
	require.NoError(t, st.Update(func(tx *Tx) error {
		for _, lpn := range []string{"P1", "P2"} {
			m := stock.Movement{SKU: "A", Quantity: math.MaxInt64, To: "RECEIVING", LPN: lpn, ToStatus: stock.Available, Reason: "receipt"}
			var err error
			if m.Seq, err = tx.nextCounter(kMoveSeq); err != nil {
				return err
			}
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := tx.txn.Set(seqKey(pMove, m.Seq), b); err != nil {
				return err
			}
			if err := tx.setInt(quantKey(m.Dest()), m.Quantity); err != nil {
				return err
			}
		}
		return tx.setInt(pAvail+"A", -2)
	}))
	problems, err := st.Check()
	require.NoError(t, err)
	text := strings.Join(problems, "\n")
	assert.Contains(t, text, "movement 1 does not replay")
	assert.Contains(t, text, "impossible quant")
	assert.Contains(t, text, "impossible available total of A: -2")
}

// crashChildEnv names the data directory when this test binary runs as the
// writer that TestKillNineRecovers kills.
const crashChildEnv = "DOCKHAND_CRASH_CHILD_DIR"

// TestCrashChild is not a test on its own: as a child process it commits
// random commands forever and reports each committed ledger seq.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKillNineRecovers")
	}
	st, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for {
		var last uint64
		err := st.Update(func(tx *Tx) error {
			for range 1 + r.IntN(8) {
				m, _, err := tx.Post(randomMovement(r))
				if err != nil {
					return err
				}
				last = m.Seq
			}
			return tx.Enqueue("t/ops/stock", []byte(fmt.Sprint(last)), false)
		})
		if err == nil {
			fmt.Printf("COMMITTED %d\n", last)
		}
	}
}

// TestKillNineRecovers kills a writer process with SIGKILL in the middle of
// its stream of commits, three times, and checks after each restart that
// every commit it reported survived and the projections match the ledger.
func TestKillNineRecovers(t *testing.T) {
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		var reported uint64
		sc := bufio.NewScanner(out)
		target := 50 + rand.IntN(200)
		for n := 0; n < target && sc.Scan(); {
			if s, ok := strings.CutPrefix(sc.Text(), "COMMITTED "); ok {
				reported, err = strconv.ParseUint(s, 10, 64)
				require.NoError(t, err)
				n++
			}
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		require.NotZero(t, reported, "round %d: the child committed something", round)

		st, err := Open(dir, zerolog.Nop())
		require.NoError(t, err, "round %d: reopen after kill -9", round)
		problems, err := st.Check()
		require.NoError(t, err)
		assert.Empty(t, problems, "round %d", round)
		require.NoError(t, st.View(func(tx *Tx) error {
			ms, err := tx.Movements(reported-1, 0)
			require.NoError(t, err)
			require.NotEmpty(t, ms, "round %d: movement %d was reported committed and must survive", round, reported)
			assert.Equal(t, reported, ms[0].Seq)
			return nil
		}))
		require.NoError(t, st.Close())
	}
}
