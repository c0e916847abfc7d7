package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/openapitest"
)

// docs/openapi.yaml and docs/api.md are the API's promises to integrators.
// Every request the tests of this package make goes through
// openapitest.Checked (newAPI's one hook), so every answer they provoke is
// validated against the document; the tests below check that the document
// and the server list the same routes, that every operation says how it
// fails, and that docs/api.md's error table and examples are what the
// server answers.

const openAPIPath = "../../docs/openapi.yaml"

// optionalRoutes are served only when centrald passes what they need.
var optionalRoutes = map[string]string{
	"GET /metrics": "served when central has a metrics handler (centrald always passes one)",
}

func TestOpenAPIListsEveryRouteAndOnlyThose(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	doc.Coverage(t, openapitest.Routes(t, "."))

	// What the source registers is what the mux serves: each documented
	// operation is answered by its handler, not by the catch-all.
	a := newAPI(t)
	for op := range doc.Operations() {
		if _, ok := optionalRoutes[op]; ok {
			continue
		}
		method, path, _ := strings.Cut(op, " ")
		code, v, _ := a.do(method, openapitest.Example(path, "x"), "{}")
		e, _ := v["error"].(map[string]any)
		msg, _ := e["message"].(string)
		assert.False(t, code == http.StatusMethodNotAllowed || strings.HasPrefix(msg, "no such endpoint"),
			"%s is documented but the server answers %d %s", op, code, msg)
	}
}

// TestOpenAPIOperationsSayHowTheyFail: every operation has an operationId
// and documents the refusals that apply to it.
func TestOpenAPIOperationsSayHowTheyFail(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	doc.Refusals(t, func(method, path string, op *openapi3.Operation) []int {
		var want []int
		secured := op.Security == nil && len(doc.Security) > 0 || op.Security != nil && len(*op.Security) > 0
		if secured {
			want = append(want, http.StatusUnauthorized) // no or wrong token
		}
		if strings.Contains(path, "{") {
			want = append(want, http.StatusNotFound) // no such record
		}
		if slices.ContainsFunc(op.Parameters, func(p *openapi3.ParameterRef) bool { return p.Value.In == "query" }) {
			want = append(want, http.StatusBadRequest) // a bad limit, cursor, filter
		}
		if method == http.MethodPost || method == http.MethodPut {
			// Every command reads its body: empty or broken, too large,
			// the wrong Content-Type, too slow; and is refused with 422
			// when a field or the record's state does not allow it.
			want = append(want, http.StatusBadRequest, http.StatusRequestTimeout,
				http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
			if op.RequestBody != nil {
				want = append(want, http.StatusUnprocessableEntity)
			}
		}
		if createsNamedRecord(doc, path, op) {
			want = append(want, http.StatusConflict) // the client named a record that exists
		}
		if strings.HasPrefix(path, "/api/") {
			// A write on a full disk; any request while the disk is too
			// full to open the store (NewUnavailable).
			want = append(want, http.StatusInsufficientStorage)
		}
		return want
	})
}

// createsNamedRecord reports whether the operation at path creates (201)
// a record whose key the client gives, so that creating it twice is a
// conflict: the key is the parameter of the record's own path
// (/items/{sku}), or "id" for a collection without one.
func createsNamedRecord(doc *openapitest.Doc, path string, o *openapi3.Operation) bool {
	if o.Responses.Status(http.StatusCreated) == nil || o.RequestBody == nil {
		return false
	}
	key := "id"
	for p := range doc.Paths.Map() {
		if param, ok := strings.CutPrefix(p, path+"/{"); ok && strings.HasSuffix(param, "}") && !strings.Contains(param, "/") {
			key = strings.TrimSuffix(param, "}")
		}
	}
	schema := o.RequestBody.Value.Content.Get("application/json").Schema.Value
	return slices.Contains(schema.Required, key)
}

// apiErrorRows are docs/api.md's error table: status and code.
func apiErrorRows(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("../../docs/api.md")
	require.NoError(t, err)
	defer f.Close()
	rows := map[string]bool{}
	row := regexp.MustCompile(`^\| (\d{3}) \| (.*?) \|`)
	code := regexp.MustCompile("`([a-z_]+)`")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			for _, c := range code.FindAllStringSubmatch(m[2], -1) {
				rows[m[1]+" "+c[1]] = true
			}
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, rows, "docs/api.md has no error table")
	return rows
}

// TestAPIDocErrorTableIsWhatTheServerAnswers provokes every status and
// code of docs/api.md's error table and checks that the table lists every
// code the OpenAPI document allows (but internal).
func TestAPIDocErrorTableIsWhatTheServerAnswers(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/items", `{"sku":"W-2","name":"Widget"}`, http.StatusCreated)
	a.do("POST", "/api/v1/items", `{"sku":"W-3","name":"Widget"}`, "Idempotency-Key", "k")
	serve := func(req *http.Request) (int, string) {
		req.Header.Set("Authorization", "Bearer s3cret")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		var v struct{ Error apiError }
		_ = json.Unmarshal(rec.Body.Bytes(), &v)
		return rec.Code, v.Error.Code
	}
	do := func(method, path, body string, hdr ...string) func() (int, string) {
		return func() (int, string) {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			return serve(req)
		}
	}
	probes := map[string]func() (int, string){
		"400 bad_request": do("POST", "/api/v1/items", `{"sku":"A"`),
		"400 invalid":     do("GET", "/api/v1/stock?status=lost", ""),
		"401 unauthorized": func() (int, string) {
			req := httptest.NewRequest("GET", "/api/v1/items", nil)
			rec := httptest.NewRecorder()
			a.h.ServeHTTP(rec, req)
			var v struct{ Error apiError }
			_ = json.Unmarshal(rec.Body.Bytes(), &v)
			return rec.Code, v.Error.Code
		},
		"404 not_found": do("GET", "/api/v1/items/NOPE", ""),
		"408 request_timeout": func() (int, string) {
			// What the server's read timeout does to a trickling body.
			return serve(httptest.NewRequest("POST", "/api/v1/items", iotest.ErrReader(os.ErrDeadlineExceeded)))
		},
		"409 conflict":               do("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`),
		"413 too_large":              do("POST", "/api/v1/items", `{"name":"`+strings.Repeat("x", maxBody)+`"}`),
		"415 unsupported_media_type": do("POST", "/api/v1/items", `sku=A&name=x`, "Content-Type", "application/x-www-form-urlencoded"),
		"422 invalid":                do("POST", "/api/v1/items", `{"sku":"A","name":"x","colour":"red"}`),
		"422 idempotency_key_reused": do("POST", "/api/v1/items", `{"sku":"W-4","name":"Widget"}`, "Idempotency-Key", "k"),
		"507 insufficient_storage": func() (int, string) {
			a.st.(*diskStore).full.Store(true)
			defer a.st.(*diskStore).full.Store(false)
			return do("POST", "/api/v1/items", `{"sku":"W-5","name":"Widget"}`)()
		},
	}
	rows := apiErrorRows(t)
	for row := range rows {
		probe := probes[row]
		if !assert.NotNil(t, probe, "docs/api.md lists %s: add a request that provokes it", row) {
			continue
		}
		status, code := probe()
		assert.Equal(t, row, fmt.Sprintf("%d %s", status, code), "docs/api.md's row %s", row)
	}
	for row, probe := range probes {
		if probe != nil {
			assert.True(t, rows[row], "the server answers %s, which docs/api.md's error table lacks", row)
		}
	}

	// The OpenAPI document's error codes are the table's.
	doc := openapitest.Load(t, openAPIPath)
	enum := doc.Components.Responses["Error"].Value.Content.Get("application/json").Schema.Value.
		Properties["error"].Value.Properties["code"].Value.Enum
	inTable := map[string]bool{"internal": true}
	for row := range rows {
		inTable[strings.Fields(row)[1]] = true
	}
	for _, c := range enum {
		assert.True(t, inTable[c.(string)], "openapi.yaml's error code %s is not in docs/api.md's table", c)
		delete(inTable, c.(string))
	}
	assert.Empty(t, inTable, "docs/api.md's error codes that openapi.yaml's Error lacks")
}

// TestAPIDocExamplesAreWhatTheServerAnswers replays the examples of
// docs/api.md: the error body, the health answers and the curl commands.
func TestAPIDocExamplesAreWhatTheServerAnswers(t *testing.T) {
	text, err := os.ReadFile("../../docs/api.md")
	require.NoError(t, err)
	md := string(text)
	a := newAPI(t)

	// The error example: an ASN whose pallet's SSCC has a wrong check digit.
	example := regexp.MustCompile("(?s)## Errors\n\n```json\n(.*?)```").FindStringSubmatch(md)
	require.NotNil(t, example, "docs/api.md's error example")
	a.ok("POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	code, got, _ := a.do("POST", "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"106141410000000018","sku":"W-1","quantity":5}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.JSONEq(t, example[1], mustJSON(t, got))

	// Health and readiness as the table shows them (central with no checks
	// failing).
	for _, row := range []string{"GET /healthz", "GET /readyz"} {
		m := regexp.MustCompile("\\| `" + row + "` \\| (\\d{3}) `([^`]*)`").FindStringSubmatch(md)
		require.NotNil(t, m, "docs/api.md's row %s", row)
		code, got, _ := a.do("GET", strings.Fields(row)[1], "")
		assert.Equal(t, m[1], strconv.Itoa(code), row)
		assert.JSONEq(t, m[2], mustJSON(t, got), row)
	}

	// The curl examples, in order, after what they assume: a supplier, an
	// approval rule and PO-7001 waiting for a supervisor.
	a.ok("POST", "/api/v1/suppliers", `{"id":"ACME","name":"ACME Supplies"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/approval-rules", `{"id":"all","levels":["supervisor"]}`, http.StatusCreated)
	a.ok("POST", "/api/v1/items", `{"sku":"TEA","name":"Tea"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/pos", `{"id":"PO-7001","by":"buyer","supplier":"ACME","lines":[{"sku":"TEA","quantity":10,"unit_price":100}]}`, http.StatusCreated)
	a.ok("POST", "/api/v1/pos/PO-7001/submit", `{"by":"buyer"}`, http.StatusOK)
	curls := curlExamples(t, md)
	require.Len(t, curls, 2, "docs/api.md's Example block")
	for _, c := range curls {
		hdr := append([]string{}, c.headers...)
		code, got, _ := a.do("POST", c.path, c.body, hdr...)
		assert.Contains(t, []int{http.StatusOK, http.StatusCreated}, code, "%s: %v", c.path, got)
	}

	// "curl -d alone sends Content-Type: application/x-www-form-urlencoded,
	// which is refused with 415."
	require.Contains(t, md, "refused with 415")
	code, _, _ = a.do("POST", "/api/v1/items", `{"sku":"W-9","name":"x"}`, "Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, http.StatusUnsupportedMediaType, code)
}

type curl struct {
	path, body string
	headers    []string
}

// curlExamples reads the POSTs (-d) of the sh block after "Example:".
func curlExamples(t *testing.T, md string) []curl {
	block := regexp.MustCompile("(?s)Example:\n\n```sh\n(.*?)```").FindStringSubmatch(md)
	require.NotNil(t, block, "docs/api.md's Example block")
	var out []curl
	for _, cmd := range strings.Split(strings.ReplaceAll(block[1], "\\\n", " "), "\n") {
		if !strings.HasPrefix(cmd, "curl ") || !strings.Contains(cmd, " -d ") {
			continue
		}
		var c curl
		for _, m := range regexp.MustCompile(`-H '([^:']+): ([^']*)'`).FindAllStringSubmatch(cmd, -1) {
			if m[1] != "Authorization" {
				c.headers = append(c.headers, m[1], m[2])
			}
		}
		c.body = regexp.MustCompile(`-d '([^']*)'`).FindStringSubmatch(cmd)[1]
		c.path = regexp.MustCompile(`http://[^/ ]+(/\S*)`).FindStringSubmatch(cmd)[1]
		out = append(out, c)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// notToured are the operations the tour below cannot reach over HTTP alone,
// with what they need; their answers are validated wherever a test reaches
// them.
var notToured = map[string]string{
	"GET /metrics":                         optionalRoutes["GET /metrics"],
	"GET /api/v1/inspections/{id}":         "an inspection task, which only a received pallet (a dock scan) opens",
	"POST /api/v1/inspections/{id}/result": "an inspection task, which only a received pallet (a dock scan) opens",
}

// TestOpenAPITourAnswersEveryOperationAsDocumented calls every documented
// operation once the way an integrator would, so that each one's success
// answer is validated against the document (checkedByOpenAPI), and fails
// when an operation is neither toured nor listed in notToured.
func TestOpenAPITourAnswersEveryOperationAsDocumented(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	a := newAPI(t)
	seed(t, a) // item TEA, locations RECV, A-01-1-01, A-01-1-02; plate P1 in RECV
	tour := doc.Tour()
	step := func(method, path, body string, want int) map[string]any {
		t.Helper()
		tour.Call(t, method, path)
		code, v, _ := a.do(method, path, body)
		require.Equal(t, want, code, "%s %s: %v", method, path, v)
		return v
	}
	step("GET", "/healthz", "", 200)
	step("GET", "/readyz", "", 200)
	step("POST", "/api/v1/items", `{"sku":"W-1","gtin":"10614141000415","name":"Widget, box of 10","unit":"each","abc":"B"}`, 201)
	step("GET", "/api/v1/items", "", 200)
	step("GET", "/api/v1/items/W-1", "", 200)
	step("POST", "/api/v1/locations", `{"code":"B-01-1-01","type":"reserve","zone":"B"}`, 201)
	step("GET", "/api/v1/locations", "", 200)
	step("GET", "/api/v1/locations/B-01-1-01", "", 200)
	step("POST", "/api/v1/suppliers", `{"id":"ACME","name":"ACME Supplies","email":"orders@acme.example","over_pct":5,"under_pct":2}`, 201)
	step("GET", "/api/v1/suppliers", "", 200)
	step("GET", "/api/v1/suppliers/ACME", "", 200)
	step("POST", "/api/v1/approval-rules", `{"id":"all","levels":["supervisor"]}`, 201)
	step("GET", "/api/v1/approval-rules", "", 200)
	step("POST", "/api/v1/pos", `{"id":"PO-1","by":"buyer","supplier":"ACME","currency":"EUR","expected":"2027-01-15","lines":[{"sku":"TEA","quantity":10,"unit_price":250}]}`, 201)
	step("GET", "/api/v1/pos", "", 200)
	step("POST", "/api/v1/pos/PO-1/submit", `{"by":"buyer"}`, 200)
	step("POST", "/api/v1/pos/PO-1/approve", `{"by":"boss","level":"supervisor","note":"ok"}`, 200)
	step("GET", "/api/v1/pos/PO-1", "", 200)
	step("POST", "/api/v1/asns", `{"id":"ASN-1","supplier":"ACME","po":"PO-1","pallets":[{"sscc":"106141410000000019","sku":"TEA","quantity":10,"lot":"L1","expiry":"2027-06-30"}]}`, 201)
	step("GET", "/api/v1/asns", "", 200)
	step("GET", "/api/v1/asns/ASN-1", "", 200)
	step("POST", "/api/v1/asns/ASN-1/close", "", 200)
	step("GET", "/api/v1/receipts", "", 200)
	step("GET", "/api/v1/discrepancies", "", 200)
	step("POST", "/api/v1/inspection-plans", `{"id":"QC-1","supplier":"ACME","sku":"TEA","mode":"sample","sample":1,"of":10}`, 201)
	step("GET", "/api/v1/inspection-plans", "", 200)
	step("GET", "/api/v1/inspections", "", 200)
	step("GET", "/api/v1/returns", "", 200)
	step("GET", "/api/v1/lpns", "", 200)
	step("POST", "/api/v1/lpns/P1/putaway", `{"location":"A-01-1-01","by":"ann"}`, 200)
	step("GET", "/api/v1/lpns/P1", "", 200)
	step("POST", "/api/v1/moves", `{"sku":"TEA","from":"A-01-1-01","to":"A-01-1-02","lpn":"P1","quantity":10,"status":"available","reason":"relocate","by":"ann"}`, 201)
	step("POST", "/api/v1/move-orders", `{"id":"MO-1","lpn":"P1","to":"A-01-1-01","reason":"consolidate","by":"ann"}`, 201)
	step("GET", "/api/v1/move-orders", "", 200)
	step("GET", "/api/v1/move-orders/MO-1", "", 200)
	step("GET", "/api/v1/count-policy", "", 200)
	step("PUT", "/api/v1/count-policy", `{"days":{"A":30,"B":90,"C":180},"recount_pct":2}`, 200)
	task := step("POST", "/api/v1/counts", `{"location":"B-01-1-01"}`, 201)
	step("GET", "/api/v1/counts", "", 200)
	step("GET", "/api/v1/counts/"+task["id"].(string), "", 200)
	step("POST", "/api/v1/counts/"+task["id"].(string)+"/submit", `{"lines":[],"by":"bob"}`, 200)
	step("POST", "/api/v1/counts/plan", "", 200)
	step("GET", "/api/v1/stock?sku=TEA", "", 200)
	step("GET", "/api/v1/stock/items/TEA", "", 200)
	step("GET", "/api/v1/ledger?sku=TEA", "", 200)

	// Selling: 10 TEA at A-01-1-02 in the main warehouse.
	step("POST", "/api/v1/channels", `{"id":"SHOP","name":"Web shop","shortage":"backorder","payment_hold_s":900}`, 201)
	step("GET", "/api/v1/channels", "", 200)
	step("GET", "/api/v1/channels/SHOP", "", 200)
	for _, l := range []string{`{"code":"N-01","type":"reserve","warehouse":"N"}`, `{"code":"N-RCV","type":"receiving","warehouse":"N"}`,
		`{"code":"S-RCV","type":"receiving","warehouse":"S"}`} {
		a.ok("POST", "/api/v1/locations", l, 201)
	}
	step("POST", "/api/v1/warehouses", `{"code":"N","name":"North","regions":["north","east"],"priority":1,"receiving":"N-RCV"}`, 201)
	a.ok("POST", "/api/v1/warehouses", `{"code":"S","name":"South","regions":["south"],"priority":1,"receiving":"S-RCV"}`, 201)
	step("GET", "/api/v1/warehouses", "", 200)
	step("GET", "/api/v1/warehouses/N", "", 200)
	o := step("POST", "/api/v1/orders", `{"channel":"SHOP","channel_order":"1001","payment":"unpaid","ship_to":{"name":"Ada","country":"DE"},`+
		`"region":"north","carrier":"DHL","lines":[{"sku":"TEA","quantity":4}]}`, 201)
	id := o["id"].(string)
	step("GET", "/api/v1/orders?channel=SHOP", "", 200)
	step("GET", "/api/v1/orders/"+id, "", 200)
	step("POST", "/api/v1/orders/"+id+"/change", `{"lines":[{"sku":"TEA","quantity":3}],"by":"cs"}`, 200)
	step("POST", "/api/v1/orders/"+id+"/pay", `{"by":"psp"}`, 200)
	big := step("POST", "/api/v1/orders", `{"channel":"SHOP","channel_order":"1002","payment":"paid","ship_to":{"name":"Bo"},"region":"east",`+
		`"lines":[{"sku":"TEA","quantity":20}]}`, 201)
	step("GET", "/api/v1/backorders/TEA", "", 200)
	sh := step("POST", "/api/v1/orders/"+id+"/ship", `{"tracking":"1Z999AA10123456784","by":"packer"}`, 201)
	step("GET", "/api/v1/shipments", "", 200)
	step("GET", "/api/v1/shipments/"+sh["id"].(string), "", 200)
	step("POST", "/api/v1/orders/"+big["id"].(string)+"/cancel", `{"by":"cs","reason":"customer asked"}`, 200)
	step("POST", "/api/v1/promotions", `{"id":"FLASH","channel":"SHOP","sku":"TEA","quantity":2}`, 201)
	step("GET", "/api/v1/promotions", "", 200)
	step("GET", "/api/v1/promotions/FLASH", "", 200)
	step("POST", "/api/v1/promotions/FLASH/end", "", 200)
	a.ok("POST", "/api/v1/asns", `{"id":"ASN-2","supplier":"ACME","lines":[{"sku":"TEA","quantity":50}]}`, 201)
	step("POST", "/api/v1/presales", `{"id":"PS-1","channel":"SHOP","sku":"TEA","asn":"ASN-2","cap":20}`, 201)
	step("GET", "/api/v1/presales", "", 200)
	step("GET", "/api/v1/presales/PS-1", "", 200)
	a.ok("POST", "/api/v1/moves", `{"sku":"TEA","from":"A-01-1-02","to":"N-01","lpn":"P1","quantity":3,"reason":"replenish","by":"ann"}`, 201)
	step("POST", "/api/v1/transfers", `{"id":"T-1","sku":"TEA","quantity":2,"from":"N","to":"S","by":"ops"}`, 201)
	step("GET", "/api/v1/transfers", "", 200)
	step("GET", "/api/v1/transfers/T-1", "", 200)
	step("POST", "/api/v1/transfers/T-1/receive", `{"by":"ops"}`, 200)
	step("GET", "/api/v1/stock-layers/TEA", "", 200)

	tour.Check(t, notToured)
}

// TestAPIDocTablesListTheDocumentedOperations: the endpoints docs/api.md's
// tables name are the OpenAPI document's operations, and a status a table
// gives (201 item, 200 PO) is the operation's documented success.
func TestAPIDocTablesListTheDocumentedOperations(t *testing.T) {
	doc := openapitest.Load(t, openAPIPath)
	text, err := os.ReadFile("../../docs/api.md")
	require.NoError(t, err)
	endpoint := regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`")
	success := regexp.MustCompile(`^ (\d{3}) `)
	named := map[string]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		for _, m := range endpoint.FindAllStringSubmatch(cells[1], -1) {
			op, ok := doc.Operation(m[1], m[2])
			if !assert.True(t, ok, "docs/api.md names %s %s, which docs/openapi.yaml lacks", m[1], m[2]) {
				continue
			}
			assert.Equal(t, m[1]+" "+m[2], op, "docs/api.md and docs/openapi.yaml spell the path alike")
			named[op] = true
			if s := success.FindStringSubmatch(cells[len(cells)-2]); s != nil {
				status, _ := strconv.Atoi(s[1])
				assert.NotNil(t, doc.Operations()[op].Responses.Status(status), "docs/api.md: %s answers %d; docs/openapi.yaml does not say so", op, status)
			}
		}
	}
	for op := range doc.Operations() {
		assert.True(t, named[op], "docs/openapi.yaml has %s, which no table of docs/api.md names", op)
	}
}
