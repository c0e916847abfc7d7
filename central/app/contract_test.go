package app_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/internal/wire"
)

// Domain packages may not import the MQTT contract, so they name the
// alerts they raise themselves; the application publishes those names as
// the contract's alert kinds. Every one must be one of them.
func TestDomainAlertKindsAreTheContracts(t *testing.T) {
	kinds := slices.Concat(inbound.AlertKinds, putaway.RefusalKinds, []string{quality.AlertQCFailed})
	for _, k := range kinds {
		assert.Contains(t, wire.AlertKinds, wire.AlertKind(k), "%s is raised by a domain package but is not an alert kind of internal/wire", k)
	}
}
