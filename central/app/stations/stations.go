// Package stations gives scans their meaning by the role of the station
// they were made at: a small registry of handlers, one per role
// (inbound.go, putaway.go, count.go). A handler reads the scan — which
// GS1 elements it has, what the station is in the middle of — and calls
// the application's use cases; it builds no message itself. A new role
// (outbound's pick, pack, outbound-dock) is one more handler registered
// in New, without touching the others.
package stations

import (
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Handler handles the scans made at stations of one role, inside the
// transaction of the scan's event.
type Handler interface {
	Scan(t *app.Tx, at app.At, s wire.Scan) error
}

// Registry dispatches scans to the handler of their station's role.
type Registry struct {
	handlers map[wire.Role]Handler
	log      zerolog.Logger
}

// New returns the registry of every role central handles.
func New(log zerolog.Logger) *Registry {
	return &Registry{log: log.With().Str("component", "stations").Logger(), handlers: map[wire.Role]Handler{
		wire.RoleInboundDock: Inbound{},
		wire.RolePutaway:     Putaway{},
		wire.RoleCount:       Count{},
	}}
}

// Scan hands a scan to its role's handler. A scan the gateway could not
// read (Error set) only tells operations why: the gateway has already
// shown red. A role without a handler is accepted and does nothing.
func (r *Registry) Scan(t *app.Tx, s wire.Scan) error {
	h, ok := r.handlers[s.Role]
	if !ok {
		r.log.Info().Str("role", string(s.Role)).Str("station", s.Station).Msg("scan at a station role central does not handle yet")
		return nil
	}
	if s.Error != "" {
		return t.Raise(s.Gateway, s.Station, stock.Alert{Kind: string(wire.AlertBadScan), Severity: "warning", Device: s.Device, Class: "bad-scan",
			Message: "bad scan at " + s.Station + ": " + s.Error, Ref: s.ID, Details: map[string]string{"data": s.Data}})
	}
	return h.Scan(t, app.At{Gateway: s.Gateway, Station: s.Station, Event: s.ID, Time: s.TS}, s)
}
