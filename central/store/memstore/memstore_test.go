package memstore

import (
	"testing"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/storetest"
)

// The store contract, in memory.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(testing.TB) store.Store { return New() })
}
