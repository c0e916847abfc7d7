package app

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Stock leaving a warehouse: a minimal ship-confirm of orders (picking and
// packing at stations come later) and transfers between warehouses.

// ShipRequest confirms that an order's promised units left a warehouse.
type ShipRequest struct {
	// Warehouse is the one that shipped; it may be left out when the
	// order is promised from one warehouse only.
	Warehouse *string `json:"warehouse,omitempty"`
	Tracking  string  `json:"tracking"`
	Carrier   string  `json:"carrier,omitempty"`
	Service   string  `json:"service,omitempty"`
	By        string  `json:"by"`
}

// CheckShip checks a ship-confirm's fields; no store needed.
func CheckShip(r ShipRequest) error {
	var v stock.Invalid
	if r.Tracking == "" || len(r.Tracking) > 64 {
		v.Add("tracking", "is required: the carrier's tracking number (at most 64 characters)")
	}
	if r.By == "" || len(r.By) > 64 {
		v.Add("by", "is required: who shipped (at most 64 characters)")
	}
	if len(r.Carrier) > 64 || len(r.Service) > 64 {
		v.Add("carrier", "carrier and service: at most 64 characters")
	}
	return v.Err()
}

// ShipOrder confirms that everything an order has promised from a
// warehouse left it: the reservations are consumed, the stock is posted
// out of the site (first expiry first, from stock that fits each line's
// lot and shelf life) and ops/shipment carries the tracking number. Only
// paid orders ship.
func (t *Tx) ShipOrder(id string, r ShipRequest) (orders.Shipment, error) {
	o, err := t.st.Order(id)
	if err != nil {
		return orders.Shipment{}, err
	}
	if err := CheckShip(r); err != nil {
		return orders.Shipment{}, err
	}
	switch {
	case o.Status == orders.Cancelled || o.Status == orders.Expired:
		return orders.Shipment{}, stock.Invalid{{Field: "status", Reason: fmt.Sprintf("order %s is %s", id, o.Status)}}
	case o.Payment != orders.Paid:
		return orders.Shipment{}, stock.Invalid{{Field: "payment", Reason: "order " + id + " is not paid: it does not ship"}}
	}
	whs := map[string]bool{}
	for _, l := range o.Lines {
		for _, p := range l.Parts {
			whs[p.Warehouse] = true
		}
	}
	var wh string
	switch {
	case r.Warehouse != nil && !whs[*r.Warehouse]:
		return orders.Shipment{}, stock.Invalid{{Field: "warehouse", Reason: fmt.Sprintf("order %s has nothing promised from %s", id, whName(*r.Warehouse))}}
	case r.Warehouse != nil:
		wh = *r.Warehouse
	case len(whs) == 0:
		return orders.Shipment{}, stock.Invalid{{Field: "status", Reason: fmt.Sprintf("order %s has nothing promised to ship (%s)", id, o.Status)}}
	case len(whs) > 1:
		return orders.Shipment{}, stock.Invalid{{Field: "warehouse", Reason: fmt.Sprintf("order %s is promised from several warehouses: name the one that shipped", id)}}
	default:
		for w := range whs {
			wh = w
		}
	}
	now := t.now()
	s := orders.Shipment{ID: wire.NewID(), Order: o.ID, Channel: o.Channel, ChannelOrder: o.ChannelOrder, Warehouse: wh,
		Carrier: orDefault(r.Carrier, o.Carrier), Service: orDefault(r.Service, o.Service), Tracking: r.Tracking, By: r.By, At: now}
	before := o.Clone()
	var posted []stock.Posted
	for i := range o.Lines {
		l := &o.Lines[i]
		var keep []orders.Part
		var n int64
		for _, p := range l.Parts {
			if p.Warehouse != wh {
				keep = append(keep, p)
				continue
			}
			res, err := t.st.Reservation(p.Reservation)
			if err != nil {
				return s, err
			}
			if _, err := stock.Release(t.st, p.Reservation, p.Quantity); err != nil {
				return s, err
			}
			ms, err := t.pick(res.SKU, wh, res.Fits, p.Quantity, func(q stock.Quant, take int64) stock.Movement {
				return stock.Movement{ID: wire.NewID(), At: now, SKU: q.SKU, Quantity: take, From: q.Location, LPN: q.LPN, Lot: q.Lot,
					Expiry: q.Expiry, Serial: q.Serial, FromStatus: stock.Available, Reason: "ship", Doc: s.ID, By: r.By, Note: "order " + o.ID}
			})
			if err != nil {
				return s, stock.Invalid{{Field: fmt.Sprintf("lines[%d]", i), Reason: err.Error()}}
			}
			for _, m := range ms {
				s.Lines = append(s.Lines, orders.ShipmentLine{Line: l.Line, SKU: m.SKU, Quantity: m.Quantity, Location: m.From, LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry})
				if err := t.st.AddShipped(m.From, m.SKU, m.Quantity); err != nil {
					return s, err
				}
			}
			posted = append(posted, ms...)
			n += p.Quantity
		}
		l.Parts, l.Promised, l.Shipped = keep, l.Promised-n, l.Shipped+n
	}
	o.Shipments = append(o.Shipments, s.ID)
	o.Record(now, orders.ShippedEvent, "shipment "+s.ID+", tracking "+s.Tracking, r.By)
	if err := t.st.PutShipment(s); err != nil {
		return s, err
	}
	if err := t.publishStock(posted...); err != nil {
		return s, err
	}
	if err := t.saveOrder(&before, &o, wire.OrderShipped); err != nil {
		return s, err
	}
	return s, t.publishShipment(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// pick posts qty of an item out of warehouse wh's available stock that
// fits: first expiry first (stock without one last), then along the pick
// path, never touching what reservations hold on a quant. move makes the
// movement of take units of a quant.
func (t *Tx) pick(sku, wh string, fits func(stock.QuantKey) bool, qty int64, move func(q stock.Quant, take int64) stock.Movement) ([]stock.Posted, error) {
	qs, err := t.st.Quants("")
	if err != nil {
		return nil, err
	}
	type cand struct {
		q    stock.Quant
		free int64
		seq  int
	}
	var cs []cand
	for _, q := range qs {
		if q.SKU != sku || q.Status != stock.Available || !fits(q.QuantKey) {
			continue
		}
		loc, err := t.st.Location(q.Location)
		if err != nil && !errors.Is(err, stock.ErrNotFound) {
			return nil, err
		}
		if loc.Warehouse != wh {
			continue
		}
		held, err := t.st.Allocated(q.QuantKey)
		if err != nil {
			return nil, err
		}
		if q.Quantity > held {
			cs = append(cs, cand{q: q, free: q.Quantity - held, seq: loc.PickSeq})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if a.q.Expiry != b.q.Expiry {
			if a.q.Expiry == "" || b.q.Expiry == "" {
				return cmp.Compare(b.q.Expiry, a.q.Expiry) // the one with an expiry first
			}
			return cmp.Compare(a.q.Expiry, b.q.Expiry)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	var out []stock.Posted
	for _, c := range cs {
		if qty == 0 {
			break
		}
		take := min(qty, c.free)
		p, err := stock.Post(t.st, move(c.q, take))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		qty -= take
	}
	if qty > 0 {
		return nil, fmt.Errorf("%s has %d of %s too few that fit", whName(wh), qty, sku)
	}
	return out, nil
}

// CreateTransfer sends stock of an item from one warehouse to another:
// only stock nobody is promised may go. It leaves the first warehouse at
// once, as in-transit stock at the second's transit location.
func (t *Tx) CreateTransfer(x routing.Transfer) (routing.Transfer, error) {
	v, _ := x.Validate().(stock.Invalid)
	if err := t.checkSelling(&v, "", x.SKU, routing.Main); err != nil {
		return x, err
	}
	for _, f := range []struct{ field, code string }{{"from", x.From}, {"to", x.To}} {
		if f.code == "" {
			continue
		}
		if _, err := t.st.WarehouseByCode(f.code); errors.Is(err, stock.ErrNotFound) {
			v.Add(f.field, "warehouse %q does not exist", f.code)
		} else if err != nil {
			return x, err
		}
	}
	if err := v.Err(); err != nil {
		return x, err
	}
	if err := exists(t.st.Transfer, x.ID, "transfer"); err != nil {
		return x, err
	}
	d := stock.Reservation{Lot: x.Lot}
	free, err := stock.AvailableToPromise(t.st, stock.Pool{SKU: x.SKU, Warehouse: x.From})
	if err != nil {
		return x, err
	}
	if free < x.Quantity {
		return x, stock.Invalid{{Field: "quantity", Reason: fmt.Sprintf("only %d of %s in warehouse %s are not promised", free, x.SKU, x.From)}}
	}
	transit := routing.TransitLocation(x.To)
	if l, err := t.st.Location(transit); errors.Is(err, stock.ErrNotFound) {
		if err := t.st.PutLocation(stock.Location{Code: transit, Type: stock.LocTransit, Warehouse: x.To}); err != nil {
			return x, err
		}
	} else if err != nil {
		return x, err
	} else if l.Warehouse != x.To || l.Type != stock.LocTransit {
		return x, stock.Invalid{{Field: "to", Reason: fmt.Sprintf("location %s exists and is not warehouse %s's transit location", transit, x.To)}}
	}
	now := t.now()
	x.Status, x.Created = routing.InTransit, now
	ms, err := t.pick(x.SKU, x.From, d.Fits, x.Quantity, func(q stock.Quant, take int64) stock.Movement {
		return stock.Movement{ID: wire.NewID(), At: now, SKU: q.SKU, Quantity: take, From: q.Location, To: transit, LPN: q.LPN, Lot: q.Lot,
			Expiry: q.Expiry, Serial: q.Serial, FromStatus: stock.Available, ToStatus: stock.InTransit, Reason: "transfer-out", Doc: x.ID, By: x.By}
	})
	if err != nil {
		return x, stock.Invalid{{Field: "quantity", Reason: err.Error()}}
	}
	for _, m := range ms {
		x.Parts = append(x.Parts, routing.TransitLot{LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry, Serial: m.Serial, Quantity: m.Quantity})
	}
	if err := t.st.PutTransfer(x); err != nil {
		return x, err
	}
	return x, t.publishStock(ms...)
}

// ReceiveTransfer books a transfer's arrival: its stock becomes available
// at the destination (its receiving location unless another location of
// the warehouse is named) and goes to whoever waits for it there.
func (t *Tx) ReceiveTransfer(id, location, by string) (routing.Transfer, error) {
	x, err := t.st.Transfer(id)
	if err != nil {
		return x, err
	}
	var v stock.Invalid
	if x.Status != routing.InTransit {
		v.Add("status", "transfer %s is %s already", id, x.Status)
	}
	if by == "" || len(by) > 64 {
		v.Add("by", "is required: who received it")
	}
	if location == "" {
		w, err := t.st.WarehouseByCode(x.To)
		if err != nil {
			return x, err
		}
		if location = w.Receiving; location == "" {
			v.Add("location", "warehouse %s has no receiving location: name the location", x.To)
		}
	}
	if location != "" {
		l, err := t.st.Location(location)
		switch {
		case errors.Is(err, stock.ErrNotFound):
			v.Add("location", "location %s does not exist", location)
		case err != nil:
			return x, err
		case l.Warehouse != x.To || l.Type == stock.LocTransit:
			v.Add("location", "location %s is not a location of warehouse %s to receive at", location, x.To)
		}
	}
	if err := v.Err(); err != nil {
		return x, err
	}
	now := t.now()
	var ms []stock.Posted
	for _, p := range x.Parts {
		m, err := stock.Post(t.st, stock.Movement{ID: wire.NewID(), At: now, SKU: x.SKU, Quantity: p.Quantity, From: routing.TransitLocation(x.To),
			To: location, LPN: p.LPN, Lot: p.Lot, Expiry: p.Expiry, Serial: p.Serial, FromStatus: stock.InTransit, ToStatus: stock.Available,
			Reason: "transfer-in", Doc: x.ID, By: by})
		if err != nil {
			return x, err
		}
		ms = append(ms, m)
	}
	x.Status, x.Received, x.ReceiveAt = routing.Arrived, &now, location
	if err := t.st.PutTransfer(x); err != nil {
		return x, err
	}
	return x, t.publishStock(ms...)
}
