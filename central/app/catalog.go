package app

import (
	"strconv"

	"github.com/dockhand/dockhand/central/stock"
)

// CheckItem checks an item's fields and that the labels can print its SKU
// and name; it needs no store (the API runs it before any transaction).
func CheckItem(it stock.Item) error { return merge(it.Validate(), checkItem(it)) }

// CreateItem creates an item; a GTIN another item has is refused.
func (t *Tx) CreateItem(it stock.Item) (stock.Item, error) {
	if err := CheckItem(it); err != nil {
		return it, err
	}
	if err := exists(t.st.Item, it.SKU, "item"); err != nil {
		return it, err
	}
	var inv stock.Invalid
	for _, g := range it.GTINs() {
		if other, err := t.st.ItemByGTIN(g); err == nil {
			inv.Add(gtinField(it, g), "%s is already used by item %s", g, other.SKU)
		}
	}
	if err := inv.Err(); err != nil {
		return it, err
	}
	return it, t.st.PutItem(it)
}

func gtinField(it stock.Item, g string) string {
	for i, p := range it.Packs {
		if p.GTIN == g {
			return "packs[" + strconv.Itoa(i) + "].gtin"
		}
	}
	return "gtin"
}

// CheckLocation checks a location's fields, with its bin address filled
// from its code, and that the labels can print its code; no store needed.
func CheckLocation(l stock.Location) error {
	l.Normalize()
	return merge(l.Validate(), checkLocation(l))
}

// CreateLocation creates a location.
func (t *Tx) CreateLocation(l stock.Location) (stock.Location, error) {
	l.Normalize()
	if err := CheckLocation(l); err != nil {
		return l, err
	}
	if err := exists(t.st.Location, l.Code, "location"); err != nil {
		return l, err
	}
	return l, t.st.PutLocation(l)
}
