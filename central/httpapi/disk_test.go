package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/openapitest"
)

// A write refused for a full disk is 507 with the disk named, not a 500:
// nothing is written, reads go on, and the same request succeeds once
// there is space.
func TestFullDiskIs507(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	a.st.(*diskStore).full.Store(true)
	code, v, _ := a.do("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget"}`, "Idempotency-Key", "k2")
	require.Equal(t, http.StatusInsufficientStorage, code, "%v", v)
	e := v["error"].(map[string]any)
	assert.Equal(t, "insufficient_storage", e["code"])
	assert.Contains(t, e["message"], "the disk is full")
	assert.Contains(t, e["message"], "/var/lib/dockhand/central", "names the disk")
	a.ok("GET", "/api/v1/items/W-1", "", http.StatusOK)
	a.ok("GET", "/api/v1/items/W-2", "", http.StatusNotFound)

	a.st.(*diskStore).full.Store(false)
	code, v, _ = a.do("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget"}`, "Idempotency-Key", "k2")
	require.Equal(t, http.StatusCreated, code, "the same request, space back: %v", v)
	a.ok("GET", "/api/v1/items/W-2", "", http.StatusOK)
}

// While the disk is too full to open the store, central answers health
// checks, readiness (naming the storage) and metrics, and every API
// request (with the token) is 507 naming why.
func TestUnavailableStoreAnswers507(t *testing.T) {
	why := fmt.Errorf("%w: the store cannot be opened: 4096 bytes free on the disk of /var/lib/dockhand/central, opening the database needs 405798912",
		store.ErrNoSpace)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("dockhand_central_storage_ok 0\n"))
	})
	ready := Readiness{"storage": func() string { return "unavailable: " + errors.Unwrap(why).Error() }}
	a := &api{t: t, h: openapitest.Checked(t, openAPIPath, NewUnavailable("s3cret", metrics, ready, func() error { return why }, zerolog.Nop()))}

	a.ok("GET", "/healthz", "", http.StatusOK)
	code, v, _ := a.do("GET", "/readyz", "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "storage", v["reasons"].([]any)[0].(map[string]any)["component"])
	assert.Equal(t, "dockhand_central_storage_ok 0\n", string(a.raw("GET", "/metrics")))
	for _, req := range [][2]string{{"GET", "/api/v1/items"}, {"GET", "/api/v1/items/W-1"}, {"POST", "/api/v1/items"}} {
		code, v, _ := a.do(req[0], req[1], `{"sku":"W-1","name":"Widget"}`)
		require.Equal(t, http.StatusInsufficientStorage, code, "%s %s: %v", req[0], req[1], v)
		e := v["error"].(map[string]any)
		assert.Equal(t, "insufficient_storage", e["code"])
		assert.Contains(t, e["message"], "/var/lib/dockhand/central")
	}
	code, _, _ = a.do("GET", "/api/v1/items", "", "Authorization", "Bearer wrong")
	assert.Equal(t, http.StatusUnauthorized, code, "the token is checked first")
}
