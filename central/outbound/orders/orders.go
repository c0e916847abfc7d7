// Package orders is the sales order: what a shop or ERP asked for, what
// central promised, what waits for stock and what left the warehouse,
// with the history of every change. Its functions check requests and keep
// an order's numbers consistent; promising itself (reservations, queues)
// is package promise's, and central/app puts the two together.
package orders

import (
	"fmt"
	"slices"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Status is where an order stands. It follows from its lines' numbers
// (Derive) except for the final states an action sets.
type Status string

// Order states.
const (
	// Promised: every open unit is promised.
	Promised Status = "promised"
	// PartlyBackordered: some units are promised, others wait for stock.
	PartlyBackordered Status = "partly-backordered"
	// Backordered: nothing is promised; units wait for stock (or for the
	// goods of a pre-sale).
	Backordered Status = "backordered"
	// Refused: the channel refuses shortages and nothing could be promised.
	Refused Status = "refused"
	// PartlyShipped: some units have shipped, others are open.
	PartlyShipped Status = "partly-shipped"
	// Shipped: everything open has shipped.
	Shipped Status = "shipped"
	// Cancelled and Expired are final: the order was cancelled, or was not
	// paid within its hold; what it held was released.
	Cancelled Status = "cancelled"
	Expired   Status = "expired"
)

// Final reports whether nothing more can happen to an order in status s.
func (s Status) Final() bool { return s == Cancelled || s == Expired || s == Refused || s == Shipped }

// Payment is whether the customer has paid.
type Payment string

// Payment states.
const (
	Paid   Payment = "paid"
	Unpaid Payment = "unpaid"
)

// Shortage policies of a channel.
const (
	// Backorder: what cannot be promised waits, first come first served.
	Backorder = "backorder"
	// Refuse: what cannot be promised is refused at once.
	Refuse = "refuse"
)

// Channel is a sales channel (a web shop, a marketplace, an ERP): its
// orders carry its own ids, and its policies say what a shortage does,
// whether an order may ship from several warehouses and how long an
// unpaid order holds its promise.
type Channel struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Shortage string `json:"shortage"`
	// Split lets an order ship from several warehouses when no single
	// one has all of it.
	Split bool `json:"split,omitempty"`
	// PaymentHold is how long an unpaid order keeps what it was promised,
	// in seconds (0: the site's default).
	PaymentHold int64     `json:"payment_hold_s,omitempty"`
	Created     time.Time `json:"created"`
}

// MaxPaymentHold bounds a channel's payment hold: 90 days.
const MaxPaymentHold = 90 * 24 * 3600

// Validate checks a channel's fields.
func (c Channel) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(c.ID) || len(c.ID) > 32 {
		v.Add("id", "must be 1-32 characters without spaces, '/', '|', '+', '#', '%%' or '?'")
	}
	if c.Name == "" || len(c.Name) > 200 {
		v.Add("name", "is required, at most 200 bytes")
	}
	if c.Shortage != Backorder && c.Shortage != Refuse {
		v.Add("shortage", "must be %q or %q", Backorder, Refuse)
	}
	if c.PaymentHold < 0 || c.PaymentHold > MaxPaymentHold {
		v.Add("payment_hold_s", "must be 0 (the site's default) to %d seconds", MaxPaymentHold)
	}
	if !c.Created.IsZero() {
		v.Add("created", "is set by central")
	}
	return v.Err()
}

// Address is where an order goes.
type Address struct {
	Name     string `json:"name"`
	Street   string `json:"street,omitempty"`
	City     string `json:"city,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Country  string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Phone    string `json:"phone,omitempty"`
}

// Order is a sales order. Its id is central's; Channel and ChannelOrder
// are the channel's, and a channel's order id names one order only.
type Order struct {
	ID           string  `json:"id"`
	Channel      string  `json:"channel"`
	ChannelOrder string  `json:"channel_order"`
	Status       Status  `json:"status"`
	Payment      Payment `json:"payment"`
	// HoldUntil is when an unpaid order's promise lapses.
	HoldUntil *time.Time `json:"hold_until,omitempty"`
	ShipTo    Address    `json:"ship_to"`
	Region    string     `json:"region"`
	Priority  int        `json:"priority,omitempty"`
	Carrier   string     `json:"carrier,omitempty"`
	Service   string     `json:"service,omitempty"`
	CutOff    *time.Time `json:"cut_off,omitempty"`
	// Campaign is the promotion whose set-aside stock the order draws on
	// first; Presale the pre-sale its lines of that item are sold in.
	Campaign string `json:"campaign,omitempty"`
	Presale  string `json:"presale,omitempty"`
	// Warehouse is where an order that may not be split ships from
	// (Pinned), once anything of it is promised.
	Warehouse string    `json:"warehouse,omitempty"`
	Pinned    bool      `json:"pinned,omitempty"`
	Lines     []Line    `json:"lines"`
	History   []Event   `json:"history"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// Seq is the order's place in the order of arrival.
	Seq uint64 `json:"seq"`
	// Shipments lists the order's shipment ids.
	Shipments []string `json:"shipments,omitempty"`
}

// Line is one item of an order and where each of its units stands:
// Quantity = Promised + Backordered + Presold + Refused + Shipped +
// Cancelled, always.
type Line struct {
	Line     int    `json:"line"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	// MinShelfLifeDays asks for stock that expires no sooner; MinExpiry is
	// the date that makes, fixed when the line is ordered.
	MinShelfLifeDays int    `json:"min_shelf_life_days,omitempty"`
	MinExpiry        string `json:"min_expiry,omitempty"`
	Promised         int64  `json:"promised"`
	Backordered      int64  `json:"backordered"`
	Presold          int64  `json:"presold,omitempty"`
	Refused          int64  `json:"refused,omitempty"`
	Shipped          int64  `json:"shipped,omitempty"`
	Cancelled        int64  `json:"cancelled,omitempty"`
	// Parts are the reservations that promise the line, oldest first.
	Parts []Part `json:"parts,omitempty"`
	// Seq is the line's place in its item's backorder queue (the order's
	// arrival, or the change that added to the line).
	Seq uint64 `json:"seq"`
}

// Part is one reservation of a line: from a warehouse, possibly out of a
// promotion's set-aside stock.
type Part struct {
	Reservation string `json:"reservation"`
	Warehouse   string `json:"warehouse,omitempty"`
	Quantity    int64  `json:"quantity"`
	Promotion   string `json:"promotion,omitempty"`
}

// Waiting is how much of the line waits for stock.
func (l Line) Waiting() int64 { return l.Backordered + l.Presold }

// Open is how much of the line is promised or waiting.
func (l Line) Open() int64 { return l.Promised + l.Waiting() }

// Balanced reports whether the line's numbers add up, and its parts to
// what it has promised.
func (l Line) Balanced() bool {
	var parts int64
	for _, p := range l.Parts {
		if p.Quantity <= 0 {
			return false
		}
		parts += p.Quantity
	}
	for _, n := range []int64{l.Promised, l.Backordered, l.Presold, l.Refused, l.Shipped, l.Cancelled} {
		if n < 0 || n > stock.MaxQuantity {
			return false
		}
	}
	return parts == l.Promised && l.Promised+l.Waiting()+l.Refused+l.Shipped+l.Cancelled == l.Quantity
}

// Event is one change in an order's history.
type Event struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Status Status    `json:"status"`
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by,omitempty"`
}

// What happens to an order (Event.Event, and ops/order's "event").
const (
	Created   = "created"
	Changed   = "changed"
	PaidEvent = "paid"
	// Served: stock that became free was promised to lines waiting for it.
	Served = "served"
	// Withdrawn: stock that was promised was lost (a count, damage) and
	// the lines wait again.
	Withdrawn      = "withdrawn"
	CancelledEvent = "cancelled"
	ExpiredEvent   = "expired"
	ShippedEvent   = "shipped"
)

// Totals are an order's units by state.
type Totals struct {
	Quantity, Promised, Waiting, Refused, Shipped int64
}

// Totals sums the order's lines.
func (o Order) Totals() Totals {
	var t Totals
	for _, l := range o.Lines {
		t.Quantity += l.Quantity
		t.Promised += l.Promised
		t.Waiting += l.Waiting()
		t.Refused += l.Refused
		t.Shipped += l.Shipped
	}
	return t
}

// Derive is the status the order's numbers give (a final status set by
// cancel or expiry stays).
func (o Order) Derive() Status {
	if o.Status == Cancelled || o.Status == Expired {
		return o.Status
	}
	t := o.Totals()
	open := t.Promised + t.Waiting
	switch {
	case t.Shipped > 0 && open > 0:
		return PartlyShipped
	case t.Shipped > 0:
		return Shipped
	case open == 0 && t.Refused > 0:
		return Refused
	case t.Waiting == 0:
		return Promised
	case t.Promised == 0:
		return Backordered
	default:
		return PartlyBackordered
	}
}

// Record sets the order's status from its numbers and adds an event to
// its history.
func (o *Order) Record(at time.Time, event, note, by string) {
	o.Status = o.Derive()
	o.Updated = at
	o.History = append(o.History, Event{At: at, Event: event, Status: o.Status, Note: note, By: by})
}

// Clone is a copy of the order whose lines can change without changing
// o's.
func (o Order) Clone() Order {
	o.Lines = slices.Clone(o.Lines)
	for i := range o.Lines {
		o.Lines[i].Parts = slices.Clone(o.Lines[i].Parts)
	}
	o.History = slices.Clone(o.History)
	return o
}

// Line returns the line numbered n.
func (o *Order) Line(n int) (*Line, bool) {
	for i := range o.Lines {
		if o.Lines[i].Line == n {
			return &o.Lines[i], true
		}
	}
	return nil, false
}

// Shrink takes n units off a line (a change that lowers its quantity):
// refused ones first, then those waiting (backordered, then presold),
// then promised ones, the newest part first; shipped units stay. It
// returns how many were taken from the backorder and pre-sale queues and
// the parts (with the quantity) whose reservations are to be released.
func (l *Line) Shrink(n int64) (backordered, presold int64, release []Part) {
	n = min(n, l.Quantity-l.Shipped-l.Cancelled)
	l.Quantity -= n
	take := func(have *int64) int64 {
		t := min(n, *have)
		*have -= t
		n -= t
		return t
	}
	take(&l.Refused)
	backordered = take(&l.Backordered)
	presold = take(&l.Presold)
	for n > 0 && len(l.Parts) > 0 {
		last := &l.Parts[len(l.Parts)-1]
		t := min(n, last.Quantity)
		release = append(release, Part{Reservation: last.Reservation, Warehouse: last.Warehouse, Quantity: t, Promotion: last.Promotion})
		last.Quantity -= t
		l.Promised -= t
		n -= t
		if last.Quantity == 0 {
			l.Parts = l.Parts[:len(l.Parts)-1]
		}
	}
	return backordered, presold, release
}

// Promise adds a part to the line, out of what it has waiting in the
// backorder queue (presale: in the pre-sale queue).
func (l *Line) Promise(p Part, presale bool) error {
	have := &l.Backordered
	if presale {
		have = &l.Presold
	}
	if p.Quantity <= 0 || p.Quantity > *have {
		return fmt.Errorf("line %d: promise %d of %d waiting", l.Line, p.Quantity, *have)
	}
	*have -= p.Quantity
	l.Promised += p.Quantity
	l.Parts = append(l.Parts, p)
	return nil
}

// Withdraw takes qty of a part's reservation back from the line: the units
// wait again in the backorder queue.
func (l *Line) Withdraw(reservation string, qty int64) error {
	for i := range l.Parts {
		p := &l.Parts[i]
		if p.Reservation != reservation {
			continue
		}
		if qty <= 0 || qty > p.Quantity {
			return fmt.Errorf("line %d: withdraw %d of part %s holding %d", l.Line, qty, reservation, p.Quantity)
		}
		p.Quantity -= qty
		if p.Quantity == 0 {
			l.Parts = append(l.Parts[:i], l.Parts[i+1:]...)
		}
		l.Promised -= qty
		l.Backordered += qty
		return nil
	}
	return fmt.Errorf("line %d has no part %s", l.Line, reservation)
}

// Close ends what is open of every line (a cancel, an expiry): waiting
// units leave their queues and promised ones are released. It returns, by
// line, what it took from each queue and the parts to release.
func (o *Order) Close() []Closed {
	var out []Closed
	for i := range o.Lines {
		l := &o.Lines[i]
		c := Closed{Line: l.Line, SKU: l.SKU, Seq: l.Seq, Backordered: l.Backordered, Presold: l.Presold, Release: l.Parts}
		l.Cancelled += l.Open()
		l.Promised, l.Backordered, l.Presold, l.Parts = 0, 0, 0, nil
		out = append(out, c)
	}
	return out
}

// Closed is what closing an order took from one line.
type Closed struct {
	Line                 int
	SKU                  string
	Seq                  uint64
	Backordered, Presold int64
	Release              []Part
}

// Shipment is what left a warehouse for an order: each line's units by
// lot and location, under the carrier's tracking number.
type Shipment struct {
	ID           string         `json:"id"`
	Order        string         `json:"order"`
	Channel      string         `json:"channel"`
	ChannelOrder string         `json:"channel_order"`
	Warehouse    string         `json:"warehouse,omitempty"`
	Carrier      string         `json:"carrier,omitempty"`
	Service      string         `json:"service,omitempty"`
	Tracking     string         `json:"tracking"`
	Lines        []ShipmentLine `json:"lines"`
	By           string         `json:"by"`
	At           time.Time      `json:"at"`
}

// ShipmentLine is units of an order line that shipped from one quant.
type ShipmentLine struct {
	Line     int    `json:"line"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Location string `json:"location"`
	LPN      string `json:"lpn,omitempty"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
}
