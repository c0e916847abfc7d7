package kvstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Records of selling and shipping, and the timers.
const (
	pChannel   = "chan/"
	pWarehouse = "wh/"
	// pOrder keys orders by id; ids are SO and ten digits of the order
	// seq, so key order is the order of arrival.
	pOrder = "so/"
	// pOrderOf indexes orders by channel|channel order id.
	pOrderOf  = "soch/"
	kOrderSeq = "meta/soseq"
	// pBackorder keys an item's backorder queue:
	// bo/<sku>|<seq, 8 bytes>|<order>|<line, 4 bytes>, so a prefix scan
	// returns it first come first served. pPresaleQ keys a pre-sale's
	// queue the same way by pre-sale id.
	pBackorder = "bo/"
	pPresaleQ  = "psq/"
	pShipment  = "ship/"
	pPromotion = "promo/"
	pPresale   = "presale/"
	pTransfer  = "xfer/"
	// pSales keys an item's counters per channel: lsc/<sku>|<channel>.
	pSales = "lsc/"
	// pShipped keys what shipped of an item per location: lsh/<sku>|<loc>.
	pShipped = "lsh/"
	// pDirty marks items whose layers changed since they were published.
	pDirty = "lyd/"
	// pTimer keys timers by due time: tm/<unix ns, 8 bytes>|<kind>|<ref>;
	// pTimerOf finds a kind and ref's timer: tmref/<kind>|<ref> → due.
	pTimer   = "tm/"
	pTimerOf = "tmref/"
)

// Channel returns a sales channel.
func (t *tx) Channel(id string) (orders.Channel, error) {
	var c orders.Channel
	return c, t.getJSON(pChannel+id, &c)
}

// PutChannel creates or replaces a channel.
func (t *tx) PutChannel(c orders.Channel) error { return t.putJSON(pChannel+c.ID, c) }

// Channels lists channels by id.
func (t *tx) Channels() ([]orders.Channel, error) { return listJSON[orders.Channel](t, pChannel) }

// WarehouseByCode returns a warehouse's routing record.
func (t *tx) WarehouseByCode(code string) (routing.Warehouse, error) {
	var w routing.Warehouse
	return w, t.getJSON(pWarehouse+code, &w)
}

// PutWarehouse creates or replaces a warehouse.
func (t *tx) PutWarehouse(w routing.Warehouse) error { return t.putJSON(pWarehouse+w.Code, w) }

// Warehouses lists warehouses by code.
func (t *tx) Warehouses() ([]routing.Warehouse, error) {
	return listJSON[routing.Warehouse](t, pWarehouse)
}

// Order returns a sales order.
func (t *tx) Order(id string) (orders.Order, error) {
	var o orders.Order
	return o, t.getJSON(pOrder+id, &o)
}

// PutOrder stores an order and its channel index.
func (t *tx) PutOrder(o orders.Order) error {
	if err := t.putJSON(pOrderOf+o.Channel+separator+o.ChannelOrder, o.ID); err != nil {
		return err
	}
	return t.putJSON(pOrder+o.ID, o)
}

// Orders lists orders by id.
func (t *tx) Orders() ([]orders.Order, error) { return listJSON[orders.Order](t, pOrder) }

// OrderOf is the id of a channel's order.
func (t *tx) OrderOf(channel, channelOrder string) (string, error) {
	var id string
	return id, t.getJSON(pOrderOf+channel+separator+channelOrder, &id)
}

// NextOrderSeq issues the next place in the order of arrival.
func (t *tx) NextOrderSeq() (uint64, error) { return t.nextCounter(kOrderSeq) }

// waitingKey is an entry's key in its queue.
func waitingKey(w promise.Waiting) []byte {
	prefix, queue := pBackorder, w.SKU
	if w.Presale != "" {
		prefix, queue = pPresaleQ, w.Presale
	}
	k := make([]byte, 0, len(prefix)+len(queue)+len(w.Order)+15)
	k = append(k, prefix+queue+separator...)
	k = binary.BigEndian.AppendUint64(k, w.Seq)
	k = append(k, separator+w.Order+separator...)
	return binary.BigEndian.AppendUint32(k, uint32(w.Line))
}

// queue lists a queue (on a paged tx, one page of it).
func (t *tx) queue(prefix string) ([]promise.Waiting, error) {
	return listJSON[promise.Waiting](t, prefix)
}

// Waiting lists an item's backorder queue, first come first.
func (t *tx) Waiting(sku string) ([]promise.Waiting, error) {
	return t.queue(pBackorder + sku + separator)
}

// PresaleWaiting lists a pre-sale's queue, in order of purchase.
func (t *tx) PresaleWaiting(presale string) ([]promise.Waiting, error) {
	return t.queue(pPresaleQ + presale + separator)
}

// PutWaiting adds or replaces an entry of its queue.
func (t *tx) PutWaiting(w promise.Waiting) error {
	if w.Quantity <= 0 || w.Quantity > stock.MaxQuantity {
		return fmt.Errorf("refusing queue entry of %d for %s line %d", w.Quantity, w.Order, w.Line)
	}
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return t.kv.Set(waitingKey(w), b)
}

// DeleteWaiting removes an entry from its queue.
func (t *tx) DeleteWaiting(w promise.Waiting) error { return t.kv.Delete(waitingKey(w)) }

// AllWaiting lists every backorder queue, then every pre-sale queue.
func (t *tx) AllWaiting() ([]promise.Waiting, error) {
	bo, err := t.queue(pBackorder)
	if err != nil {
		return nil, err
	}
	ps, err := t.queue(pPresaleQ)
	return append(bo, ps...), err
}

// Shipment returns a shipment.
func (t *tx) Shipment(id string) (orders.Shipment, error) {
	var s orders.Shipment
	return s, t.getJSON(pShipment+id, &s)
}

// PutShipment stores a shipment.
func (t *tx) PutShipment(s orders.Shipment) error { return t.putJSON(pShipment+s.ID, s) }

// Shipments lists shipments in creation order.
func (t *tx) Shipments() ([]orders.Shipment, error) { return listJSON[orders.Shipment](t, pShipment) }

// Promotion returns a promotion.
func (t *tx) Promotion(id string) (campaigns.Promotion, error) {
	var p campaigns.Promotion
	return p, t.getJSON(pPromotion+id, &p)
}

// PutPromotion creates or replaces a promotion.
func (t *tx) PutPromotion(p campaigns.Promotion) error { return t.putJSON(pPromotion+p.ID, p) }

// Promotions lists promotions by id.
func (t *tx) Promotions() ([]campaigns.Promotion, error) {
	return listJSON[campaigns.Promotion](t, pPromotion)
}

// Presale returns a pre-sale.
func (t *tx) Presale(id string) (campaigns.Presale, error) {
	var p campaigns.Presale
	return p, t.getJSON(pPresale+id, &p)
}

// PutPresale creates or replaces a pre-sale.
func (t *tx) PutPresale(p campaigns.Presale) error { return t.putJSON(pPresale+p.ID, p) }

// Presales lists pre-sales by id.
func (t *tx) Presales() ([]campaigns.Presale, error) { return listJSON[campaigns.Presale](t, pPresale) }

// Transfer returns a transfer.
func (t *tx) Transfer(id string) (routing.Transfer, error) {
	var x routing.Transfer
	return x, t.getJSON(pTransfer+id, &x)
}

// PutTransfer creates or replaces a transfer.
func (t *tx) PutTransfer(x routing.Transfer) error { return t.putJSON(pTransfer+x.ID, x) }

// Transfers lists transfers by id.
func (t *tx) Transfers() ([]routing.Transfer, error) { return listJSON[routing.Transfer](t, pTransfer) }

// SalesCounters are what a channel's orders hold of an item.
func (t *tx) SalesCounters(channel, sku string) (layers.Counters, error) {
	var c layers.Counters
	err := t.getJSON(pSales+sku+separator+channel, &c)
	if errors.Is(err, stock.ErrNotFound) {
		return c, nil
	}
	return c, err
}

// PutSalesCounters stores a channel's counters of an item.
func (t *tx) PutSalesCounters(channel, sku string, c layers.Counters) error {
	if c.Zero() {
		return t.del(pSales + sku + separator + channel)
	}
	return t.putJSON(pSales+sku+separator+channel, c)
}

// SalesCountersOf lists an item's counters by channel ("" for every
// item, keyed sku|channel).
func (t *tx) SalesCountersOf(sku string) (map[string]layers.Counters, error) {
	prefix := pSales
	if sku != "" {
		prefix += sku + separator
	}
	out := map[string]layers.Counters{}
	err := t.kv.Scan([]byte(prefix), []byte(prefix), 0, func(k, v []byte) (bool, error) {
		var c layers.Counters
		if err := json.Unmarshal(v, &c); err != nil {
			return false, err
		}
		out[strings.TrimPrefix(string(k), prefix)] = c
		return true, nil
	})
	return out, err
}

// AddShipped adds to what shipped of an item from a location.
func (t *tx) AddShipped(location, sku string, n int64) error {
	key := pShipped + sku + separator + location
	have, err := t.getInt(key)
	if err != nil {
		return err
	}
	sum, ok := stock.Add(have, n)
	if !ok {
		return stock.Overflow("shipped from " + location)
	}
	return t.setInt(key, sum)
}

// ShippedOf lists what shipped of an item by location.
func (t *tx) ShippedOf(sku string) (map[string]int64, error) {
	prefix := pShipped + sku + separator
	out := map[string]int64{}
	err := t.kv.Scan([]byte(prefix), []byte(prefix), 0, func(k, v []byte) (bool, error) {
		n, err := intValue(k, v)
		out[strings.TrimPrefix(string(k), prefix)] = n
		return err == nil, err
	})
	return out, err
}

// MarkLayers notes that an item's layers changed.
func (t *tx) MarkLayers(sku string) error { return t.kv.Set([]byte(pDirty+sku), nil) }

// DirtyLayers lists up to limit items whose layers changed.
func (t *tx) DirtyLayers(limit int) ([]string, error) {
	var out []string
	err := t.kv.Scan([]byte(pDirty), []byte(pDirty), limit, func(k, _ []byte) (bool, error) {
		out = append(out, strings.TrimPrefix(string(k), pDirty))
		return len(out) < limit, nil
	})
	return out, err
}

// CleanLayers forgets that an item's layers changed.
func (t *tx) CleanLayers(sku string) error { return t.del(pDirty + sku) }

func timerKey(tm timerRef, due time.Time) []byte {
	k := binary.BigEndian.AppendUint64([]byte(pTimer), uint64(due.UnixNano()))
	return append(k, separator+tm.kind+separator+tm.ref...)
}

type timerRef struct{ kind, ref string }

// SetTimer sets (or moves) the timer of a kind and ref.
func (t *tx) SetTimer(tm store.Timer) error {
	if err := t.CancelTimer(tm.Kind, tm.Ref); err != nil {
		return err
	}
	if !tm.Due.After(time.Unix(0, 0)) {
		return fmt.Errorf("timer %s %s: due %s is not after 1970", tm.Kind, tm.Ref, tm.Due)
	}
	b, err := json.Marshal(tm)
	if err != nil {
		return err
	}
	if err := t.kv.Set(timerKey(timerRef{tm.Kind, tm.Ref}, tm.Due), b); err != nil {
		return err
	}
	return t.setInt(pTimerOf+tm.Kind+separator+tm.Ref, tm.Due.UnixNano())
}

// CancelTimer removes the timer of a kind and ref, if any.
func (t *tx) CancelTimer(kind, ref string) error {
	key := pTimerOf + kind + separator + ref
	due, err := t.getInt(key)
	if err != nil || due == 0 {
		return err
	}
	if err := t.kv.Delete(timerKey(timerRef{kind, ref}, time.Unix(0, due))); err != nil {
		return err
	}
	return t.del(key)
}

// TimerOf returns the timer of a kind and ref.
func (t *tx) TimerOf(kind, ref string) (store.Timer, bool, error) {
	due, err := t.getInt(pTimerOf + kind + separator + ref)
	if err != nil || due == 0 {
		return store.Timer{}, false, err
	}
	return store.Timer{Kind: kind, Ref: ref, Due: time.Unix(0, due).UTC()}, true, nil
}

// DueTimers lists up to limit timers due at or before now, earliest first.
func (t *tx) DueTimers(now time.Time, limit int) ([]store.Timer, error) {
	var out []store.Timer
	end := uint64(max(now.UnixNano(), 0))
	err := t.kv.Scan([]byte(pTimer), []byte(pTimer), limit, func(k, v []byte) (bool, error) {
		if len(k) < len(pTimer)+8 || binary.BigEndian.Uint64(k[len(pTimer):]) > end || len(out) == limit {
			return false, nil
		}
		var tm store.Timer
		if err := json.Unmarshal(v, &tm); err != nil {
			return false, err
		}
		out = append(out, tm)
		return true, nil
	})
	return out, err
}
