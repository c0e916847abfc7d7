// Package openapitest keeps an HTTP API's OpenAPI document true from its
// tests (test support: only _test.go files import it). Wrap puts the
// document between a test and the handler, so that every answer the tests
// provoke, and every request the server accepts, is validated against it;
// Routes and Coverage check that the routes a server registers and the
// operations its document lists are the same.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"mime"
	"net/http"
	"os"
	pathpkg "path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The files of a web page are validated as text, like text/plain.
func init() {
	for _, ct := range []string{"text/html", "text/css", "text/javascript", "image/svg+xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// Doc is a loaded OpenAPI document and a router over its paths.
type Doc struct {
	*openapi3.T
	router routers.Router
}

var (
	loadedMu sync.Mutex
	loaded   = map[string]*Doc{}
)

// Load reads and validates the OpenAPI document at path (once per test
// binary) and fails the test when it is not valid.
func Load(t testing.TB, path string) *Doc {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if d := loaded[abs]; d != nil {
		return d
	}
	doc, err := openapi3.NewLoader().LoadFromFile(abs)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", path, err)
	}
	// Match paths whatever host the test server has.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	closeObjects(doc)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	d := &Doc{T: doc, router: router}
	loaded[abs] = d
	return d
}

// closeObjects makes every object schema that lists its properties and
// says nothing of others refuse others, so that a field the server sends
// but the document does not list fails validation: a document lists
// everything an integrator may see.
func closeObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = openapi3.Ptr(false)
		}
		for _, p := range s.Properties {
			walk(p)
		}
		for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range list {
				walk(x)
			}
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
	}
	content := func(c openapi3.Content) {
		for _, mt := range c {
			walk(mt.Schema)
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil {
				content(op.RequestBody.Value.Content)
			}
			for _, r := range op.Responses.Map() {
				content(r.Value.Content)
			}
		}
	}
}

// Checked is h behind the document at docPath (see Wrap): the one hook a
// package's test server needs.
func Checked(t testing.TB, docPath string, h http.Handler) http.Handler {
	return Load(t, docPath).Wrap(t, h)
}

// maxCapture bounds what Wrap keeps of a request body to validate it; a
// larger body is one the server refuses anyway.
const maxCapture = 2 << 20

// Wrap returns h with every exchange validated against d: the answer's
// status must be documented for its operation and its body must match the
// documented schema; a request the server accepted (2xx) must be valid by
// the document too (a request it refused may be as wrong as the test made
// it). A request to a path or method the document lacks must be answered
// 401, 404 or 405 (or redirected, when unclean, to its clean path).
// Server-Sent Event streams are passed through as they are
// written; only their status is checked.
func (d *Doc) Wrap(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody bytes.Buffer
		if r.Body != nil {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.TeeReader(r.Body, &capped{&reqBody, maxCapture}), r.Body}
		}
		c := &capture{w: w, check: func(status int) {
			for _, p := range d.check(r, nil, status, w.Header(), nil, true) {
				t.Errorf("openapi: %s", p)
			}
		}}
		h.ServeHTTP(c, r)
		if c.stream {
			return
		}
		if c.status == 0 {
			c.status = http.StatusOK
		}
		for _, p := range d.check(r, reqBody.Bytes(), c.status, w.Header(), c.body.Bytes(), false) {
			t.Errorf("openapi: %s", p)
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body.Bytes())
	})
}

// check validates one exchange and returns what is wrong with it.
func (d *Doc) check(r *http.Request, reqBody []byte, status int, header http.Header, body []byte, statusOnly bool) []string {
	what := r.Method + " " + r.URL.Path
	probe := r.Clone(context.Background())
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := d.router.FindRoute(probe)
	if err != nil {
		switch {
		case status == http.StatusUnauthorized || status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
			return nil
		case status/100 == 3 && r.URL.Path != pathpkg.Clean(r.URL.Path):
			return nil // ServeMux redirects an unclean path to the clean one
		}
		return []string{fmt.Sprintf("%s: answered %d, but the document has no such operation (%v)", what, status, err)}
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: credentialsPresent}
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route, Options: opts}
	var out []string
	if statusOnly {
		if route.Operation.Responses.Status(status) == nil && route.Operation.Responses.Default() == nil {
			out = append(out, fmt.Sprintf("%s: status %d is not documented", what, status))
		}
		return out
	}
	if ct := r.Header.Get("Content-Type"); ct == "" && len(reqBody) > 0 && route.Operation.RequestBody != nil {
		// A server may read a body without Content-Type as its one media
		// type (central does, and says so); the validator needs the header.
		if types := slices.Collect(maps.Keys(route.Operation.RequestBody.Value.Content)); len(types) == 1 {
			probe.Header.Set("Content-Type", types[0])
		}
	}
	if status/100 == 2 && int64(len(reqBody)) < maxCapture {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			out = append(out, fmt.Sprintf("%s was accepted (%d) but is not a valid request by the document: %v", what, status, err))
		}
	}
	res := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), res.SetBodyBytes(body)); err != nil {
		out = append(out, fmt.Sprintf("%s answered %d, which the document does not allow: %v\n\tbody: %.500s", what, status, err, body))
	}
	return out
}

// credentialsPresent checks that a request carries the credential a
// security scheme names; whether it is right is the server's business.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r, s := in.RequestValidationInput.Request, in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return errors.New("no bearer token")
		}
	case s.Type == "apiKey" && s.In == "cookie":
		if _, err := r.Cookie(s.Name); err != nil {
			return fmt.Errorf("no %s cookie", s.Name)
		}
	case s.Type == "apiKey" && s.In == "header":
		if r.Header.Get(s.Name) == "" {
			return fmt.Errorf("no %s header", s.Name)
		}
	default:
		return fmt.Errorf("security scheme %s (%s) unknown to openapitest", in.SecuritySchemeName, s.Type)
	}
	return nil
}

// capped writes at most n bytes to w and drops the rest.
type capped struct {
	w *bytes.Buffer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.w.Len(); room > 0 {
		c.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// capture holds an answer back until it is validated; an event stream
// goes through at once.
type capture struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
	stream bool
	check  func(status int)
}

func (c *capture) Header() http.Header { return c.w.Header() }

func (c *capture) WriteHeader(status int) {
	if c.status != 0 {
		return
	}
	c.status = status
	if mt, _, _ := mime.ParseMediaType(c.w.Header().Get("Content-Type")); mt == "text/event-stream" {
		c.stream = true
		c.check(status)
		c.w.WriteHeader(status)
	}
}

func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.stream {
		return c.w.Write(p)
	}
	return c.body.Write(p)
}

// Flush lets a handler that streams flush through the wrapper.
func (c *capture) Flush() {
	if c.stream {
		_ = http.NewResponseController(c.w).Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (write
// deadlines of an event stream).
func (c *capture) Unwrap() http.ResponseWriter { return c.w }

// Operations lists the document's operations as "METHOD /path".
func (d *Doc) Operations() map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range d.Paths.Map() {
		for method, op := range item.Operations() {
			out[method+" "+path] = op
		}
	}
	return out
}

// Operation names the documented operation ("METHOD /template") that a
// request for method and path resolves to.
func (d *Doc) Operation(method, path string) (string, bool) {
	r, err := http.NewRequest(method, path, nil)
	if err != nil {
		return "", false
	}
	route, _, err := d.router.FindRoute(r)
	if err != nil {
		return "", false
	}
	return route.Method + " " + route.Path, true
}

// Refusals fails the test for each operation without an operationId (or
// with another's) and for each status want lists for an operation that it
// does not document: how an operation fails is part of its contract.
func (d *Doc) Refusals(t testing.TB, want func(method, path string, op *openapi3.Operation) []int) {
	t.Helper()
	ids := map[string]string{}
	for name, op := range d.Operations() {
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", name)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %s", name, other, op.OperationID)
		}
		ids[op.OperationID] = name
		method, path, _ := strings.Cut(name, " ")
		for _, status := range want(method, path, op) {
			if op.Responses.Status(status) == nil {
				t.Errorf("%s (%s) does not document %d", name, op.OperationID, status)
			}
		}
	}
}

// Tour records the operations a test calls, so that it can check it called
// every one the document has.
type Tour struct {
	d      *Doc
	called map[string]bool
}

// Tour starts a tour of d.
func (d *Doc) Tour() *Tour { return &Tour{d: d, called: map[string]bool{}} }

// Call records that the test calls method and path, which must resolve to
// a documented operation.
func (tr *Tour) Call(t testing.TB, method, path string) {
	t.Helper()
	op, ok := tr.d.Operation(method, path)
	if !ok {
		t.Fatalf("%s %s is not in the document", method, path)
	}
	tr.called[op] = true
}

// Check fails the test for each operation neither called nor skipped (with
// the reason the tour cannot reach it), and each skipped one it called.
func (tr *Tour) Check(t testing.TB, skipped map[string]string) {
	t.Helper()
	for op := range tr.d.Operations() {
		_, skip := skipped[op]
		switch {
		case !tr.called[op] && !skip:
			t.Errorf("the tour does not call %s: add a step", op)
		case tr.called[op] && skip:
			t.Errorf("%s is toured: drop it from the skipped ones", op)
		}
	}
}

var routePattern = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE) /\S*$`)

// Routes returns the "METHOD /path" patterns the non-test Go files of the
// package in dir register: every string literal of that form (Go's
// ServeMux patterns). It fails the test when there is none.
func Routes(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && routePattern.MatchString(s) {
					out = append(out, s)
				}
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Fatalf("no route patterns (\"GET /path\" literals) found in %s", dir)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var param = regexp.MustCompile(`\{[^}]*\}`)

// Pattern puts a ServeMux pattern or a document's "METHOD /path" in one
// form: parameters become {} ("/{$}", the exact root, becomes "/").
func Pattern(s string) string {
	s = strings.Replace(s, "/{$}", "/", 1)
	return param.ReplaceAllString(s, "{}")
}

// Coverage fails the test for each route served that the document lacks
// and each operation documented that no route serves.
func (d *Doc) Coverage(t testing.TB, served []string) {
	t.Helper()
	documented := map[string]bool{}
	for op := range d.Operations() {
		documented[Pattern(op)] = true
	}
	have := map[string]bool{}
	for _, r := range served {
		have[Pattern(r)] = true
		if !documented[Pattern(r)] {
			t.Errorf("the server serves %s, which the OpenAPI document lacks", r)
		}
	}
	for op := range d.Operations() {
		if !have[Pattern(op)] {
			t.Errorf("the OpenAPI document has %s, which the server does not serve", op)
		}
	}
}

// Example returns a concrete path for a documented path template, with
// each parameter set to value.
func Example(path, value string) string { return param.ReplaceAllString(path, value) }
