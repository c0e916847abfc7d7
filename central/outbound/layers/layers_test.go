package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dockhand/dockhand/central/stock"
)

func inputs() Inputs {
	wh := map[string]string{"N-01": "N", "T-N": "N", "B1": ""}
	q := func(loc string, st stock.Status, n int64) stock.Quant {
		return stock.Quant{QuantKey: stock.QuantKey{SKU: "A", Location: loc, Status: st}, Quantity: n}
	}
	return Inputs{SKU: "A",
		Quants:     []stock.Quant{q("N-01", stock.Available, 8), q("N-01", stock.Damaged, 1), q("T-N", stock.InTransit, 3), q("B1", stock.Available, 5)},
		Warehouse:  func(loc string) string { return wh[loc] },
		Pools:      []stock.PoolBalance{{Pool: stock.Pool{SKU: "A", Warehouse: "N"}, Available: 8, Reserved: 6}, {Pool: stock.Pool{SKU: "A"}, Available: 5, Reserved: 1}},
		SetAside:   map[string]int64{"N": 2},
		Allocated:  map[stock.QuantKey]int64{},
		Shipped:    map[string]int64{"B1": 4},
		Inbound:    map[string]int64{"": 20},
		Channels:   map[string]Counters{"SHOP": {Locked: 3, Sold: 6, Shipped: 4}, "MKT": {Sold: 0}},
		Promotion:  map[string]int64{"SHOP": 2},
		Presale:    map[string]int64{"MKT": 7},
		Warehouses: []string{"", "N"},
		Regions:    map[string][]string{"north": {"N", ""}, "south": {""}},
	}
}

func TestLayersReconcile(t *testing.T) {
	l := Compute(inputs())
	assert.Empty(t, Check(l, inputs().Regions))
	assert.Equal(t, Dispatch{OnHand: 14, Available: 13, InTransit: 3, Inbound: 20, Unsellable: 1, Allocated: 5, SetAside: 2}, l.Total)
	assert.Equal(t, []Sales{{Channel: "MKT", Sellable: 6 + 7}, {Channel: "SHOP", Sellable: 6 + 2, Locked: 3, Sold: 6, Promotion: 2}}, l.Sales,
		"sellable: what is free in every warehouse (N 0, main 4 … ) plus the channel's promotions and pre-sales")
	assert.Equal(t, []Bin{{Location: "B1", Available: 5, Shipped: 4}, {Location: "N-01", Warehouse: "N", Available: 8, Unavailable: 1},
		{Location: "T-N", Warehouse: "N", Unavailable: 3}}, l.Bins)
}

// Each statement of Check can fail: a layer that does not add up is named.
func TestLayersCheckFindsWhatDoesNotAddUp(t *testing.T) {
	for name, c := range map[string]struct {
		break_ func(*Layers)
		want   string
	}{
		"total":       {func(l *Layers) { l.Total.OnHand++ }, "the total"},
		"region":      {func(l *Layers) { l.Regions[0].Available-- }, "region north"},
		"on hand":     {func(l *Layers) { l.Warehouses[1].OnHand++; l.Total.OnHand++ }, "on hand"},
		"bins":        {func(l *Layers) { l.Bins[0].Available-- }, "its bins hold"},
		"unavailable": {func(l *Layers) { l.Bins[2].Unavailable++ }, "unavailable"},
		"held":        {func(l *Layers) { l.Sales[1].Sold++ }, "the channels hold"},
		"promotion":   {func(l *Layers) { l.Sales[1].Promotion++; l.Sales[1].Sellable++ }, "promotions hold"},
		"oversold":    {func(l *Layers) { l.Warehouses[0].Allocated += 9; l.Total.Allocated += 9 }, "exceed available"},
	} {
		l := Compute(inputs())
		c.break_(&l)
		problems := Check(l, inputs().Regions)
		found := false
		for _, p := range problems {
			found = found || contains(p, c.want)
		}
		assert.True(t, found, "%s: %q", name, problems)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
