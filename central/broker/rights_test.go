package broker

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dockhand/dockhand/central/identity"
)

func TestRightsOfEachRole(t *testing.T) {
	r := newRights("dc1")
	gw := identity.Account{Name: "dock-01", Role: identity.RoleGateway}
	central := identity.Account{Name: "central", Role: identity.RoleCentral}
	ops := identity.Account{Name: "alice", Role: identity.RoleOps}
	const p = "dockhand/v1/dc1/"
	publish := []struct {
		who   identity.Account
		topic string
		ok    bool
	}{
		{gw, p + "gw/dock-01/evt/scan", true},
		{gw, p + "gw/dock-01/state", true},
		{gw, p + "gw/dock-02/evt/scan", false},
		{gw, p + "gw/dock-02/state", false},
		{gw, p + "gw/dock-01/cmd/print", false},
		{gw, p + "gw/dock-01/cmd/ack", false},
		{gw, p + "ops/alert", false},
		{gw, "dockhand/v1/dc2/gw/dock-01/evt/scan", false},
		{gw, p + "gw/dock-01/evt/scan/more", false},
		{gw, p + "gw/dock-0/evt/scan", false},
		{gw, p + "gw/dock-011/evt/scan", false},
		{gw, p + "dock-01/evt/scan", false},
		{gw, p + "gw/dock-01/evt/", false},
		{gw, p + "gw/dock-01/state/x", false},
		{central, p + "gw/dock-01/cmd/print", true},
		{central, p + "gw/dock-02/cmd/ack", true},
		{central, p + "ops/stock", true},
		{central, p + "gw/dock-01/evt/scan", false},
		{central, p + "gw/dock-01/state", false},
		{central, "dockhand/v1/dc2/ops/stock", false},
		{central, p + "gw/dock-01/evt/x/cmd/y", false},
		{central, p + "gw/dock-01/cmd/print/x", false},
		{central, p + "ops/", false},
		{central, p + "x/dock-01/cmd/print", false},
		{ops, p + "ops/alert", false},
		{ops, p + "gw/dock-01/cmd/print", false},
	}
	for _, c := range publish {
		assert.Equal(t, c.ok, r.canPublish(c.who, c.topic), "%s publishes %s", c.who.Name, c.topic)
	}
	read := []struct {
		who    identity.Account
		filter string
		ok     bool
	}{
		{gw, p + "gw/dock-01/cmd/+", true},
		{gw, p + "gw/dock-01/cmd/print", true},
		{gw, p + "gw/dock-011/cmd/print", false},
		{gw, p + "gw/dock-01/cmd/print/x", false},
		{gw, p + "gw/dock-01/cmd/#", false}, // wider than its commands
		{gw, p + "gw/dock-02/cmd/+", false},
		{gw, p + "gw/+/cmd/+", false},
		{gw, p + "gw/dock-01/evt/+", false},
		{gw, "dockhand/#", false},
		{gw, "#", false},
		{central, p + "gw/+/evt/+", true},
		{central, p + "gw/+/state", true},
		{ops, "dockhand/#", true},
		{ops, "#", true},
		{ops, p + "#", true},
		{ops, p + "gw/dock-01/cmd/print", true},
		{ops, "dockhand/v1/dc2/#", false},
		{ops, "$SYS/#", false},
		{ops, "dockhand/v1/dc2/ops/stock", false}, // a delivered topic of another site
	}
	for _, c := range read {
		assert.Equal(t, c.ok, r.canRead(c.who, c.filter), "%s reads %s", c.who.Name, c.filter)
	}
}

// within and intersects against MQTT's filter rules (MQTT 3.1.1 §4.7).
func TestFilterRelations(t *testing.T) {
	assert.True(t, within("a/b/c", "a/+/c"))
	assert.True(t, within("a/+/c", "a/+/c"))
	assert.True(t, within("a/b/#", "a/#"))
	assert.False(t, within("a/#", "a/b/#"))
	assert.False(t, within("a/+", "a/b"))
	assert.False(t, within("a/b", "a/b/c"))
	assert.True(t, intersects("a/#", "a"), "a/# matches a itself")
	assert.True(t, intersects("+/b", "a/+"))
	assert.False(t, intersects("a/b", "a/c"))
	assert.False(t, intersects("a/b/c", "a/b"))
}
