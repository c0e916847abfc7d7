package stock

// Catalog reads master data: items and locations.
type Catalog interface {
	Item(sku string) (Item, error)
	// ItemByGTIN finds the item with a GTIN of its base unit or of one of
	// its packs (any GTIN length).
	ItemByGTIN(gtin string) (Item, error)
	Location(code string) (Location, error)
	// Locations lists every location in code order.
	Locations() ([]Location, error)
}

// Plates keeps licence plates.
type Plates interface {
	LPN(code string) (LPN, error)
	PutLPN(LPN) error
}

// Tx is the part of a transaction every workflow that moves stock uses:
// master data, licence plates and the ledger.
type Tx interface {
	Catalog
	Plates
	Ledger
}
