package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// testBudget is outbox.max_bytes for the tests on a small disk: larger
// than the disk's room, so the disk limits the budget.
const testBudget = 64 << 20

// diskRig is an outbox on a real small filesystem, opened as gatewayd
// opens it (storage.Disk, its refresher running).
type diskRig struct {
	t    *testing.T
	dir  string
	disk *storage.Disk
	db   *badger.DB
	ob   *Outbox
	stop context.CancelFunc
	done chan struct{}
}

func openOnDisk(t *testing.T, dir string) *diskRig {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	opt := Options{MaxBytes: testBudget}
	r := &diskRig{t: t, dir: dir, disk: storage.NewDisk(dir, storage.Gateway, opt.Data(), log), done: make(chan struct{})}
	var err error
	r.db, err = r.disk.Open()
	require.NoError(t, err)
	var ctx context.Context
	ctx, r.stop = context.WithCancel(context.Background())
	go func() { defer close(r.done); r.disk.Run(ctx, nil) }()
	opt.Disk = r.disk
	r.ob, err = Open(r.db, opt, log)
	require.NoError(t, err)
	return r
}

func (r *diskRig) close() {
	r.ob.Close()
	r.stop()
	<-r.done
	require.NoError(r.t, r.db.Close())
	r.disk.Close()
}

// minFree samples the filesystem's free space until stop is called and
// returns the lowest figure seen.
func minFree(t *testing.T, dir string) (stop func() int64) {
	low := int64(1 << 62)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			if f, err := storage.Free(dir); err == nil {
				low = min(low, f)
			}
			select {
			case <-quit:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() int64 { close(quit); <-done; return low }
}

// fillUp appends from 8 goroutines until 200 appends have been refused
// for lack of disk space; it returns seq → id of every append that
// returned nil.
func fillUp(t *testing.T, ob *Outbox) map[uint64]string {
	var mu sync.Mutex
	stored := map[uint64]string{}
	var refused atomic.Int64
	var wg sync.WaitGroup
	pad := strings.Repeat("p", 900)
	for range 8 {
		wg.Go(func() {
			for refused.Load() < 200 {
				ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad), Pad: pad}
				seq, err := ob.Append(context.Background(), ev)
				if errors.Is(err, ErrFull) {
					refused.Add(1)
					assert.Contains(t, err.Error(), "the disk is full")
					continue
				}
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				stored[seq] = ev.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return stored
}

// A disk that fills up under load: appends are refused with ErrFull (the
// budget follows the disk), never a crash; every event whose append
// returned nil is there after a restart on the still full disk; device
// events still get through their reserve, raw reads are refused. Then
// central acknowledges everything and the disk fills up again. Badger's
// own writes — flushes and compactions while full, deletions and the
// compactions that reclaim them — never use up the reserve. The test logs
// how far into the reserve Badger went (docs/store-and-forward.md).
func TestDiskFillsUnderLoadWithoutCrashOrLoss(t *testing.T) {
	for _, fs := range []string{"tmpfs", "ext4"} {
		t.Run(fs, func(t *testing.T) {
			reserve := storage.Reserve(storage.Options("", storage.Gateway, zerolog.Nop()), Options{MaxBytes: testBudget}.Data())
			mnt := testenv.SmallDisk(t, fs, reserve+24<<20)
			dir := mnt + "/gateway"
			r := openOnDisk(t, dir)
			lowest := minFree(t, mnt)

			stored := fillUp(t, r.ob)
			st := r.ob.Stats()
			assert.True(t, st.DiskLimited, "the disk, not max_bytes, limits the budget")
			assert.GreaterOrEqual(t, st.Bytes, st.MaxBytes)
			assert.Less(t, st.MaxBytes, int64(testBudget))
			for i := range 3 {
				_, err := r.ob.Append(context.Background(), &wire.Device{Envelope: wire.NewEnvelope(wire.EvtDevice), Kind: "outbox", State: "refused"})
				assert.NoError(t, err, "device event %d uses the reserve", i)
			}
			_, err := r.ob.Append(context.Background(), &wire.RFIDRaw{Envelope: wire.Envelope{Type: wire.EvtRFIDRaw, ID: wire.NewID(), Lane: wire.LaneBulk}})
			assert.ErrorIs(t, err, ErrFull, "raw reads are refused on a full disk")

			// Restart on the full disk (the memtables flush while opening).
			r.close()
			r = openOnDisk(t, dir)
			defer r.close()
			recs, err := r.ob.Pending(Must, 0, len(stored)+10)
			require.NoError(t, err)
			found := 0
			for _, rec := range recs {
				if id, ok := stored[rec.Seq]; ok {
					var env wire.Envelope
					require.NoError(t, json.Unmarshal(rec.Payload, &env))
					assert.Equal(t, id, env.ID, "seq %d", rec.Seq)
					found++
				}
			}
			assert.Equal(t, len(stored), found, "every acknowledged event survives the full disk and the restart")

			// Central acknowledges everything: the space comes back (the
			// deleted events are reclaimed) and the gateway fills up again.
			room := r.disk.Room()
			require.NoError(t, r.ob.Ack(Must, r.ob.Issued(Must)))
			require.Eventually(t, func() bool { return r.disk.Room() > room+int64(len(stored))*500 }, 10*time.Second, 10*time.Millisecond,
				"the space of the acknowledged events is given back")
			again := fillUp(t, r.ob)
			assert.Greater(t, len(again), len(stored)/2)
			low := lowest()
			t.Logf("%s: %d events stored, acknowledged, %d more stored; lowest free space %d bytes: Badger went %d bytes into its %d-byte reserve",
				fs, len(stored), len(again), low, max(reserve-low, 0), reserve)
			assert.Positive(t, low, "Badger never ran out of the reserve")
		})
	}
}
