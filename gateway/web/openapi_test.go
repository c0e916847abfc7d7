package web

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/openapitest"
)

// docs/gateway-openapi.yaml describes the technician page's JSON API for
// scripts. newSite serves every test through openapitest.Checked, so every
// answer the tests provoke is validated against it; the tests below check
// that the document and the server list the same routes, that every
// operation says how it fails, and that docs/web.md's tables name the same
// calls.

const openAPIPath = "../../docs/gateway-openapi.yaml"

func TestOpenAPIListsEveryRouteAndOnlyThose(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	doc.Coverage(t, openapitest.Routes(t, "."))
}

// TestOpenAPIOperationsSayHowTheyFail: every operation has an operationId
// and documents the refusals that apply to it.
func TestOpenAPIOperationsSayHowTheyFail(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	doc.Refusals(t, func(_, path string, op *openapi3.Operation) []int {
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		var want []int
		for _, req := range security {
			if _, ok := req["session"]; ok {
				want = append(want, http.StatusUnauthorized) // not signed in
			}
			if _, ok := req["csrf"]; ok {
				want = append(want, http.StatusForbidden) // no CSRF token, or another origin
			}
		}
		if strings.HasPrefix(path, "/api/") && strings.Contains(path, "{") {
			want = append(want, http.StatusBadRequest, http.StatusNotFound) // not an id; no such device or station
		}
		if op.RequestBody != nil {
			want = append(want, http.StatusBadRequest, http.StatusRequestEntityTooLarge) // not JSON; over 64 KiB
		}
		return want
	})
}

// TestWebDocTablesNameTheDocumentedCalls: the calls docs/web.md's tables
// name are the document's operations (the page and its files aside).
func TestWebDocTablesNameTheDocumentedCalls(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	f, err := os.Open("../../docs/web.md")
	require.NoError(t, err)
	defer f.Close()
	call := regexp.MustCompile("^\\| `(GET|POST|PUT|DELETE) (/[^` ?]*)")
	named := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := call.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		op, ok := doc.Operation(m[1], m[2])
		if assert.True(t, ok, "docs/web.md names %s %s, which docs/gateway-openapi.yaml lacks", m[1], m[2]) {
			assert.Equal(t, m[1]+" "+m[2], op, "docs/web.md and the document spell the path alike")
			named[op] = true
		}
	}
	require.NoError(t, sc.Err())
	for op := range doc.Operations() {
		if op != "GET /" && op != "GET /{file}" {
			assert.True(t, named[op], "docs/gateway-openapi.yaml has %s, which docs/web.md's tables lack", op)
		}
	}
}

// TestOpenAPITourAnswersEveryOperationAsDocumented calls every documented
// operation once the way the page does, so that each success answer is
// validated against the document, and fails when one is left out.
func TestOpenAPITourAnswersEveryOperationAsDocumented(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write([]byte("dockhand_gateway_up 1\n"))
	})
	st := newSite(t, Options{Metrics: metrics})
	tour := doc.Tour()
	step := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		tour.Call(t, method, path)
		code, out := st.do(method, path, body)
		require.Equal(t, want, code, "%s %s: %v", method, path, out)
		return out
	}
	for _, path := range []string{"/", "/app.js", "/healthz", "/readyz", "/metrics", "/api/v1/session"} {
		step("GET", path, nil, 200)
	}
	st.signIn()
	tour.Call(t, "POST", "/api/v1/setup")
	step("POST", "/api/v1/logout", nil, 200)
	st.csrf = step("POST", "/api/v1/login", credentials{User: AdminUser, Password: "a long enough secret"}, 200)["csrf"].(string)
	for _, path := range []string{"/api/v1/overview", "/api/v1/devices", "/api/v1/logs?n=10&level=info", "/api/v1/config", "/api/v1/ports", "/api/v1/templates"} {
		step("GET", path, nil, 200)
	}
	scanner := map[string]string{"id": "scanner-1", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0"}
	step("POST", "/api/v1/config/devices", itemRequest{Fields: scanner}, 200)
	scanner["baud"] = "9600"
	step("PUT", "/api/v1/config/devices/scanner-1", itemRequest{Fields: scanner}, 200)
	step("DELETE", "/api/v1/config/devices/scanner-1", nil, 200)
	step("POST", "/api/v1/config/stations", itemRequest{Fields: map[string]string{"id": "dock-2", "role": "inbound-dock"}}, 200)
	step("PUT", "/api/v1/config/stations/dock-2", itemRequest{Fields: map[string]string{"role": "putaway"}}, 200)
	step("DELETE", "/api/v1/config/stations/dock-2", nil, 200)
	label := labelRequest{Template: "bin-location", Data: map[string]string{"location": "A-1"}, Device: "printer-1"}
	step("POST", "/api/v1/print/preview", label, 200)
	step("POST", "/api/v1/print/test", label, 200)
	step("POST", "/api/v1/identify", map[string]string{"station": "dock-1"}, 200)

	// The event stream: its first event, then the browser goes away.
	tour.Call(t, "GET", "/api/v1/events")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", st.srv.URL+"/api/v1/events", nil)
	resp, err := st.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "event: devices\n", line)

	tour.Check(t, nil)
}
