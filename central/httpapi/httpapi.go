// Package httpapi is central's HTTP API for ERP and shop integrators:
// JSON in and out, a bearer token on every /api call, a machine-readable
// error naming the field for bad input, nothing half-applied,
// Idempotency-Key support on every create and paging on every list.
// docs/api.md and docs/openapi.yaml describe it.
//
// The API is an adapter: it decodes a request, calls one use case of the
// application (central/app) and encodes the answer; it classifies errors
// by their types. Every state-changing request is handled in two steps:
// the body is read in full (bounded, under the server's read timeout),
// decoded and checked first, and only then does the use case enter the
// store's write transaction, so a slow or huge request never holds back
// other writes — dock scans included. Reads run in a read-only snapshot.
package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Server serves the API.
type Server struct {
	app     *app.App
	token   [32]byte
	log     zerolog.Logger
	metrics http.Handler
	ready   Readiness
}

// Readiness lists what central needs to do its work, by name: each check
// returns "" when fine, else why not. /readyz answers 503 while any fails.
type Readiness map[string]func() string

// New returns the API handler. token is required on /api requests as
// "Authorization: Bearer <token>"; metrics is served on /metrics and the
// ready checks on /readyz.
func New(a *app.App, token string, metrics http.Handler, ready Readiness, log zerolog.Logger) http.Handler {
	s := newServer(a, token, metrics, ready, log)
	api := http.NewServeMux()
	api.HandleFunc("POST /api/v1/items", s.create(body(app.CheckItem, of((*app.Tx).CreateItem))))
	api.HandleFunc("GET /api/v1/items", list(s, store.Tx.Items))
	api.HandleFunc("GET /api/v1/items/{sku}", get(s, "sku", store.Tx.Item))
	api.HandleFunc("POST /api/v1/locations", s.create(body(app.CheckLocation, of((*app.Tx).CreateLocation))))
	api.HandleFunc("GET /api/v1/locations", list(s, store.Tx.Locations))
	api.HandleFunc("POST /api/v1/asns", s.create(body(nil, of((*app.Tx).CreateASN))))
	api.HandleFunc("GET /api/v1/asns", list(s, store.Tx.ASNs))
	api.HandleFunc("GET /api/v1/asns/{id}", get(s, "id", store.Tx.ASN))
	api.HandleFunc("GET /api/v1/stock", s.getStock)
	api.HandleFunc("GET /api/v1/ledger", s.getLedger)
	api.HandleFunc("GET /api/v1/receipts", list(s, store.Tx.Receipts))
	s.routeWorkflows(api)
	s.routeOutbound(api)
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
	return s.serve(api)
}

// NewUnavailable returns the handler of a central that cannot open its
// store (its disk is full): /healthz, /readyz and /metrics as New's, and
// every /api request (with the token) answered by why, an error wrapping
// store.ErrNoSpace (507).
func NewUnavailable(token string, metrics http.Handler, ready Readiness, why func() error, log zerolog.Logger) http.Handler {
	s := newServer(nil, token, metrics, ready, log)
	return s.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { s.fail(w, why()) }))
}

func newServer(a *app.App, token string, metrics http.Handler, ready Readiness, log zerolog.Logger) *Server {
	return &Server{app: a, token: sha256.Sum256([]byte(token)), log: log.With().Str("component", "http").Logger(),
		metrics: metrics, ready: ready}
}

// serve routes health, readiness and metrics, and /api (with the token)
// to api.
func (s *Server) serve(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.metrics != nil {
		mux.Handle("GET /metrics", s.metrics)
	}
	mux.Handle("/api/", s.auth(api))
	return mux
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if !ok || subtle.ConstantTimeCompare(got[:], s.token[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dockhand"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API token (Authorization: Bearer <token>)", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// reason is one thing that keeps central from being ready; /readyz has
// the shape of the gateway's, so one monitoring rule reads both.
type reason struct {
	Component string `json:"component"`
	Reason    string `json:"reason"`
}

// readyz answers whether central can do its work: 200 when every check
// passes, 503 with the reasons otherwise.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	reasons := []reason{}
	for _, name := range slices.Sorted(maps.Keys(s.ready)) {
		if why := s.ready[name](); why != "" {
			reasons = append(reasons, reason{Component: name, Reason: why})
		}
	}
	if len(reasons) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "degraded", "reasons": reasons})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "reasons": reasons})
}

// apiError is the body of every error answer.
type apiError struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []stock.FieldError `json:"fields,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg string, fields []stock.FieldError) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg, Fields: fields}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// useCase is the part of a command that runs in the application's
// transaction: one use case.
type useCase func(t *app.Tx) (any, error)

// parser reads what a command needs from its request — the body already
// read in full — and checks everything that needs no store, before any
// transaction; it returns the use case to run.
type parser func(r *http.Request, body []byte) (useCase, error)

// create wraps a create handler: body, errors, idempotency; 201.
func (s *Server) create(p parser) http.HandlerFunc { return s.command(http.StatusCreated, p) }

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// command runs a state-changing handler: the body is read, decoded and
// checked first, then the use case runs in one transaction (with the ops
// messages it queues) and the answer has status. An Idempotency-Key makes
// a repeated request get the first answer again, unchanged; the same key
// with a different body is refused (422), never answered with the first
// request's result.
func (s *Server) command(status int, parse parser) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if len(key) > maxIdempotencyKey {
			writeError(w, http.StatusBadRequest, "bad_request", "Idempotency-Key is longer than 200 characters", nil)
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			s.fail(w, err)
			return
		}
		run, err := parse(r, body)
		if err != nil {
			s.fail(w, err)
			return
		}
		fingerprint := sha256.Sum256(body)
		call := &app.Call{Scope: r.Method + " " + r.URL.Path, Key: key, Request: fingerprint[:]}
		if err := s.app.Do(r.Context(), call, run); err != nil {
			s.fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if call.Replay {
			w.Header().Set("Idempotent-Replay", "true")
		}
		w.WriteHeader(status)
		_, _ = w.Write(append(call.Answer, '\n'))
	}
}

// httpError is a refusal of the HTTP layer with its own status and code.
type httpError struct {
	status     int
	code, text string
}

func (e *httpError) Error() string { return e.text }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, "bad_request", msg} }

// fail answers an error by its type: the HTTP layer's own refusals, field
// errors (422), an idempotency key used for another request (422), a
// create of what exists (409), a putaway the location refuses (422) or a
// plate that is not there (404), anything not found (404), stock that is
// promised (422, quantity), a write refused for a full disk (507: the
// same request succeeds once there is space); anything else is central's
// fault (500, logged).
func (s *Server) fail(w http.ResponseWriter, err error) {
	var inv stock.Invalid
	var conflict *app.ConflictError
	var reused *app.KeyReusedError
	var refused *putaway.Refused
	var he *httpError
	switch {
	case errors.As(err, &he):
		writeError(w, he.status, he.code, he.text, nil)
	case errors.As(err, &reused):
		writeError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key "+quote(reused.Key)+
			" was already used for a request with a different body; use a new key for a new request", nil)
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, "invalid", inv.Error(), inv)
	case errors.As(err, &conflict):
		writeError(w, http.StatusConflict, "conflict", conflict.Error(), nil)
	case errors.As(err, &refused) && refused.Kind == putaway.UnknownLPN:
		writeError(w, http.StatusNotFound, "not_found", refused.Message, nil)
	case errors.As(err, &refused):
		inv := stock.Invalid{{Field: "location", Reason: refused.Message}}
		writeError(w, http.StatusUnprocessableEntity, "invalid", inv.Error(), inv)
	case errors.Is(err, stock.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", err.Error(), nil)
	case errors.Is(err, stock.ErrReserved):
		inv := stock.Invalid{{Field: "quantity", Reason: err.Error()}}
		writeError(w, http.StatusUnprocessableEntity, "invalid", inv.Error(), inv)
	case errors.Is(err, store.ErrNoSpace):
		writeError(w, http.StatusInsufficientStorage, "insufficient_storage", err.Error()+"; nothing was written: try again later", nil)
	default:
		s.log.Error().Err(err).Msg("request failed")
		writeError(w, http.StatusInternalServerError, "internal", "internal error; see central's log", nil)
	}
}

// view answers a read with the value fn returns.
func (s *Server) view(w http.ResponseWriter, r *http.Request, fn func(tx store.Tx) (any, error)) {
	var v any
	err := s.app.View(r.Context(), func(tx store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// getStock lists quants, filtered by sku, location, lot and status, a
// page at a time.
func (s *Server) getStock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && !stock.Status(st).Valid() {
		writeError(w, http.StatusBadRequest, "invalid", "status: not a stock status", []stock.FieldError{{Field: "status", Reason: "not a stock status"}})
		return
	}
	loc := q.Get("location")
	listWhere(s, w, r, func(tx store.Tx) ([]stock.Quant, error) { return tx.Quants(loc) }, func(x stock.Quant) bool {
		return match(q.Get("sku"), x.SKU) && match(q.Get("lot"), x.Lot) && match(q.Get("status"), string(x.Status)) &&
			match(q.Get("lpn"), x.LPN) && match(q.Get("expiry"), x.Expiry)
	})
}

// listWhere answers GET with one page of the records fn lists that keep
// keeps (a filtered page may hold fewer than the limit and still link on).
func listWhere[T any](s *Server, w http.ResponseWriter, r *http.Request, fn func(store.Tx) ([]T, error), keep func(T) bool) {
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.view(w, r, func(tx store.Tx) (any, error) {
		out := []T{}
		err := pg.fill(func(p *store.Page) (int, error) {
			all, err := fn(tx.Paged(p))
			for _, x := range all {
				if keep(x) {
					out = append(out, x)
				}
			}
			return len(out), err
		})
		pg.link(w, r)
		return out, err
	})
}

func match(want, have string) bool { return want == "" || want == have }

// getLedger pages through movements: ?after=<seq>&limit=<n> (default 100,
// max 1000), optionally only those of one sku, location (from or to), lpn
// or document. A full page links to the next one (after its last seq).
func (s *Server) getLedger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := parseUint(q.Get("after"), 0)
	if err != nil {
		s.fail(w, badRequest("after: must be a ledger sequence number"))
		return
	}
	limit, err := limitOf(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	keep := func(m stock.Movement) bool {
		loc := q.Get("location")
		return match(q.Get("sku"), m.SKU) && match(q.Get("lpn"), m.LPN) && match(q.Get("doc"), m.Doc) &&
			(loc == "" || loc == m.From || loc == m.To)
	}
	s.view(w, r, func(tx store.Tx) (any, error) {
		out := []stock.Movement{}
		for len(out) < limit {
			ms, err := tx.Movements(after, 1000)
			if err != nil || len(ms) == 0 {
				return out, err
			}
			for _, m := range ms {
				if len(out) == limit {
					break
				}
				if keep(m) {
					out = append(out, m)
				}
				after = m.Seq
			}
		}
		setNext(w, r, "after", formatUint(after))
		return out, nil
	})
}
