// Package routing chooses the warehouse an order ships from: the
// warehouses that serve its region, in order of priority, the whole order
// from one when one has it all, split across several only when the
// channel allows. It also describes transfers of stock between
// warehouses. It decides on numbers it is given (what each warehouse has
// free for each line) and keeps no records of its own but its types.
package routing

import (
	"fmt"
	"slices"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Main is the main warehouse: locations without a warehouse (the
// receiving location among them). It ships to every region, after the
// warehouses that name the region.
const Main = ""

// Warehouse is a warehouse that ships orders: the regions it serves and
// its priority among those that serve a region (lower first).
type Warehouse struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Regions  []string `json:"regions"`
	Priority int      `json:"priority"`
	// Receiving is the location transfers to this warehouse arrive at.
	Receiving string    `json:"receiving,omitempty"`
	Created   time.Time `json:"created"`
}

// MaxCode bounds a warehouse's code: its transit location's code
// (TRANSIT-<code>) must fit a label's 20 characters.
const MaxCode = 12

// Validate checks a warehouse's fields.
func (w Warehouse) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(w.Code) || len(w.Code) > MaxCode {
		v.Add("code", "must be 1-%d characters without spaces, '/', '|', '+', '#', '%%' or '?'", MaxCode)
	}
	if w.Name == "" || len(w.Name) > 200 {
		v.Add("name", "is required, at most 200 bytes")
	}
	if len(w.Regions) == 0 || len(w.Regions) > 100 {
		v.Add("regions", "name 1 to 100 regions the warehouse ships to")
	}
	seen := map[string]bool{}
	for i, r := range w.Regions {
		if !stock.ValidCode(r) || len(r) > 32 {
			v.Add(fmt.Sprintf("regions[%d]", i), "is not a region code (1-32 characters)")
		} else if seen[r] {
			v.Add(fmt.Sprintf("regions[%d]", i), "%s is listed twice", r)
		}
		seen[r] = true
	}
	if w.Priority < 0 || w.Priority > 1000 {
		v.Add("priority", "must be 0 to 1000 (lower ships first)")
	}
	if w.Receiving != "" && !stock.ValidCode(w.Receiving) {
		v.Add("receiving", "is not a location code")
	}
	if !w.Created.IsZero() {
		v.Add("created", "is set by central")
	}
	return v.Err()
}

// Serves reports whether the warehouse ships to region.
func (w Warehouse) Serves(region string) bool { return slices.Contains(w.Regions, region) }

// Site is the site's warehouses.
type Site []Warehouse

// Served reports whether some warehouse ships to region. A site that has
// defined no warehouse ships everything from its main warehouse, to any
// region.
func (s Site) Served(region string) bool {
	return len(s) == 0 || slices.ContainsFunc(s, func(w Warehouse) bool { return w.Serves(region) })
}

// Serves reports whether warehouse code ships to region (the main
// warehouse ships everywhere).
func (s Site) Serves(code, region string) bool {
	if code == Main {
		return true
	}
	i := slices.IndexFunc(s, func(w Warehouse) bool { return w.Code == code })
	return i >= 0 && s[i].Serves(region)
}

// Candidates are the warehouses that ship to region, preferred first
// (priority, then code), and the main warehouse last.
func (s Site) Candidates(region string) []string {
	var ws []Warehouse
	for _, w := range s {
		if w.Serves(region) {
			ws = append(ws, w)
		}
	}
	slices.SortStableFunc(ws, func(a, b Warehouse) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		if a.Code < b.Code {
			return -1
		}
		return 1
	})
	out := make([]string, 0, len(ws)+1)
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return append(out, Main)
}

// Need is how much of an order line is to be promised now.
type Need struct {
	Line     int
	Quantity int64
}

// Take is part of a line to promise from a warehouse.
type Take struct {
	Line      int
	Warehouse string
	Quantity  int64
}

// Plan is where an order's needs are to be promised from; Short is what
// no warehouse has, by line. Pinned names the warehouse an order that may
// not be split is bound to ("" with Bound false: not bound yet).
type Plan struct {
	Takes  []Take
	Short  map[int]int64
	Pinned string
	Bound  bool
}

// Free says how much of a line warehouse wh can promise.
type Free func(wh string, line int) (int64, error)

// Route plans an order: the first candidate that has every need in full
// takes the whole order; otherwise, when the order may be split, each
// line takes from the candidates in turn; otherwise the candidate that
// has the most of it takes what it has, and the rest waits for that
// warehouse. pinned, when bound, is the only candidate (an unsplittable
// order already promised from it).
func Route(needs []Need, candidates []string, free Free, split bool, pinned string, bound bool) (Plan, error) {
	p := Plan{Short: map[int]int64{}, Pinned: pinned, Bound: bound}
	if bound {
		candidates = []string{pinned}
	}
	have := map[string]map[int]int64{}
	for _, wh := range candidates {
		have[wh] = map[int]int64{}
		for _, n := range needs {
			f, err := free(wh, n.Line)
			if err != nil {
				return p, err
			}
			have[wh][n.Line] = f
		}
	}
	for _, wh := range candidates {
		if slices.ContainsFunc(needs, func(n Need) bool { return have[wh][n.Line] < n.Quantity }) {
			continue
		}
		for _, n := range needs {
			p.Takes = append(p.Takes, Take{Line: n.Line, Warehouse: wh, Quantity: n.Quantity})
		}
		p.Pinned, p.Bound = wh, !split
		return p, nil
	}
	if split {
		for _, n := range needs {
			left := n.Quantity
			for _, wh := range candidates {
				if t := min(left, have[wh][n.Line]); t > 0 {
					p.Takes = append(p.Takes, Take{Line: n.Line, Warehouse: wh, Quantity: t})
					left -= t
				}
			}
			if left > 0 {
				p.Short[n.Line] = left
			}
		}
		return p, nil
	}
	best, most := "", int64(-1)
	for _, wh := range candidates {
		var sum int64
		for _, n := range needs {
			sum += min(n.Quantity, have[wh][n.Line])
		}
		if sum > most {
			best, most = wh, sum
		}
	}
	for _, n := range needs {
		t := min(n.Quantity, have[best][n.Line])
		if t > 0 {
			p.Takes = append(p.Takes, Take{Line: n.Line, Warehouse: best, Quantity: t})
		}
		if n.Quantity > t {
			p.Short[n.Line] = n.Quantity - t
		}
	}
	if most > 0 {
		p.Pinned, p.Bound = best, true
	}
	return p, nil
}

// Transfer statuses.
const (
	InTransit = "in-transit"
	Arrived   = "received"
)

// Transfer moves stock of an item from one warehouse to another: it
// leaves the first as in-transit stock (at the second's transit location)
// and becomes available at the second when it is received.
type Transfer struct {
	ID        string       `json:"id"`
	SKU       string       `json:"sku"`
	Quantity  int64        `json:"quantity"`
	From      string       `json:"from"`
	To        string       `json:"to"`
	Lot       string       `json:"lot,omitempty"`
	Status    string       `json:"status"`
	Parts     []TransitLot `json:"parts,omitempty"`
	By        string       `json:"by"`
	Created   time.Time    `json:"created"`
	Received  *time.Time   `json:"received,omitempty"`
	ReceiveAt string       `json:"received_at,omitempty"` // the location it arrived at
}

// TransitLot is one quant's worth of a transfer on its way.
type TransitLot struct {
	LPN      string `json:"lpn,omitempty"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Quantity int64  `json:"quantity"`
}

// TransitLocation is where stock on its way to warehouse wh is kept.
func TransitLocation(wh string) string { return "TRANSIT-" + wh }

// Validate checks a transfer's fields (the warehouses' existence is the
// caller's to check).
func (t Transfer) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(t.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	}
	if t.SKU == "" {
		v.Add("sku", "is required")
	}
	v.Quantity("quantity", t.Quantity, 1)
	if t.From == "" {
		v.Add("from", "is required: the warehouse the stock leaves")
	}
	if t.To == "" {
		v.Add("to", "is required: the warehouse the stock goes to")
	} else if t.To == t.From {
		v.Add("to", "must differ from from")
	}
	if t.By == "" || len(t.By) > 64 {
		v.Add("by", "is required: who sends it (at most 64 characters)")
	}
	if len(t.Lot) > 20 {
		v.Add("lot", "at most 20 characters")
	}
	if t.Status != "" || len(t.Parts) > 0 || !t.Created.IsZero() || t.Received != nil || t.ReceiveAt != "" {
		v.Add("status", "status, parts, created and received are kept by central")
	}
	return v.Err()
}
