// Package inbound is the receiving side of central's workflow: advance
// shipping notices (ASNs), receiving pallets by their SSCC at an inbound
// dock, and the putaway suggestion printed on the pallet label. Like
// package stock it works on a Tx supplied by the caller and knows nothing
// of storage or transport.
package inbound

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/gs1"
)

// ASN is an advance shipping notice: the pallets a supplier says are coming.
type ASN struct {
	ID       string           `json:"id"`
	Supplier string           `json:"supplier,omitempty"`
	PO       string           `json:"po,omitempty"`
	Pallets  []ExpectedPallet `json:"pallets"`
	Created  time.Time        `json:"created"`
}

// ExpectedPallet is one pallet on an ASN.
type ExpectedPallet struct {
	SSCC     string `json:"sscc"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"` // YYYY-MM-DD
}

// LPN is a licence plate: a received pallet and where it is.
type LPN struct {
	Code       string    `json:"code"`
	SKU        string    `json:"sku"`
	Quantity   int64     `json:"quantity"`
	Lot        string    `json:"lot,omitempty"`
	Expiry     string    `json:"expiry,omitempty"`
	Location   string    `json:"location"`
	ASN        string    `json:"asn,omitempty"`
	Receipt    string    `json:"receipt"`
	ReceivedAt time.Time `json:"received_at"`
	Putaway    string    `json:"putaway,omitempty"`
}

// Receipt records goods received.
type Receipt struct {
	ID       string    `json:"id"`
	ASN      string    `json:"asn,omitempty"`
	SSCC     string    `json:"sscc,omitempty"`
	SKU      string    `json:"sku"`
	GTIN     string    `json:"gtin,omitempty"`
	Quantity int64     `json:"quantity"`
	Lot      string    `json:"lot,omitempty"`
	Expiry   string    `json:"expiry,omitempty"`
	Location string    `json:"location"`
	Putaway  string    `json:"putaway,omitempty"`
	Gateway  string    `json:"gateway,omitempty"`
	Station  string    `json:"station,omitempty"`
	Event    string    `json:"event,omitempty"`
	At       time.Time `json:"at"`
}

// Tx is what receiving needs from the caller's transaction.
type Tx interface {
	stock.Quants
	Item(sku string) (stock.Item, error)
	Location(code string) (stock.Location, error)
	Locations() ([]stock.Location, error)
	StockAt(location string) (int64, error)
	// Targeted counts pallets whose putaway suggestion is location and
	// that are not there yet, so two pallets are not sent to one bin.
	Targeted(location string) (int, error)
	ASN(id string) (ASN, error)
	PutASN(ASN) error
	// ExpectedPallet finds the ASN that announced an SSCC.
	ExpectedPallet(sscc string) (ASN, ExpectedPallet, error)
	LPN(code string) (LPN, error)
	PutLPN(LPN) error
	PutReceipt(Receipt) error
	// Post appends m to the ledger (assigning Seq) and applies it to quants.
	Post(m stock.Movement) (stock.Movement, stock.Balances, error)
}

// CreateASN validates an ASN against the items it names and stores it.
func CreateASN(tx Tx, a ASN) error {
	var v stock.Invalid
	if !stock.ValidCode(a.ID) {
		v.Add("id", "must be 1-64 characters without spaces or '/'")
	} else if _, err := tx.ASN(a.ID); err == nil {
		v.Add("id", "ASN %s already exists", a.ID)
	} else if !errors.Is(err, stock.ErrNotFound) {
		return err
	}
	if len(a.Pallets) == 0 {
		v.Add("pallets", "at least one pallet is required")
	}
	seen := map[string]bool{}
	for i, p := range a.Pallets {
		f := fmt.Sprintf("pallets[%d].", i)
		if err := gs1.ValidSSCC(p.SSCC); err != nil {
			v.Add(f+"sscc", "%v", err)
		} else if seen[p.SSCC] {
			v.Add(f+"sscc", "%s is listed twice", p.SSCC)
		} else if other, _, err := tx.ExpectedPallet(p.SSCC); err == nil {
			v.Add(f+"sscc", "%s is already on ASN %s", p.SSCC, other.ID)
		}
		seen[p.SSCC] = true
		if _, err := tx.Item(p.SKU); errors.Is(err, stock.ErrNotFound) {
			v.Add(f+"sku", "item %q does not exist", p.SKU)
		} else if err != nil {
			return err
		}
		if p.Quantity <= 0 {
			v.Add(f+"quantity", "must be positive")
		}
		if p.Lot != "" && len(p.Lot) > 20 {
			v.Add(f+"lot", "at most 20 characters (GS1 AI 10)")
		}
		if p.Expiry != "" {
			if _, err := time.Parse(time.DateOnly, p.Expiry); err != nil {
				v.Add(f+"expiry", "%q is not a date like 2027-03-31", p.Expiry)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return tx.PutASN(a)
}

// Outcome kinds of a pallet scan.
const (
	Received  = "received"
	Duplicate = "duplicate"
	Unknown   = "unknown"
)

// PalletScan is an SSCC scanned at an inbound dock.
type PalletScan struct {
	SSCC    string
	Gateway string
	Station string
	Event   string
	At      time.Time
	// Into is the receiving location the pallet is booked into.
	Into string
}

// Outcome is what a pallet scan did.
type Outcome struct {
	Kind      string
	Message   string
	Receipt   *Receipt
	LPN       *LPN
	Item      stock.Item
	Movements []Posted
}

// Posted is a ledger movement with the balances it left.
type Posted struct {
	stock.Movement
	Balances stock.Balances
}

// ReceivePallet books a whole pallet announced on an ASN into the
// receiving location and suggests where to put it away. A pallet already
// received is not received again; an unknown pallet changes nothing.
func ReceivePallet(tx Tx, s PalletScan, newID func() string) (Outcome, error) {
	if lpn, err := tx.LPN(s.SSCC); err == nil {
		return Outcome{Kind: Duplicate, LPN: &lpn,
			Message: fmt.Sprintf("pallet %s was already received at %s (receipt %s)", s.SSCC, lpn.ReceivedAt.Format(time.RFC3339), lpn.Receipt)}, nil
	} else if !errors.Is(err, stock.ErrNotFound) {
		return Outcome{}, err
	}
	asn, p, err := tx.ExpectedPallet(s.SSCC)
	if errors.Is(err, stock.ErrNotFound) {
		return Outcome{Kind: Unknown, Message: fmt.Sprintf("pallet %s is not on any open ASN", s.SSCC)}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	item, err := tx.Item(p.SKU)
	if err != nil {
		return Outcome{}, fmt.Errorf("item %s of ASN %s: %w", p.SKU, asn.ID, err)
	}
	putaway, err := SuggestPutaway(tx, item)
	if err != nil {
		return Outcome{}, err
	}
	rcpt := Receipt{ID: newID(), ASN: asn.ID, SSCC: s.SSCC, SKU: item.SKU, GTIN: item.GTIN, Quantity: p.Quantity,
		Lot: p.Lot, Expiry: p.Expiry, Location: s.Into, Putaway: putaway, Gateway: s.Gateway, Station: s.Station, Event: s.Event, At: s.At}
	mv, bal, err := tx.Post(stock.Movement{ID: newID(), At: s.At, SKU: item.SKU, Quantity: p.Quantity, To: s.Into,
		LPN: s.SSCC, Lot: p.Lot, Expiry: p.Expiry, ToStatus: stock.Available, Reason: "receipt", Doc: asn.ID, Event: s.Event,
		By: s.Gateway + "/" + s.Station})
	if err != nil {
		return Outcome{}, err
	}
	lpn := LPN{Code: s.SSCC, SKU: item.SKU, Quantity: p.Quantity, Lot: p.Lot, Expiry: p.Expiry, Location: s.Into,
		ASN: asn.ID, Receipt: rcpt.ID, ReceivedAt: s.At, Putaway: putaway}
	if err := tx.PutLPN(lpn); err != nil {
		return Outcome{}, err
	}
	if err := tx.PutReceipt(rcpt); err != nil {
		return Outcome{}, err
	}
	return Outcome{Kind: Received, Receipt: &rcpt, LPN: &lpn, Item: item,
		Message:   fmt.Sprintf("received pallet %s: %d × %s, put away to %s", s.SSCC, p.Quantity, item.SKU, orNone(putaway)),
		Movements: []Posted{{Movement: mv, Balances: bal}}}, nil
}

// SuggestPutaway picks where a received pallet should go: the item's fixed
// pick face when it has one, else the first empty reserve location in code
// order (codes sort in walking order, aisle-rack-level-position). "" means
// there is no room, and the label says so.
func SuggestPutaway(tx Tx, item stock.Item) (string, error) {
	if item.PickFace != "" {
		return item.PickFace, nil
	}
	locs, err := tx.Locations()
	if err != nil {
		return "", err
	}
	sort.Slice(locs, func(i, j int) bool { return locs[i].Code < locs[j].Code })
	for _, l := range locs {
		if l.Type != stock.LocReserve {
			continue
		}
		n, err := tx.StockAt(l.Code)
		if err != nil {
			return "", err
		}
		t, err := tx.Targeted(l.Code)
		if err != nil {
			return "", err
		}
		if n == 0 && t == 0 {
			return l.Code, nil
		}
	}
	return "", nil
}

func orNone(s string) string {
	if s == "" {
		return "(no free location)"
	}
	return s
}
