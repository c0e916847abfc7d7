package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// routeWorkflows adds the purchasing, receiving, quality, putaway, move
// and count endpoints.
func (s *Server) routeWorkflows(api *http.ServeMux) {
	ok := http.StatusOK
	api.HandleFunc("GET /api/v1/locations/{code}", get(s, "code", store.Tx.Location))
	api.HandleFunc("POST /api/v1/suppliers", s.create(body(app.CheckSupplier, of((*app.Tx).CreateSupplier))))
	api.HandleFunc("GET /api/v1/suppliers", list(s, store.Tx.Suppliers))
	api.HandleFunc("GET /api/v1/suppliers/{id}", get(s, "id", store.Tx.Supplier))
	api.HandleFunc("POST /api/v1/approval-rules", s.create(body(purchasing.ApprovalRule.Validate, of((*app.Tx).CreateApprovalRule))))
	api.HandleFunc("GET /api/v1/approval-rules", list(s, store.Tx.ApprovalRules))
	api.HandleFunc("POST /api/v1/pos", s.create(body(nil, createPO)))
	api.HandleFunc("GET /api/v1/pos", list(s, store.Tx.POs))
	api.HandleFunc("GET /api/v1/pos/{id}", get(s, "id", store.Tx.PO))
	api.HandleFunc("POST /api/v1/pos/{id}/{action}", s.command(ok, body(nil, actOnPO)))
	api.HandleFunc("POST /api/v1/asns/{id}/close", s.command(ok, noBody(func(t *app.Tx, r *http.Request) (any, error) {
		return t.CloseASN(r.PathValue("id"))
	})))
	api.HandleFunc("GET /api/v1/discrepancies", list(s, store.Tx.Discrepancies))
	api.HandleFunc("GET /api/v1/lpns", list(s, store.Tx.LPNs))
	api.HandleFunc("GET /api/v1/lpns/{code}", get(s, "code", store.Tx.LPN))
	api.HandleFunc("POST /api/v1/lpns/{code}/putaway", s.command(ok, body(checkPutaway, confirmPutaway)))
	api.HandleFunc("POST /api/v1/inspection-plans", s.create(body(quality.Plan.Validate, of((*app.Tx).CreateInspectionPlan))))
	api.HandleFunc("GET /api/v1/inspection-plans", list(s, store.Tx.Plans))
	api.HandleFunc("GET /api/v1/inspections", list(s, store.Tx.Inspections))
	api.HandleFunc("GET /api/v1/inspections/{id}", get(s, "id", store.Tx.Inspection))
	api.HandleFunc("POST /api/v1/inspections/{id}/result", s.command(ok, body(nil, recordInspection)))
	api.HandleFunc("GET /api/v1/returns", list(s, store.Tx.Returns))
	api.HandleFunc("POST /api/v1/moves", s.create(body(app.CheckMove, of((*app.Tx).Move))))
	api.HandleFunc("POST /api/v1/move-orders", s.create(body(nil, of((*app.Tx).CreateMoveOrder))))
	api.HandleFunc("GET /api/v1/move-orders", list(s, store.Tx.MoveOrders))
	api.HandleFunc("GET /api/v1/move-orders/{id}", get(s, "id", store.Tx.MoveOrder))
	api.HandleFunc("GET /api/v1/count-policy", s.getPolicy)
	api.HandleFunc("PUT /api/v1/count-policy", s.command(ok, body(counting.Policy.Validate, of((*app.Tx).SetCountPolicy))))
	api.HandleFunc("POST /api/v1/counts", s.create(body(nil, startCount)))
	api.HandleFunc("POST /api/v1/counts/plan", s.command(ok, noBody(func(t *app.Tx, _ *http.Request) (any, error) {
		return nonNil(t.PlanCounts())
	})))
	api.HandleFunc("GET /api/v1/counts", listAs(s, store.Tx.CountTasks, counting.Task.Blind))
	api.HandleFunc("GET /api/v1/counts/{id}", s.getCount)
	api.HandleFunc("POST /api/v1/counts/{id}/submit", s.command(ok, body(submitCheck, submitCount)))
	api.HandleFunc("GET /api/v1/stock/items/{sku}", s.itemStock)
}

// list answers GET with one page of the records fn lists (see paging.go).
func list[T any](s *Server, fn func(store.Tx) ([]T, error)) http.HandlerFunc {
	return listAs(s, fn, func(v T) T { return v })
}

// listAs is list with each record shown as show returns it.
func listAs[T, V any](s *Server, fn func(store.Tx) ([]T, error), show func(T) V) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pg, err := pageOf(r)
		if err != nil {
			s.fail(w, err)
			return
		}
		s.view(w, r, func(tx store.Tx) (any, error) {
			out := []V{}
			err := pg.fill(func(p *store.Page) (int, error) {
				recs, err := fn(tx.Paged(p))
				for _, rec := range recs {
					out = append(out, show(rec))
				}
				return len(out), err
			})
			pg.link(w, r)
			return out, err
		})
	}
}

// get answers GET with the record named by a path value.
func get[T any](s *Server, name string, fn func(store.Tx, string) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.view(w, r, func(tx store.Tx) (any, error) { return fn(tx, r.PathValue(name)) })
	}
}

// body decodes the request into a T and runs check on it before any
// transaction; the use case run then takes it (and the request, for its
// path values).
func body[T, R any](check func(T) error, run func(t *app.Tx, r *http.Request, v T) (R, error)) parser {
	return func(r *http.Request, b []byte) (useCase, error) {
		var v T
		if err := decode(b, &v); err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(v); err != nil {
				return nil, err
			}
		}
		return func(t *app.Tx) (any, error) { return run(t, r, v) }, nil
	}
}

// of is a use case that takes only the decoded body.
func of[T, R any](uc func(*app.Tx, T) (R, error)) func(*app.Tx, *http.Request, T) (R, error) {
	return func(t *app.Tx, _ *http.Request, v T) (R, error) { return uc(t, v) }
}

// noBody is a command that takes nothing from its body.
func noBody(run func(t *app.Tx, r *http.Request) (any, error)) parser {
	return func(r *http.Request, _ []byte) (useCase, error) {
		return func(t *app.Tx) (any, error) { return run(t, r) }, nil
	}
}

// poRequest is a new purchase order and who creates it.
type poRequest struct {
	purchasing.PO
	By string `json:"by"`
}

func createPO(t *app.Tx, _ *http.Request, req poRequest) (purchasing.PO, error) {
	return t.CreatePO(req.PO, req.By)
}

// actor is the body of workflow actions: who, and a note.
type actor struct {
	By    string `json:"by"`
	Level string `json:"level,omitempty"`
	Note  string `json:"note,omitempty"`
}

func actOnPO(t *app.Tx, r *http.Request, a actor) (purchasing.PO, error) {
	return t.ActOnPO(r.PathValue("id"), r.PathValue("action"), a.Level, a.By, a.Note)
}

// putawayRequest confirms a putaway without scanners.
type putawayRequest struct {
	Location string `json:"location"`
	By       string `json:"by"`
}

func checkPutaway(req putawayRequest) error {
	if req.By == "" {
		return stock.Invalid{{Field: "by", Reason: "is required: who put it away"}}
	}
	return nil
}

func confirmPutaway(t *app.Tx, r *http.Request, req putawayRequest) (stock.LPN, error) {
	res, err := t.ConfirmPutaway(putaway.Confirmation{LPN: r.PathValue("code"), Location: req.Location, By: req.By})
	return res.LPN, err
}

// resultRequest records an inspection result.
type resultRequest struct {
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
	By     string `json:"by"`
}

func recordInspection(t *app.Tx, r *http.Request, req resultRequest) (quality.Outcome, error) {
	return t.RecordInspection(r.PathValue("id"), req.Result, req.Note, req.By)
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	s.view(w, r, func(tx store.Tx) (any, error) { return tx.CountPolicy() })
}

// startRequest opens an unplanned count.
type startRequest struct {
	Location string `json:"location"`
}

func startCount(t *app.Tx, _ *http.Request, req startRequest) (counting.Task, error) {
	task, err := t.StartCount(req.Location, time.Time{})
	if errors.Is(err, stock.ErrNotFound) {
		return task, stock.Invalid{{Field: "location", Reason: "location " + req.Location + " does not exist"}}
	}
	return task.Blind(), err
}

func (s *Server) getCount(w http.ResponseWriter, r *http.Request) {
	s.view(w, r, func(tx store.Tx) (any, error) {
		t, err := tx.CountTask(r.PathValue("id"))
		return t.Blind(), err
	})
}

// submitRequest is a count of a task's location.
type submitRequest struct {
	Lines  []counting.Line `json:"lines"`
	Reason string          `json:"reason,omitempty"`
	By     string          `json:"by"`
}

func submitCheck(req submitRequest) error { return app.CheckCount(req.Lines) }

func submitCount(t *app.Tx, r *http.Request, req submitRequest) (counting.Result, error) {
	res, err := t.SubmitCount(r.PathValue("id"), req.Lines, req.Reason, req.By, time.Time{})
	if res.Movements == nil {
		res.Movements = []stock.Posted{}
	}
	return res, err
}

func (s *Server) itemStock(w http.ResponseWriter, r *http.Request) {
	sum, err := s.app.StockOf(r.Context(), r.PathValue("sku"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}
