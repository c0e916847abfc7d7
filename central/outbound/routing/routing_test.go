package routing

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var site = Site{{Code: "S", Regions: []string{"north", "south"}, Priority: 2}, {Code: "N", Regions: []string{"north"}, Priority: 1},
	{Code: "E", Regions: []string{"north"}, Priority: 1}}

func TestCandidatesByPriorityThenCodeThenMain(t *testing.T) {
	assert.Equal(t, []string{"E", "N", "S", Main}, site.Candidates("north"))
	assert.Equal(t, []string{"S", Main}, site.Candidates("south"))
	assert.True(t, site.Served("south"))
	assert.False(t, site.Served("west"), "a region no warehouse names is not served")
	assert.True(t, Site{}.Served("west"), "a site without warehouses ships everywhere from its main one")
	assert.True(t, site.Serves(Main, "west"))
	assert.False(t, site.Serves("N", "south"))
}

// stockOf is what each warehouse has free, by line.
func stockOf(m map[string]map[int]int64) Free {
	return func(wh string, line int) (int64, error) { return m[wh][line], nil }
}

func TestRoute(t *testing.T) {
	needs := []Need{{Line: 1, Quantity: 5}, {Line: 2, Quantity: 2}}
	free := stockOf(map[string]map[int]int64{"N": {1: 4, 2: 2}, "S": {1: 6, 2: 2}, Main: {1: 1}})
	p, err := Route(needs, []string{"N", "S", Main}, free, false, "", false)
	require.NoError(t, err)
	assert.Equal(t, []Take{{1, "S", 5}, {2, "S", 2}}, p.Takes, "the whole order from the first that has it all")
	assert.True(t, p.Bound)
	assert.Equal(t, "S", p.Pinned)

	needs[0].Quantity = 9
	p, _ = Route(needs, []string{"N", "S", Main}, free, true, "", false)
	assert.Equal(t, []Take{{1, "N", 4}, {1, "S", 5}, {2, "N", 2}}, p.Takes, "split: each line through the candidates in turn")
	assert.Empty(t, p.Short)
	assert.False(t, p.Bound)

	p, _ = Route(needs, []string{"N", "S", Main}, free, false, "", false)
	assert.Equal(t, []Take{{1, "S", 6}, {2, "S", 2}}, p.Takes, "no split: the one that has the most")
	assert.Equal(t, map[int]int64{1: 3}, p.Short)
	assert.Equal(t, "S", p.Pinned)

	p, _ = Route(needs, []string{"N", "S", Main}, free, false, "N", true)
	assert.Equal(t, []Take{{1, "N", 4}, {2, "N", 2}}, p.Takes, "an order bound to a warehouse stays there")
	assert.Equal(t, map[int]int64{1: 5}, p.Short)

	p, _ = Route(needs, []string{"X"}, free, false, "", false)
	assert.Empty(t, p.Takes)
	assert.False(t, p.Bound, "nothing anywhere: not bound yet")
}

func TestWarehouseAndTransferValidate(t *testing.T) {
	assert.NoError(t, Warehouse{Code: "N", Name: "north", Regions: []string{"north"}}.Validate())
	assert.Error(t, Warehouse{Code: "TOO-LONG-CODE", Name: "x", Regions: []string{"a"}}.Validate(), "the transit location's code must fit a label")
	assert.Error(t, Warehouse{Code: "N", Name: "north", Regions: []string{"a", "a"}}.Validate())
	assert.Error(t, Transfer{ID: "T", SKU: "A", Quantity: 1, From: "N", To: "N", By: "x"}.Validate())
	assert.Error(t, Transfer{ID: "T", SKU: "A", Quantity: 0, From: "N", To: "S", By: "x"}.Validate())
}
