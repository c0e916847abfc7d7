package orders

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var look = Lookup{
	Item: func(sku string) (stock.Item, error) {
		if sku == "TEA" || sku == "CUP" {
			return stock.Item{SKU: sku, Unit: "each"}, nil
		}
		return stock.Item{}, stock.ErrNotFound
	},
	Channel: func(id string) (Channel, error) {
		if id == "SHOP" {
			return Channel{ID: id, Shortage: Backorder}, nil
		}
		return Channel{}, stock.ErrNotFound
	},
	Served: func(region string) (bool, error) { return region == "north", nil },
}

func raw(s string) Quantity { return Quantity{raw: s} }

func good() Request {
	return Request{Channel: "SHOP", ChannelOrder: "1001", Payment: Paid, ShipTo: Address{Name: "Ada"}, Region: "north",
		Lines: []LineRequest{{SKU: "TEA", Quantity: Qty(2)}, {SKU: "CUP", Quantity: Qty(1), MinShelfLifeDays: 30}}}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var inv stock.Invalid
	require.ErrorAs(t, err, &inv)
	var out []string
	for _, f := range inv {
		out = append(out, f.Field)
	}
	return out
}

func TestCheckMakesTheOrder(t *testing.T) {
	c, err := Check(good(), now, look)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, []int{c.Order.Lines[0].Line, c.Order.Lines[1].Line}, "lines are numbered by position")
	assert.Equal(t, "2026-04-01", c.Order.Lines[1].MinExpiry, "30 days from the day it is ordered")
	assert.Equal(t, int64(2), c.Order.Lines[0].Quantity)
}

// Every bad input is named by its field, all of them in one answer.
func TestCheckNamesEveryBadField(t *testing.T) {
	past := now.Add(-time.Minute)
	for name, c := range map[string]struct {
		change func(*Request)
		want   []string
	}{
		"unknown sku":       {func(r *Request) { r.Lines[0].SKU = "NOPE" }, []string{"lines[0].sku"}},
		"zero":              {func(r *Request) { r.Lines[0].Quantity = Qty(0) }, []string{"lines[0].quantity"}},
		"negative":          {func(r *Request) { r.Lines[1].Quantity = Qty(-3) }, []string{"lines[1].quantity"}},
		"fraction":          {func(r *Request) { r.Lines[0].Quantity = raw("1.5") }, []string{"lines[0].quantity"}},
		"exponent":          {func(r *Request) { r.Lines[0].Quantity = raw("1e3") }, []string{"lines[0].quantity"}},
		"string":            {func(r *Request) { r.Lines[0].Quantity = raw(`"5"`) }, []string{"lines[0].quantity"}},
		"missing":           {func(r *Request) { r.Lines[0].Quantity = Quantity{} }, []string{"lines[0].quantity"}},
		"beyond 64 bits":    {func(r *Request) { r.Lines[0].Quantity = raw("9223372036854775808") }, []string{"lines[0].quantity"}},
		"beyond the limit":  {func(r *Request) { r.Lines[0].Quantity = Qty(stock.MaxQuantity + 1) }, []string{"lines[0].quantity"}},
		"duplicate line":    {func(r *Request) { r.Lines[1] = r.Lines[0] }, []string{"lines[1].sku"}},
		"duplicate number":  {func(r *Request) { r.Lines[0].Line, r.Lines[1].Line = 7, 7 }, []string{"lines[1].line"}},
		"cut-off in past":   {func(r *Request) { r.CutOff = &past }, []string{"cut_off"}},
		"unserved region":   {func(r *Request) { r.Region = "south" }, []string{"region"}},
		"no region":         {func(r *Request) { r.Region = "" }, []string{"region"}},
		"unknown channel":   {func(r *Request) { r.Channel = "EBAY" }, []string{"channel"}},
		"no order id":       {func(r *Request) { r.ChannelOrder = "" }, []string{"channel_order"}},
		"no payment":        {func(r *Request) { r.Payment = "" }, []string{"payment"}},
		"no lines":          {func(r *Request) { r.Lines = nil }, []string{"lines"}},
		"no name":           {func(r *Request) { r.ShipTo.Name = "" }, []string{"ship_to.name"}},
		"bad country":       {func(r *Request) { r.ShipTo.Country = "Germany" }, []string{"ship_to.country"}},
		"priority":          {func(r *Request) { r.Priority = 10 }, []string{"priority"}},
		"shelf life":        {func(r *Request) { r.Lines[1].MinShelfLifeDays = -1 }, []string{"lines[1].min_shelf_life_days"}},
		"two at once":       {func(r *Request) { r.Lines[0].SKU, r.Region = "NOPE", "south" }, []string{"region", "lines[0].sku"}},
		"line out of range": {func(r *Request) { r.Lines[0].Line = MaxLines + 1 }, []string{"lines[0].line"}},
	} {
		r := good()
		c.change(&r)
		_, err := Check(r, now, look)
		assert.ElementsMatch(t, c.want, fieldsOf(t, err), name)
	}
}

func TestChangeMayNotGoBelowWhatShipped(t *testing.T) {
	c, err := Check(good(), now, look)
	require.NoError(t, err)
	o := c.Order
	o.Lines[0].Shipped, o.Lines[0].Promised, o.Status = 2, 0, PartlyShipped
	_, err = CheckChange(o, ChangeRequest{Lines: []LineRequest{{SKU: "TEA", Quantity: Qty(1)}, {SKU: "CUP", Quantity: Qty(1), MinShelfLifeDays: 30}}}, now, look)
	assert.Equal(t, []string{"lines[0].quantity"}, fieldsOf(t, err))
	_, err = CheckChange(o, ChangeRequest{Lines: []LineRequest{{Line: 2, SKU: "CUP", Quantity: Qty(1), MinShelfLifeDays: 30}}}, now, look)
	assert.Equal(t, []string{"lines"}, fieldsOf(t, err), "a shipped line cannot be removed")
	south := "south"
	_, err = CheckChange(o, ChangeRequest{Lines: []LineRequest{{SKU: "TEA", Quantity: Qty(2)}}, Region: &south}, now, look)
	assert.Contains(t, fieldsOf(t, err), "region")
	o.Status = Cancelled
	_, err = CheckChange(o, ChangeRequest{Lines: []LineRequest{{SKU: "TEA", Quantity: Qty(2)}}}, now, look)
	assert.Contains(t, fieldsOf(t, err), "status")
}

func TestShrinkGivesBackRefusedThenWaitingThenNewestPromise(t *testing.T) {
	l := Line{Line: 1, SKU: "TEA", Quantity: 12, Promised: 6, Backordered: 3, Refused: 2, Shipped: 1,
		Parts: []Part{{Reservation: "R1", Quantity: 4}, {Reservation: "R2", Quantity: 2}}}
	require.True(t, l.Balanced())
	bo, ps, rel := l.Shrink(8)
	assert.Equal(t, int64(3), bo)
	assert.Zero(t, ps)
	assert.Equal(t, []Part{{Reservation: "R2", Quantity: 2}, {Reservation: "R1", Quantity: 1}}, rel, "the newest part first")
	assert.True(t, l.Balanced(), "%+v", l)
	assert.Equal(t, int64(4), l.Quantity)
	assert.Equal(t, int64(1), l.Shipped, "what shipped stays")
}

func TestDerive(t *testing.T) {
	for want, lines := range map[Status][]Line{
		Promised:          {{Promised: 2, Refused: 1}},
		PartlyBackordered: {{Promised: 1}, {Backordered: 1}},
		Backordered:       {{Presold: 1}},
		Refused:           {{Refused: 3}},
		PartlyShipped:     {{Shipped: 1, Backordered: 1}},
		Shipped:           {{Shipped: 1, Refused: 1}},
	} {
		assert.Equal(t, want, Order{Lines: lines}.Derive())
	}
	assert.Equal(t, Cancelled, Order{Status: Cancelled, Lines: []Line{{Cancelled: 2}}}.Derive(), "a final status stays")
}
