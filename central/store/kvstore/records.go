package kvstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Key prefixes. Quants are keyed by location first so "what is in this
// bin" is one prefix scan.
const (
	pItem     = "item/"
	pGTIN     = "gtin/"
	pLoc      = "loc/"
	pASN      = "asn/"
	pSSCC     = "sscc/"
	pLPN      = "lpn/"
	pTarget   = "pa/"
	pReceipt  = "rcpt/"
	pMove     = "mv/"
	pQuant    = "q/"
	pWater    = "wm/"
	pOut      = "out/"
	pIdem     = "idem/"
	pIdemReq  = "idemreq/"
	pDisc     = "disc/"
	pStation  = "station/"
	kLPNSeq   = "meta/lpnseq"
	kMoveSeq  = "meta/mvseq"
	kOutSeq   = "meta/outseq"
	kProbe    = "meta/probe"
	separator = "|"
)

// Store implements store.Store on an Engine.
type Store struct {
	eng    Engine
	queued chan struct{}
}

var _ store.Store = (*Store)(nil)

// New returns the store kept in eng.
func New(eng Engine) *Store { return &Store{eng: eng, queued: make(chan struct{}, 1)} }

// Update runs fn in a read-write transaction and commits it durably.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	var t *tx
	err := s.eng.Update(ctx, func(kv KV) error {
		t = &tx{kv: kv}
		return fn(t)
	})
	if err == nil && t.enqueued {
		select {
		case s.queued <- struct{}{}:
		default:
		}
	}
	return err
}

// View runs fn in a read-only snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.eng.View(ctx, func(kv KV) error { return fn(&tx{kv: kv}) })
}

// Queued is signalled after a commit that queued messages.
func (s *Store) Queued() <-chan struct{} { return s.queued }

// Probe commits one small durable write.
func (s *Store) Probe(ctx context.Context) error {
	return s.eng.Update(ctx, func(kv KV) error {
		return kv.Set([]byte(kProbe), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	})
}

// Close closes the engine.
func (s *Store) Close() error { return s.eng.Close() }

// tx is one transaction; it implements store.Tx.
type tx struct {
	kv         KV
	page       *store.Page // set by Paged
	enqueued   bool
	warehouses map[string]string // locations' warehouses read in this transaction (nil until one is)
}

var _ store.Tx = (*tx)(nil)

// Paged returns t for one list call that returns only the page p asks for.
func (t *tx) Paged(p *store.Page) store.Tx { return &tx{kv: t.kv, page: p} }

func (t *tx) getJSON(key string, v any) error {
	found, err := t.kv.Get([]byte(key), func(b []byte) error { return json.Unmarshal(b, v) })
	switch {
	case err != nil:
		return fmt.Errorf("get %s: %w", key, err)
	case !found:
		return stock.ErrNotFound
	}
	return nil
}

func (t *tx) putJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return t.kv.Set([]byte(key), b)
}

func (t *tx) del(key string) error { return t.kv.Delete([]byte(key)) }

// each calls fn with the value of every key under prefix, in key order;
// on a paged tx, only for the keys of its page. A cursor is the key
// without the prefix.
func (t *tx) each(prefix string, fn func(key, val []byte) error) error {
	p := t.page
	from := []byte(prefix)
	hint := 0
	if p != nil {
		hint = min(max(p.Limit, 1), 100)
		if p.After != "" {
			from = []byte(prefix + p.After + "\x00") // the first key after the cursor
		}
	}
	n, last := 0, ""
	full := false
	err := t.kv.Scan([]byte(prefix), from, hint, func(key, val []byte) (bool, error) {
		if p != nil {
			if n == p.Limit {
				full = true
				return false, nil
			}
			n, last = n+1, string(key[len(prefix):])
		}
		return true, fn(key, val)
	})
	if p != nil {
		p.Next = ""
		if full {
			p.Next = last
		}
	}
	return err
}

func listJSON[T any](t *tx, prefix string) ([]T, error) {
	var out []T
	err := t.each(prefix, func(_, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// Item returns an item by SKU.
func (t *tx) Item(sku string) (stock.Item, error) {
	var i stock.Item
	return i, t.getJSON(pItem+sku, &i)
}

// ItemByGTIN returns the item with a GTIN of its base unit or of one of
// its packs (any GTIN length).
func (t *tx) ItemByGTIN(gtin string) (stock.Item, error) {
	var sku string
	if err := t.getJSON(pGTIN+stock.GTIN14(gtin), &sku); err != nil {
		return stock.Item{}, err
	}
	return t.Item(sku)
}

// PutItem creates or replaces an item and indexes all its GTINs.
func (t *tx) PutItem(i stock.Item) error {
	if old, err := t.Item(i.SKU); err == nil {
		for _, g := range old.GTINs() {
			if err := t.del(pGTIN + stock.GTIN14(g)); err != nil {
				return err
			}
		}
	}
	for _, g := range i.GTINs() {
		if err := t.putJSON(pGTIN+stock.GTIN14(g), i.SKU); err != nil {
			return err
		}
	}
	return t.putJSON(pItem+i.SKU, i)
}

// Items lists all items by SKU.
func (t *tx) Items() ([]stock.Item, error) { return listJSON[stock.Item](t, pItem) }

// Location returns a location by code.
func (t *tx) Location(code string) (stock.Location, error) {
	var l stock.Location
	return l, t.getJSON(pLoc+code, &l)
}

// PutLocation creates or replaces a location.
func (t *tx) PutLocation(l stock.Location) error {
	delete(t.warehouses, l.Code)
	return t.putJSON(pLoc+l.Code, l)
}

// Locations lists every location in code order.
func (t *tx) Locations() ([]stock.Location, error) { return listJSON[stock.Location](t, pLoc) }

// Warehouse is the warehouse of a location ("" when it has none or is
// not recorded), read once per transaction.
func (t *tx) Warehouse(code string) (string, error) {
	if wh, ok := t.warehouses[code]; ok {
		return wh, nil
	}
	l, err := t.Location(code)
	if err != nil && !errors.Is(err, stock.ErrNotFound) {
		return "", err
	}
	if t.warehouses == nil {
		t.warehouses = map[string]string{}
	}
	t.warehouses[code] = l.Warehouse
	return l.Warehouse, nil
}

// getInt reads a counter-like value (0 when absent).
func (t *tx) getInt(key string) (int64, error) {
	var n int64
	_, err := t.kv.Get([]byte(key), func(b []byte) (err error) {
		n, err = intValue([]byte(key), b)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	return n, nil
}

// intValue decodes a counter-like value.
func intValue(key, b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("corrupt number at %q: %d bytes", key, len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// setInt writes a counter-like value; zero deletes the key.
func (t *tx) setInt(key string, n int64) error {
	if n == 0 {
		return t.del(key)
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return t.kv.Set([]byte(key), b[:])
}

// value returns a copy of the value at key.
func (t *tx) value(key string) ([]byte, bool, error) {
	var v []byte
	found, err := t.kv.Get([]byte(key), func(b []byte) error { v = append([]byte(nil), b...); return nil })
	return v, found, err
}

func (t *tx) nextCounter(key string) (uint64, error) {
	n, err := t.getInt(key)
	if err != nil {
		return 0, err
	}
	return uint64(n + 1), t.setInt(key, n+1)
}

func seqKey(prefix string, seq uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], seq)
	return k
}

// ASN returns an ASN by id.
func (t *tx) ASN(id string) (inbound.ASN, error) {
	var a inbound.ASN
	return a, t.getJSON(pASN+id, &a)
}

// PutASN stores an ASN and indexes its SSCCs.
func (t *tx) PutASN(a inbound.ASN) error {
	for _, p := range a.Pallets {
		if err := t.putJSON(pSSCC+p.SSCC, a.ID); err != nil {
			return err
		}
	}
	return t.putJSON(pASN+a.ID, a)
}

// ASNs lists all ASNs.
func (t *tx) ASNs() ([]inbound.ASN, error) { return listJSON[inbound.ASN](t, pASN) }

// OpenASNs lists the open ASNs, oldest first.
func (t *tx) OpenASNs() ([]inbound.ASN, error) {
	all, err := t.ASNs()
	var open []inbound.ASN
	for _, a := range all {
		if a.Status == inbound.ASNOpen {
			open = append(open, a)
		}
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Created.Before(open[j].Created) })
	return open, err
}

// ExpectedPallet finds the ASN that announced an SSCC.
func (t *tx) ExpectedPallet(sscc string) (inbound.ASN, inbound.ExpectedPallet, error) {
	var id string
	if err := t.getJSON(pSSCC+sscc, &id); err != nil {
		return inbound.ASN{}, inbound.ExpectedPallet{}, err
	}
	a, err := t.ASN(id)
	if err != nil {
		return a, inbound.ExpectedPallet{}, fmt.Errorf("ASN %s indexed for %s: %w", id, sscc, err)
	}
	for _, p := range a.Pallets {
		if p.SSCC == sscc {
			return a, p, nil
		}
	}
	return a, inbound.ExpectedPallet{}, fmt.Errorf("ASN %s has no pallet %s: %w", id, sscc, stock.ErrNotFound)
}

// LPN returns a licence plate.
func (t *tx) LPN(code string) (stock.LPN, error) {
	var l stock.LPN
	return l, t.getJSON(pLPN+code, &l)
}

// LPNs lists licence plates in code order.
func (t *tx) LPNs() ([]stock.LPN, error) { return listJSON[stock.LPN](t, pLPN) }

// NextLPN issues the next licence-plate code central prints itself
// (L000000001, …): short enough for any label, and never an SSCC.
func (t *tx) NextLPN() (string, error) {
	n, err := t.nextCounter(kLPNSeq)
	return fmt.Sprintf("L%09d", n), err
}

// PutLPN stores a licence plate and keeps the putaway-target index.
func (t *tx) PutLPN(l stock.LPN) error {
	if old, err := t.LPN(l.Code); err == nil && old.Putaway != "" {
		if err := t.del(pTarget + old.Putaway + separator + l.Code); err != nil {
			return err
		}
	}
	if l.Putaway != "" && l.Putaway != l.Location {
		if err := t.kv.Set([]byte(pTarget+l.Putaway+separator+l.Code), nil); err != nil {
			return err
		}
	}
	return t.putJSON(pLPN+l.Code, l)
}

// Targeted counts pallets on their way to location.
func (t *tx) Targeted(location string) (int, error) {
	n := 0
	err := t.each(pTarget+location+separator, func(_, _ []byte) error { n++; return nil })
	return n, err
}

// PutReceipt stores a receipt.
func (t *tx) PutReceipt(r inbound.Receipt) error { return t.putJSON(pReceipt+r.ID, r) }

// Receipts lists receipts in creation order (ids are ULIDs).
func (t *tx) Receipts() ([]inbound.Receipt, error) { return listJSON[inbound.Receipt](t, pReceipt) }

// PutDiscrepancy stores a receiving discrepancy.
func (t *tx) PutDiscrepancy(d inbound.Discrepancy) error { return t.putJSON(pDisc+d.ID, d) }

// Discrepancies lists discrepancies in creation order.
func (t *tx) Discrepancies() ([]inbound.Discrepancy, error) {
	return listJSON[inbound.Discrepancy](t, pDisc)
}

// StationState returns what a station is in the middle of (e.g. the
// licence plate a putaway worker scanned); ErrNotFound when idle.
func (t *tx) StationState(station string, v any) error { return t.getJSON(pStation+station, v) }

// SetStationState records (v != nil) or clears (v == nil) a station's state.
func (t *tx) SetStationState(station string, v any) error {
	if v == nil {
		return t.del(pStation + station)
	}
	return t.putJSON(pStation+station, v)
}

// Watermark is the highest event seq applied from a gateway's stream.
func (t *tx) Watermark(gateway, stream string) (uint64, error) {
	var n uint64
	err := t.getJSON(pWater+gateway+separator+stream, &n)
	if errors.Is(err, stock.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// SetWatermark records the highest applied seq of a stream.
func (t *tx) SetWatermark(gateway, stream string, seq uint64) error {
	return t.putJSON(pWater+gateway+separator+stream, seq)
}

// Idempotent returns the stored answer for an idempotency key and the
// fingerprint of the request it answered.
func (t *tx) Idempotent(key string) (answer, request []byte, ok bool, err error) {
	if answer, ok, err = t.value(pIdem + key); !ok || err != nil {
		return nil, nil, ok, err
	}
	request, _, err = t.value(pIdemReq + key)
	return answer, request, true, err
}

// SetIdempotent stores the answer for an idempotency key with the
// fingerprint of the request it answers.
func (t *tx) SetIdempotent(key string, request, answer []byte) error {
	if err := t.kv.Set([]byte(pIdemReq+key), request); err != nil {
		return err
	}
	return t.kv.Set([]byte(pIdem+key), answer)
}

// splitKey splits the part of key after prefix at the separator into n
// fields.
func splitKey(key []byte, prefix string, n int) ([]string, error) {
	p := strings.Split(strings.TrimPrefix(string(key), prefix), separator)
	if len(p) != n {
		return nil, fmt.Errorf("corrupt key %q", key)
	}
	return p, nil
}
