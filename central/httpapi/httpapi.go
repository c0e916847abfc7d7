// Package httpapi is central's HTTP API for ERP and shop integrators:
// JSON in and out, a bearer token on every /api call, a machine-readable
// error naming the field for bad input, nothing half-applied, and
// Idempotency-Key support on every create. docs/api.md and
// docs/openapi.yaml describe it.
package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/allocator"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// maxBody bounds request bodies; an ASN of a full truck is far smaller.
const maxBody = 1 << 20

// Server serves the API.
type Server struct {
	alloc   *allocator.Allocator
	st      *store.Store
	token   [32]byte
	log     zerolog.Logger
	metrics http.Handler
}

// New returns the API handler. token is required on /api requests as
// "Authorization: Bearer <token>"; metrics is served on /metrics.
func New(alloc *allocator.Allocator, st *store.Store, token string, metrics http.Handler, log zerolog.Logger) http.Handler {
	s := &Server{alloc: alloc, st: st, token: sha256.Sum256([]byte(token)), log: log.With().Str("component", "http").Logger(), metrics: metrics}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	api := http.NewServeMux()
	api.HandleFunc("POST /api/v1/items", s.create(s.createItem))
	api.HandleFunc("GET /api/v1/items", s.listItems)
	api.HandleFunc("GET /api/v1/items/{sku}", s.getItem)
	api.HandleFunc("POST /api/v1/locations", s.create(s.createLocation))
	api.HandleFunc("GET /api/v1/locations", s.listLocations)
	api.HandleFunc("POST /api/v1/asns", s.create(s.createASN))
	api.HandleFunc("GET /api/v1/asns", s.listASNs)
	api.HandleFunc("GET /api/v1/asns/{id}", s.getASN)
	api.HandleFunc("GET /api/v1/stock", s.getStock)
	api.HandleFunc("GET /api/v1/ledger", s.getLedger)
	api.HandleFunc("GET /api/v1/receipts", s.listReceipts)
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

// decode reads a JSON body strictly: unknown fields and trailing data are
// errors that name what is wrong.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return stock.Invalid{{Field: te.Field, Reason: fmt.Sprintf("must be %s, got %s", te.Type, te.Value)}}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return stock.Invalid{{Field: f, Reason: "unknown field"}}
		}
		return fmt.Errorf("body is not valid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("body has data after the JSON object")
	}
	return nil
}

// create wraps a create handler with body decoding, error mapping and
// idempotency: a repeated Idempotency-Key gets the first answer again.
func (s *Server) create(fn func(tx *store.Tx, r *http.Request) (any, error)) http.HandlerFunc {
	return s.command(http.StatusCreated, fn)
}

// command runs a state-changing handler in one store transaction (with
// the ops messages it queues) and answers with status; Idempotency-Key
// works as for creates.
func (s *Server) command(status int, fn func(tx *store.Tx, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if len(key) > 200 {
			writeError(w, http.StatusBadRequest, "invalid", "Idempotency-Key is longer than 200 characters", nil)
			return
		}
		idem := r.Method + " " + r.URL.Path + " " + key
		var answer []byte
		var replay bool
		err := s.alloc.Update(func(tx *store.Tx) error {
			if key != "" {
				prev, ok, err := tx.Idempotent(idem)
				if err != nil {
					return err
				}
				if ok {
					answer, replay = prev, true
					return nil
				}
			}
			v, err := fn(tx, r)
			if err != nil {
				return err
			}
			if answer, err = json.Marshal(v); err != nil {
				return err
			}
			if key != "" {
				return tx.SetIdempotent(idem, answer)
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

func (s *Server) fail(w http.ResponseWriter, err error) {
	var inv stock.Invalid
	var c conflict
	switch {
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, "invalid", inv.Error(), inv)
	case errors.As(err, &c):
		writeError(w, http.StatusConflict, "conflict", c.Error(), nil)
	case errors.Is(err, stock.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", err.Error(), nil)
	case strings.HasPrefix(err.Error(), "body "):
		writeError(w, http.StatusBadRequest, "bad_request", err.Error(), nil)
	default:
		s.log.Error().Err(err).Msg("request failed")
		writeError(w, http.StatusInternalServerError, "internal", "internal error; see central's log", nil)
	}
}

func (s *Server) createItem(tx *store.Tx, r *http.Request) (any, error) {
	var it stock.Item
	if err := decode(r, &it); err != nil {
		return nil, err
	}
	if err := it.Validate(); err != nil {
		return nil, err
	}
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
}

func (s *Server) createLocation(tx *store.Tx, r *http.Request) (any, error) {
	var l stock.Location
	if err := decode(r, &l); err != nil {
		return nil, err
	}
	l.Normalize()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.Location(l.Code); err == nil {
		return nil, conflict("location " + l.Code + " already exists")
	}
	return l, tx.PutLocation(l)
}

func (s *Server) createASN(tx *store.Tx, r *http.Request) (any, error) {
	var a inbound.ASN
	if err := decode(r, &a); err != nil {
		return nil, err
	}
	if _, err := tx.ASN(a.ID); err == nil {
		return nil, conflict("ASN " + a.ID + " already exists")
	}
	a.Created = now()
	return inbound.CreateASN(tx, a)
}

// view answers a read with the value fn returns.
func (s *Server) view(w http.ResponseWriter, fn func(tx *store.Tx) (any, error)) {
	var v any
	err := s.st.View(func(tx *store.Tx) error {
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

func (s *Server) listItems(w http.ResponseWriter, _ *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return nonNil(tx.Items()) })
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return tx.Item(r.PathValue("sku")) })
}

func (s *Server) listLocations(w http.ResponseWriter, _ *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return nonNil(tx.Locations()) })
}

func (s *Server) listASNs(w http.ResponseWriter, _ *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return nonNil(tx.ASNs()) })
}

func (s *Server) getASN(w http.ResponseWriter, r *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return tx.ASN(r.PathValue("id")) })
}

func (s *Server) listReceipts(w http.ResponseWriter, _ *http.Request) {
	s.view(w, func(tx *store.Tx) (any, error) { return nonNil(tx.Receipts()) })
}

// getStock lists quants, filtered by sku, location, lot and status.
func (s *Server) getStock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && !stock.Status(st).Valid() {
		writeError(w, http.StatusBadRequest, "invalid", "status: not a stock status", []stock.FieldError{{Field: "status", Reason: "not a stock status"}})
		return
	}
	s.view(w, func(tx *store.Tx) (any, error) {
		all, err := tx.Quants(q.Get("location"))
		out := []stock.Quant{}
		for _, x := range all {
			if match(q.Get("sku"), x.SKU) && match(q.Get("lot"), x.Lot) && match(q.Get("status"), string(x.Status)) &&
				match(q.Get("lpn"), x.LPN) && match(q.Get("expiry"), x.Expiry) {
				out = append(out, x)
			}
		}
		return out, err
	})
}

func match(want, have string) bool { return want == "" || want == have }

// getLedger pages through movements: ?after=<seq>&limit=<n> (default 100,
// max 1000), optionally only those of one sku, location (from or to), lpn
// or document.
func (s *Server) getLedger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err1 := parseUint(q.Get("after"), 0)
	limit, err2 := parseUint(q.Get("limit"), 100)
	if err1 != nil || err2 != nil || limit == 0 || limit > 1000 {
		writeError(w, http.StatusBadRequest, "invalid", "after must be a sequence number and limit 1..1000", nil)
		return
	}
	keep := func(m stock.Movement) bool {
		loc := q.Get("location")
		return match(q.Get("sku"), m.SKU) && match(q.Get("lpn"), m.LPN) && match(q.Get("doc"), m.Doc) &&
			(loc == "" || loc == m.From || loc == m.To)
	}
	s.view(w, func(tx *store.Tx) (any, error) {
		out := []stock.Movement{}
		for len(out) < int(limit) {
			ms, err := tx.Movements(after, 1000)
			if err != nil || len(ms) == 0 {
				return out, err
			}
			for _, m := range ms {
				if keep(m) && len(out) < int(limit) {
					out = append(out, m)
				}
				after = m.Seq
			}
		}
		return out, nil
	})
}

func parseUint(s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](v []T, err error) ([]T, error) {
	if v == nil {
		v = []T{}
	}
	return v, err
}
