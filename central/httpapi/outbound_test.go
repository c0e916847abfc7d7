package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// shop is seed's site with a channel that backorders and 10 TEA.
func shop(t *testing.T) *api {
	a := newAPI(t)
	seed(t, a)
	a.ok("POST", "/api/v1/items", `{"sku":"CUP","name":"Cup","unit":"each"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/channels", `{"id":"SHOP","name":"Web shop","shortage":"backorder"}`, http.StatusCreated)
	return a
}

// orderBody is a good order with one field replaced (by a raw JSON
// fragment, `"region":"south"`), or its lines.
func orderBody(lines string, extra ...string) string {
	b := `{"channel":"SHOP","channel_order":"1001","payment":"paid","ship_to":{"name":"Ada"},"region":"north","lines":` + lines
	for _, e := range extra {
		b += "," + e
	}
	return b + "}"
}

// nothingWritten checks that no order, reservation or message exists.
func nothingWritten(t *testing.T, a *api) {
	t.Helper()
	assert.Empty(t, a.list("/api/v1/orders"), "no order")
	require.NoError(t, a.st.View(context.Background(), func(tx store.Tx) error {
		rs, err := tx.AllReservations()
		assert.Empty(t, rs, "no reservation")
		return err
	}))
	assert.Zero(t, queued(t, a)["order"], "no ops/order")
}

// Every bad input of the issue is a 422 naming its field, and nothing of
// it is written.
func TestOrderBadInputIs422NamingTheField(t *testing.T) {
	a := shop(t)
	for name, c := range map[string]struct{ body, field string }{
		"unknown SKU":          {orderBody(`[{"sku":"NOPE","quantity":1}]`), "lines[0].sku"},
		"zero quantity":        {orderBody(`[{"sku":"TEA","quantity":0}]`), "lines[0].quantity"},
		"negative quantity":    {orderBody(`[{"sku":"TEA","quantity":-2}]`), "lines[0].quantity"},
		"fractional quantity":  {orderBody(`[{"sku":"TEA","quantity":1}, {"sku":"CUP","quantity":1.5}]`), "lines[1].quantity"},
		"exponent quantity":    {orderBody(`[{"sku":"TEA","quantity":1e2}]`), "lines[0].quantity"},
		"quantity as a string": {orderBody(`[{"sku":"TEA","quantity":"3"}]`), "lines[0].quantity"},
		"huge quantity":        {orderBody(`[{"sku":"TEA","quantity":99999999999999999999}]`), "lines[0].quantity"},
		"duplicate lines":      {orderBody(`[{"sku":"TEA","quantity":1},{"sku":"TEA","quantity":2}]`), "lines[1].sku"},
		"cut-off in the past":  {orderBody(`[{"sku":"TEA","quantity":1}]`, `"cut_off":"2020-01-01T00:00:00Z"`), "cut_off"},
		"region nobody serves": {strings.Replace(orderBody(`[{"sku":"TEA","quantity":1}]`), `"north"`, `"nowhere land"`, 1), "region"},
		"unknown channel":      {strings.Replace(orderBody(`[{"sku":"TEA","quantity":1}]`), `"SHOP"`, `"EBAY"`, 1), "channel"},
		"a lot no label takes": {orderBody(`[{"sku":"TEA","quantity":1,"lot":"L 1\u00e9"}]`), "lines[0].lot"},
		"no lines":             {orderBody(`[]`), "lines"},
	} {
		code, v, _ := a.do("POST", "/api/v1/orders", c.body)
		assert.Equal(t, http.StatusUnprocessableEntity, code, "%s: %v", name, v)
		assert.Contains(t, fields(v), c.field, "%s: %v", name, v)
	}
	nothingWritten(t, a)

	// A region nobody serves once warehouses are defined.
	a.ok("POST", "/api/v1/warehouses", `{"code":"N","name":"North","regions":["north"]}`, http.StatusCreated)
	code, v, _ := a.do("POST", "/api/v1/orders", strings.Replace(orderBody(`[{"sku":"TEA","quantity":1}]`), `"north"`, `"south"`, 1))
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"region"}, fields(v))
	nothingWritten(t, a)

	// Cancel after shipment.
	o := a.ok("POST", "/api/v1/orders", orderBody(`[{"sku":"TEA","quantity":2}]`), http.StatusCreated)
	id := o["id"].(string)
	a.ok("POST", "/api/v1/orders/"+id+"/ship", `{"tracking":"1Z","by":"packer"}`, http.StatusCreated)
	before := queued(t, a)
	code, v, _ = a.do("POST", "/api/v1/orders/"+id+"/cancel", `{"by":"cs"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"status"}, fields(v))
	assert.Equal(t, before, queued(t, a), "a refused cancel publishes nothing")
	got := a.ok("GET", "/api/v1/orders/"+id, "", http.StatusOK)
	assert.Equal(t, "shipped", got["status"])
}

// An order is idempotent by its channel's order id: the same order again
// is the first answer; another body under the same id is a conflict.
func TestOrderIdempotentByChannelOrderID(t *testing.T) {
	a := shop(t)
	body := orderBody(`[{"sku":"TEA","quantity":6}]`)
	req := func(b string) *httptest.ResponseRecorder {
		return a.exchange(httptest.NewRequest("POST", "/api/v1/orders", strings.NewReader(b)))
	}
	first := req(body)
	require.Equal(t, http.StatusCreated, first.Code, first.Body.String())
	assert.Empty(t, first.Header().Get("Idempotent-Replay"))
	a.ok("POST", "/api/v1/orders", strings.Replace(body, "1001", "1002", 1), http.StatusCreated) // takes the other 4
	again := req(" " + strings.ReplaceAll(body, ",", " , ") + "\n")
	assert.Equal(t, http.StatusCreated, again.Code)
	assert.Equal(t, "true", again.Header().Get("Idempotent-Replay"))
	assert.JSONEq(t, first.Body.String(), again.Body.String(), "the first answer, though stock changed since")
	other := req(orderBody(`[{"sku":"TEA","quantity":7}]`))
	assert.Equal(t, http.StatusConflict, other.Code, other.Body.String())
	assert.Contains(t, other.Body.String(), `"conflict"`)
	assert.Len(t, a.list("/api/v1/orders?channel=SHOP"), 2)
	one := a.list("/api/v1/orders?channel=SHOP&channel_order=1002")
	require.Len(t, one, 1)
	assert.Equal(t, "partly-backordered", one[0]["status"])
	code, _, _ := a.do("GET", "/api/v1/orders?channel_order=1002", "")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _, _ = a.do("GET", "/api/v1/orders?status=lost", "")
	assert.Equal(t, http.StatusBadRequest, code)
}

// Every new command refuses what a hostile client may send: no token or a
// wrong one, a huge or endless body, broken JSON, another Content-Type,
// fields central keeps, unknown fields, overlong strings; every new read
// a forged path or a bad page.
func TestOutboundEndpointsRefuseForgedOversizedMalformed(t *testing.T) {
	a := shop(t)
	o := a.ok("POST", "/api/v1/orders", orderBody(`[{"sku":"TEA","quantity":1}]`), http.StatusCreated)
	id := o["id"].(string)
	a.ok("POST", "/api/v1/warehouses", `{"code":"N","name":"North","regions":["north"]}`, http.StatusCreated)
	commands := map[string]string{
		"/api/v1/channels":                 `{"id":"C2","name":"x","shortage":"refuse"}`,
		"/api/v1/warehouses":               `{"code":"S","name":"x","regions":["south"]}`,
		"/api/v1/orders":                   orderBody(`[{"sku":"TEA","quantity":1}]`),
		"/api/v1/orders/" + id + "/change": `{"lines":[{"sku":"TEA","quantity":1}]}`,
		"/api/v1/orders/" + id + "/pay":    `{"by":"psp"}`,
		"/api/v1/orders/" + id + "/cancel": `{"by":"cs"}`,
		"/api/v1/orders/" + id + "/ship":   `{"tracking":"1Z","by":"p"}`,
		"/api/v1/promotions":               `{"id":"P","channel":"SHOP","sku":"TEA","quantity":1}`,
		"/api/v1/presales":                 `{"id":"PS","channel":"SHOP","sku":"TEA","asn":"A","cap":1}`,
		"/api/v1/transfers":                `{"id":"T","sku":"TEA","quantity":1,"from":"N","to":"S","by":"x"}`,
		"/api/v1/transfers/T/receive":      `{"by":"x"}`,
	}
	for path, good := range commands {
		for name, c := range map[string]struct {
			body, contentType, auth string
			want                    int
		}{
			"no token":       {good, "application/json", "-", http.StatusUnauthorized},
			"wrong token":    {good, "application/json", "Bearer s3cret2", http.StatusUnauthorized},
			"huge body":      {`{"by":"` + strings.Repeat("x", maxBody) + `"}`, "application/json", "", http.StatusRequestEntityTooLarge},
			"broken JSON":    {good[:len(good)-1], "application/json", "", http.StatusBadRequest},
			"trailing data":  {good + `{"x":1}`, "application/json", "", http.StatusBadRequest},
			"deep JSON":      {strings.Repeat(`{"by":`, 20000) + "1" + strings.Repeat("}", 20000), "application/json", "", http.StatusBadRequest},
			"not UTF-8":      {`{"by":"` + "\xff\xfe" + `"}`, "application/json", "", http.StatusBadRequest},
			"form body":      {"by=x", "application/x-www-form-urlencoded", "", http.StatusUnsupportedMediaType},
			"unknown field":  {good[:len(good)-1] + `,"admin":true}`, "application/json", "", http.StatusUnprocessableEntity},
			"overlong field": {good[:len(good)-1] + `,"` + overlongField(path) + `":"` + strings.Repeat("é", 1001) + `"}`, "application/json", "", http.StatusUnprocessableEntity},
		} {
			req := httptest.NewRequest("POST", path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			switch c.auth {
			case "-":
				req.Header["Authorization"] = []string{""}
			case "":
			default:
				req.Header.Set("Authorization", c.auth)
			}
			code, v := a.send(req)
			assert.Equal(t, c.want, code, "%s: %s: %v", path, name, v)
		}
	}
	// Fields central keeps are refused, not taken from the client.
	for path, body := range map[string]string{
		"/api/v1/orders":                   orderBody(`[{"sku":"TEA","quantity":1,"promised":1}]`),
		"/api/v1/channels":                 `{"id":"C3","name":"x","shortage":"refuse","created":"2026-01-01T00:00:00Z"}`,
		"/api/v1/promotions":               `{"id":"P2","channel":"SHOP","sku":"TEA","quantity":1,"left":100,"status":"active"}`,
		"/api/v1/presales":                 `{"id":"PS2","channel":"SHOP","sku":"TEA","asn":"A","cap":1,"served":5}`,
		"/api/v1/transfers":                `{"id":"T2","sku":"TEA","quantity":1,"from":"N","to":"S","by":"x","status":"received"}`,
		"/api/v1/orders/" + id + "/change": `{"lines":[{"sku":"TEA","quantity":1}],"payment":"paid"}`,
	} {
		code, v, _ := a.do("POST", path, body)
		assert.Equal(t, http.StatusUnprocessableEntity, code, "%s: %v", path, v)
	}
	// Reads: forged paths find nothing, bad pages are refused.
	for _, path := range []string{"/api/v1/orders/..%2F..%2Fitems", "/api/v1/orders/" + strings.Repeat("9", 5000), "/api/v1/channels/%00",
		"/api/v1/backorders/NOPE", "/api/v1/stock-layers/NOPE", "/api/v1/shipments/x", "/api/v1/transfers/x", "/api/v1/promotions/x",
		"/api/v1/presales/x", "/api/v1/warehouses/x"} {
		code, _, _ := a.do("GET", path, "")
		assert.Equal(t, http.StatusNotFound, code, path)
	}
	for _, path := range []string{"/api/v1/orders?limit=0", "/api/v1/orders?cursor=***", "/api/v1/backorders/TEA?limit=5000",
		"/api/v1/channels?cursor=!", "/api/v1/shipments?limit=x"} {
		code, _, _ := a.do("GET", path, "")
		assert.Equal(t, http.StatusBadRequest, code, path)
	}
}

// overlongField is a string field of each command's body.
func overlongField(path string) string {
	switch {
	case strings.HasSuffix(path, "/channels"), strings.HasSuffix(path, "/warehouses"):
		return "name"
	case strings.HasSuffix(path, "/orders"):
		return "carrier"
	case strings.HasSuffix(path, "/change"):
		return "by"
	case strings.HasSuffix(path, "/ship"):
		return "carrier"
	case strings.HasSuffix(path, "/promotions"), strings.HasSuffix(path, "/presales"):
		return "warehouse"
	case strings.HasSuffix(path, "/transfers"):
		return "lot"
	default:
		return "by"
	}
}

// The layers over the API reconcile with what was promised and shipped.
func TestStockLayersOverHTTP(t *testing.T) {
	a := shop(t)
	o := a.ok("POST", "/api/v1/orders", orderBody(`[{"sku":"TEA","quantity":4}]`), http.StatusCreated)
	a.ok("POST", "/api/v1/orders", strings.Replace(orderBody(`[{"sku":"TEA","quantity":3}]`), "1001", "1002", 1), http.StatusCreated)
	a.ok("POST", "/api/v1/orders/"+o["id"].(string)+"/ship", `{"tracking":"1Z","by":"p"}`, http.StatusCreated)
	l := a.ok("GET", "/api/v1/stock-layers/TEA", "", http.StatusOK)
	total := l["total"].(map[string]any)
	assert.Equal(t, float64(6), total["on_hand"])
	assert.Equal(t, float64(3), total["allocated"])
	sales := l["sales"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(4+3), sales["sold"], "paid: promised and shipped")
	assert.Equal(t, float64(3), sales["sellable"])
	var shipped float64
	for _, b := range l["bins"].([]any) {
		shipped += b.(map[string]any)["shipped"].(float64)
	}
	assert.Equal(t, float64(4), shipped)
}

// Stock held on a bin for an order (an allocation: picking, next issue)
// does not move: the answer is a 422 naming the quantity, not a 500.
func TestMovingAllocatedStockIs422(t *testing.T) {
	a := shop(t)
	require.NoError(t, a.st.Update(context.Background(), func(tx store.Tx) error {
		if _, err := stock.Reserve(tx, stock.Reservation{ID: "R1", Order: "SO1", Line: "1", SKU: "TEA", Quantity: 4}); err != nil {
			return err
		}
		_, err := stock.Allocate(tx, "R1", stock.QuantKey{SKU: "TEA", Location: "RECV", LPN: "P1", Status: stock.Available}, 4)
		return err
	}))
	code, v, _ := a.do("POST", "/api/v1/moves", `{"sku":"TEA","from":"RECV","to":"A-01-1-01","lpn":"P1","quantity":10,"reason":"relocate","by":"ann"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "%v", v)
	assert.Equal(t, []string{"quantity"}, fields(v))
}
