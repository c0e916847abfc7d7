// Package kvstore implements central's store contract (package store) on
// any ordered key-value engine with serializable transactions: it owns the
// key layout and the encoding of every record, so the Badger engine
// (badgerstore) and the in-memory one (memstore) differ only in how they
// keep keys, and behave alike down to the order of lists and the paging
// cursors. An engine that is not a key-value store (PostgreSQL) would
// implement store.Store directly instead.
package kvstore

import (
	"context"
	"errors"
	"time"

	"github.com/dockhand/dockhand/central/store"
)

// Engine is an ordered key-value store.
type Engine interface {
	// Update runs fn in a serializable read-write transaction and commits
	// it durably; if fn fails nothing is written. An engine may commit
	// several concurrent Updates together (group commit), but answers
	// each only once its commit is durable.
	Update(ctx context.Context, fn func(KV) error) error
	// View runs fn in a read-only snapshot; writes fail.
	View(ctx context.Context, fn func(KV) error) error
	Close() error
}

// KV is one transaction of an Engine.
type KV interface {
	// Get calls fn with the value of key (valid only during the call);
	// found is false when there is no such key.
	Get(key []byte, fn func(val []byte) error) (found bool, err error)
	// Set writes key; the engine keeps val until it commits, so the
	// caller never changes it afterwards.
	Set(key, val []byte) error
	// SetTTL sets a key that expires after ttl.
	SetTTL(key, val []byte, ttl time.Duration) error
	Delete(key []byte) error
	// Scan calls fn for every key with prefix, in key order, starting at
	// the first key ≥ from (from is prefix or longer), until fn returns
	// false. key and val are valid only during the call; fn must not write.
	// hint is how many keys the caller expects to read (0: unknown).
	Scan(prefix, from []byte, hint int, fn func(key, val []byte) (bool, error)) error
}

// ErrReadOnly is returned by a write in a View.
var ErrReadOnly = errors.New("write in a read-only transaction")

// Stats returns the engine's counts (store.Stats); an engine that keeps
// none reports zero.
func (s *Store) Stats() store.Stats {
	if e, ok := s.eng.(interface{ Stats() store.Stats }); ok {
		return e.Stats()
	}
	return store.Stats{}
}
