// Package httpapi is central's HTTP API for ERP and shop integrators:
// JSON in and out, a bearer token on every /api call, a machine-readable
// error naming the field for bad input, nothing half-applied,
// Idempotency-Key support on every create and paging on every list.
// docs/api.md and docs/openapi.yaml describe it.
//
// Every state-changing request is handled in two steps: the body is read
// in full (bounded, under the server's read timeout), decoded and checked
// first, and only then does the handler enter the store's one write
// transaction, so a slow or huge request never holds back other writes —
// dock scans included.
package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/allocator"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Server serves the API.
type Server struct {
	alloc   *allocator.Allocator
	st      store.Store
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
func New(alloc *allocator.Allocator, st store.Store, token string, metrics http.Handler, ready Readiness, log zerolog.Logger) http.Handler {
	s := &Server{alloc: alloc, st: st, token: sha256.Sum256([]byte(token)), log: log.With().Str("component", "http").Logger(),
		metrics: metrics, ready: ready}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	api := http.NewServeMux()
	api.HandleFunc("POST /api/v1/items", s.create(s.createItem()))
	api.HandleFunc("GET /api/v1/items", list(s, (store.Tx).Items))
	api.HandleFunc("GET /api/v1/items/{sku}", get(s, "sku", (store.Tx).Item))
	api.HandleFunc("POST /api/v1/locations", s.create(s.createLocation()))
	api.HandleFunc("GET /api/v1/locations", list(s, (store.Tx).Locations))
	api.HandleFunc("POST /api/v1/asns", s.create(s.createASN()))
	api.HandleFunc("GET /api/v1/asns", list(s, (store.Tx).ASNs))
	api.HandleFunc("GET /api/v1/asns/{id}", get(s, "id", (store.Tx).ASN))
	api.HandleFunc("GET /api/v1/stock", s.getStock)
	api.HandleFunc("GET /api/v1/ledger", s.getLedger)
	api.HandleFunc("GET /api/v1/receipts", list(s, (store.Tx).Receipts))
	s.routeWorkflows(api)
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
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

// op is the part of a command that runs inside the store transaction.
type op func(tx store.Tx) (any, error)

// parser reads what a command needs from its request — the body already
// read in full — and checks everything that needs no store, before any
// transaction; it returns the op to run in one.
type parser func(r *http.Request, body []byte) (op, error)

// create wraps a create handler: body, errors, idempotency; 201.
func (s *Server) create(p parser) http.HandlerFunc { return s.command(http.StatusCreated, p) }

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// command runs a state-changing handler: the body is read, decoded and
// checked first, then the op runs in one store transaction (with the ops
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
		idem := r.Method + " " + r.URL.Path + " " + key
		fingerprint := sha256.Sum256(body)
		var answer []byte
		var replay bool
		err = s.alloc.Update(func(tx store.Tx) error {
			if key != "" {
				prev, prevFP, ok, err := tx.Idempotent(idem)
				if err != nil {
					return err
				}
				if ok {
					if prevFP != nil && subtle.ConstantTimeCompare(prevFP, fingerprint[:]) != 1 {
						return keyReused(key)
					}
					answer, replay = prev, true
					return nil
				}
			}
			v, err := run(tx)
			if err != nil {
				return err
			}
			if answer, err = json.Marshal(v); err != nil {
				return err
			}
			if key != "" {
				return tx.SetIdempotent(idem, fingerprint[:], answer)
			}
			return nil
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if replay {
			w.Header().Set("Idempotent-Replay", "true")
		}
		w.WriteHeader(status)
		_, _ = w.Write(append(answer, '\n'))
	}
}

// conflict marks a create of something that already exists.
type conflict string

func (c conflict) Error() string { return string(c) }

// httpError is a refusal with its own status and code.
type httpError struct {
	status     int
	code, text string
}

func (e *httpError) Error() string { return e.text }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, "bad_request", msg} }

func keyReused(key string) error {
	return &httpError{http.StatusUnprocessableEntity, "idempotency_key_reused",
		"Idempotency-Key " + quote(key) + " was already used for a request with a different body; use a new key for a new request"}
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	var inv stock.Invalid
	var c conflict
	var he *httpError
	switch {
	case errors.As(err, &he):
		writeError(w, he.status, he.code, he.text, nil)
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, "invalid", inv.Error(), inv)
	case errors.As(err, &c):
		writeError(w, http.StatusConflict, "conflict", c.Error(), nil)
	case errors.Is(err, stock.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", err.Error(), nil)
	default:
		s.log.Error().Err(err).Msg("request failed")
		writeError(w, http.StatusInternalServerError, "internal", "internal error; see central's log", nil)
	}
}

func (s *Server) createItem() parser {
	return body(func(it *stock.Item) error { return merge(it.Validate(), checkItem(*it)) },
		func(tx store.Tx, _ *http.Request, it stock.Item) (any, error) {
			if _, err := tx.Item(it.SKU); err == nil {
				return nil, conflict("item " + it.SKU + " already exists")
			}
			var inv stock.Invalid
			for _, g := range it.GTINs() {
				if other, err := tx.ItemByGTIN(g); err == nil {
					inv.Add(gtinField(it, g), "%s is already used by item %s", g, other.SKU)
				}
			}
			if err := inv.Err(); err != nil {
				return nil, err
			}
			return it, tx.PutItem(it)
		})
}

func (s *Server) createLocation() parser {
	check := func(l *stock.Location) error {
		l.Normalize()
		return merge(l.Validate(), checkLocation(*l))
	}
	return body(check, func(tx store.Tx, _ *http.Request, l stock.Location) (any, error) {
		if _, err := tx.Location(l.Code); err == nil {
			return nil, conflict("location " + l.Code + " already exists")
		}
		return l, tx.PutLocation(l)
	})
}

// createASN checks the ASN's label fields and, in the transaction, what
// needs the store (items, SSCCs on other ASNs); one answer names every
// problem.
func (s *Server) createASN() parser {
	return body(nil, func(tx store.Tx, _ *http.Request, a inbound.ASN) (any, error) {
		if _, err := tx.ASN(a.ID); err == nil {
			return nil, conflict("ASN " + a.ID + " already exists")
		}
		a.Created = now()
		out, err := inbound.CreateASN(allocator.Inbound(tx), a)
		return out, merge(err, checkASN(a))
	})
}

// view answers a read with the value fn returns.
func (s *Server) view(w http.ResponseWriter, fn func(tx store.Tx) (any, error)) {
	var v any
	err := s.st.View(context.Background(), func(tx store.Tx) error {
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
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.view(w, func(tx store.Tx) (any, error) {
		out := []stock.Quant{}
		err := pg.fill(func(p *store.Page) (int, error) {
			all, err := tx.Paged(p).Quants(q.Get("location"))
			for _, x := range all {
				if match(q.Get("sku"), x.SKU) && match(q.Get("lot"), x.Lot) && match(q.Get("status"), string(x.Status)) &&
					match(q.Get("lpn"), x.LPN) && match(q.Get("expiry"), x.Expiry) {
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
	s.view(w, func(tx store.Tx) (any, error) {
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
