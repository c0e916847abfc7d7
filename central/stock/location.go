package stock

import "strings"

// LocationType says what a location is for.
type LocationType string

// Location types.
const (
	LocDock       LocationType = "dock"
	LocReceiving  LocationType = "receiving"
	LocQC         LocationType = "qc"
	LocReserve    LocationType = "reserve"
	LocPickFace   LocationType = "pick-face"
	LocPack       LocationType = "pack"
	LocShipping   LocationType = "shipping"
	LocQuarantine LocationType = "quarantine"
	// LocTransit holds stock on its way between warehouses (status
	// in-transit); it belongs to the warehouse the stock is going to.
	LocTransit LocationType = "transit"
)

// LocationTypes lists every valid location type.
var LocationTypes = []LocationType{LocDock, LocReceiving, LocQC, LocReserve, LocPickFace, LocPack, LocShipping, LocQuarantine, LocTransit}

// Valid reports whether t is a known location type.
func (t LocationType) Valid() bool {
	for _, v := range LocationTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Storage reports whether goods are put away to locations of this type.
func (t LocationType) Storage() bool { return t == LocReserve || t == LocPickFace }

// Location is a place stock can be: a dock, a receiving lane or a bin. Bins
// sit in a hierarchy warehouse → zone → aisle → rack → level → position; a
// code of four dash-separated parts such as A-03-2-05 fills aisle, rack,
// level and position when they are not given.
type Location struct {
	Code      string       `json:"code"`
	Type      LocationType `json:"type"`
	Warehouse string       `json:"warehouse,omitempty"`
	Zone      string       `json:"zone,omitempty"`
	Aisle     string       `json:"aisle,omitempty"`
	Rack      string       `json:"rack,omitempty"`
	Level     string       `json:"level,omitempty"`
	Position  string       `json:"position,omitempty"`
	// TempZone is the temperature the location keeps ("" = ambient).
	TempZone string `json:"temp_zone,omitempty"`
	// Pallets is the number of licence plates the location holds; 0 means
	// one for reserve and pick-face bins and no limit elsewhere.
	Pallets int `json:"pallets,omitempty"`
	// MaxVolumeCM3 and MaxWeightG bound the contents when > 0 (checked
	// for items whose dimensions are known).
	MaxVolumeCM3 int64 `json:"max_volume_cm3,omitempty"`
	MaxWeightG   int64 `json:"max_weight_g,omitempty"`
	// PickSeq orders locations along the walking path from the dock; low
	// numbers are near the dock.
	PickSeq int `json:"pick_seq,omitempty"`
}

// PalletCapacity is how many licence plates the location takes; 0 = no limit.
func (l Location) PalletCapacity() int {
	if l.Pallets == 0 && l.Type.Storage() {
		return 1
	}
	return l.Pallets
}

// Normalize fills the bin address from a four-part code.
func (l *Location) Normalize() {
	p := strings.Split(l.Code, "-")
	if len(p) == 4 && l.Aisle == "" && l.Rack == "" && l.Level == "" && l.Position == "" {
		l.Aisle, l.Rack, l.Level, l.Position = p[0], p[1], p[2], p[3]
	}
}

// Validate checks a location's fields.
func (l Location) Validate() error {
	var v Invalid
	if !ValidCode(l.Code) {
		v.Add("code", "must be %s", CodeRule)
	}
	if !l.Type.Valid() {
		v.Add("type", "%q is not a location type", l.Type)
	}
	for _, f := range []struct{ name, val string }{{"warehouse", l.Warehouse}, {"zone", l.Zone}, {"aisle", l.Aisle},
		{"rack", l.Rack}, {"level", l.Level}, {"position", l.Position}} {
		if len(f.val) > 32 {
			v.Add(f.name, "at most 32 characters")
		}
	}
	if l.TempZone != "" && !oneOf(l.TempZone, TempZones) {
		v.Add("temp_zone", "%q is not one of %v", l.TempZone, TempZones)
	}
	if l.Pallets < 0 {
		v.Add("pallets", "must not be negative")
	}
	if l.MaxVolumeCM3 < 0 {
		v.Add("max_volume_cm3", "must not be negative")
	}
	if l.MaxWeightG < 0 {
		v.Add("max_weight_g", "must not be negative")
	}
	if l.PickSeq < 0 {
		v.Add("pick_seq", "must not be negative")
	}
	return v.Err()
}
