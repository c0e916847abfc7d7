package stock

import "github.com/dockhand/dockhand/drivers/gs1"

// Validate checks an item's fields.
func (i Item) Validate() error {
	var v Invalid
	if !ValidCode(i.SKU) {
		v.Add("sku", "must be 1-64 characters without spaces, '/', '|', '+', '#', '%%' or '?'")
	}
	if i.GTIN != "" {
		if err := gs1.ValidGTIN(i.GTIN); err != nil {
			v.Add("gtin", "%v", err)
		}
	}
	if i.Name == "" || len(i.Name) > 200 {
		v.Add("name", "is required, at most 200 bytes")
	}
	if i.PickFace != "" && !ValidCode(i.PickFace) {
		v.Add("pick_face", "is not a valid location code")
	}
	return v.Err()
}

// Validate checks a location's fields.
func (l Location) Validate() error {
	var v Invalid
	if !ValidCode(l.Code) {
		v.Add("code", "must be 1-64 characters without spaces, '/', '|', '+', '#', '%%' or '?'")
	}
	if !l.Type.Valid() {
		v.Add("type", "%q is not a location type", l.Type)
	}
	return v.Err()
}
