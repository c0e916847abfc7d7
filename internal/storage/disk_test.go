package storage

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/testenv"
)

// allocated is how many bytes of a file have blocks.
func allocated(t *testing.T, path string) (size, blocks int64) {
	t.Helper()
	var st syscall.Stat_t
	require.NoError(t, syscall.Stat(path, &st))
	return st.Size, st.Blocks * 512
}

// Opening on a disk without the room that opening writes is an error that
// says where, how much is free and how much is needed — and opens once
// the space is back, with what was stored before.
func TestOpenWaitsForSpaceAndKeepsWhatWasStored(t *testing.T) {
	mnt := testenv.SmallDisk(t, "tmpfs", 64<<20)
	dir := mnt + "/gateway"
	d := NewDisk(dir, Gateway, 64<<20, zerolog.New(zerolog.NewTestWriter(t)))
	db, err := d.Open()
	require.NoError(t, err)
	require.NoError(t, db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("stored before")) }))
	require.NoError(t, db.Close())
	d.Close()

	release := testenv.Fill(t, mnt, 1<<20)
	_, err = d.Open()
	require.ErrorIs(t, err, ErrNoSpace)
	s := d.Status()
	assert.Equal(t, StateUnavailable, s.State)
	assert.Equal(t, dir, s.Path)
	assert.Less(t, s.Free, s.Needed)
	assert.Positive(t, s.Free)
	for _, want := range []string{dir, fmt.Sprint(s.Free), fmt.Sprint(s.Needed)} {
		assert.Contains(t, err.Error(), want, "the error names the path, the free and the needed bytes")
	}

	release()
	db, err = d.Open()
	require.NoError(t, err)
	defer d.Close()
	defer db.Close()
	assert.Equal(t, StateOK, d.Status().State)
	require.NoError(t, db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte("k"))
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		assert.Equal(t, "stored before", string(v))
		return err
	}))
}

// Badger writes its memtable log through a memory map. Disk backs the log
// in use and the next ones with blocks, so that writing into the log of a
// disk that has just filled up is not SIGBUS. Without the allocation
// (main before this change) the test process dies with "unexpected fault
// address … signal SIGBUS" in badger's logFile.writeEntry.
func TestMemtableLogIsAllocatedSoAFullDiskIsNoCrash(t *testing.T) {
	for _, fs := range []string{"tmpfs", "ext4"} {
		t.Run(fs, func(t *testing.T) {
			mnt := testenv.SmallDisk(t, fs, 80<<20)
			dir := mnt + "/gateway"
			d := NewDisk(dir, Gateway, 64<<20, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
			db, err := d.Open()
			require.NoError(t, err)
			defer d.Close()
			defer db.Close()

			walSize := 2 * Options(dir, Gateway, zerolog.Nop()).MemTableSize
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var inUse, ahead int
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".mem") {
					continue
				}
				size, blocks := allocated(t, dir+"/"+e.Name())
				assert.GreaterOrEqual(t, blocks, walSize, "%s: every block of a memtable log is allocated", e.Name())
				if size == 0 {
					ahead++
				} else {
					inUse++
				}
			}
			assert.Equal(t, 1, inUse, "one memtable log in use")
			assert.Equal(t, logsAhead, ahead, "logs allocated ahead, still empty for Badger")

			release := testenv.Fill(t, mnt, 0)
			free, err := Free(dir)
			require.NoError(t, err)
			require.Less(t, free, int64(64<<10), "the disk is full")
			// 600 KiB into the memtable (1 MiB: no flush, no new table).
			val := make([]byte, 1000)
			for i := range 600 {
				require.NoError(t, db.Update(func(txn *badger.Txn) error { return txn.Set(fmt.Appendf(nil, "k%04d", i), val) }))
			}
			var n int
			require.NoError(t, db.View(func(txn *badger.Txn) error {
				it := txn.NewIterator(badger.DefaultIteratorOptions)
				defer it.Close()
				for it.Rewind(); it.Valid(); it.Next() {
					n++
				}
				return nil
			}))
			assert.Equal(t, 600, n)
			// Closing flushes the memtable to a table: that needs room
			// (Reserve), which the outbox never gives away.
			release()
		})
	}
}

// Reserve follows the options and the data it is computed from (the
// figures docs/store-and-forward.md gives for the gateway).
func TestReserveForTheGateway(t *testing.T) {
	opt := Options(t.TempDir(), Gateway, zerolog.Nop())
	// The defaults: outbox.max_bytes 256 MiB, bulk_max_bytes 32 MiB.
	data := int64(288 << 20)
	assert.Equal(t, int64(3+15+4+2+4)<<20+2*data/10+data/100, Reserve(opt, data),
		"3 memtables flushed, 15 level-0 tables and the base level (2 × a tenth of the data) compacted, 2 logs ahead, a value log, 4 MiB, 1 % for device events")
	assert.Equal(t, int64(3+15+10+4+2+4)<<20+(1<<20)/100, Reserve(opt, 1<<20), "a small database: the base level's own target (10 MiB)")
}

// A database without a fixed bound (DataOnDisk, central's) sizes its
// reserve by its tables as they are now, and follows them as they grow.
func TestReserveFollowsTheTablesOnDisk(t *testing.T) {
	dir := t.TempDir()
	opt := Options(dir, Central, zerolog.Nop())
	d := NewDisk(dir, Central, DataOnDisk, zerolog.Nop())
	assert.Equal(t, Reserve(opt, 0), d.Reserve())
	assert.Equal(t, int64(846<<20), d.Reserve(), "docs/central.md's figure for a new store")

	require.NoError(t, os.WriteFile(dir+"/000001.sst", make([]byte, 3<<20), 0o600))
	require.NoError(t, os.WriteFile(dir+"/000001.vlog", make([]byte, 5<<20), 0o600))
	d.refresh()
	assert.Equal(t, Reserve(opt, 3<<20), d.Reserve(), "the tables count, the value logs do not")
	assert.Equal(t, int64(1051<<20), Reserve(opt, 1<<30)>>20<<20, "docs/central.md's figure for 1 GiB of tables")
	assert.Equal(t, int64(2986<<20), Reserve(opt, 10<<30)>>20<<20, "docs/central.md's figure for 10 GiB")
}
