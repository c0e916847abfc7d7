package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests cover issue 10's findings on the API; each fails on the
// code before the fix. They use only the HTTP surface.

// zeros is an endless body of '0' bytes after an opening quote.
type zeros struct{ started bool }

func (z *zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	if !z.started && len(p) > 0 {
		z.started, p[0] = true, '"'
	}
	return len(p), nil
}

func (a *api) send(req *http.Request) (int, map[string]any) {
	rec := a.exchange(req)
	var v map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	return rec.Code, v
}

func errCode(v map[string]any) string {
	e, _ := v["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// A 100 MB body was answered "unexpected EOF" (400); it is too large.
func TestHugeBodyIs413(t *testing.T) {
	a := newAPI(t)
	declared := httptest.NewRequest("POST", "/api/v1/items", io.LimitReader(&zeros{}, 100<<20))
	declared.ContentLength = 100 << 20
	code, v := a.send(declared)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "declared length: refused before reading")
	assert.Equal(t, "too_large", errCode(v))

	chunked := httptest.NewRequest("POST", "/api/v1/items", io.LimitReader(&zeros{}, 100<<20))
	chunked.ContentLength = -1
	code, v = a.send(chunked)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "no length: refused after the limit")
	assert.Equal(t, "too_large", errCode(v))
}

func TestMalformedBodies(t *testing.T) {
	a := newAPI(t)
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	for name, c := range map[string]struct {
		body, contentType string
		want              int
	}{
		"wrong content type":  {`{"sku":"A","name":"x"}`, "text/plain", http.StatusUnsupportedMediaType},
		"form content type":   {`sku=A&name=x`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		"bad media type":      {`{"sku":"A","name":"x"}`, "application/json; =", http.StatusUnsupportedMediaType},
		"bad UTF-8":           {"{\"sku\":\"A\",\"name\":\"\xff\xfe\"}", "application/json", http.StatusBadRequest},
		"deep JSON":           {deep, "application/json", http.StatusBadRequest},
		"trailing data":       {`{"sku":"A","name":"x"} {"sku":"B"}`, "application/json", http.StatusBadRequest},
		"trailing garbage":    {`{"sku":"A","name":"x"}]`, "", http.StatusBadRequest},
		"empty body":          {``, "application/json", http.StatusBadRequest},
		"array, not object":   {`[1,2]`, "application/json", http.StatusUnprocessableEntity},
		"unknown field":       {`{"sku":"A","name":"x","admin":true}`, "application/json; charset=utf-8", http.StatusUnprocessableEntity},
		"JSON with no header": {`{"sku":"OK-1","name":"x"}`, "", http.StatusCreated},
	} {
		req := httptest.NewRequest("POST", "/api/v1/items", strings.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		code, v := a.send(req)
		assert.Equal(t, c.want, code, "%s: %v", name, v)
	}
	assert.Len(t, a.list("/api/v1/items"), 1, "only the good request created anything")

	// An action without a body may come with any Content-Type (curl -d '').
	req := httptest.NewRequest("POST", "/api/v1/counts/plan", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, v := a.send(req)
	assert.Equal(t, http.StatusOK, code, "%v", v)
}

// A quantity of 9,223,372,036,854,775,807 was accepted and made totals
// wrap; every quantity is bounded (stock.MaxQuantity) and named when
// refused.
func TestQuantitiesAreBounded(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/locations", `{"code":"A-01-1-01","type":"reserve"}`, http.StatusCreated)
	for _, q := range []string{"9223372036854775807", "1000000000000", "100000000", "0", "-1"} {
		code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"106141410000000019","sku":"W-1","quantity":`+q+`}]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, code, "pallet quantity %s", q)
		assert.Equal(t, []string{"pallets[0].quantity"}, fields(v), "pallet quantity %s: %v", q, v)
	}
	for _, q := range []string{"1.5", "1e3", "9223372036854775808", `"5"`, "null5"} {
		code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","lines":[{"sku":"W-1","quantity":`+q+`}]}`)
		assert.Contains(t, []int{http.StatusUnprocessableEntity, http.StatusBadRequest}, code, "line quantity %s: %v", q, v)
	}
	code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","lines":[{"sku":"W-1","quantity":1000000000000}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"lines[0].quantity"}, fields(v))
	code, v, _ = a.do("POST", "/api/v1/asns", `{"id":"ASN-1","lines":[{"sku":"W-1","quantity":999999999999},{"sku":"W-1","quantity":999999999999}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "the ASN's total of one item above the maximum")
	assert.Equal(t, []string{"lines[1].quantity"}, fields(v))

	code, v, _ = a.do("POST", "/api/v1/moves", `{"sku":"W-1","from":"RECEIVING","to":"A-01-1-01","quantity":9223372036854775807,"reason":"r","by":"b"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"quantity"}, fields(v))

	code, v, _ = a.do("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget","packs":[{"uom":"case","quantity":9223372036854775807}],
		"dims":{"length_mm":100000000,"width_mm":1,"height_mm":1}}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.ElementsMatch(t, []string{"packs[0].quantity", "dims.length_mm"}, fields(v))

	a.ok("POST", "/api/v1/suppliers", `{"id":"ACME","name":"ACME"}`, http.StatusCreated)
	code, v, _ = a.do("POST", "/api/v1/pos", `{"id":"PO-1","by":"b","supplier":"ACME","lines":[{"sku":"W-1","quantity":999999999999,"unit_price":999999999999}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "quantity × price would overflow the amount")
	assert.Equal(t, []string{"lines[0].unit_price"}, fields(v))
	code, v, _ = a.do("POST", "/api/v1/pos", `{"id":"PO-1","by":"b","supplier":"ACME","lines":[{"sku":"W-1","quantity":-3,"unit_price":-1}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.ElementsMatch(t, []string{"lines[0].quantity", "lines[0].unit_price"}, fields(v))

	code, v, _ = a.do("POST", "/api/v1/inspection-plans", `{"id":"P","mode":"sample","sample":1,"of":9223372036854775807}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"of"}, fields(v))

	count := a.ok("POST", "/api/v1/counts", `{"location":"A-01-1-01"}`, http.StatusCreated)
	code, v, _ = a.do("POST", "/api/v1/counts/"+count["id"].(string)+"/submit", `{"by":"c","reason":"r","lines":[{"sku":"W-1","quantity":1000000000000}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"lines[0].quantity"}, fields(v))

	assert.Empty(t, a.list("/api/v1/asns"))
	assert.Empty(t, a.list("/api/v1/ledger"))
}

// A lot with '^' was accepted while the gateway refused its label: label
// fields are checked with the labels' own rules (GS1 AI 10 for lots).
func TestLabelFieldsAreCheckedAtTheAPI(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	for _, c := range []struct{ pallet, field string }{
		{`"lot":"L^XA"`, "pallets[0].lot"},
		{`"lot":"L~1"`, "pallets[0].lot"},
		{`"lot":"LOT 1"`, "pallets[0].lot"},
		{`"lot":"L\u001d0112345678901231"`, "pallets[0].lot"},
		{`"lot":"ABCDEFGHIJ0123456789X"`, "pallets[0].lot"},
		{`"lot":"绿茶"`, "pallets[0].lot"},
		{`"expiry":"2101-01-01"`, "pallets[0].expiry"},
		{`"expiry":"27-06-30"`, "pallets[0].expiry"},
	} {
		code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"106141410000000019","sku":"W-1","quantity":5,`+c.pallet+`}]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, code, c.pallet)
		assert.Equal(t, []string{c.field}, fields(v), "%s: %v", c.pallet, v)
	}
	code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","supplier":"ACME","lines":[{"sku":"W-1","quantity":5,"lot":"a^b"}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"lines[0].lot"}, fields(v))
	// Lower case and GS1 punctuation are valid AI 10 data.
	a.ok("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"106141410000000019","sku":"W-1","quantity":99999999,"lot":"lot-7/b_(2)","expiry":"2099-12-31"}]}`, http.StatusCreated)

	code, v, _ = a.do("POST", "/api/v1/items", `{"sku":"A-VERY-LONG-SKU-0123456789","name":"x"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "the labels print at most 24 characters of a SKU")
	assert.Equal(t, []string{"sku"}, fields(v))
	code, v, _ = a.do("POST", "/api/v1/locations", `{"code":"ZONE-A-AISLE-03-RACK-2","type":"reserve"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "the putaway label prints at most 20 characters of a location")
	assert.Equal(t, []string{"code"}, fields(v))
	code, v, _ = a.do("POST", "/api/v1/moves", `{"sku":"W-1","from":"RECEIVING","to":"RECEIVING","quantity":1,"lot":"^XA","reason":"r","by":"b"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, fields(v), "lot")
}

func TestOverlongStringsAreRefused(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/suppliers", `{"id":"ACME","name":"ACME"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/pos", `{"id":"PO-1","by":"b","supplier":"ACME","lines":[{"sku":"W-1","quantity":1}]}`, http.StatusCreated)
	long := strings.Repeat("é", 1001)
	code, v, _ := a.do("POST", "/api/v1/pos/PO-1/reject", `{"by":"boss","note":"`+long+`"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"note"}, fields(v))
	code, v, _ = a.do("POST", "/api/v1/pos", `{"id":"PO-2","by":"b","supplier":"ACME","currency":"`+long+`","lines":[{"sku":"W-1","quantity":1}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "embedded fields are checked too")
	assert.Equal(t, []string{"currency"}, fields(v))
}

// The same Idempotency-Key with a different body silently returned the
// first answer; it is refused, naming the key.
func TestIdempotencyKeyWithAnotherBody(t *testing.T) {
	a := newAPI(t)
	code, _, _ := a.do("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, "Idempotency-Key", "k-42")
	require.Equal(t, http.StatusCreated, code)
	code, v, hdr := a.do("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget 2"}`, "Idempotency-Key", "k-42")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, "idempotency_key_reused", errCode(v))
	assert.Contains(t, v["error"].(map[string]any)["message"], `"k-42"`)
	assert.Empty(t, hdr.Get("Idempotent-Replay"))
	code, _, _ = a.do("GET", "/api/v1/items/W-2", "")
	assert.Equal(t, http.StatusNotFound, code, "the second request did nothing")
	code, v, hdr = a.do("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, "Idempotency-Key", "k-42")
	assert.Equal(t, http.StatusCreated, code, "the same body is still a replay")
	assert.Equal(t, "true", hdr.Get("Idempotent-Replay"))
	assert.Equal(t, "W-1", v["sku"])
}

// list follows Link rel="next" from path and returns every record.
func (a *api) list(path string) []map[string]any {
	var all []map[string]any
	for pages := 0; path != ""; pages++ {
		require.Less(a.t, pages, 1000, "paging ends")
		rec := a.exchange(httptest.NewRequest("GET", path, nil))
		require.Equal(a.t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
		var page []map[string]any
		require.NoError(a.t, json.Unmarshal(rec.Body.Bytes(), &page))
		all = append(all, page...)
		path = nextLink(a.t, rec.Header().Get("Link"))
	}
	return all
}

var linkRE = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

func nextLink(t *testing.T, h string) string {
	if h == "" {
		return ""
	}
	m := linkRE.FindStringSubmatch(h)
	require.NotNil(t, m, "Link header %q", h)
	return m[1]
}

// Lists had no paging (1.5 MB for 42k locations).
func TestListsArePaged(t *testing.T) {
	a := newAPI(t)
	for i := range 250 {
		a.ok("POST", "/api/v1/locations", fmt.Sprintf(`{"code":"A-%03d","type":"reserve"}`, i), http.StatusCreated)
	}
	rec := a.exchange(httptest.NewRequest("GET", "/api/v1/locations", nil))
	var first []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &first))
	assert.Len(t, first, 100, "the default page")
	assert.NotEmpty(t, rec.Header().Get("Link"))

	all := a.list("/api/v1/locations?limit=60")
	require.Len(t, all, 251, "every location once (RECEIVING too), across five pages")
	for i := 1; i < len(all); i++ {
		assert.Less(t, all[i-1]["code"], all[i]["code"], "in code order, no repeats")
	}
	assert.Len(t, a.list("/api/v1/locations?limit=1000"), 251)

	for _, bad := range []string{"limit=0", "limit=1001", "limit=x", "cursor=a", "cursor=***"} {
		code, _, _ := a.do("GET", "/api/v1/locations?"+bad, "")
		assert.Equal(t, http.StatusBadRequest, code, bad)
	}
	code, _, _ := a.do("GET", "/api/v1/ledger?limit=5000", "")
	assert.Equal(t, http.StatusBadRequest, code)

	// A forged cursor is only a position: past the end it lists nothing.
	forged := base64.RawURLEncoding.EncodeToString([]byte("\xff\xff|../item/"))
	assert.Empty(t, a.list("/api/v1/locations?cursor="+forged))
	assert.Len(t, a.list("/api/v1/locations?limit=1000&cursor="+base64.RawURLEncoding.EncodeToString([]byte("A-199"))), 51)
}

func TestFilteredListsAndTheLedgerArePaged(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget"}`, http.StatusCreated)
	for i := range 30 {
		a.ok("POST", "/api/v1/locations", fmt.Sprintf(`{"code":"B-%02d","type":"reserve"}`, i), http.StatusCreated)
	}
	// Count gains (a variance stands when counted twice) put stock of two
	// items into thirty bins.
	for i := range 30 {
		c := a.ok("POST", "/api/v1/counts", fmt.Sprintf(`{"location":"B-%02d"}`, i), http.StatusCreated)
		for range 2 {
			a.ok("POST", "/api/v1/counts/"+c["id"].(string)+"/submit",
				`{"by":"c","reason":"found","lines":[{"sku":"W-1","quantity":2},{"sku":"W-2","quantity":3}]}`, http.StatusOK)
		}
	}
	w1 := a.list("/api/v1/stock?sku=W-1&limit=7")
	assert.Len(t, w1, 30)
	for _, q := range w1 {
		assert.Equal(t, "W-1", q["sku"])
	}
	assert.Len(t, a.list("/api/v1/stock?limit=7"), 60)
	assert.Len(t, a.list("/api/v1/ledger?limit=7"), 60)
	assert.Len(t, a.list("/api/v1/ledger?sku=W-2&limit=9"), 30)
	assert.Len(t, a.list("/api/v1/counts?limit=4"), 30)
	for _, path := range []string{"/api/v1/items", "/api/v1/asns", "/api/v1/receipts", "/api/v1/suppliers", "/api/v1/approval-rules",
		"/api/v1/pos", "/api/v1/discrepancies", "/api/v1/lpns", "/api/v1/inspection-plans", "/api/v1/inspections", "/api/v1/returns",
		"/api/v1/move-orders", "/api/v1/counts", "/api/v1/stock", "/api/v1/ledger"} {
		code, _, _ := a.do("GET", path+"?limit=0", "")
		assert.Equal(t, http.StatusBadRequest, code, "%s takes limit", path)
	}
}
