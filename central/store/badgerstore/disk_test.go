package badgerstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/kvstore"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
)

// Through its disk's guard, the store refuses writes once the disk is
// down to the reserve — before Badger writes anything, with an error that
// is store.ErrNoSpace and storage.ErrNoSpace and names the disk — while
// reads and deletions go on; everything committed before stays.
func TestFullDiskRefusesWritesBeforeBadgerWrites(t *testing.T) {
	mnt := testenv.SmallDisk(t, "tmpfs", 1400<<20)
	dir := filepath.Join(mnt, "central")
	reserve := storage.Reserve(storage.Options(dir, storage.Central, zerolog.Nop()), 0)
	testenv.Fill(t, mnt, reserve+(323+32)<<20) // opening, and 32 MiB
	disk := storage.NewDisk(dir, storage.Central, storage.DataOnDisk, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	db, err := disk.Open()
	require.NoError(t, err)
	e := &engine{db: db, disk: disk, maxBatch: defaultMaxBatch}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go disk.Run(ctx, nil)

	// 1 MiB values go to the value log; the next one's file takes its
	// full size when the first is done, which leaves less than the reserve.
	val := make([]byte, 1<<20)
	var stored int
	for ; ; stored++ {
		require.Less(t, stored, 500, "the disk never filled")
		err = e.Update(ctx, func(kv kvstore.KV) error { return kv.Set(fmt.Appendf(nil, "k%04d", stored), val) })
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, store.ErrNoSpace)
	require.ErrorIs(t, err, storage.ErrNoSpace)
	assert.Contains(t, err.Error(), dir)
	t.Logf("%d values stored before the disk was full", stored)
	free, err := storage.Free(dir)
	require.NoError(t, err)
	assert.Less(t, free, disk.Reserve(), "the disk is down to the reserve (not only by the estimate between two statfs)")
	assert.Equal(t, storage.StateFull, disk.Status().State)

	err = e.Update(ctx, func(kv kvstore.KV) error { return kv.Set([]byte("small"), []byte("x")) })
	assert.ErrorIs(t, err, store.ErrNoSpace, "even a small write")
	require.NoError(t, e.Update(ctx, func(kv kvstore.KV) error { return kv.Delete([]byte("k0000")) }), "a deletion passes")
	require.NoError(t, e.View(ctx, func(kv kvstore.KV) error {
		for i := range stored {
			found, err := kv.Get(fmt.Appendf(nil, "k%04d", i), func([]byte) error { return nil })
			require.NoError(t, err)
			assert.Equal(t, i > 0, found, "k%04d", i)
		}
		found, err := kv.Get([]byte("small"), func([]byte) error { return nil })
		require.NoError(t, err)
		assert.False(t, found, "a refused write is not stored")
		return nil
	}))
}
