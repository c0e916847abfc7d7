// Package stock is central's stock model and ledger: items, locations,
// licence plates and quants, and the one function that changes stock —
// Post, which applies a ledger movement to the quant projection and refuses
// any movement that would make stock negative or take available stock
// below what is reserved. It knows nothing of storage or transport:
// callers hand it a Quants view inside their own transaction, so a
// movement and the quants it changes commit together.
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

// Quants is the quant projection as seen inside the caller's transaction.
type Quants interface {
	Quant(k QuantKey) (int64, error)
	SetQuant(k QuantKey, qty int64) error
	// Available is the total available-status quantity of sku on site.
	Available(sku string) (int64, error)
	// Reserved is the quantity of sku promised to orders.
	Reserved(sku string) (int64, error)
}

// Reserver can also change reservations.
type Reserver interface {
	Quants
	SetReserved(sku string, qty int64) error
}

// Balances are the quantities a movement left at its source and destination.
type Balances struct {
	From *int64 `json:"from,omitempty"`
	To   *int64 `json:"to,omitempty"`
}

// lowersAvailable reports whether m reduces the site's available stock.
func (m Movement) lowersAvailable() bool {
	return m.From != "" && m.FromStatus == Available && (m.To == "" || m.ToStatus != Available)
}

// Post applies m to the projection. It never lets a quant go negative or
// above MaxQuantity, never takes available stock below the reserved
// quantity, and changes nothing when it refuses: every check is made
// before the first write, and the one write that can still fail (the
// site's available total overflowing) is made first.
func Post(q Quants, m Movement) (Balances, error) {
	var b Balances
	if err := m.Validate(); err != nil {
		return b, err
	}
	if m.lowersAvailable() {
		res, err := q.Reserved(m.SKU)
		if err != nil {
			return b, fmt.Errorf("read reservations: %w", err)
		}
		if res > 0 {
			avail, err := q.Available(m.SKU)
			if err != nil {
				return b, fmt.Errorf("read available: %w", err)
			}
			if avail-m.Quantity < res {
				return b, fmt.Errorf("%w: %d of %s available, %d reserved, movement takes %d", ErrReserved, avail, m.SKU, res, m.Quantity)
			}
		}
	}
	var src, dst QuantKey
	var left, now int64
	if m.From != "" {
		src = m.Source()
		have, err := q.Quant(src)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		if have < m.Quantity {
			return b, fmt.Errorf("%w: %s has %d of %s, movement takes %d", ErrInsufficient, m.From, have, m.SKU, m.Quantity)
		}
		left = have - m.Quantity
	}
	if m.To != "" {
		dst = m.Dest()
		have, err := q.Quant(dst)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		var ok bool
		if now, ok = Add(have, m.Quantity); !ok || now > MaxQuantity {
			return b, fmt.Errorf("%w: %s would hold more than %d of %s (has %d, movement brings %d)", ErrTooLarge, m.To, MaxQuantity, m.SKU, have, m.Quantity)
		}
	}
	// Only a destination can raise the available total, and only when the
	// source is not available stock itself: write it first then, so that
	// its overflow check fails before anything changed.
	dstFirst := m.From == "" || m.FromStatus != Available
	if m.To != "" && dstFirst {
		if err := q.SetQuant(dst, now); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
	}
	if m.From != "" {
		if err := q.SetQuant(src, left); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
		b.From = &left
	}
	if m.To != "" && !dstFirst {
		if err := q.SetQuant(dst, now); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
	}
	if m.To != "" {
		b.To = &now
	}
	return b, nil
}

// Reserve changes the reserved quantity of sku by delta, keeping
// 0 ≤ reserved ≤ available.
func Reserve(r Reserver, sku string, delta int64) error {
	res, err := r.Reserved(sku)
	if err != nil {
		return fmt.Errorf("read reservations: %w", err)
	}
	avail, err := r.Available(sku)
	if err != nil {
		return fmt.Errorf("read available: %w", err)
	}
	n, ok := Add(res, delta)
	switch {
	case !ok:
		return fmt.Errorf("%w: reserve %d of %s on top of %d", ErrTooLarge, delta, sku, res)
	case n < 0:
		return fmt.Errorf("release %d of %s: only %d reserved", -delta, sku, res)
	case n > avail:
		return fmt.Errorf("%w: reserve %d of %s: %d available, %d already reserved", ErrReserved, delta, sku, avail, res)
	}
	return r.SetReserved(sku, n)
}

// MemQuants is an in-memory projection, used to rebuild quants from the
// ledger and to check the stored projection against it.
type MemQuants struct {
	quants   map[QuantKey]int64
	avail    map[string]int64
	reserved map[string]int64
}

// NewMemQuants returns an empty projection.
func NewMemQuants() *MemQuants {
	return &MemQuants{quants: map[QuantKey]int64{}, avail: map[string]int64{}, reserved: map[string]int64{}}
}

// Quant returns the quantity at k.
func (m *MemQuants) Quant(k QuantKey) (int64, error) { return m.quants[k], nil }

// SetQuant sets the quantity at k; zero removes the key.
func (m *MemQuants) SetQuant(k QuantKey, qty int64) error {
	if qty < 0 {
		return fmt.Errorf("refusing negative quant %d at %+v", qty, k)
	}
	if k.Status == Available {
		total, err := AvailableAfter(m.avail[k.SKU], m.quants[k], qty)
		if err != nil {
			return fmt.Errorf("%s: %w", k.SKU, err)
		}
		if total == 0 {
			delete(m.avail, k.SKU)
		} else {
			m.avail[k.SKU] = total
		}
	}
	if qty == 0 {
		delete(m.quants, k)
	} else {
		m.quants[k] = qty
	}
	return nil
}

// Available is the total available quantity of sku.
func (m *MemQuants) Available(sku string) (int64, error) { return m.avail[sku], nil }

// Reserved is the reserved quantity of sku.
func (m *MemQuants) Reserved(sku string) (int64, error) { return m.reserved[sku], nil }

// SetReserved sets the reserved quantity of sku.
func (m *MemQuants) SetReserved(sku string, qty int64) error {
	if qty == 0 {
		delete(m.reserved, sku)
	} else {
		m.reserved[sku] = qty
	}
	return nil
}

// All returns the projection's quants (shared; do not modify).
func (m *MemQuants) All() map[QuantKey]int64 { return m.quants }

// AvailableBySKU returns the available totals (shared; do not modify).
func (m *MemQuants) AvailableBySKU() map[string]int64 { return m.avail }

// Ledger is the part of a caller's transaction every stock workflow uses:
// master data, licence plates, quants and posting to the ledger.
type Ledger interface {
	Quants
	Item(sku string) (Item, error)
	Location(code string) (Location, error)
	Locations() ([]Location, error)
	// Quants lists the quants at one location ("" for all).
	Quants(location string) ([]Quant, error)
	LPN(code string) (LPN, error)
	PutLPN(LPN) error
	// Post appends m to the ledger (assigning Seq) and applies it to quants.
	Post(m Movement) (Movement, Balances, error)
}
