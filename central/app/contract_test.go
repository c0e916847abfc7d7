package app_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/outbound/orders"
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

// Orders name their states and events themselves; ops/order carries them
// as the contract's words, which must be the same.
func TestOrderWordsAreTheContracts(t *testing.T) {
	for _, s := range []orders.Status{orders.Promised, orders.PartlyBackordered, orders.Backordered, orders.Refused, orders.PartlyShipped,
		orders.Shipped, orders.Cancelled, orders.Expired} {
		assert.Contains(t, wire.OrderStatuses, wire.OrderStatus(s))
	}
	assert.Len(t, wire.OrderStatuses, 8)
	for _, e := range []string{orders.Created, orders.Changed, orders.PaidEvent, orders.Served, orders.Withdrawn, orders.CancelledEvent,
		orders.ExpiredEvent, orders.ShippedEvent} {
		assert.Contains(t, wire.OrderEvents, wire.OrderEvent(e))
	}
	assert.Len(t, wire.OrderEvents, 8)
}
