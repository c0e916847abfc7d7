// Package stock is central's stock model and ledger: items, locations,
// licence plates and quants, and the one function that changes stock —
// Post, which applies a ledger movement to the quant projection and refuses
// any movement that would make stock negative. It knows nothing of storage
// or transport: callers hand it a Quants view inside their own transaction,
// so a movement and the quants it changes commit together.
package stock

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status of a quantity of stock.
type Status string

// Stock statuses.
const (
	Available  Status = "available"
	Quarantine Status = "quarantine"
	Damaged    Status = "damaged"
	ToReturn   Status = "to-return"
	InTransit  Status = "in-transit"
)

// Statuses lists every valid status.
var Statuses = []Status{Available, Quarantine, Damaged, ToReturn, InTransit}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Item is a stock-keeping unit.
type Item struct {
	SKU  string `json:"sku"`
	GTIN string `json:"gtin,omitempty"`
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
	// PickFace is the item's fixed pick location, the first putaway choice.
	PickFace string `json:"pick_face,omitempty"`
}

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
)

// LocationTypes lists every valid location type.
var LocationTypes = []LocationType{LocDock, LocReceiving, LocQC, LocReserve, LocPickFace, LocPack, LocShipping, LocQuarantine}

// Valid reports whether t is a known location type.
func (t LocationType) Valid() bool {
	for _, v := range LocationTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Location is a place stock can be: a dock, a receiving lane or a bin such
// as A-03-2-05 (aisle-rack-level-position).
type Location struct {
	Code string       `json:"code"`
	Type LocationType `json:"type"`
	Zone string       `json:"zone,omitempty"`
}

// QuantKey identifies one homogeneous quantity of stock.
type QuantKey struct {
	SKU      string `json:"sku"`
	Location string `json:"location"`
	LPN      string `json:"lpn,omitempty"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Status   Status `json:"status"`
}

// Quant is a quantity at a key.
type Quant struct {
	QuantKey
	Quantity int64 `json:"quantity"`
}

// Movement is one append-only ledger line. An empty From location means
// the stock came from outside the site (a receipt, a count gain); an empty
// To location means it left (a shipment, a count loss).
type Movement struct {
	Seq      uint64    `json:"seq"`
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	SKU      string    `json:"sku"`
	Quantity int64     `json:"quantity"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	LPN      string    `json:"lpn,omitempty"`
	Lot      string    `json:"lot,omitempty"`
	Expiry   string    `json:"expiry,omitempty"`
	// FromStatus and ToStatus differ for status changes (QC release).
	FromStatus Status `json:"from_status,omitempty"`
	ToStatus   Status `json:"to_status,omitempty"`
	Reason     string `json:"reason"`
	Doc        string `json:"doc,omitempty"`
	By         string `json:"by,omitempty"`
	Event      string `json:"event,omitempty"`
}

// Source and Dest are the quant keys a movement takes from and adds to.
func (m Movement) Source() QuantKey {
	return QuantKey{SKU: m.SKU, Location: m.From, LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry, Status: m.FromStatus}
}

// Dest is the quant key the movement adds to.
func (m Movement) Dest() QuantKey {
	return QuantKey{SKU: m.SKU, Location: m.To, LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry, Status: m.ToStatus}
}

// ErrInsufficient is returned when a movement takes more than is there.
var ErrInsufficient = errors.New("insufficient stock")

// Validate checks a movement on its own.
func (m Movement) Validate() error {
	var p []string
	if m.SKU == "" {
		p = append(p, "sku is required")
	}
	if m.Quantity <= 0 {
		p = append(p, fmt.Sprintf("quantity must be positive, got %d", m.Quantity))
	}
	if m.From == "" && m.To == "" {
		p = append(p, "from or to location is required")
	}
	if m.From == m.To && m.FromStatus == m.ToStatus {
		p = append(p, "from and to are the same")
	}
	if m.From != "" && !m.FromStatus.Valid() {
		p = append(p, fmt.Sprintf("from_status %q is not valid", m.FromStatus))
	}
	if m.To != "" && !m.ToStatus.Valid() {
		p = append(p, fmt.Sprintf("to_status %q is not valid", m.ToStatus))
	}
	if m.Reason == "" {
		p = append(p, "reason is required")
	}
	if len(p) > 0 {
		return fmt.Errorf("movement: %s", strings.Join(p, "; "))
	}
	return nil
}

// Quants is the quant projection as seen inside the caller's transaction.
type Quants interface {
	Quant(k QuantKey) (int64, error)
	SetQuant(k QuantKey, qty int64) error
}

// Balances are the quantities a movement left at its source and destination.
type Balances struct {
	From, To *int64
}

// Post applies m to the projection. It never lets a quant go negative.
func Post(q Quants, m Movement) (Balances, error) {
	var b Balances
	if err := m.Validate(); err != nil {
		return b, err
	}
	if m.From != "" {
		k := m.Source()
		have, err := q.Quant(k)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		if have < m.Quantity {
			return b, fmt.Errorf("%w: %s has %d of %s, movement takes %d", ErrInsufficient, m.From, have, m.SKU, m.Quantity)
		}
		left := have - m.Quantity
		if err := q.SetQuant(k, left); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
		b.From = &left
	}
	if m.To != "" {
		k := m.Dest()
		have, err := q.Quant(k)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		now := have + m.Quantity
		if err := q.SetQuant(k, now); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
		b.To = &now
	}
	return b, nil
}

// MemQuants is an in-memory projection, used to rebuild quants from the
// ledger and to check the stored projection against it.
type MemQuants map[QuantKey]int64

// Quant returns the quantity at k.
func (m MemQuants) Quant(k QuantKey) (int64, error) { return m[k], nil }

// SetQuant sets the quantity at k; zero removes the key.
func (m MemQuants) SetQuant(k QuantKey, qty int64) error {
	if qty == 0 {
		delete(m, k)
	} else {
		m[k] = qty
	}
	return nil
}
