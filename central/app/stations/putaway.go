package stations

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Putaway handles a putaway station: two scans, the licence plate and then
// the location it was put to, confirm a putaway (or a move order).
type Putaway struct{}

// putawayState is what a putaway station waits for: the location for the
// licence plate scanned first.
type putawayState struct {
	LPN string `json:"lpn"`
}

// Scan arms the station with a plate, or confirms the armed plate's
// putaway to the scanned location.
func (Putaway) Scan(t *app.Tx, at app.At, s wire.Scan) error {
	code := strings.TrimSpace(s.Data)
	if sscc, ok := s.Get("00"); ok {
		code = sscc
	}
	station := at.By()
	if plate, err := t.IsPlate(code); err != nil {
		return err
	} else if plate {
		return t.SetStationState(station, putawayState{LPN: code})
	}
	var st putawayState
	if err := t.StationState(station, &st); errors.Is(err, stock.ErrNotFound) {
		msg := fmt.Sprintf("%s is not a licence plate central knows; scan the plate first, then the location", code)
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertUnknownLPN), Severity: "warning", Message: msg, Ref: code})
	} else if err != nil {
		return err
	}
	res, err := t.ConfirmPutaway(putaway.Confirmation{LPN: st.LPN, Location: code, By: station, Event: at.Event, At: at.Time})
	var refused *putaway.Refused
	if errors.As(err, &refused) {
		return t.Refuse(at, stock.Alert{Kind: refused.Kind, Severity: "warning", Message: refused.Message, Ref: st.LPN,
			Details: map[string]string{"location": code}})
	}
	if err != nil {
		return err
	}
	if err := t.SetStationState(station, nil); err != nil {
		return err
	}
	if res.Deviated {
		return t.Raise(at.Gateway, at.Station, stock.Alert{Kind: string(wire.AlertPutawayDeviation), Severity: "info", Ref: st.LPN,
			Message: fmt.Sprintf("licence plate %s put away to %s instead of %s", st.LPN, res.LPN.PutawayTo, orDash(res.LPN.Suggested))})
	}
	return nil
}
