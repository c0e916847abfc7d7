package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// Use cases of sales orders: channels and warehouses, an order's arrival,
// change, payment, cancel and expiry. Promising itself is promising.go.

// CreateChannel creates a sales channel.
func (t *Tx) CreateChannel(c orders.Channel) (orders.Channel, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	if err := exists(t.st.Channel, c.ID, "channel"); err != nil {
		return c, err
	}
	c.Created = t.now()
	return c, t.st.PutChannel(c)
}

// CreateWarehouse adds a warehouse to routing. Stock already in its
// locations may serve what waits in the regions it serves, at once.
func (t *Tx) CreateWarehouse(w routing.Warehouse) (routing.Warehouse, error) {
	if err := w.Validate(); err != nil {
		return w, err
	}
	if err := exists(t.st.WarehouseByCode, w.Code, "warehouse"); err != nil {
		return w, err
	}
	if w.Receiving != "" {
		l, err := t.st.Location(w.Receiving)
		switch {
		case errors.Is(err, stock.ErrNotFound):
			return w, stock.Invalid{{Field: "receiving", Reason: "location " + w.Receiving + " does not exist"}}
		case err != nil:
			return w, err
		case l.Warehouse != w.Code:
			return w, stock.Invalid{{Field: "receiving", Reason: fmt.Sprintf("location %s is in warehouse %q, not %s", l.Code, l.Warehouse, w.Code)}}
		}
	}
	w.Created = t.now()
	if err := t.st.PutWarehouse(w); err != nil {
		return w, err
	}
	t.site = nil
	pools, err := t.st.Pools("")
	if err != nil {
		return w, err
	}
	for _, p := range pools {
		if p.Warehouse == w.Code {
			if err := t.serve(p.Pool); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

// warehouses is the site's routing, read once per transaction.
func (t *Tx) warehouses() (routing.Site, error) {
	if t.site != nil {
		return t.site, nil
	}
	ws, err := t.st.Warehouses()
	if ws == nil {
		ws = routing.Site{}
	}
	t.site = ws
	return t.site, err
}

// lookup is what checking an order reads of the site.
func (t *Tx) lookup() orders.Lookup {
	return orders.Lookup{Item: t.st.Item, Channel: t.st.Channel, Served: func(region string) (bool, error) {
		site, err := t.warehouses()
		return site.Served(region), err
	}}
}

// orderKey keeps a channel's order's fingerprint and first answer.
func orderKey(channel, channelOrder string) string { return "order " + channel + "|" + channelOrder }

// fingerprint identifies what a channel asked for.
func fingerprint(v any) []byte {
	b, _ := json.Marshal(v) // request types always encode
	h := sha256.Sum256(b)
	return h[:]
}

// CreateOrder takes an order from a channel and promises it at once. The
// channel's order id makes it idempotent: the same request again gets the
// first answer unchanged; another request with the same id is a
// ConflictError. Shortages wait (or are refused, by the channel's policy)
// and raise an alert; an unpaid order's promise lapses after its hold.
func (t *Tx) CreateOrder(r orders.Request) (json.RawMessage, error) {
	now := t.now()
	fp := fingerprint(r)
	key := orderKey(r.Channel, r.ChannelOrder)
	if answer, req, ok, err := t.st.Idempotent(key); err != nil {
		return nil, err
	} else if ok {
		if subtle.ConstantTimeCompare(req, fp) != 1 {
			return nil, &ConflictError{What: fmt.Sprintf("order %q of channel %s, sent with another body,", r.ChannelOrder, r.Channel)}
		}
		t.replayed = true
		return answer, nil
	}
	chk, err := orders.Check(r, now, t.lookup())
	pre := t.checkOrderTerms(chk.Order, r)
	if err = merge(err, pre); err != nil {
		return nil, err
	}
	o, ch := chk.Order, chk.Channel
	seq, err := t.st.NextOrderSeq()
	if err != nil {
		return nil, err
	}
	o.ID, o.Seq = fmt.Sprintf("SO%010d", seq), seq
	need := map[int]int64{}
	for i := range o.Lines {
		o.Lines[i].Seq = seq
		need[o.Lines[i].Line] = o.Lines[i].Quantity
	}
	if o.Payment == orders.Unpaid {
		until := now.Add(t.hold(ch))
		o.HoldUntil = &until
		if err := t.st.SetTimer(holdTimer(o.ID, until)); err != nil {
			return nil, err
		}
	}
	if err := t.promiseNeeds(&o, ch, need); err != nil {
		return nil, err
	}
	o.Record(now, orders.Created, "", "")
	if err := t.saveOrder(nil, &o, wire.OrderCreated); err != nil {
		return nil, err
	}
	if err := t.shortageAlerts(o, ch, need); err != nil {
		return nil, err
	}
	answer, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return answer, t.st.SetIdempotent(key, fp, answer)
}

// checkOrderTerms checks what an order says of the site's campaigns and
// the lots it asks for.
func (t *Tx) checkOrderTerms(o orders.Order, r orders.Request) stock.Invalid {
	var v stock.Invalid
	for i, l := range r.Lines {
		v = checkLots(v, fmt.Sprintf("lines[%d].lot", i), l.Lot)
	}
	if o.Campaign != "" {
		p, err := t.st.Promotion(o.Campaign)
		switch {
		case err != nil:
			v.Add("campaign", "promotion %q does not exist", o.Campaign)
		case p.Status != campaigns.Active:
			v.Add("campaign", "promotion %s has ended", p.ID)
		case p.Channel != o.Channel:
			v.Add("campaign", "promotion %s is a campaign of channel %s", p.ID, p.Channel)
		}
	}
	if o.Presale != "" {
		p, err := t.st.Presale(o.Presale)
		switch {
		case err != nil:
			v.Add("presale", "pre-sale %q does not exist", o.Presale)
		case p.Status != campaigns.Active:
			v.Add("presale", "pre-sale %s has ended", p.ID)
		case p.Channel != o.Channel:
			v.Add("presale", "pre-sale %s sells through channel %s", p.ID, p.Channel)
		}
	}
	return v
}

// hold is how long an unpaid order of channel ch keeps its promise.
func (t *Tx) hold(ch orders.Channel) time.Duration {
	if ch.PaymentHold > 0 {
		return time.Duration(ch.PaymentHold) * time.Second
	}
	return t.app.cfg.PaymentHold
}

// Timer kinds.
const (
	timerHold         = "payment-hold"
	timerPromotionEnd = "promotion-end"
)

func holdTimer(order string, due time.Time) store.Timer {
	return store.Timer{Kind: timerHold, Ref: order, Due: due}
}

// ChangeOrder changes an order's lines (and delivery details): a line
// that grows promises what it adds, one that shrinks gives back what it
// no longer needs (refused, then waiting, then promised units, the newest
// first), a removed line gives back everything, and stock given back goes
// to whoever waits for it in the same transaction. What is promised and
// unchanged stays promised.
func (t *Tx) ChangeOrder(id string, c orders.ChangeRequest) (orders.Order, error) {
	o, err := t.st.Order(id)
	if err != nil {
		return o, err
	}
	before := o.Clone()
	now := t.now()
	lines, err := orders.CheckChange(o, c, now, t.lookup())
	var lots stock.Invalid
	for i, l := range c.Lines {
		lots = checkLots(lots, fmt.Sprintf("lines[%d].lot", i), l.Lot)
	}
	if err = merge(err, lots); err != nil {
		return o, err
	}
	ch, err := t.st.Channel(o.Channel)
	if err != nil {
		return o, err
	}
	if c.ShipTo != nil {
		o.ShipTo = *c.ShipTo
	}
	if c.Priority != nil {
		o.Priority = *c.Priority
	}
	if c.Carrier != nil {
		o.Carrier = *c.Carrier
	}
	if c.Service != nil {
		o.Service = *c.Service
	}
	if c.CutOff != nil {
		o.CutOff = c.CutOff
	}
	var freed []stock.Pool
	var next []orders.Line
	grown := map[int]int64{}
	for _, nl := range lines {
		ol, ok := o.Line(nl.Line)
		if ok && orders.Same(*ol, nl) {
			l := *ol
			switch {
			case nl.Quantity > l.Quantity:
				grown[l.Line] = nl.Quantity - l.Quantity
			case nl.Quantity < l.Quantity:
				pools, err := t.shrink(&o, &l, l.Quantity-nl.Quantity)
				if err != nil {
					return o, err
				}
				freed = append(freed, pools...)
			}
			next = append(next, l)
			continue
		}
		if ok { // the line asks for other stock now: the old one goes
			l := *ol
			pools, err := t.shrink(&o, &l, l.Quantity)
			if err != nil {
				return o, err
			}
			freed = append(freed, pools...)
		}
		nl.Quantity, grown[nl.Line] = 0, nl.Quantity
		next = append(next, nl)
	}
	for _, ol := range o.Lines {
		if !slices.ContainsFunc(next, func(l orders.Line) bool { return l.Line == ol.Line }) {
			l := ol
			pools, err := t.shrink(&o, &l, l.Quantity)
			if err != nil {
				return o, err
			}
			freed = append(freed, pools...)
		}
	}
	o.Lines = next
	// What the change gave back goes to those waiting for it before the
	// order takes anything more.
	if err := t.saveOrder(&before, &o, ""); err != nil {
		return o, err
	}
	if err := t.serve(freed...); err != nil {
		return o, err
	}
	mid, err := t.st.Order(id)
	if err != nil {
		return o, err
	}
	o = mid
	mid.Lines = slices.Clone(o.Lines)
	if len(grown) > 0 {
		seq, err := t.st.NextOrderSeq()
		if err != nil {
			return o, err
		}
		for i := range o.Lines {
			l := &o.Lines[i]
			if add := grown[l.Line]; add > 0 {
				if err := t.dequeue(o, *l); err != nil {
					return o, err
				}
				// A line that grows waits behind those already waiting.
				l.Quantity += add
				l.Seq = seq
			}
		}
	}
	if err := t.promiseNeeds(&o, ch, grown); err != nil {
		return o, err
	}
	o.Record(now, orders.Changed, "", c.By)
	if err := t.saveOrder(&mid, &o, wire.OrderChanged); err != nil {
		return o, err
	}
	return o, t.shortageAlerts(o, ch, grown)
}

// shrink takes n units off line l of o, giving back what it held, and
// returns the pools that got stock back.
func (t *Tx) shrink(o *orders.Order, l *orders.Line, n int64) ([]stock.Pool, error) {
	if err := t.dequeue(*o, *l); err != nil {
		return nil, err
	}
	_, presold, release := l.Shrink(n)
	if err := t.unsell(o.Presale, presold); err != nil {
		return nil, err
	}
	pools, err := t.release(l.SKU, release)
	if err != nil {
		return nil, err
	}
	return pools, t.requeue(*o, *l)
}

// release gives back the reservations of parts and returns their pools.
func (t *Tx) release(sku string, parts []orders.Part) ([]stock.Pool, error) {
	var pools []stock.Pool
	for _, p := range parts {
		if _, err := stock.Release(t.st, p.Reservation, p.Quantity); err != nil {
			return nil, fmt.Errorf("release %s: %w", p.Reservation, err)
		}
		pools = append(pools, stock.Pool{SKU: sku, Warehouse: p.Warehouse})
	}
	return pools, nil
}

// unsell gives units a pre-sale sold back to its cap.
func (t *Tx) unsell(presale string, n int64) error {
	if n == 0 {
		return nil
	}
	p, err := t.st.Presale(presale)
	if err != nil {
		return err
	}
	p.Sold -= n
	return t.st.PutPresale(p)
}

// PayOrder records an order's payment: its promise no longer lapses.
func (t *Tx) PayOrder(id, by string) (orders.Order, error) {
	o, err := t.st.Order(id)
	if err != nil {
		return o, err
	}
	if o.Status == orders.Cancelled || o.Status == orders.Expired {
		return o, stock.Invalid{{Field: "status", Reason: fmt.Sprintf("order %s is %s: it can no longer be paid", id, o.Status)}}
	}
	if o.Payment == orders.Paid {
		return o, nil
	}
	before := o
	o.Payment, o.HoldUntil = orders.Paid, nil
	if err := t.st.CancelTimer(timerHold, id); err != nil {
		return o, err
	}
	o.Record(t.now(), orders.PaidEvent, "", by)
	return o, t.saveOrder(&before, &o, wire.OrderPaid)
}

// CancelOrder cancels an order: everything it holds or waits for is
// given back, and the stock goes to whoever waits for it. An order that
// has shipped anything cannot be cancelled.
func (t *Tx) CancelOrder(id, reason, by string) (orders.Order, error) {
	o, err := t.st.Order(id)
	if err != nil {
		return o, err
	}
	if t := o.Totals(); t.Shipped > 0 {
		return o, stock.Invalid{{Field: "status", Reason: fmt.Sprintf("order %s has shipped %d units: it can no longer be cancelled", id, t.Shipped)}}
	}
	if o.Status.Final() {
		return o, stock.Invalid{{Field: "status", Reason: fmt.Sprintf("order %s is %s already", id, o.Status)}}
	}
	return o, t.close(&o, orders.Cancelled, orders.CancelledEvent, wire.OrderCancelled, reason, by)
}

// expireOrder ends an unpaid order whose hold has passed (the timer's use
// case): it runs once, and does nothing to an order paid or closed since.
func (t *Tx) expireOrder(id string) error {
	o, err := t.st.Order(id)
	if errors.Is(err, stock.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if o.Payment == orders.Paid || o.Status.Final() {
		return nil
	}
	return t.close(&o, orders.Expired, orders.ExpiredEvent, wire.OrderExpired, "not paid by "+o.HoldUntil.Format(time.RFC3339), "")
}

// close ends an order in a final status: its queues, reservations and
// hold are given up and the stock goes to whoever waits for it.
func (t *Tx) close(o *orders.Order, status orders.Status, event string, wev wire.OrderEvent, note, by string) error {
	before := o.Clone()
	for _, l := range o.Lines {
		if err := t.dequeue(*o, l); err != nil {
			return err
		}
	}
	var freed []stock.Pool
	for _, c := range o.Close() {
		if err := t.unsell(o.Presale, c.Presold); err != nil {
			return err
		}
		pools, err := t.release(c.SKU, c.Release)
		if err != nil {
			return err
		}
		freed = append(freed, pools...)
	}
	if err := t.st.CancelTimer(timerHold, o.ID); err != nil {
		return err
	}
	o.Status, o.HoldUntil = status, nil
	o.Record(t.now(), event, note, by)
	if err := t.saveOrder(&before, o, wev); err != nil {
		return err
	}
	return t.serve(freed...)
}

// shortageAlerts tells operations what of the needs just met could not be
// promised: backordered or refused, one alert per item (repeats of an
// item collapse).
func (t *Tx) shortageAlerts(o orders.Order, ch orders.Channel, need map[int]int64) error {
	for _, n := range slices.Sorted(maps.Keys(need)) {
		l, ok := o.Line(n)
		if !ok || need[n] == 0 {
			continue
		}
		kind, what, short := wire.AlertBackorder, "backordered", l.Backordered
		if ch.Shortage == orders.Refuse {
			kind, what, short = wire.AlertOrderRefused, "refused", l.Refused
		}
		short = min(short, need[n])
		if short == 0 {
			continue
		}
		al := stock.Alert{Kind: string(kind), Severity: "info", Ref: o.ID, Class: l.SKU,
			Message: fmt.Sprintf("order %s (%s %s) line %d: %d of %d %s %s: not enough stock", o.ID, o.Channel, o.ChannelOrder, l.Line, short, l.Quantity, l.SKU, what),
			Details: map[string]string{"order": o.ID, "sku": l.SKU, "line": fmt.Sprint(l.Line), "quantity": fmt.Sprint(short)}}
		if err := t.Raise("", "", al); err != nil {
			return err
		}
	}
	return nil
}

// dequeue takes a line out of its queues.
func (t *Tx) dequeue(o orders.Order, l orders.Line) error {
	w := waitingOf(o, l)
	if err := t.st.DeleteWaiting(w); err != nil {
		return err
	}
	if o.Presale == "" {
		return nil
	}
	w.Presale = o.Presale
	return t.st.DeleteWaiting(w)
}

// requeue puts a line's waiting units in its queues (backorders of its
// item, the pre-sale's buyers), or takes it out of them.
func (t *Tx) requeue(o orders.Order, l orders.Line) error {
	w := waitingOf(o, l)
	if err := t.queue(w, l.Backordered); err != nil || o.Presale == "" {
		return err
	}
	w.Presale = o.Presale
	return t.queue(w, l.Presold)
}

// queue keeps n units of w waiting (none: w leaves its queue).
func (t *Tx) queue(w promise.Waiting, n int64) error {
	if n == 0 {
		return t.st.DeleteWaiting(w)
	}
	w.Quantity = n
	return t.st.PutWaiting(w)
}

// waitingOf is a line's entry in its item's backorder queue.
func waitingOf(o orders.Order, l orders.Line) promise.Waiting {
	return promise.Waiting{Seq: l.Seq, Order: o.ID, Line: l.Line, SKU: l.SKU, Lot: l.Lot, MinExpiry: l.MinExpiry,
		Quantity: l.Backordered, Region: o.Region, Warehouse: o.Warehouse, Pinned: o.Pinned, Since: o.Created}
}
