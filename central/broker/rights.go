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
//
// The checks run for every publish and every delivery, so they compare
// strings instead of splitting topics.
type rights struct {
	site   string
	prefix string // dockhand/v1/{site}/
}

func newRights(site string) rights { return rights{site: site, prefix: wire.Root + "/" + site + "/"} }

// canPublish reports whether an account may publish on topic.
func (r rights) canPublish(a identity.Account, topic string) bool {
	rest, ok := strings.CutPrefix(topic, r.prefix)
	if !ok {
		return false
	}
	switch a.Role {
	case identity.RoleGateway:
		if rest, ok = strings.CutPrefix(rest, "gw/"); !ok {
			return false
		}
		if rest, ok = strings.CutPrefix(rest, a.Name); !ok || rest == "" || rest[0] != '/' {
			return false
		}
		typ, isEvent := strings.CutPrefix(rest[1:], wire.KindEvent+"/")
		return rest[1:] == wire.KindState || isEvent && wire.ValidName(typ)
	case identity.RoleCentral:
		if typ, ok := strings.CutPrefix(rest, "ops/"); ok {
			return wire.ValidName(typ)
		}
		gw, cmd, ok := strings.Cut(strings.TrimPrefix(rest, "gw/"), "/"+wire.KindCommand+"/")
		return ok && strings.HasPrefix(rest, "gw/") && wire.ValidName(gw) && wire.ValidName(cmd)
	}
	return false
}

// canRead reports whether an account may subscribe to filter, or be sent a
// message on topic (a topic is a filter without wildcards).
func (r rights) canRead(a identity.Account, filter string) bool {
	concrete := !strings.ContainsAny(filter, "+#")
	switch a.Role {
	case identity.RoleGateway:
		if concrete { // a delivery
			rest, ok := strings.CutPrefix(filter, r.prefix+"gw/"+a.Name+"/"+wire.KindCommand+"/")
			return ok && wire.ValidName(rest)
		}
		return within(filter, wire.AllCommands(r.site, a.Name))
	case identity.RoleCentral, identity.RoleOps:
		if concrete {
			return strings.HasPrefix(filter, r.prefix)
		}
		// A wider filter (dockhand/#, #) is accepted; what is delivered
		// through it is checked topic by topic, so only the site's tree
		// arrives.
		return intersects(filter, r.prefix+"#")
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
