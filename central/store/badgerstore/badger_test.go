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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/storetest"
	"github.com/dockhand/dockhand/internal/storage"
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

// crashWriters is how many goroutines of the child commit at once, so its
// Updates share batches.
const crashWriters = 8

// TestCrashChild is not a test on its own: as a child process it commits
// random commands from crashWriters goroutines forever and reports each
// one acknowledged: "COMMITTED <id> <seq>…", the ledger seqs it posted
// (and, every 20 ms, "STATS <updates> <commits>").
// Every movement of a command carries "<id>/<count>" in its note, and the
// command queues a message with its id: recovery checks that commands
// survive whole.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKillNineRecovers")
	}
	st, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	go func() {
		for range time.Tick(20 * time.Millisecond) {
			s := st.Stats()
			fmt.Printf("STATS %d %d\n", s.Updates, s.Commits)
		}
	}()
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			for i := 0; ; i++ {
				id := fmt.Sprintf("%d.%d.%d", os.Getpid(), w, i)
				var seqs []string
				err := st.Update(context.Background(), func(tx store.Tx) error {
					seqs = seqs[:0]
					n := 1 + r.IntN(8)
					for range n {
						m := storetest.RandomMovement(r)
						m.Note = fmt.Sprintf("%s/%d", id, n)
						p, err := stock.Post(tx, m)
						if err != nil {
							return err
						}
						seqs = append(seqs, fmt.Sprint(p.Seq))
					}
					return tx.Enqueue("t/ops/stock", []byte(id), false)
				})
				if err == nil {
					// One write to the pipe: lines of writers never mix.
					fmt.Printf("COMMITTED %s %s\n", id, strings.Join(seqs, " "))
				}
			}
		})
	}
	wg.Wait()
}

// TestKillNineRecovers kills a process whose goroutines commit
// concurrently (group commit) with SIGKILL in the middle of their stream
// of commits, three times, and checks after each restart that every
// commit it acknowledged survived, no command is there in part (its
// movements and its message all, or none), and the projections match the
// ledger.
func TestKillNineRecovers(t *testing.T) {
	dir := t.TempDir()
	acked := map[string][]uint64{} // command id → its ledger seqs
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		target := 100 + rand.IntN(400)
		var updates, commits uint64 // the child's last report
		// Read until target commands are acknowledged and a report of the
		// child's counts came after them.
		for n := 0; (n < target || updates == 0) && sc.Scan(); {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "STATS" && n > 0 {
				updates, _ = strconv.ParseUint(f[1], 10, 64)
				commits, _ = strconv.ParseUint(f[2], 10, 64)
				continue
			}
			if len(f) < 3 || f[0] != "COMMITTED" {
				continue
			}
			for _, s := range f[2:] {
				seq, err := strconv.ParseUint(s, 10, 64)
				require.NoError(t, err)
				acked[f[1]] = append(acked[f[1]], seq)
			}
			n++
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		require.NotEmpty(t, acked, "round %d: the child committed something", round)

		st, err := Open(dir, zerolog.Nop())
		require.NoError(t, err, "round %d: reopen after kill -9", round)
		problems, err := store.Check(context.Background(), st)
		require.NoError(t, err)
		assert.Empty(t, problems, "round %d", round)
		var ms []stock.Movement
		require.NoError(t, st.View(context.Background(), func(tx store.Tx) (err error) {
			ms, err = tx.Movements(0, 0)
			return err
		}))
		bySeq := map[uint64]string{}
		posted := map[string]int{} // command id → movements found
		want := map[string]int{}   // command id → movements it posted
		for _, m := range ms {
			id, count, ok := strings.Cut(m.Note, "/")
			require.True(t, ok, "round %d: movement %d has its command's note", round, m.Seq)
			bySeq[m.Seq] = id
			posted[id]++
			want[id], err = strconv.Atoi(count)
			require.NoError(t, err)
		}
		msgs, err := st.Outgoing(context.Background(), 0, 1<<20)
		require.NoError(t, err)
		queued := map[string]bool{}
		for _, m := range msgs {
			queued[string(m.Payload)] = true
			assert.Positive(t, posted[string(m.Payload)], "round %d: command %s's message has its movements", round, m.Payload)
		}
		for id, n := range posted {
			assert.Equal(t, want[id], n, "round %d: command %s is whole", round, id)
			assert.True(t, queued[id], "round %d: command %s queued its message with its movements", round, id)
		}
		for id, seqs := range acked {
			for _, seq := range seqs {
				assert.Equal(t, id, bySeq[seq], "round %d: movement %d of acknowledged command %s survived", round, seq, id)
			}
		}
		assert.Less(t, commits, updates, "round %d: the child's Updates shared commits (%d in %d)", round, updates, commits)
		t.Logf("round %d: %d commands acknowledged in all, %d on disk; the child's last %d Updates in %d commits", round, len(acked), len(posted), updates, commits)
		require.NoError(t, st.Close())
	}
}

// The whole suite again while other writers keep the store busy: each
// test's Updates share batches with theirs.
func TestConformanceBusy(t *testing.T) {
	storetest.Run(t, storetest.Busy(func(t testing.TB) store.Store { return openStore(t, t.TempDir()) }))
}

// What group commit keeps, on batches formed on purpose.
func TestGroupCommit(t *testing.T) {
	// Badger takes at most 15 % of a memtable in one transaction, and a
	// station state of 1 KiB costs about 1,050 bytes of it.
	perCommit := int(storage.Options(t.TempDir(), storage.Central, zerolog.Nop()).MemTableSize * 15 / 100 / 1050)
	storetest.RunGroupCommit(t, func(t testing.TB) store.Store { return openStore(t, t.TempDir()) },
		storetest.GroupCommit{StatesPerCommit: perCommit, TooBig: badger.ErrTxnTooBig})
}
