package stock

import (
	"fmt"
	"maps"
)

// Pool is where stock is promised from: an item in one warehouse (""
// is the site's default warehouse). Available-to-promise, reservations
// and the invariant reserved ≤ available are kept per pool.
type Pool struct {
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse,omitempty"`
}

// PoolBalance is a pool's stored totals.
type PoolBalance struct {
	Pool
	// Available is the pool's available-status stock: on hand minus
	// unavailable (quarantine, damaged, to-return, in transit).
	Available int64 `json:"available"`
	// Reserved is what reservations of order lines promise from it.
	Reserved int64 `json:"reserved"`
}

// Projection is the quant projection and the totals kept beside it, as
// the caller's transaction sees them. Its methods only load and store
// numbers; every rule is the kernel's (Apply, Reserve, Allocate, Release),
// so each store implements the same rules by implementing this.
type Projection interface {
	Quant(k QuantKey) (int64, error)
	// SetQuant stores a quant; zero removes it.
	SetQuant(k QuantKey, qty int64) error
	Available(p Pool) (int64, error)
	// SetAvailable stores a pool's available total; zero removes it.
	SetAvailable(p Pool, qty int64) error
	// Reserved is the sum of the pool's reservations.
	Reserved(p Pool) (int64, error)
	// Allocated is the sum of what reservations hold on one quant.
	Allocated(k QuantKey) (int64, error)
	// Warehouse is the warehouse of a location ("" when the location has
	// none or is not recorded). A location's warehouse never changes.
	Warehouse(location string) (string, error)
}

// Ledger is a projection that also keeps the append-only ledger.
type Ledger interface {
	Projection
	// Append adds m as the next ledger line and returns it with its Seq.
	Append(m Movement) (Movement, error)
	// Quants lists the quants at one location ("" for all).
	Quants(location string) ([]Quant, error)
}

// Posted is a ledger movement with the balances it left, as adapters
// publish it.
type Posted struct {
	Movement
	Balances Balances `json:"balances"`
}

// Post appends m to the ledger and applies it to the quants, in the
// caller's transaction: the one way stock changes.
func Post(l Ledger, m Movement) (Posted, error) {
	b, err := Apply(l, m)
	if err != nil {
		return Posted{Movement: m, Balances: b}, err
	}
	m, err = l.Append(m)
	return Posted{Movement: m, Balances: b}, err
}

// change is one pool total a movement changes.
type change struct {
	pool  Pool
	delta int64
	total int64
}

// Apply applies m to the projection. It never lets a quant go negative or
// above MaxQuantity, never lets a pool's available stock fall below what
// is reserved from it nor a quant below what is allocated on it, never
// lets a total overflow, and changes nothing when it refuses: every check
// is made before the first write. A projection that is a Yielder may
// release reservations to let a loss through (its writes are the only
// ones before Apply's own).
func Apply(p Projection, m Movement) (Balances, error) {
	var b Balances
	if err := m.Validate(); err != nil {
		return b, err
	}
	var changes [2]change
	n := 0
	move := func(loc string, delta int64) error {
		wh, err := p.Warehouse(loc)
		if err != nil {
			return fmt.Errorf("warehouse of %s: %w", loc, err)
		}
		pool := Pool{SKU: m.SKU, Warehouse: wh}
		for i := range n {
			if changes[i].pool == pool {
				changes[i].delta += delta
				return nil
			}
		}
		changes[n] = change{pool: pool, delta: delta}
		n++
		return nil
	}
	if m.From != "" && m.FromStatus == Available {
		if err := move(m.From, -m.Quantity); err != nil {
			return b, err
		}
	}
	if m.To != "" && m.ToStatus == Available {
		if err := move(m.To, m.Quantity); err != nil {
			return b, err
		}
	}
	for i := range n {
		c := &changes[i]
		if c.delta == 0 {
			continue // moved within the pool
		}
		avail, err := p.Available(c.pool)
		if err != nil {
			return b, fmt.Errorf("read available: %w", err)
		}
		var ok bool
		if c.total, ok = Add(avail, c.delta); !ok {
			return b, fmt.Errorf("%w: available total %d of %s cannot take %d more", ErrTooLarge, avail, c.pool, c.delta)
		}
	}
	var src, dst QuantKey
	var left, now int64
	if m.From != "" {
		src = m.Source()
		have, err := p.Quant(src)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		if have < m.Quantity {
			return b, fmt.Errorf("%w: %s has %d of %s, movement takes %d", ErrInsufficient, m.From, have, m.SKU, m.Quantity)
		}
		left = have - m.Quantity
		held, err := p.Allocated(src)
		if err != nil {
			return b, fmt.Errorf("read allocations: %w", err)
		}
		if left < held {
			return b, fmt.Errorf("%w: %d of %s at %s are allocated to orders, movement leaves %d", ErrReserved, held, m.SKU, m.From, left)
		}
	}
	if m.To != "" {
		dst = m.Dest()
		have, err := p.Quant(dst)
		if err != nil {
			return b, fmt.Errorf("read quant: %w", err)
		}
		var ok bool
		if now, ok = Add(have, m.Quantity); !ok || now > MaxQuantity {
			return b, fmt.Errorf("%w: %s would hold more than %d of %s (has %d, movement brings %d)", ErrTooLarge, m.To, MaxQuantity, m.SKU, have, m.Quantity)
		}
	}
	if err := keepPromises(p, changes[:n], m); err != nil {
		return b, err
	}
	if m.From != "" {
		if err := p.SetQuant(src, left); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
		b.From = &left
	}
	if m.To != "" {
		if err := p.SetQuant(dst, now); err != nil {
			return b, fmt.Errorf("write quant: %w", err)
		}
		b.To = &now
	}
	for _, c := range changes[:n] {
		if c.delta == 0 {
			continue
		}
		if err := p.SetAvailable(c.pool, c.total); err != nil {
			return b, fmt.Errorf("write available: %w", err)
		}
	}
	return b, nil
}

// Yielder is a projection whose owner gives way to a loss of promised
// stock: a count that finds less than the ledger says, stock that turns
// out damaged. Apply asks it, after every other check passed and before
// its first write, to release at least need of a pool's reservations; the
// releases are writes of the caller's transaction like the movement's.
type Yielder interface {
	Yield(p Pool, need int64) error
}

// keepPromises checks that no pool a movement takes from is left with
// less available stock than is reserved from it; a Yielder is asked to
// release the difference first.
func keepPromises(p Projection, changes []change, m Movement) error {
	for _, c := range changes {
		if c.delta >= 0 {
			continue
		}
		res, err := p.Reserved(c.pool)
		if err != nil {
			return fmt.Errorf("read reservations: %w", err)
		}
		if y, ok := p.(Yielder); ok && c.total < res {
			if err := y.Yield(c.pool, res-c.total); err != nil {
				return fmt.Errorf("release promises of %s: %w", c.pool, err)
			}
			if res, err = p.Reserved(c.pool); err != nil {
				return fmt.Errorf("read reservations: %w", err)
			}
		}
		if res > 0 && c.total < res {
			return fmt.Errorf("%w: %d of %s available, %d reserved, movement takes %d", ErrReserved, c.total-c.delta, c.pool, res, m.Quantity)
		}
	}
	return nil
}

func (p Pool) String() string {
	if p.Warehouse == "" {
		return p.SKU
	}
	return p.SKU + " in " + p.Warehouse
}

// MemQuants is an in-memory projection with reservations: central
// rebuilds quants from the ledger into one to check the stored projection,
// and the kernel's own tests run on it.
type MemQuants struct {
	quants       map[QuantKey]int64
	avail        map[Pool]int64
	reserved     map[Pool]int64
	allocated    map[QuantKey]int64
	reservations map[string]Reservation
	warehouses   map[string]string
}

// NewMemQuants returns an empty projection.
func NewMemQuants() *MemQuants {
	return &MemQuants{quants: map[QuantKey]int64{}, avail: map[Pool]int64{}, reserved: map[Pool]int64{},
		allocated: map[QuantKey]int64{}, reservations: map[string]Reservation{}, warehouses: map[string]string{}}
}

// Locate records the warehouse of a location.
func (m *MemQuants) Locate(location, warehouse string) { m.warehouses[location] = warehouse }

// Warehouse is the warehouse recorded for location.
func (m *MemQuants) Warehouse(location string) (string, error) { return m.warehouses[location], nil }

// Quant returns the quantity at k.
func (m *MemQuants) Quant(k QuantKey) (int64, error) { return m.quants[k], nil }

// SetQuant sets the quantity at k; zero removes the key.
func (m *MemQuants) SetQuant(k QuantKey, qty int64) error { return setOrDelete(m.quants, k, qty) }

// Available is the available total of a pool.
func (m *MemQuants) Available(p Pool) (int64, error) { return m.avail[p], nil }

// SetAvailable sets the available total of a pool.
func (m *MemQuants) SetAvailable(p Pool, qty int64) error { return setOrDelete(m.avail, p, qty) }

// Reserved is the reserved total of a pool.
func (m *MemQuants) Reserved(p Pool) (int64, error) { return m.reserved[p], nil }

// SetReserved sets the reserved total of a pool.
func (m *MemQuants) SetReserved(p Pool, qty int64) error { return setOrDelete(m.reserved, p, qty) }

// Allocated is what reservations hold on quant k.
func (m *MemQuants) Allocated(k QuantKey) (int64, error) { return m.allocated[k], nil }

// SetAllocated sets what reservations hold on quant k.
func (m *MemQuants) SetAllocated(k QuantKey, qty int64) error {
	return setOrDelete(m.allocated, k, qty)
}

// Reservation returns a reservation.
func (m *MemQuants) Reservation(id string) (Reservation, error) {
	r, ok := m.reservations[id]
	if !ok {
		return r, fmt.Errorf("reservation %s: %w", id, ErrNotFound)
	}
	r.Quants = append([]QuantReservation(nil), r.Quants...)
	return r, nil
}

// PutReservation stores a reservation.
func (m *MemQuants) PutReservation(r Reservation) error {
	r.Quants = append([]QuantReservation(nil), r.Quants...)
	m.reservations[r.ID] = r
	return nil
}

// DeleteReservation removes a reservation.
func (m *MemQuants) DeleteReservation(id string) error {
	delete(m.reservations, id)
	return nil
}

// All returns the projection's quants (shared; do not modify).
func (m *MemQuants) All() map[QuantKey]int64 { return m.quants }

// Pools returns the available total of every pool (shared; do not modify).
func (m *MemQuants) Pools() map[Pool]int64 { return m.avail }

// Reservations returns a copy of every reservation by id.
func (m *MemQuants) Reservations() map[string]Reservation { return maps.Clone(m.reservations) }

func setOrDelete[K comparable](m map[K]int64, k K, qty int64) error {
	if qty < 0 {
		return fmt.Errorf("refusing negative total %d at %+v", qty, k)
	}
	if qty == 0 {
		delete(m, k)
	} else {
		m[k] = qty
	}
	return nil
}
