package stock

import (
	"fmt"

	"github.com/dockhand/dockhand/drivers/gs1"
)

// Item is a stock-keeping unit. Quantities everywhere are in the item's
// base unit (Unit); Packs say how many base units a case or pallet holds
// and which GTIN is printed on it, so a case scan can be turned into base
// units.
type Item struct {
	SKU  string `json:"sku"`
	GTIN string `json:"gtin,omitempty"` // GTIN of the base unit
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"` // base unit of measure, e.g. each, kg
	// Packs are the larger units the item is handled in.
	Packs []Pack `json:"packs,omitempty"`
	// LotTracked items need a lot on every receipt, ExpiryTracked an
	// expiry date, SerialTracked a serial number per base unit.
	LotTracked    bool `json:"lot_tracked,omitempty"`
	ExpiryTracked bool `json:"expiry_tracked,omitempty"`
	SerialTracked bool `json:"serial_tracked,omitempty"`
	// TempZone is the storage temperature the item needs ("" = ambient).
	TempZone string `json:"temp_zone,omitempty"`
	// Hazard is the dangerous-goods class (UN class, e.g. "3"), "" if none.
	Hazard string `json:"hazard,omitempty"`
	// Dims are the base unit's dimensions and weight.
	Dims *Dims `json:"dims,omitempty"`
	// ABC is the velocity class: A items go near the dock.
	ABC string `json:"abc,omitempty"`
	// Category is the item class purchase approval rules match on.
	Category string `json:"category,omitempty"`
	// PickFace is the item's fixed pick location, the first putaway choice.
	PickFace string `json:"pick_face,omitempty"`
}

// Pack is a unit of measure larger than the base unit.
type Pack struct {
	UoM      string `json:"uom"`      // case, inner, layer, pallet
	Quantity int64  `json:"quantity"` // base units per pack
	GTIN     string `json:"gtin,omitempty"`
	Dims     *Dims  `json:"dims,omitempty"`
}

// Dims are outside dimensions in millimetres and weight in grams.
type Dims struct {
	LengthMM int64 `json:"length_mm"`
	WidthMM  int64 `json:"width_mm"`
	HeightMM int64 `json:"height_mm"`
	WeightG  int64 `json:"weight_g"`
}

// VolumeCM3 is the volume in cubic centimetres (rounded up).
func (d *Dims) VolumeCM3() int64 {
	if d == nil {
		return 0
	}
	return (d.LengthMM*d.WidthMM*d.HeightMM + 999) / 1000
}

// Temperature zones an item may need and a location may provide.
var TempZones = []string{"ambient", "chilled", "frozen"}

// ABC classes.
var ABCClasses = []string{"A", "B", "C"}

// GTINs lists every GTIN of the item: base unit first, then packs.
func (i Item) GTINs() []string {
	var out []string
	if i.GTIN != "" {
		out = append(out, i.GTIN)
	}
	for _, p := range i.Packs {
		if p.GTIN != "" {
			out = append(out, p.GTIN)
		}
	}
	return out
}

// UnitsPer returns how many base units one trade item with gtin holds
// (GTINs compare as GTIN-14, so a GTIN-13 matches its padded form).
func (i Item) UnitsPer(gtin string) (int64, bool) {
	if i.GTIN != "" && SameGTIN(i.GTIN, gtin) {
		return 1, true
	}
	for _, p := range i.Packs {
		if p.GTIN != "" && SameGTIN(p.GTIN, gtin) {
			return p.Quantity, true
		}
	}
	return 0, false
}

// PackOf returns the pack with a unit of measure.
func (i Item) PackOf(uom string) (Pack, bool) {
	for _, p := range i.Packs {
		if p.UoM == uom {
			return p, true
		}
	}
	return Pack{}, false
}

// GTIN14 pads a GTIN-8/12/13 to the 14 digits AI 01 and 02 carry.
func GTIN14(g string) string {
	if g == "" || len(g) >= 14 {
		return g
	}
	return fmt.Sprintf("%014s", g)
}

// SameGTIN compares GTINs of any length.
func SameGTIN(a, b string) bool { return GTIN14(a) == GTIN14(b) }

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

// Validate checks an item's fields.
func (i Item) Validate() error {
	var v Invalid
	if !ValidCode(i.SKU) {
		v.Add("sku", "must be %s", CodeRule)
	}
	if i.GTIN != "" {
		if err := gs1.ValidGTIN(i.GTIN); err != nil {
			v.Add("gtin", "%v", err)
		}
	}
	if i.Name == "" || len(i.Name) > 200 {
		v.Add("name", "is required, at most 200 bytes")
	}
	if len(i.Unit) > 16 {
		v.Add("unit", "at most 16 characters")
	}
	seen := map[string]bool{GTIN14(i.GTIN): i.GTIN != ""}
	uoms := map[string]bool{}
	for n, p := range i.Packs {
		f := fmt.Sprintf("packs[%d].", n)
		if p.UoM == "" || len(p.UoM) > 16 {
			v.Add(f+"uom", "is required (case, inner, layer, pallet), at most 16 characters")
		} else if uoms[p.UoM] {
			v.Add(f+"uom", "%s is listed twice", p.UoM)
		}
		uoms[p.UoM] = true
		v.Quantity(f+"quantity", p.Quantity, 2)
		if p.GTIN != "" {
			if err := gs1.ValidGTIN(p.GTIN); err != nil {
				v.Add(f+"gtin", "%v", err)
			} else if seen[GTIN14(p.GTIN)] {
				v.Add(f+"gtin", "%s is already used by another unit of this item", p.GTIN)
			}
			seen[GTIN14(p.GTIN)] = true
		}
		p.Dims.validate(&v, f+"dims.")
	}
	if i.TempZone != "" && !oneOf(i.TempZone, TempZones) {
		v.Add("temp_zone", "%q is not one of %v", i.TempZone, TempZones)
	}
	if len(i.Hazard) > 8 {
		v.Add("hazard", "at most 8 characters (UN class, e.g. 3 or 2.1)")
	}
	if i.ABC != "" && !oneOf(i.ABC, ABCClasses) {
		v.Add("abc", "must be A, B or C")
	}
	if len(i.Category) > 64 {
		v.Add("category", "at most 64 characters")
	}
	if i.PickFace != "" && !ValidCode(i.PickFace) {
		v.Add("pick_face", "is not a valid location code")
	}
	i.Dims.validate(&v, "dims.")
	return v.Err()
}

func (d *Dims) validate(v *Invalid, prefix string) {
	if d == nil {
		return
	}
	// 100 m and 100 t: beyond any unit a warehouse stores, and small
	// enough that a volume (length × width × height) cannot overflow.
	for _, f := range []struct {
		name string
		n    int64
		max  int64
	}{{"length_mm", d.LengthMM, 100_000}, {"width_mm", d.WidthMM, 100_000}, {"height_mm", d.HeightMM, 100_000}, {"weight_g", d.WeightG, 100_000_000}} {
		if f.n < 0 || f.n > f.max {
			v.Add(prefix+f.name, "must be between 0 and %d", f.max)
		}
	}
}
