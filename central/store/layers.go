package store

import (
	"cmp"
	"maps"
	"slices"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/stock"
)

// LayerRegions are the warehouses serving each region ("" the main one,
// which serves them all), as the layers sum them.
func LayerRegions(site routing.Site) map[string][]string {
	out := map[string][]string{}
	for _, w := range site {
		for _, r := range w.Regions {
			out[r] = append(out[r], w.Code)
		}
	}
	for r := range out {
		out[r] = append(out[r], routing.Main)
	}
	return out
}

// LayersOf computes the layers of items (package layers) from what the
// store keeps, reading what they share once.
func LayersOf(tx Tx, skus []string) (map[string]layers.Layers, error) {
	want := map[string]bool{}
	for _, s := range skus {
		want[s] = true
	}
	site, err := tx.Warehouses()
	if err != nil {
		return nil, err
	}
	whs := []string{routing.Main}
	for _, w := range site {
		whs = append(whs, w.Code)
	}
	regions := LayerRegions(site)
	ins := map[string]*layers.Inputs{}
	for _, s := range skus {
		ins[s] = &layers.Inputs{SKU: s, SetAside: map[string]int64{}, Allocated: map[stock.QuantKey]int64{}, Inbound: map[string]int64{},
			Promotion: map[string]int64{}, Presale: map[string]int64{}, Warehouses: whs, Regions: regions}
	}
	var werr error
	warehouseOf := func(loc string) string {
		wh, err := tx.Warehouse(loc)
		werr = cmp.Or(werr, err)
		return wh
	}
	qs, err := tx.Quants("")
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		in, ok := ins[q.SKU]
		if !ok {
			continue
		}
		in.Quants = append(in.Quants, q)
		if n, err := tx.Allocated(q.QuantKey); err != nil {
			return nil, err
		} else if n > 0 {
			in.Allocated[q.QuantKey] = n
		}
	}
	promos, err := tx.Promotions()
	if err != nil {
		return nil, err
	}
	for _, p := range promos {
		if in, ok := ins[p.SKU]; ok && p.Left > 0 {
			in.SetAside[p.Warehouse] += p.Left
			in.Promotion[p.Channel] += p.Left
		}
	}
	pres, err := tx.Presales()
	if err != nil {
		return nil, err
	}
	for _, p := range pres {
		if in, ok := ins[p.SKU]; ok && p.Status == campaigns.Active {
			in.Presale[p.Channel] += p.Cap - p.Sold
		}
	}
	asns, err := tx.OpenASNs()
	if err != nil {
		return nil, err
	}
	for _, a := range asns {
		for _, p := range a.Progress {
			if in, ok := ins[p.SKU]; ok && a.Status == inbound.ASNOpen {
				in.Inbound[routing.Main] += max(p.Expected-p.Received, 0)
			}
		}
	}
	out := map[string]layers.Layers{}
	for _, sku := range slices.Sorted(maps.Keys(want)) {
		in := ins[sku]
		in.Warehouse = warehouseOf
		if in.Pools, err = tx.Pools(sku); err != nil {
			return nil, err
		}
		if in.Shipped, err = tx.ShippedOf(sku); err != nil {
			return nil, err
		}
		if in.Channels, err = tx.SalesCountersOf(sku); err != nil {
			return nil, err
		}
		out[sku] = layers.Compute(*in)
	}
	return out, werr
}
