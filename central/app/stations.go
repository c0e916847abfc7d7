package app

import (
	"errors"

	"github.com/dockhand/dockhand/central/stock"
)

// What station handlers (app/stations) read and keep between the scans
// of a two-scan or multi-scan task.

// StationState decodes what a station is in the middle of into v;
// stock.ErrNotFound when it is idle.
func (t *Tx) StationState(station string, v any) error { return t.st.StationState(station, v) }

// SetStationState records (v != nil) or clears (v == nil) it.
func (t *Tx) SetStationState(station string, v any) error { return t.st.SetStationState(station, v) }

// IsPlate reports whether code is a licence plate central knows.
func (t *Tx) IsPlate(code string) (bool, error) {
	_, err := t.st.LPN(code)
	if errors.Is(err, stock.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ItemByGTIN finds the item a GTIN belongs to.
func (t *Tx) ItemByGTIN(gtin string) (stock.Item, error) { return t.st.ItemByGTIN(gtin) }
