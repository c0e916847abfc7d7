package badgerstore

import (
	"bufio"
	"context"
	"fmt"
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
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/storetest"
)

func openStore(t testing.TB, dir string) store.Store {
	st, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// The store contract, on Badger.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store { return openStore(t, t.TempDir()) })
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
		err := st.Update(context.Background(), func(tx store.Tx) error {
			for range 1 + r.IntN(8) {
				p, err := stock.Post(tx, storetest.RandomMovement(r))
				if err != nil {
					return err
				}
				last = p.Seq
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
		problems, err := store.Check(context.Background(), st)
		require.NoError(t, err)
		assert.Empty(t, problems, "round %d", round)
		require.NoError(t, st.View(context.Background(), func(tx store.Tx) error {
			ms, err := tx.Movements(reported-1, 0)
			require.NoError(t, err)
			require.NotEmpty(t, ms, "round %d: movement %d was reported committed and must survive", round, reported)
			assert.Equal(t, reported, ms[0].Seq)
			return nil
		}))
		require.NoError(t, st.Close())
	}
}
