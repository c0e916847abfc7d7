// Package memstore is central's store in memory: the same records, keys
// and rules as the Badger store (both are kvstore), without a disk. Domain
// and application tests run on it; it passes the same conformance suite
// (storetest) as the Badger store.
package memstore

import "github.com/dockhand/dockhand/central/store/kvstore"

// New returns an empty store.
func New() *kvstore.Store { return kvstore.New(kvstore.NewMemory()) }
