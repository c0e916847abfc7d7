package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/internal/openapitest"
)

type api struct {
	t  *testing.T
	h  http.Handler
	st store.Store
}

// diskStore is a store whose disk can be full: writes are then refused as
// badgerstore refuses them, reads go on.
type diskStore struct {
	store.Store
	full atomic.Bool
}

func (s *diskStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.full.Load() {
		return fmt.Errorf("%w: 4096 bytes free on the disk of /var/lib/dockhand/central, below the 887095296 bytes kept for the database's own writes",
			store.ErrNoSpace)
	}
	return s.Store.Update(ctx, fn)
}

func newAPI(t *testing.T) *api {
	st := &diskStore{Store: memstore.New()}
	a, err := app.New(context.Background(), app.Config{Site: "t"}, st, zerolog.Nop())
	require.NoError(t, err)
	return &api{t: t, h: openapitest.Checked(t, openAPIPath, New(a, "s3cret", nil, nil, zerolog.Nop())), st: st}
}

// exchange is the one way these tests send a request: with the API token
// unless the request carries its own Authorization, through the whole
// handler, the answer recorded.
func (a *api) exchange(req *http.Request) *httptest.ResponseRecorder {
	if _, ok := req.Header["Authorization"]; !ok {
		req.Header.Set("Authorization", "Bearer s3cret")
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

func (a *api) do(method, path, body string, hdr ...string) (int, map[string]any, http.Header) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := a.exchange(req)
	var v map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	return rec.Code, v, rec.Header()
}

// raw returns the body of a successful GET.
func (a *api) raw(method, path string) []byte {
	rec := a.exchange(httptest.NewRequest(method, path, nil))
	require.Equal(a.t, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.Bytes()
}

func fields(v map[string]any) []string {
	var out []string
	e, _ := v["error"].(map[string]any)
	fs, _ := e["fields"].([]any)
	for _, f := range fs {
		out = append(out, f.(map[string]any)["field"].(string))
	}
	return out
}

func TestAuthRequired(t *testing.T) {
	a := newAPI(t)
	code, v, hdr := a.do("GET", "/api/v1/items", "", "Authorization", "Bearer wrong")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "unauthorized", v["error"].(map[string]any)["code"])
	assert.NotEmpty(t, hdr.Get("WWW-Authenticate"))
	code, _, _ = a.do("GET", "/api/v1/items", "", "Authorization", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = a.do("GET", "/healthz", "", "Authorization", "")
	assert.Equal(t, http.StatusOK, code, "health needs no token")
}

func TestItemValidationNamesFields(t *testing.T) {
	a := newAPI(t)
	code, v, _ := a.do("POST", "/api/v1/items", `{"sku":"bad sku","gtin":"10614141000416","name":""}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.ElementsMatch(t, []string{"sku", "gtin", "name"}, fields(v))

	code, v, _ = a.do("POST", "/api/v1/items", `{"sku":"A","name":"x","colour":"red"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"colour"}, fields(v))

	code, v, _ = a.do("POST", "/api/v1/items", `{"sku":7,"name":"x"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"sku"}, fields(v))

	code, _, _ = a.do("POST", "/api/v1/items", `{"sku":"A"`)
	assert.Equal(t, http.StatusBadRequest, code)

	code, _, _ = a.do("GET", "/api/v1/items", "")
	assert.Equal(t, http.StatusOK, code)
}

func TestCreateConflictAndIdempotency(t *testing.T) {
	a := newAPI(t)
	body := `{"sku":"W-1","gtin":"10614141000415","name":"Widget"}`
	code, _, _ := a.do("POST", "/api/v1/items", body, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, code)
	code, v, hdr := a.do("POST", "/api/v1/items", body, "Idempotency-Key", "k1")
	assert.Equal(t, http.StatusCreated, code, "a retried create gets the first answer")
	assert.Equal(t, "true", hdr.Get("Idempotent-Replay"))
	assert.Equal(t, "W-1", v["sku"])
	code, _, _ = a.do("POST", "/api/v1/items", body)
	assert.Equal(t, http.StatusConflict, code, "without the key a second create is a conflict")
}

func TestASNIsAllOrNothing(t *testing.T) {
	a := newAPI(t)
	code, _, _ := a.do("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`)
	require.Equal(t, http.StatusCreated, code)
	// The second pallet has a bad check digit and an unknown SKU: nothing
	// of the ASN may be stored.
	code, v, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[
		{"sscc":"106141410000000019","sku":"W-1","quantity":5},
		{"sscc":"106141410000000018","sku":"NOPE","quantity":0,"expiry":"2027-02-30"}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.ElementsMatch(t, []string{"pallets[1].sscc", "pallets[1].sku", "pallets[1].quantity", "pallets[1].expiry"}, fields(v))
	code, _, _ = a.do("GET", "/api/v1/asns/ASN-1", "")
	assert.Equal(t, http.StatusNotFound, code)

	code, _, _ = a.do("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"106141410000000019","sku":"W-1","quantity":5,"lot":"L1","expiry":"2027-02-28"}]}`)
	require.Equal(t, http.StatusCreated, code)
	code, v, _ = a.do("POST", "/api/v1/asns", `{"id":"ASN-2","pallets":[{"sscc":"106141410000000019","sku":"W-1","quantity":5}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "an SSCC belongs to one ASN")
	assert.Equal(t, []string{"pallets[0].sscc"}, fields(v))
}

func TestQueryValidation(t *testing.T) {
	a := newAPI(t)
	code, _, _ := a.do("GET", "/api/v1/stock?status=lost", "")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _, _ = a.do("GET", "/api/v1/ledger?limit=5000", "")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _, _ = a.do("GET", "/api/v1/nothing", "")
	assert.Equal(t, http.StatusNotFound, code)
}
