package stations

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Count handles a count station: the location starts a count, each item
// label adds its units (GTIN × AI 37/30 count, lot from AI 10), and the
// location again finishes it.
type Count struct{}

// countState is a count station's count in progress: the task, its
// location and what has been scanned so far.
type countState struct {
	Task     string          `json:"task"`
	Location string          `json:"location"`
	Tally    []counting.Line `json:"tally,omitempty"`
}

// stationReason is the adjustment reason of counts made by scanning.
const stationReason = "counted at station"

// Scan starts, tallies or finishes the station's count.
func (Count) Scan(t *app.Tx, at app.At, s wire.Scan) error {
	station := at.By()
	var st countState
	err := t.StationState(station, &st)
	if err != nil && !errors.Is(err, stock.ErrNotFound) {
		return err
	}
	busy := err == nil
	code := strings.TrimSpace(s.Data)
	if gtin, ok := s.Get("01"); ok || !busy {
		if !busy {
			return startCount(t, at, code)
		}
		return tally(t, at, s, st, gtin)
	}
	if gtin, ok := s.Get("02"); ok {
		return tally(t, at, s, st, gtin)
	}
	if code != st.Location {
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertWrongLocation), Severity: "warning", Ref: code,
			Message: fmt.Sprintf("finish the count of %s first: scan %s again", st.Location, st.Location)})
	}
	return finishCount(t, at, st)
}

func startCount(t *app.Tx, at app.At, code string) error {
	task, err := t.StartCount(code, at.Time)
	if errors.Is(err, stock.ErrNotFound) {
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertUnknownLocation), Severity: "warning", Ref: code,
			Message: fmt.Sprintf("%s is not a location: scan the location to count first", code)})
	} else if err != nil {
		return err
	}
	return t.SetStationState(at.By(), countState{Task: task.ID, Location: task.Location})
}

func tally(t *app.Tx, at app.At, s wire.Scan, st countState, gtin string) error {
	item, err := t.ItemByGTIN(gtin)
	if errors.Is(err, stock.ErrNotFound) {
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertUnknownItem), Severity: "warning", Ref: gtin, Message: "no item has GTIN " + gtin})
	} else if err != nil {
		return err
	}
	per, _ := item.UnitsPer(gtin)
	n := int64(1)
	for _, ai := range []string{"37", "30"} {
		if v, ok := s.Get(ai); ok {
			if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 {
				return t.Refuse(at, stock.Alert{Kind: string(wire.AlertBadScan), Severity: "warning", Ref: s.ID,
					Message: fmt.Sprintf("count (%s) %q is not a positive number", ai, v)})
			}
		}
	}
	lot, _ := s.Get("10")
	i := slices.IndexFunc(st.Tally, func(l counting.Line) bool { return l.SKU == item.SKU && l.Lot == lot })
	if i < 0 {
		st.Tally, i = append(st.Tally, counting.Line{SKU: item.SKU, Lot: lot}), len(st.Tally)
	}
	units, ok := stock.Mul(per, n)
	total, fits := stock.Add(st.Tally[i].Quantity, units)
	if !ok || !fits || total > stock.MaxQuantity {
		return t.Refuse(at, stock.Alert{Kind: string(wire.AlertBadScan), Severity: "warning", Ref: s.ID,
			Message: fmt.Sprintf("counting %d × %d more units of %s would exceed %d", n, per, item.SKU, stock.MaxQuantity)})
	}
	st.Tally[i].Quantity = total
	return t.SetStationState(at.By(), st)
}

func finishCount(t *app.Tx, at app.At, st countState) error {
	res, err := t.SubmitCount(st.Task, st.Tally, stationReason, at.By(), at.Time)
	if err != nil {
		return err
	}
	if res.Recount {
		if err := t.SetStationState(at.By(), countState{Task: st.Task, Location: st.Location}); err != nil {
			return err
		}
		if err := t.Light(at, wire.LightAttention, "count differs: count "+st.Location+" again"); err != nil {
			return err
		}
		return t.Raise(at.Gateway, at.Station, stock.Alert{Kind: string(wire.AlertCountRecount), Severity: "info", Ref: st.Task,
			Message: fmt.Sprintf("the count of %s differs from stock by more than the threshold; counting again", st.Location)})
	}
	if err := t.SetStationState(at.By(), nil); err != nil {
		return err
	}
	if len(res.Movements) == 0 {
		return nil
	}
	return t.Raise(at.Gateway, at.Station, stock.Alert{Kind: string(wire.AlertCountAdjusted), Severity: "info", Ref: st.Task,
		Message: fmt.Sprintf("count of %s adjusted stock with %d movements", st.Location, len(res.Movements))})
}
