// Package store keeps central's state in Badger: items, locations, ASNs,
// licence plates, receipts, the append-only movement ledger, the quant
// projection, per-gateway event watermarks and the outgoing-message queue.
// Everything one command changes is written in one transaction, so a crash
// leaves either all of it or none of it.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/storage"
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
	pAvail    = "qa/"
	pReserved = "rsv/"
	kMoveSeq  = "meta/mvseq"
	kOutSeq   = "meta/outseq"
	kProbe    = "meta/probe"
	separator = "|"
)

// Store is central's database. Writes are serialised: central is the single
// owner of a site's stock, and one writer makes every check-then-write safe.
type Store struct {
	db  *badger.DB
	mu  sync.Mutex
	log zerolog.Logger
}

// Open opens the store in dir.
func Open(dir string, log zerolog.Logger) (*Store, error) {
	db, err := storage.Open(dir, storage.Central, log)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, log: log}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Update runs fn in a read-write transaction and commits it durably; if fn
// fails nothing is written.
func (s *Store) Update(fn func(tx *Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(&Tx{txn: txn}); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Probe commits one small durable write, to show that the store takes
// writes (central's readiness check).
func (s *Store) Probe() error {
	return s.Update(func(tx *Tx) error {
		return tx.txn.Set([]byte(kProbe), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	})
}

// View runs fn in a read-only snapshot.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(txn *badger.Txn) error { return fn(&Tx{txn: txn}) })
}

// Tx is one transaction; it implements inbound.Tx.
type Tx struct {
	txn  *badger.Txn
	page *Page // set by Paged
}

// Page is one window onto a list in key order: the records after the
// cursor After ("" = from the start), at most Limit of them. The list call
// sets Next to the cursor of the following page, "" after the last.
type Page struct {
	After string
	Limit int
	Next  string
}

// Paged returns t for one list call (Items, Locations, Quants, ASNs, POs,
// … — every list that reads records in key order) that returns only the
// page p asks for and fills p.Next.
func (t *Tx) Paged(p *Page) *Tx { return &Tx{txn: t.txn, page: p} }

var _ inbound.Tx = (*Tx)(nil)

func (t *Tx) getJSON(key string, v any) error {
	item, err := t.txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return stock.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func (t *Tx) putJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return t.txn.Set([]byte(key), b)
}

// each calls fn with the value of every key under prefix, in key order;
// on a paged Tx, only for the keys of its page. A cursor is the key
// without the prefix.
func (t *Tx) each(prefix string, fn func(key, val []byte) error) error {
	p := t.page
	size := 100
	if p != nil {
		size = min(max(p.Limit, 1), 100)
	}
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: size})
	defer it.Close()
	it.Rewind()
	n, last := 0, ""
	if p != nil && p.After != "" {
		from := prefix + p.After
		if it.Seek([]byte(from)); it.Valid() && string(it.Item().Key()) == from {
			it.Next()
		}
	}
	for ; it.Valid(); it.Next() {
		key := it.Item().Key()
		if p != nil {
			if n == p.Limit {
				p.Next = last
				return nil
			}
			n, last = n+1, string(key[len(prefix):])
		}
		if err := it.Item().Value(func(v []byte) error { return fn(key, v) }); err != nil {
			return err
		}
	}
	if p != nil {
		p.Next = ""
	}
	return nil
}

func listJSON[T any](t *Tx, prefix string) ([]T, error) {
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
func (t *Tx) Item(sku string) (stock.Item, error) {
	var i stock.Item
	return i, t.getJSON(pItem+sku, &i)
}

// ItemByGTIN returns the item with a GTIN of its base unit or of one of
// its packs (any GTIN length).
func (t *Tx) ItemByGTIN(gtin string) (stock.Item, error) {
	var sku string
	if err := t.getJSON(pGTIN+stock.GTIN14(gtin), &sku); err != nil {
		return stock.Item{}, err
	}
	return t.Item(sku)
}

// PutItem creates or replaces an item and indexes all its GTINs.
func (t *Tx) PutItem(i stock.Item) error {
	if old, err := t.Item(i.SKU); err == nil {
		for _, g := range old.GTINs() {
			if err := t.txn.Delete([]byte(pGTIN + stock.GTIN14(g))); err != nil {
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
func (t *Tx) Items() ([]stock.Item, error) { return listJSON[stock.Item](t, pItem) }

// Location returns a location by code.
func (t *Tx) Location(code string) (stock.Location, error) {
	var l stock.Location
	return l, t.getJSON(pLoc+code, &l)
}

// PutLocation creates or replaces a location.
func (t *Tx) PutLocation(l stock.Location) error { return t.putJSON(pLoc+l.Code, l) }

// Locations lists every location in code order.
func (t *Tx) Locations() ([]stock.Location, error) { return listJSON[stock.Location](t, pLoc) }

func quantKey(k stock.QuantKey) string {
	return pQuant + strings.Join([]string{k.Location, k.SKU, k.LPN, k.Lot, k.Expiry, k.Serial, string(k.Status)}, separator)
}

func parseQuantKey(key []byte) (stock.QuantKey, error) {
	p := strings.Split(strings.TrimPrefix(string(key), pQuant), separator)
	if len(p) != 7 {
		return stock.QuantKey{}, fmt.Errorf("corrupt quant key %q", key)
	}
	return stock.QuantKey{Location: p[0], SKU: p[1], LPN: p[2], Lot: p[3], Expiry: p[4], Serial: p[5], Status: stock.Status(p[6])}, nil
}

// getInt reads a counter-like value (0 when absent).
func (t *Tx) getInt(key string) (int64, error) {
	item, err := t.txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	var n int64
	err = item.Value(func(b []byte) error { n = int64(binary.BigEndian.Uint64(b)); return nil })
	return n, err
}

// setInt writes a counter-like value; zero deletes the key.
func (t *Tx) setInt(key string, n int64) error {
	if n == 0 {
		return t.txn.Delete([]byte(key))
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return t.txn.Set([]byte(key), b[:])
}

// Quant returns the quantity at k (0 when none).
func (t *Tx) Quant(k stock.QuantKey) (int64, error) { return t.getInt(quantKey(k)) }

// SetQuant sets the quantity at k; zero removes the quant. Available
// quants also keep the per-item available total in the same transaction.
func (t *Tx) SetQuant(k stock.QuantKey, qty int64) error {
	if qty < 0 || qty > stock.MaxQuantity {
		return fmt.Errorf("refusing quant %d at %+v: outside 0..%d", qty, k, stock.MaxQuantity)
	}
	if k.Status == stock.Available {
		old, err := t.Quant(k)
		if err != nil {
			return err
		}
		total, err := t.Available(k.SKU)
		if err != nil {
			return err
		}
		if total, err = stock.AvailableAfter(total, old, qty); err != nil {
			return fmt.Errorf("%s: %w", k.SKU, err)
		}
		if err := t.setInt(pAvail+k.SKU, total); err != nil {
			return err
		}
	}
	return t.setInt(quantKey(k), qty)
}

// Available is the total available quantity of an item on site.
func (t *Tx) Available(sku string) (int64, error) { return t.getInt(pAvail + sku) }

// Reserved is the quantity of an item promised to orders.
func (t *Tx) Reserved(sku string) (int64, error) { return t.getInt(pReserved + sku) }

// SetReserved records the reserved quantity of an item; use stock.Reserve.
func (t *Tx) SetReserved(sku string, qty int64) error {
	if qty < 0 {
		return fmt.Errorf("refusing negative reservation %d of %s", qty, sku)
	}
	return t.setInt(pReserved+sku, qty)
}

// counters lists every value under an int-valued prefix, keyed by suffix.
func (t *Tx) counters(prefix string) (map[string]int64, error) {
	out := map[string]int64{}
	err := t.each(prefix, func(key, v []byte) error {
		out[strings.TrimPrefix(string(key), prefix)] = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return out, err
}

// Quants lists quants, optionally only those at one location.
func (t *Tx) Quants(location string) ([]stock.Quant, error) {
	prefix := pQuant
	if location != "" {
		prefix += location + separator
	}
	var out []stock.Quant
	err := t.each(prefix, func(key, v []byte) error {
		k, err := parseQuantKey(key)
		if err != nil {
			return err
		}
		out = append(out, stock.Quant{QuantKey: k, Quantity: int64(binary.BigEndian.Uint64(v))})
		return nil
	})
	return out, err
}

// StockAt sums all stock at a location.
func (t *Tx) StockAt(location string) (int64, error) {
	qs, err := t.Quants(location)
	var n int64
	for _, q := range qs {
		var ok bool
		if n, ok = stock.Add(n, q.Quantity); !ok {
			return 0, stock.Overflow("stock at " + location)
		}
	}
	return n, err
}

// ASN returns an ASN by id.
func (t *Tx) ASN(id string) (inbound.ASN, error) {
	var a inbound.ASN
	return a, t.getJSON(pASN+id, &a)
}

// PutASN stores an ASN and indexes its SSCCs.
func (t *Tx) PutASN(a inbound.ASN) error {
	for _, p := range a.Pallets {
		if err := t.putJSON(pSSCC+p.SSCC, a.ID); err != nil {
			return err
		}
	}
	return t.putJSON(pASN+a.ID, a)
}

// ASNs lists all ASNs.
func (t *Tx) ASNs() ([]inbound.ASN, error) { return listJSON[inbound.ASN](t, pASN) }

// OpenASNs lists the open ASNs, oldest first.
func (t *Tx) OpenASNs() ([]inbound.ASN, error) {
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
func (t *Tx) ExpectedPallet(sscc string) (inbound.ASN, inbound.ExpectedPallet, error) {
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
func (t *Tx) LPN(code string) (stock.LPN, error) {
	var l stock.LPN
	return l, t.getJSON(pLPN+code, &l)
}

// LPNs lists licence plates in code order.
func (t *Tx) LPNs() ([]stock.LPN, error) { return listJSON[stock.LPN](t, pLPN) }

// NextLPN issues the next licence-plate code central prints itself
// (L000000001, …): short enough for any label, and never an SSCC.
func (t *Tx) NextLPN() (string, error) {
	n, err := t.nextCounter(kLPNSeq)
	return fmt.Sprintf("L%09d", n), err
}

// PutLPN stores a licence plate and keeps the putaway-target index.
func (t *Tx) PutLPN(l stock.LPN) error {
	if old, err := t.LPN(l.Code); err == nil && old.Putaway != "" {
		if err := t.txn.Delete([]byte(pTarget + old.Putaway + separator + l.Code)); err != nil {
			return err
		}
	}
	if l.Putaway != "" && l.Putaway != l.Location {
		if err := t.txn.Set([]byte(pTarget+l.Putaway+separator+l.Code), nil); err != nil {
			return err
		}
	}
	return t.putJSON(pLPN+l.Code, l)
}

// Targeted counts pallets on their way to location.
func (t *Tx) Targeted(location string) (int, error) {
	n := 0
	err := t.each(pTarget+location+separator, func(_, _ []byte) error { n++; return nil })
	return n, err
}

// PutReceipt stores a receipt.
func (t *Tx) PutReceipt(r inbound.Receipt) error { return t.putJSON(pReceipt+r.ID, r) }

// Receipts lists receipts in creation order (ids are ULIDs).
func (t *Tx) Receipts() ([]inbound.Receipt, error) { return listJSON[inbound.Receipt](t, pReceipt) }

// PutDiscrepancy stores a receiving discrepancy.
func (t *Tx) PutDiscrepancy(d inbound.Discrepancy) error { return t.putJSON(pDisc+d.ID, d) }

// Discrepancies lists discrepancies in creation order.
func (t *Tx) Discrepancies() ([]inbound.Discrepancy, error) {
	return listJSON[inbound.Discrepancy](t, pDisc)
}

// StationState returns what a station is in the middle of (e.g. the
// licence plate a putaway worker scanned); nil when idle.
func (t *Tx) StationState(station string, v any) error { return t.getJSON(pStation+station, v) }

// SetStationState records (v != nil) or clears (v == nil) a station's state.
func (t *Tx) SetStationState(station string, v any) error {
	if v == nil {
		return t.txn.Delete([]byte(pStation + station))
	}
	return t.putJSON(pStation+station, v)
}

func (t *Tx) nextCounter(key string) (uint64, error) {
	var n uint64
	item, err := t.txn.Get([]byte(key))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return 0, err
	default:
		if err := item.Value(func(b []byte) error { n = binary.BigEndian.Uint64(b); return nil }); err != nil {
			return 0, err
		}
	}
	n++
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return n, t.txn.Set([]byte(key), b[:])
}

func seqKey(prefix string, seq uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], seq)
	return k
}

// Post appends m to the ledger and applies it to the quants, in this
// transaction.
func (t *Tx) Post(m stock.Movement) (stock.Movement, stock.Balances, error) {
	bal, err := stock.Post(t, m)
	if err != nil {
		return m, bal, err
	}
	if m.Seq, err = t.nextCounter(kMoveSeq); err != nil {
		return m, bal, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return m, bal, err
	}
	return m, bal, t.txn.Set(seqKey(pMove, m.Seq), b)
}

// Movements lists ledger lines with seq > after, at most limit (0 = all).
func (t *Tx) Movements(after uint64, limit int) ([]stock.Movement, error) {
	var out []stock.Movement
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pMove), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Seek(seqKey(pMove, after+1)); it.Valid() && (limit == 0 || len(out) < limit); it.Next() {
		var m stock.Movement
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &m) }); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Watermark is the highest event seq applied from a gateway's stream.
func (t *Tx) Watermark(gateway, stream string) (uint64, error) {
	var n uint64
	err := t.getJSON(pWater+gateway+separator+stream, &n)
	if errors.Is(err, stock.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// SetWatermark records the highest applied seq of a stream.
func (t *Tx) SetWatermark(gateway, stream string, seq uint64) error {
	return t.putJSON(pWater+gateway+separator+stream, seq)
}

// Idempotent returns the stored answer for an idempotency key and the
// fingerprint of the request it answered (nil for answers stored before
// fingerprints were kept).
func (t *Tx) Idempotent(key string) (answer, request []byte, ok bool, err error) {
	if answer, ok, err = t.value(pIdem + key); !ok || err != nil {
		return nil, nil, ok, err
	}
	request, _, err = t.value(pIdemReq + key)
	return answer, request, true, err
}

// SetIdempotent stores the answer for an idempotency key with the
// fingerprint of the request it answers.
func (t *Tx) SetIdempotent(key string, request, answer []byte) error {
	if err := t.txn.Set([]byte(pIdemReq+key), request); err != nil {
		return err
	}
	return t.txn.Set([]byte(pIdem+key), answer)
}

// value returns a copy of the value at key.
func (t *Tx) value(key string) ([]byte, bool, error) {
	item, err := t.txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v, err := item.ValueCopy(nil)
	return v, err == nil, err
}
