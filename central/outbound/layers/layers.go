// Package layers computes the three layers of stock of seed 002 for one
// item, each from its own source, so that their reconciliation (Check)
// means something:
//
//   - the sales layer, per channel, from the orders' counters, the
//     promotions and pre-sales: sellable, locked (promised to unpaid
//     orders), sold (paid orders: promised or shipped), promotion (set
//     aside for the channel's campaigns), pre-sale (sold ahead of receipt
//     and still waiting);
//   - the dispatch layer, per warehouse, per region and in total, from the
//     quants and the pools' reservation totals: on hand, available, in
//     transit, inbound (open ASNs), unsellable, allocated (promised to
//     orders) and set aside (for promotions);
//   - the warehouse layer, per bin, from the quants, the allocations on
//     them and the shipments: available, locked, shipped, unavailable.
package layers

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dockhand/dockhand/central/stock"
)

// Sales is one channel's sales layer of an item.
type Sales struct {
	Channel   string `json:"channel"`
	Sellable  int64  `json:"sellable"`
	Locked    int64  `json:"locked"`
	Sold      int64  `json:"sold"`
	Promotion int64  `json:"promotion"`
	Presale   int64  `json:"presale"`
}

// Dispatch is the dispatch layer of an item in one warehouse, one region
// or the whole site.
type Dispatch struct {
	Warehouse  string `json:"warehouse,omitempty"`
	Region     string `json:"region,omitempty"`
	OnHand     int64  `json:"on_hand"`
	Available  int64  `json:"available"`
	InTransit  int64  `json:"in_transit"`
	Inbound    int64  `json:"inbound"`
	Unsellable int64  `json:"unsellable"`
	Allocated  int64  `json:"allocated"`
	SetAside   int64  `json:"set_aside"`
}

// Bin is the warehouse layer of an item at one location.
type Bin struct {
	Location    string `json:"location"`
	Warehouse   string `json:"warehouse,omitempty"`
	Available   int64  `json:"available"`
	Locked      int64  `json:"locked"`
	Shipped     int64  `json:"shipped"`
	Unavailable int64  `json:"unavailable"`
}

// Layers are an item's three layers.
type Layers struct {
	SKU        string     `json:"sku"`
	Sales      []Sales    `json:"sales"`
	Warehouses []Dispatch `json:"warehouses"`
	Regions    []Dispatch `json:"regions"`
	Total      Dispatch   `json:"total"`
	Bins       []Bin      `json:"bins"`
}

// Counters are what a channel's orders hold of an item: promised to
// unpaid orders (Locked), promised or shipped to paid ones (Sold), waiting
// for a pre-sale's goods (Presold), and shipped.
type Counters struct {
	Locked  int64 `json:"locked"`
	Sold    int64 `json:"sold"`
	Presold int64 `json:"presold"`
	Shipped int64 `json:"shipped"`
}

// Add returns c + d.
func (c Counters) Add(d Counters) Counters {
	return Counters{c.Locked + d.Locked, c.Sold + d.Sold, c.Presold + d.Presold, c.Shipped + d.Shipped}
}

// Sub returns c − d.
func (c Counters) Sub(d Counters) Counters {
	return Counters{c.Locked - d.Locked, c.Sold - d.Sold, c.Presold - d.Presold, c.Shipped - d.Shipped}
}

// Zero reports whether every counter is 0.
func (c Counters) Zero() bool { return c == Counters{} }

// Inputs are what the layers of an item are computed from.
type Inputs struct {
	SKU string
	// Quants of the item, and the warehouse of each location.
	Quants    []stock.Quant
	Warehouse func(location string) string
	// Pools of the item; SetAside is what promotions hold of each
	// warehouse's reservations (the rest is allocated to orders).
	Pools    []stock.PoolBalance
	SetAside map[string]int64
	// Allocated is what reservations hold on each quant.
	Allocated map[stock.QuantKey]int64
	// Shipped by location.
	Shipped map[string]int64
	// Inbound is what open ASNs still expect, by warehouse.
	Inbound map[string]int64
	// Channels' counters; Promotion and Presale are what each channel's
	// active promotions still set aside and its pre-sales may still sell.
	Channels  map[string]Counters
	Promotion map[string]int64
	Presale   map[string]int64
	// Warehouses are the site's warehouses ("" the main one) and Regions
	// the warehouses serving each region.
	Warehouses []string
	Regions    map[string][]string
}

// Compute computes an item's layers.
func Compute(in Inputs) Layers {
	l := Layers{SKU: in.SKU, Sales: []Sales{}, Warehouses: []Dispatch{}, Regions: []Dispatch{}, Bins: []Bin{}}
	byWH := map[string]*Dispatch{}
	dispatch := func(wh string) *Dispatch {
		if d, ok := byWH[wh]; ok {
			return d
		}
		d := &Dispatch{Warehouse: wh}
		byWH[wh] = d
		return d
	}
	for _, wh := range in.Warehouses {
		dispatch(wh)
	}
	bins := map[string]*Bin{}
	bin := func(loc string) *Bin {
		if b, ok := bins[loc]; ok {
			return b
		}
		b := &Bin{Location: loc, Warehouse: in.Warehouse(loc)}
		bins[loc] = b
		return b
	}
	for _, q := range in.Quants {
		wh := in.Warehouse(q.Location)
		d, b := dispatch(wh), bin(q.Location)
		switch q.Status {
		case stock.Available:
			held := in.Allocated[q.QuantKey]
			d.OnHand += q.Quantity
			b.Available += q.Quantity - held
			b.Locked += held
		case stock.InTransit:
			d.InTransit += q.Quantity
			b.Unavailable += q.Quantity
		default:
			d.OnHand += q.Quantity
			d.Unsellable += q.Quantity
			b.Unavailable += q.Quantity
		}
	}
	for loc, n := range in.Shipped {
		bin(loc).Shipped += n
	}
	for _, p := range in.Pools {
		d := dispatch(p.Warehouse)
		d.Available = p.Available
		d.SetAside = in.SetAside[p.Warehouse]
		d.Allocated = p.Reserved - d.SetAside
	}
	for wh, n := range in.Inbound {
		dispatch(wh).Inbound += n
	}
	var atp int64
	for _, wh := range slices.Sorted(maps.Keys(byWH)) {
		d := *byWH[wh]
		l.Warehouses = append(l.Warehouses, d)
		l.Total = sum(l.Total, d)
		atp += max(d.Available-d.Allocated-d.SetAside, 0)
	}
	for _, r := range slices.Sorted(maps.Keys(in.Regions)) {
		d := Dispatch{Region: r}
		for _, wh := range in.Regions[r] {
			if w, ok := byWH[wh]; ok {
				d = sum(d, *w)
			}
		}
		l.Regions = append(l.Regions, d)
	}
	channels := map[string]bool{}
	for _, m := range []map[string]int64{in.Promotion, in.Presale} {
		for c := range m {
			channels[c] = true
		}
	}
	for c := range in.Channels {
		channels[c] = true
	}
	for _, c := range slices.Sorted(maps.Keys(channels)) {
		k := in.Channels[c]
		l.Sales = append(l.Sales, Sales{Channel: c, Sellable: atp + in.Promotion[c] + in.Presale[c], Locked: k.Locked, Sold: k.Sold,
			Promotion: in.Promotion[c], Presale: k.Presold})
	}
	for _, loc := range slices.Sorted(maps.Keys(bins)) {
		l.Bins = append(l.Bins, *bins[loc])
	}
	return l
}

func sum(a, b Dispatch) Dispatch {
	a.OnHand += b.OnHand
	a.Available += b.Available
	a.InTransit += b.InTransit
	a.Inbound += b.Inbound
	a.Unsellable += b.Unsellable
	a.Allocated += b.Allocated
	a.SetAside += b.SetAside
	return a
}

// Check says where an item's layers do not reconcile (nothing: they do):
// warehouses add up to the total and to each region (regions names the
// warehouses serving each), on hand is available plus unsellable, bins
// add up to their warehouse, nothing is allocated or set aside beyond
// what is available, and what the channels hold (locked and sold) is what
// the warehouses have allocated plus what they shipped.
func Check(l Layers, regions map[string][]string) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, l.SKU+": "+fmt.Sprintf(format, a...)) }
	var total Dispatch
	byWH := map[string]Dispatch{}
	for _, d := range l.Warehouses {
		total = sum(total, d)
		byWH[d.Warehouse] = d
		if d.OnHand != d.Available+d.Unsellable {
			bad("warehouse %q: on hand %d ≠ available %d + unsellable %d", d.Warehouse, d.OnHand, d.Available, d.Unsellable)
		}
		if d.Allocated+d.SetAside > d.Available || d.Allocated < 0 || d.SetAside < 0 {
			bad("warehouse %q: allocated %d + set aside %d exceed available %d", d.Warehouse, d.Allocated, d.SetAside, d.Available)
		}
	}
	if total != l.Total {
		bad("the total %+v is not the sum of the warehouses %+v", l.Total, total)
	}
	for _, r := range l.Regions {
		want := Dispatch{Region: r.Region}
		for _, wh := range regions[r.Region] {
			want = sum(want, byWH[wh])
		}
		if want != r {
			bad("region %s: %+v is not the sum of its warehouses %+v", r.Region, r, want)
		}
	}
	binSum := map[string]Bin{}
	var shippedBins int64
	for _, b := range l.Bins {
		s := binSum[b.Warehouse]
		s.Available += b.Available
		s.Locked += b.Locked
		s.Unavailable += b.Unavailable
		binSum[b.Warehouse] = s
		shippedBins += b.Shipped
	}
	for wh, s := range binSum {
		d := byWH[wh]
		if s.Available+s.Locked != d.Available {
			bad("warehouse %q: its bins hold %d available and %d locked, the dispatch layer %d available", wh, s.Available, s.Locked, d.Available)
		}
		if s.Unavailable != d.Unsellable+d.InTransit {
			bad("warehouse %q: its bins hold %d unavailable, the dispatch layer %d unsellable and %d in transit", wh, s.Unavailable, d.Unsellable, d.InTransit)
		}
		if s.Locked > d.Allocated {
			bad("warehouse %q: %d locked in bins, only %d allocated", wh, s.Locked, d.Allocated)
		}
	}
	var held, setAside, atp int64
	for _, d := range l.Warehouses {
		atp += max(d.Available-d.Allocated-d.SetAside, 0)
	}
	for _, s := range l.Sales {
		held += s.Locked + s.Sold
		setAside += s.Promotion
		if s.Sellable < atp+s.Promotion {
			bad("channel %s: sellable %d is less than free stock %d and its promotions %d", s.Channel, s.Sellable, atp, s.Promotion)
		}
	}
	if held != total.Allocated+shippedBins {
		bad("the channels hold %d (locked + sold), the warehouses %d allocated and %d shipped", held, total.Allocated, shippedBins)
	}
	if setAside != total.SetAside {
		bad("the channels' promotions hold %d, the warehouses %d set aside", setAside, total.SetAside)
	}
	return out
}
