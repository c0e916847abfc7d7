package broker

import (
	"strings"

	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/internal/wire"
)

// rights says what each kind of account may publish and read on one site
// (docs/security.md has the same table for people):
//
//	gateway X  publishes .../gw/X/evt/{type} and .../gw/X/state (also as its Will)
//	           reads     .../gw/X/cmd/{type}
//	central    publishes .../gw/{any}/cmd/{type} and .../ops/{type}; reads the site's tree
//	ops        reads the site's tree; publishes nothing
type rights struct{ site string }

func (r rights) prefix() string { return wire.Root + "/" + r.site }

// canPublish reports whether an account may publish on topic.
func (r rights) canPublish(a identity.Account, topic string) bool {
	switch a.Role {
	case identity.RoleGateway:
		t, ok := wire.ParseGatewayTopic(topic)
		return ok && t.Site == r.site && t.Gateway == a.Name &&
			(t.Kind == wire.KindState || t.Kind == wire.KindEvent && wire.ValidName(t.Type))
	case identity.RoleCentral:
		if t, ok := wire.ParseGatewayTopic(topic); ok {
			return t.Site == r.site && t.Kind == wire.KindCommand && wire.ValidName(t.Gateway) && wire.ValidName(t.Type)
		}
		typ, ok := strings.CutPrefix(topic, r.prefix()+"/ops/")
		return ok && wire.ValidName(typ)
	}
	return false
}

// canRead reports whether an account may subscribe to filter, or be sent a
// message on topic (a topic is a filter without wildcards).
func (r rights) canRead(a identity.Account, filter string) bool {
	switch a.Role {
	case identity.RoleGateway:
		return within(filter, wire.AllCommands(r.site, a.Name))
	case identity.RoleCentral, identity.RoleOps:
		// A wider filter (dockhand/#, #) is accepted; what is delivered
		// through it is checked topic by topic, so only the site's tree
		// arrives.
		return intersects(filter, r.prefix()+"/#")
	}
	return false
}

// within reports whether every topic that filter matches is also matched
// by pattern.
func within(filter, pattern string) bool {
	f, p := strings.Split(filter, "/"), strings.Split(pattern, "/")
	for i, fl := range f {
		if i >= len(p) {
			return false
		}
		switch {
		case p[i] == "#":
			return true
		case fl == "#":
			return false
		case p[i] == "+":
			// any single level of the filter (a name or +) stays inside
		case fl == "+" || fl != p[i]:
			return false
		}
	}
	return len(f) == len(p)
}

// intersects reports whether some topic is matched by both filters.
func intersects(a, b string) bool {
	x, y := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(x) && i < len(y); i++ {
		switch {
		case x[i] == "#" || y[i] == "#":
			return true
		case x[i] == "+" || y[i] == "+" || x[i] == y[i]:
		default:
			return false
		}
	}
	// "a/#" also matches "a" itself.
	return len(x) == len(y) || len(x) == len(y)+1 && x[len(y)] == "#" || len(y) == len(x)+1 && y[len(x)] == "#"
}
