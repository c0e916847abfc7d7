package kvstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// The ledger, the quant projection and the totals kept beside it. Every
// rule is the kernel's (stock.Apply, stock.Reserve, …); these only load
// and store numbers and records.
const (
	// pAvail keys a pool's available total: qa/<sku> for the default
	// warehouse (the layout before warehouses were pools), qa/<sku>|<wh>
	// for others. A SKU never contains the separator.
	pAvail = "qa/"
	// pReserved keys a pool's reserved total, the same way.
	pReserved = "resp/"
	// pAllocated keys what reservations hold on a quant, by quant key.
	pAllocated = "resq/"
	// pReservation keys reservation records by id.
	pReservation = "res/"
	// pPoolRes indexes reservations by pool: resx/<sku>|<wh>|<id>.
	pPoolRes = "resx/"
)

func quantKey(prefix string, k stock.QuantKey) string {
	return prefix + strings.Join([]string{k.Location, k.SKU, k.LPN, k.Lot, k.Expiry, k.Serial, string(k.Status)}, separator)
}

func parseQuantKey(key []byte, prefix string) (stock.QuantKey, error) {
	p, err := splitKey(key, prefix, 7)
	if err != nil {
		return stock.QuantKey{}, err
	}
	return stock.QuantKey{Location: p[0], SKU: p[1], LPN: p[2], Lot: p[3], Expiry: p[4], Serial: p[5], Status: stock.Status(p[6])}, nil
}

func poolKey(prefix string, p stock.Pool) string {
	if p.Warehouse == "" {
		return prefix + p.SKU
	}
	return prefix + p.SKU + separator + p.Warehouse
}

func parsePoolKey(key []byte, prefix string) stock.Pool {
	sku, wh, _ := strings.Cut(strings.TrimPrefix(string(key), prefix), separator)
	return stock.Pool{SKU: sku, Warehouse: wh}
}

// Quant returns the quantity at k (0 when none).
func (t *tx) Quant(k stock.QuantKey) (int64, error) { return t.getInt(quantKey(pQuant, k)) }

// SetQuant stores a quant; zero removes it. A quantity no valid ledger
// makes is refused here too.
func (t *tx) SetQuant(k stock.QuantKey, qty int64) error {
	if qty < 0 || qty > stock.MaxQuantity {
		return fmt.Errorf("refusing quant %d at %+v: outside 0..%d", qty, k, stock.MaxQuantity)
	}
	return t.setInt(quantKey(pQuant, k), qty)
}

// Available is a pool's available total.
func (t *tx) Available(p stock.Pool) (int64, error) { return t.getInt(poolKey(pAvail, p)) }

// SetAvailable stores a pool's available total.
func (t *tx) SetAvailable(p stock.Pool, qty int64) error { return t.setInt(poolKey(pAvail, p), qty) }

// Reserved is a pool's reserved total.
func (t *tx) Reserved(p stock.Pool) (int64, error) { return t.getInt(poolKey(pReserved, p)) }

// SetReserved stores a pool's reserved total.
func (t *tx) SetReserved(p stock.Pool, qty int64) error {
	return t.setInt(poolKey(pReserved, p), qty)
}

// Allocated is what reservations hold on a quant.
func (t *tx) Allocated(k stock.QuantKey) (int64, error) { return t.getInt(quantKey(pAllocated, k)) }

// SetAllocated stores what reservations hold on a quant.
func (t *tx) SetAllocated(k stock.QuantKey, qty int64) error {
	return t.setInt(quantKey(pAllocated, k), qty)
}

// Reservation returns a reservation.
func (t *tx) Reservation(id string) (stock.Reservation, error) {
	var r stock.Reservation
	return r, t.getJSON(pReservation+id, &r)
}

func poolResKey(r stock.Reservation) string {
	return pPoolRes + r.SKU + separator + r.Warehouse + separator + r.ID
}

// PutReservation stores a reservation and indexes it by pool (a
// reservation's pool never changes).
func (t *tx) PutReservation(r stock.Reservation) error {
	if err := t.kv.Set([]byte(poolResKey(r)), nil); err != nil {
		return err
	}
	return t.putJSON(pReservation+r.ID, r)
}

// DeleteReservation removes a reservation and its index entry.
func (t *tx) DeleteReservation(id string) error {
	r, err := t.Reservation(id)
	if errors.Is(err, stock.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := t.del(poolResKey(r)); err != nil {
		return err
	}
	return t.del(pReservation + id)
}

// PoolReservations lists a pool's reservations by id.
func (t *tx) PoolReservations(p stock.Pool) ([]stock.Reservation, error) {
	prefix := pPoolRes + p.SKU + separator + p.Warehouse + separator
	var ids []string
	err := t.kv.Scan([]byte(prefix), []byte(prefix), 0, func(k, _ []byte) (bool, error) {
		ids = append(ids, strings.TrimPrefix(string(k), prefix))
		return true, nil
	})
	out := make([]stock.Reservation, 0, len(ids))
	for _, id := range ids {
		r, err := t.Reservation(id)
		if err != nil {
			return nil, fmt.Errorf("reservation %s indexed in %s: %w", id, p, err)
		}
		out = append(out, r)
	}
	return out, err
}

// AllReservations lists reservations by id.
func (t *tx) AllReservations() ([]stock.Reservation, error) {
	return listJSON[stock.Reservation](t, pReservation)
}

// Pools lists the stored totals of every pool of sku ("" for all).
func (t *tx) Pools(sku string) ([]stock.PoolBalance, error) {
	byPool := map[stock.Pool]*stock.PoolBalance{}
	var order []stock.Pool
	for _, prefix := range []string{pAvail, pReserved} {
		err := t.kv.Scan([]byte(prefix+sku), []byte(prefix+sku), 0, func(key, v []byte) (bool, error) {
			p := parsePoolKey(key, prefix)
			if sku != "" && p.SKU != sku {
				return true, nil // another SKU that begins with this one
			}
			n, err := intValue(key, v)
			if err != nil {
				return false, err
			}
			b := byPool[p]
			if b == nil {
				b = &stock.PoolBalance{Pool: p}
				byPool[p] = b
				order = append(order, p)
			}
			if prefix == pAvail {
				b.Available = n
			} else {
				b.Reserved = n
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]stock.PoolBalance, 0, len(order))
	for _, p := range order {
		out = append(out, *byPool[p])
	}
	return out, nil
}

// Quants lists quants, optionally only those at one location.
func (t *tx) Quants(location string) ([]stock.Quant, error) {
	prefix := pQuant
	if location != "" {
		prefix += location + separator
	}
	var out []stock.Quant
	err := t.each(prefix, func(key, v []byte) error {
		k, err := parseQuantKey(key, pQuant)
		if err != nil {
			return err
		}
		n, err := intValue(key, v)
		out = append(out, stock.Quant{QuantKey: k, Quantity: n})
		return err
	})
	return out, err
}

// Append adds m to the ledger as its next line.
func (t *tx) Append(m stock.Movement) (stock.Movement, error) {
	seq, err := t.nextCounter(kMoveSeq)
	if err != nil {
		return m, err
	}
	m.Seq = seq
	b, err := json.Marshal(m)
	if err != nil {
		return m, err
	}
	return m, t.kv.Set(seqKey(pMove, m.Seq), b)
}

// Movements lists ledger lines with seq > after, at most limit (0 = all).
func (t *tx) Movements(after uint64, limit int) ([]stock.Movement, error) {
	var out []stock.Movement
	err := t.kv.Scan([]byte(pMove), seqKey(pMove, after+1), min(limit, 100), func(_, v []byte) (bool, error) {
		var m stock.Movement
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		out = append(out, m)
		return limit == 0 || len(out) < limit, nil
	})
	return out, err
}

var _ store.Ledger = (*tx)(nil)
