package orders

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Request is an order as a channel sends it.
type Request struct {
	Channel      string        `json:"channel"`
	ChannelOrder string        `json:"channel_order"`
	Payment      Payment       `json:"payment"`
	ShipTo       Address       `json:"ship_to"`
	Region       string        `json:"region"`
	Priority     int           `json:"priority,omitempty"`
	Carrier      string        `json:"carrier,omitempty"`
	Service      string        `json:"service,omitempty"`
	CutOff       *time.Time    `json:"cut_off,omitempty"`
	Campaign     string        `json:"campaign,omitempty"`
	Presale      string        `json:"presale,omitempty"`
	Lines        []LineRequest `json:"lines"`
}

// LineRequest is one line as a channel sends it. Line numbers are the
// channel's (1 to MaxLines; by default the line's position).
type LineRequest struct {
	Line             int      `json:"line,omitempty"`
	SKU              string   `json:"sku"`
	Quantity         Quantity `json:"quantity"`
	Lot              string   `json:"lot,omitempty"`
	MinShelfLifeDays int      `json:"min_shelf_life_days,omitempty"`
}

// ChangeRequest changes an order: its lines as they should be now (lines
// matched by number; a line left out is removed) and, when given, its
// delivery details. The region cannot change: promises were made for it.
type ChangeRequest struct {
	Lines    []LineRequest `json:"lines"`
	ShipTo   *Address      `json:"ship_to,omitempty"`
	Priority *int          `json:"priority,omitempty"`
	Carrier  *string       `json:"carrier,omitempty"`
	Service  *string       `json:"service,omitempty"`
	CutOff   *time.Time    `json:"cut_off,omitempty"`
	Region   *string       `json:"region,omitempty"`
	By       string        `json:"by,omitempty"`
}

// Quantity is a line's quantity as the client wrote it, so that a
// fraction, an exponent or a string is refused by name ("must be a whole
// number of units") rather than as a JSON type error.
type Quantity struct{ raw string }

// Qty is the quantity n, as a client would write it.
func Qty(n int64) Quantity { return Quantity{raw: strconv.FormatInt(n, 10)} }

// UnmarshalJSON keeps the JSON value as written.
func (q *Quantity) UnmarshalJSON(b []byte) error { q.raw = string(b); return nil }

// MarshalJSON writes the value as it was read.
func (q Quantity) MarshalJSON() ([]byte, error) {
	if q.raw == "" {
		return []byte("null"), nil
	}
	return []byte(q.raw), nil
}

// value parses the quantity of a unit-counted item.
func (q Quantity) value(unit string) (int64, string) {
	s := q.raw
	switch {
	case s == "" || s == "null":
		return 0, "is required"
	case strings.HasPrefix(s, `"`):
		return 0, "must be a number, not a string"
	case strings.ContainsAny(s, ".eE"):
		if unit == "" {
			unit = "each"
		}
		return 0, fmt.Sprintf("must be a whole number of units (%s), got %s", unit, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, fmt.Sprintf("must be at most %d, got %s", stock.MaxQuantity, s)
	case err != nil:
		return 0, "must be a whole number, got " + s
	case n <= 0:
		return 0, fmt.Sprintf("must be positive, got %d", n)
	case n > stock.MaxQuantity:
		return 0, fmt.Sprintf("must be at most %d, got %d", stock.MaxQuantity, n)
	}
	return n, ""
}

// Limits of an order.
const (
	MaxLines        = 1000
	MaxShelfLife    = 3650 // days
	MaxPriority     = 9
	maxRegion       = 32
	maxCarrierField = 64
)

// Lookup is what checking an order needs to know of the site. Each
// function returns stock.ErrNotFound for what does not exist.
type Lookup struct {
	Item    func(sku string) (stock.Item, error)
	Channel func(id string) (Channel, error)
	// Served reports whether some warehouse ships to a region.
	Served func(region string) (bool, error)
}

// Checked is a request that passed every check: the order to promise.
type Checked struct {
	Order   Order
	Channel Channel
}

// Check checks a request completely, naming every field that is wrong,
// and returns the order it makes (status, promises and history still to
// come). now fixes minimum expiries and refuses cut-offs in the past.
func Check(r Request, now time.Time, look Lookup) (Checked, error) {
	var v stock.Invalid
	ch, err := look.Channel(r.Channel)
	switch {
	case r.Channel == "":
		v.Add("channel", "is required")
	case errors.Is(err, stock.ErrNotFound):
		v.Add("channel", "channel %q does not exist", r.Channel)
	case err != nil:
		return Checked{}, err
	}
	if !stock.ValidCode(r.ChannelOrder) {
		v.Add("channel_order", "is required: the channel's order id, %s", stock.CodeRule)
	}
	if r.Payment != Paid && r.Payment != Unpaid {
		v.Add("payment", "must be %q or %q", Paid, Unpaid)
	}
	o := Order{Channel: r.Channel, ChannelOrder: r.ChannelOrder, Payment: r.Payment, ShipTo: r.ShipTo, Region: r.Region,
		Priority: r.Priority, Carrier: r.Carrier, Service: r.Service, CutOff: r.CutOff, Campaign: r.Campaign, Presale: r.Presale,
		Created: now, Updated: now}
	checkDelivery(&v, r.ShipTo, r.Priority, r.Carrier, r.Service, r.CutOff, now)
	if r.Region == "" || len(r.Region) > maxRegion || !stock.ValidCode(r.Region) {
		v.Add("region", "is required: the region the order ships to (1-%d characters, a code)", maxRegion)
	} else if ok, err := look.Served(r.Region); err != nil {
		return Checked{}, err
	} else if !ok {
		v.Add("region", "no warehouse ships to region %q", r.Region)
	}
	if r.Campaign != "" && !stock.ValidCode(r.Campaign) {
		v.Add("campaign", "is not a promotion id")
	}
	if r.Presale != "" && !stock.ValidCode(r.Presale) {
		v.Add("presale", "is not a pre-sale id")
	}
	lines, err := checkLines(&v, r.Lines, now, look)
	if err != nil {
		return Checked{}, err
	}
	o.Lines = lines
	return Checked{Order: o, Channel: ch}, v.Err()
}

// CheckChange checks a change of order o and returns its lines as they
// are to be (numbers and constraints only; what is promised is not yet
// moved). A line may not drop below what has shipped.
func CheckChange(o Order, c ChangeRequest, now time.Time, look Lookup) ([]Line, error) {
	var v stock.Invalid
	if o.Status.Final() {
		v.Add("status", "order %s is %s: it can no longer change", o.ID, o.Status)
	}
	if c.Region != nil && *c.Region != o.Region {
		v.Add("region", "cannot change: the order was promised for region %q; cancel it and order again", o.Region)
	}
	ship := o.ShipTo
	if c.ShipTo != nil {
		ship = *c.ShipTo
	}
	pick := func(p *string, s string) string {
		if p != nil {
			return *p
		}
		return s
	}
	prio := o.Priority
	if c.Priority != nil {
		prio = *c.Priority
	}
	checkDelivery(&v, ship, prio, pick(c.Carrier, o.Carrier), pick(c.Service, o.Service), c.CutOff, now)
	if len(c.By) > 64 {
		v.Add("by", "at most 64 characters")
	}
	lines, err := checkLines(&v, c.Lines, now, look)
	if err != nil {
		return nil, err
	}
	for i, nl := range lines {
		if ol, ok := o.Line(nl.Line); ok && same(*ol, nl) && nl.Quantity < ol.Shipped {
			v.Add(fmt.Sprintf("lines[%d].quantity", i), "%d of line %d have shipped; it cannot be less", ol.Shipped, nl.Line)
		} else if ok && !same(*ol, nl) && ol.Shipped > 0 {
			v.Add(fmt.Sprintf("lines[%d].sku", i), "line %d has shipped %s; its item, lot and shelf life cannot change", nl.Line, ol.SKU)
		}
	}
	for _, ol := range o.Lines {
		kept := false
		for _, nl := range lines {
			kept = kept || nl.Line == ol.Line
		}
		if !kept && ol.Shipped > 0 {
			v.Add("lines", "line %d has shipped %d; it cannot be removed", ol.Line, ol.Shipped)
		}
	}
	return lines, v.Err()
}

// same reports whether two lines ask for the same stock (item, lot, shelf
// life): a change of quantity only.
func same(a, b Line) bool {
	return a.SKU == b.SKU && a.Lot == b.Lot && a.MinShelfLifeDays == b.MinShelfLifeDays
}

// Same reports whether two versions of a line ask for the same stock.
func Same(a, b Line) bool { return same(a, b) }

// checkDelivery checks where and how an order ships.
func checkDelivery(v *stock.Invalid, a Address, prio int, carrier, service string, cut *time.Time, now time.Time) {
	if a.Name == "" || len(a.Name) > 200 {
		v.Add("ship_to.name", "is required, at most 200 bytes")
	}
	for _, f := range []struct{ name, val string }{{"street", a.Street}, {"city", a.City}, {"postcode", a.Postcode}, {"phone", a.Phone}} {
		if len(f.val) > 200 {
			v.Add("ship_to."+f.name, "at most 200 bytes")
		}
	}
	if a.Country != "" && (len(a.Country) != 2 || strings.ToUpper(a.Country) != a.Country || !letters(a.Country)) {
		v.Add("ship_to.country", "must be an ISO 3166-1 alpha-2 code such as DE or CN")
	}
	if prio < 0 || prio > MaxPriority {
		v.Add("priority", "must be 0 to %d", MaxPriority)
	}
	if len(carrier) > maxCarrierField {
		v.Add("carrier", "at most %d characters", maxCarrierField)
	}
	if len(service) > maxCarrierField {
		v.Add("service", "at most %d characters", maxCarrierField)
	}
	if cut != nil && !cut.After(now) {
		v.Add("cut_off", "%s is in the past", cut.UTC().Format(time.RFC3339))
	}
}

func letters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// checkLines checks request lines and returns them as order lines.
func checkLines(v *stock.Invalid, in []LineRequest, now time.Time, look Lookup) ([]Line, error) {
	switch {
	case len(in) == 0:
		v.Add("lines", "at least one line is required")
	case len(in) > MaxLines:
		v.Add("lines", "at most %d lines", MaxLines)
		return nil, nil
	}
	var out []Line
	numbers := map[int]int{}
	type want struct {
		sku, lot string
		days     int
	}
	wants := map[want]int{}
	for i, r := range in {
		f := fmt.Sprintf("lines[%d].", i)
		n := r.Line
		if n == 0 {
			n = i + 1
		}
		if n < 1 || n > MaxLines {
			v.Add(f+"line", "must be 1 to %d", MaxLines)
		} else if j, dup := numbers[n]; dup {
			v.Add(f+"line", "line %d is lines[%d] already", n, j)
		}
		numbers[n] = i
		var unit string
		it, err := look.Item(r.SKU)
		switch {
		case r.SKU == "":
			v.Add(f+"sku", "is required")
		case errors.Is(err, stock.ErrNotFound):
			v.Add(f+"sku", "item %q does not exist", r.SKU)
		case err != nil:
			return nil, err
		default:
			unit = it.Unit
		}
		qty, why := r.Quantity.value(unit)
		if why != "" {
			v.Add(f+"quantity", "%s", why)
		}
		if len(r.Lot) > 20 {
			v.Add(f+"lot", "at most 20 characters (GS1 AI 10)")
		}
		if r.MinShelfLifeDays < 0 || r.MinShelfLifeDays > MaxShelfLife {
			v.Add(f+"min_shelf_life_days", "must be 0 to %d days", MaxShelfLife)
		}
		w := want{r.SKU, r.Lot, r.MinShelfLifeDays}
		if j, dup := wants[w]; dup && r.SKU != "" {
			v.Add(f+"sku", "%s is ordered in lines[%d] already: one line per item (and lot)", r.SKU, j)
		}
		wants[w] = i
		l := Line{Line: n, SKU: r.SKU, Quantity: qty, Lot: r.Lot, MinShelfLifeDays: r.MinShelfLifeDays}
		if r.MinShelfLifeDays > 0 {
			l.MinExpiry = now.UTC().AddDate(0, 0, r.MinShelfLifeDays).Format(time.DateOnly)
		}
		out = append(out, l)
	}
	return out, nil
}
