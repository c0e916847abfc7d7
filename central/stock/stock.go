// Package stock is central's kernel: items, locations, licence plates and
// quants, the append-only ledger and reservations. Every other part of
// central changes stock through it: Post appends a ledger movement and
// applies it to the quant projection, refusing any movement that would
// make stock negative, overflow a total or take available stock below
// what is promised to orders; Reserve, Allocate and Release keep the
// promises (ledger.go, reserve.go). It knows nothing of storage or
// transport: callers hand it their own transaction (Projection, Ledger,
// Reservations), so a movement and everything it changes commit together.
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

// QuantKey identifies one homogeneous quantity of stock.
type QuantKey struct {
	SKU      string `json:"sku"`
	Location string `json:"location"`
	LPN      string `json:"lpn,omitempty"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Status   Status `json:"status"`
}

// Quant is a quantity at a key.
type Quant struct {
	QuantKey
	Quantity int64 `json:"quantity"`
}

// Movement is one append-only ledger line. An empty From location means
// the stock came from outside the site (a receipt, a count gain); an empty
// To location means it left (a shipment, a count loss). A movement with
// From == To and different statuses is a status change (QC release).
type Movement struct {
	Seq      uint64    `json:"seq"`
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	SKU      string    `json:"sku"`
	Quantity int64     `json:"quantity"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	LPN      string    `json:"lpn,omitempty"`
	// ToLPN, when set, is the licence plate the stock lands on (repacking);
	// otherwise it stays on LPN.
	ToLPN  string `json:"to_lpn,omitempty"`
	Lot    string `json:"lot,omitempty"`
	Expiry string `json:"expiry,omitempty"`
	Serial string `json:"serial,omitempty"`
	// FromStatus and ToStatus differ for status changes (QC release).
	FromStatus Status `json:"from_status,omitempty"`
	ToStatus   Status `json:"to_status,omitempty"`
	Reason     string `json:"reason"`
	Doc        string `json:"doc,omitempty"`
	By         string `json:"by,omitempty"`
	Event      string `json:"event,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Source is the quant key a movement takes from.
func (m Movement) Source() QuantKey {
	return QuantKey{SKU: m.SKU, Location: m.From, LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry, Serial: m.Serial, Status: m.FromStatus}
}

// Dest is the quant key the movement adds to.
func (m Movement) Dest() QuantKey {
	lpn := m.LPN
	if m.ToLPN != "" {
		lpn = m.ToLPN
	}
	return QuantKey{SKU: m.SKU, Location: m.To, LPN: lpn, Lot: m.Lot, Expiry: m.Expiry, Serial: m.Serial, Status: m.ToStatus}
}

// ErrInsufficient is returned when a movement takes more than is there.
var ErrInsufficient = errors.New("insufficient stock")

// ErrReserved is returned when a movement or reservation would leave less
// available stock than is reserved.
var ErrReserved = errors.New("stock is reserved")

// Validate checks a movement on its own.
func (m Movement) Validate() error {
	var p []string
	if m.SKU == "" {
		p = append(p, "sku is required")
	}
	if m.Quantity <= 0 || m.Quantity > MaxQuantity {
		p = append(p, fmt.Sprintf("quantity must be 1 to %d, got %d", MaxQuantity, m.Quantity))
	}
	if m.From == "" && m.To == "" {
		p = append(p, "from or to location is required")
	}
	if m.From != "" && m.To != "" && m.Source() == m.Dest() {
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

// Balances are the quantities a movement left at its source and destination.
type Balances struct {
	From *int64 `json:"from,omitempty"`
	To   *int64 `json:"to,omitempty"`
}
