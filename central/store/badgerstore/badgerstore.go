// Package badgerstore keeps central's store in Badger on local disk: the
// engine of a site that runs on one machine. Records and their keys are
// kvstore's; this package is the Badger side of kvstore.Engine: one
// writer at a time (which makes every transaction serializable), each
// commit fsync'd before Update returns.
package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/store/kvstore"
	"github.com/dockhand/dockhand/internal/storage"
)

// Open opens (or creates) the store in dir.
func Open(dir string, log zerolog.Logger) (*kvstore.Store, error) {
	db, err := storage.Open(dir, storage.Central, log)
	if err != nil {
		return nil, err
	}
	return kvstore.New(&engine{db: db}), nil
}

// engine is kvstore.Engine on Badger. Writes are serialised: central is
// the single owner of a site's stock, and one writer makes every
// check-then-write safe. (Group commit would run several Updates'
// transactions at once and let Badger write them with one fsync; it needs
// Badger's conflict detection and a retry of fn on conflict, which the
// store contract allows.)
type engine struct {
	db *badger.DB
	mu sync.Mutex
}

func (e *engine) Update(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	txn := e.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(kv{txn}); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (e *engine) View(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.db.View(func(txn *badger.Txn) error { return fn(kv{txn}) })
}

func (e *engine) Delete(keys [][]byte) error {
	wb := e.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return wb.Flush()
}

func (e *engine) Close() error { return e.db.Close() }

// kv is one Badger transaction.
type kv struct{ txn *badger.Txn }

func (k kv) Get(key []byte, fn func([]byte) error) (bool, error) {
	item, err := k.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(fn)
}

func (k kv) Set(key, val []byte) error { return k.ro(k.txn.Set(key, val)) }

func (k kv) SetTTL(key, val []byte, ttl time.Duration) error {
	return k.ro(k.txn.SetEntry(badger.NewEntry(key, val).WithTTL(ttl)))
}

func (k kv) Delete(key []byte) error { return k.ro(k.txn.Delete(key)) }

// ro gives a write in a View the store's error.
func (k kv) ro(err error) error {
	if errors.Is(err, badger.ErrReadOnlyTxn) {
		return kvstore.ErrReadOnly
	}
	return err
}

func (k kv) Scan(prefix, from []byte, hint int, fn func(key, val []byte) (bool, error)) error {
	if hint <= 0 {
		hint = 100
	}
	it := k.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: hint})
	defer it.Close()
	for it.Seek(from); it.Valid(); it.Next() {
		item := it.Item()
		more := true
		err := item.Value(func(v []byte) (err error) {
			more, err = fn(item.Key(), v)
			return err
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}
