package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A kill -9 between creating a memtable file and sizing it leaves an empty
// .mem file; Badger alone refuses to open such a directory.
func TestOpenSurvivesEmptyMemtableLeftByACrash(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Gateway, zerolog.Nop())
	require.NoError(t, err)
	require.NoError(t, db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("v")) }))
	require.NoError(t, db.Close())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "00099.mem"), nil, 0o600))
	_, err = badger.Open(Options(dir, Gateway, zerolog.Nop()))
	require.Error(t, err, "plain Badger refuses the directory")

	db, err = Open(dir, Gateway, zerolog.Nop())
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte("k"))
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		assert.Equal(t, "v", string(v))
		return err
	}), "data committed before the crash is there")
}
