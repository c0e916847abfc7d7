package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dockhand/dockhand/central/allocator"
	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/ops"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// routeWorkflows adds the purchasing, receiving, quality, putaway, move
// and count endpoints.
func (s *Server) routeWorkflows(api *http.ServeMux) {
	ok := http.StatusOK
	api.HandleFunc("GET /api/v1/locations/{code}", get(s, "code", (store.Tx).Location))
	api.HandleFunc("POST /api/v1/suppliers", s.create(s.createSupplier()))
	api.HandleFunc("GET /api/v1/suppliers", list(s, (store.Tx).Suppliers))
	api.HandleFunc("GET /api/v1/suppliers/{id}", get(s, "id", (store.Tx).Supplier))
	api.HandleFunc("POST /api/v1/approval-rules", s.create(s.createRule()))
	api.HandleFunc("GET /api/v1/approval-rules", list(s, (store.Tx).ApprovalRules))
	api.HandleFunc("POST /api/v1/pos", s.create(s.createPO()))
	api.HandleFunc("GET /api/v1/pos", list(s, (store.Tx).POs))
	api.HandleFunc("GET /api/v1/pos/{id}", get(s, "id", (store.Tx).PO))
	api.HandleFunc("POST /api/v1/pos/{id}/{action}", s.command(ok, s.actPO()))
	api.HandleFunc("POST /api/v1/asns/{id}/close", s.command(ok, s.closeASN()))
	api.HandleFunc("GET /api/v1/discrepancies", list(s, (store.Tx).Discrepancies))
	api.HandleFunc("GET /api/v1/lpns", list(s, (store.Tx).LPNs))
	api.HandleFunc("GET /api/v1/lpns/{code}", get(s, "code", (store.Tx).LPN))
	api.HandleFunc("POST /api/v1/lpns/{code}/putaway", s.command(ok, s.confirmPutaway()))
	api.HandleFunc("POST /api/v1/inspection-plans", s.create(s.createPlan()))
	api.HandleFunc("GET /api/v1/inspection-plans", list(s, (store.Tx).Plans))
	api.HandleFunc("GET /api/v1/inspections", list(s, (store.Tx).Inspections))
	api.HandleFunc("GET /api/v1/inspections/{id}", get(s, "id", (store.Tx).Inspection))
	api.HandleFunc("POST /api/v1/inspections/{id}/result", s.command(ok, s.recordInspection()))
	api.HandleFunc("GET /api/v1/returns", list(s, (store.Tx).Returns))
	api.HandleFunc("POST /api/v1/moves", s.create(s.move()))
	api.HandleFunc("POST /api/v1/move-orders", s.create(s.createMoveOrder()))
	api.HandleFunc("GET /api/v1/move-orders", list(s, (store.Tx).MoveOrders))
	api.HandleFunc("GET /api/v1/move-orders/{id}", get(s, "id", (store.Tx).MoveOrder))
	api.HandleFunc("GET /api/v1/count-policy", s.getPolicy)
	api.HandleFunc("PUT /api/v1/count-policy", s.command(ok, s.putPolicy()))
	api.HandleFunc("POST /api/v1/counts", s.create(s.startCount()))
	api.HandleFunc("POST /api/v1/counts/plan", s.command(ok, s.planCounts()))
	api.HandleFunc("GET /api/v1/counts", listAs(s, (store.Tx).CountTasks, counting.Task.Blind))
	api.HandleFunc("GET /api/v1/counts/{id}", s.getCount)
	api.HandleFunc("POST /api/v1/counts/{id}/submit", s.command(ok, s.submitCount()))
	api.HandleFunc("GET /api/v1/stock/items/{sku}", s.itemStock)
}

func now() time.Time { return time.Now().UTC() }

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
		s.view(w, func(tx store.Tx) (any, error) {
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
		s.view(w, func(tx store.Tx) (any, error) { return fn(tx, r.PathValue(name)) })
	}
}

func (s *Server) publisher() ops.Publisher { return ops.Publisher{Site: s.alloc.Site()} }

// published queues ops/stock for every movement and ops/alert for every
// alert of an HTTP-driven change, in its transaction.
func (s *Server) published(tx store.Tx, ms []stock.Posted, alerts ...stock.Alert) error {
	if err := s.publisher().Stock(tx, ms...); err != nil {
		return err
	}
	for _, a := range alerts {
		if err := s.publisher().Alert(tx, "", "", a); err != nil {
			return err
		}
	}
	return nil
}

func gtinField(it stock.Item, g string) string {
	for i, p := range it.Packs {
		if p.GTIN == g {
			return "packs[" + strconv.Itoa(i) + "].gtin"
		}
	}
	return "gtin"
}

// body decodes the request into a T and runs check on it before any
// transaction; then run does the work inside one.
func body[T any](check func(*T) error, run func(tx store.Tx, r *http.Request, v T) (any, error)) parser {
	return func(r *http.Request, b []byte) (op, error) {
		var v T
		if err := decode(b, &v); err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(&v); err != nil {
				return nil, err
			}
		}
		return func(tx store.Tx) (any, error) { return run(tx, r, v) }, nil
	}
}

// noBody is a command that takes nothing from its body.
func noBody(run func(tx store.Tx, r *http.Request) (any, error)) parser {
	return func(r *http.Request, _ []byte) (op, error) {
		return func(tx store.Tx) (any, error) { return run(tx, r) }, nil
	}
}

func (s *Server) createSupplier() parser {
	return body(func(sup *purchasing.Supplier) error { return merge(sup.Validate(), checkSupplier(*sup)) },
		func(tx store.Tx, _ *http.Request, sup purchasing.Supplier) (any, error) {
			if _, err := tx.Supplier(sup.ID); err == nil {
				return nil, conflict("supplier " + sup.ID + " already exists")
			}
			sup.Created = now()
			return sup, tx.PutSupplier(sup)
		})
}

func (s *Server) createRule() parser {
	return body(func(rule *purchasing.ApprovalRule) error { return rule.Validate() },
		func(tx store.Tx, _ *http.Request, rule purchasing.ApprovalRule) (any, error) {
			if _, err := tx.ApprovalRule(rule.ID); err == nil {
				return nil, conflict("approval rule " + rule.ID + " already exists")
			}
			return rule, tx.PutApprovalRule(rule)
		})
}

// poRequest is a new purchase order and who creates it.
type poRequest struct {
	purchasing.PO
	By string `json:"by"`
}

func (s *Server) createPO() parser {
	return body(nil, func(tx store.Tx, _ *http.Request, req poRequest) (any, error) {
		if _, err := tx.PO(req.ID); err == nil {
			return nil, conflict("purchase order " + req.ID + " already exists")
		}
		return purchasing.CreatePO(tx, req.PO, purchasing.Actor{By: req.By, At: now()})
	})
}

// actor is the body of workflow actions: who, and a note.
type actor struct {
	By    string `json:"by"`
	Level string `json:"level,omitempty"`
	Note  string `json:"note,omitempty"`
}

func (s *Server) actPO() parser {
	return body(nil, func(tx store.Tx, r *http.Request, a actor) (any, error) {
		return purchasing.Act(tx, r.PathValue("id"), r.PathValue("action"), a.Level, purchasing.Actor{By: a.By, At: now(), Note: a.Note})
	})
}

func (s *Server) closeASN() parser {
	return noBody(func(tx store.Tx, r *http.Request) (any, error) {
		res, err := inbound.CloseASN(allocator.Inbound(tx), r.PathValue("id"), now(), wire.NewID)
		if err != nil {
			return nil, err
		}
		return res, s.published(tx, nil, res.Alerts...)
	})
}

// putawayRequest confirms a putaway without scanners.
type putawayRequest struct {
	Location string `json:"location"`
	By       string `json:"by"`
}

func (s *Server) confirmPutaway() parser {
	check := func(req *putawayRequest) error {
		if req.By == "" {
			return stock.Invalid{{Field: "by", Reason: "is required: who put it away"}}
		}
		return nil
	}
	return body(check, func(tx store.Tx, r *http.Request, req putawayRequest) (any, error) {
		res, err := putaway.Confirm(tx, putaway.Confirmation{LPN: r.PathValue("code"), Location: req.Location, By: req.By, At: now(), NewID: wire.NewID})
		var refused *putaway.Refused
		switch {
		case errors.As(err, &refused) && refused.Kind == "unknown-lpn":
			return nil, notFound(refused.Message)
		case errors.As(err, &refused):
			return nil, stock.Invalid{{Field: "location", Reason: refused.Message}}
		case err != nil:
			return nil, err
		}
		if res.MoveOrder != "" {
			if err := moves.CompleteMove(tx, res.MoveOrder, res.LPN.Location, now()); err != nil {
				return nil, err
			}
		}
		return res.LPN, s.published(tx, res.Movements)
	})
}

// notFound is a lookup failure with its own message.
func notFound(msg string) error { return &notFoundError{msg} }

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return stock.ErrNotFound }

func (s *Server) createPlan() parser {
	return body(func(p *quality.Plan) error { return p.Validate() },
		func(tx store.Tx, _ *http.Request, p quality.Plan) (any, error) {
			if _, err := tx.Plan(p.ID); err == nil {
				return nil, conflict("inspection plan " + p.ID + " already exists")
			}
			return p, tx.PutPlan(p)
		})
}

// resultRequest records an inspection result.
type resultRequest struct {
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
	By     string `json:"by"`
}

func (s *Server) recordInspection() parser {
	return body(nil, func(tx store.Tx, r *http.Request, req resultRequest) (any, error) {
		out, err := quality.Record(tx, r.PathValue("id"), req.Result, req.Note, req.By, now(), wire.NewID)
		if err != nil {
			return nil, err
		}
		var alerts []stock.Alert
		if out.Return != nil {
			alerts = append(alerts, stock.Alert{Kind: "qc-failed", Severity: "warning", Ref: out.Return.ID,
				Message: "inspection " + out.Task.ID + " failed: " + out.Task.LPN + " is to be returned (" + req.Note + ")"})
		}
		return out, s.published(tx, out.Movements, alerts...)
	})
}

func (s *Server) move() parser {
	check := func(m *moves.Move) error { return checkLots(stock.Invalid{}, "lot", m.Lot).Err() }
	return body(check, func(tx store.Tx, _ *http.Request, m moves.Move) (any, error) {
		p, err := moves.MoveNow(tx, m, now(), wire.NewID)
		if err != nil {
			return nil, err
		}
		return p.Movement, s.published(tx, []stock.Posted{p})
	})
}

func (s *Server) createMoveOrder() parser {
	return body(nil, func(tx store.Tx, _ *http.Request, o moves.MoveOrder) (any, error) {
		if _, err := tx.MoveOrder(o.ID); err == nil {
			return nil, conflict("move order " + o.ID + " already exists")
		}
		o.Created = now()
		return moves.CreateMoveOrder(tx, o)
	})
}

func (s *Server) getPolicy(w http.ResponseWriter, _ *http.Request) {
	s.view(w, func(tx store.Tx) (any, error) { return tx.CountPolicy() })
}

func (s *Server) putPolicy() parser {
	return body(func(p *counting.Policy) error { return p.Validate() },
		func(tx store.Tx, _ *http.Request, p counting.Policy) (any, error) { return p, tx.SetCountPolicy(p) })
}

// startRequest opens an unplanned count.
type startRequest struct {
	Location string `json:"location"`
}

func (s *Server) startCount() parser {
	return body(nil, func(tx store.Tx, _ *http.Request, req startRequest) (any, error) {
		t, err := counting.StartCount(tx, req.Location, now(), wire.NewID)
		if errors.Is(err, stock.ErrNotFound) {
			return nil, stock.Invalid{{Field: "location", Reason: "location " + req.Location + " does not exist"}}
		}
		return t.Blind(), err
	})
}

func (s *Server) planCounts() parser {
	return noBody(func(tx store.Tx, _ *http.Request) (any, error) {
		ts, err := counting.Plan(tx, now(), wire.NewID)
		return nonNil(ts, err)
	})
}

func (s *Server) getCount(w http.ResponseWriter, r *http.Request) {
	s.view(w, func(tx store.Tx) (any, error) {
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

func (s *Server) submitCount() parser {
	check := func(req *submitRequest) error {
		var v stock.Invalid
		for i, l := range req.Lines {
			v = checkLots(v, fmt.Sprintf("lines[%d].lot", i), l.Lot)
		}
		return v.Err()
	}
	return body(check, func(tx store.Tx, r *http.Request, req submitRequest) (any, error) {
		res, err := counting.Submit(tx, r.PathValue("id"), req.Lines, req.Reason, req.By, now(), wire.NewID)
		if err != nil {
			return nil, err
		}
		if res.Movements == nil {
			res.Movements = []stock.Posted{}
		}
		return res, s.published(tx, res.Movements)
	})
}

// itemStock is one item's stock by status and location.
type itemStock struct {
	SKU        string                 `json:"sku"`
	OnHand     int64                  `json:"on_hand"`
	Available  int64                  `json:"available"`
	Reserved   int64                  `json:"reserved"`
	ByStatus   map[stock.Status]int64 `json:"by_status"`
	ByLocation map[string]int64       `json:"by_location"`
	ByLot      map[string]int64       `json:"by_lot"`
}

// itemStock sums an item's quants with checked arithmetic: a total that
// does not fit is an error, never a wrapped number.
func (s *Server) itemStock(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	s.view(w, func(tx store.Tx) (any, error) {
		if _, err := tx.Item(sku); err != nil {
			return nil, err
		}
		out := itemStock{SKU: sku, ByStatus: map[stock.Status]int64{}, ByLocation: map[string]int64{}, ByLot: map[string]int64{}}
		qs, err := tx.Quants("")
		if err != nil {
			return nil, err
		}
		ok := true
		add := func(total *int64, q int64) {
			n, fits := stock.Add(*total, q)
			ok = ok && fits
			*total = n
		}
		for _, q := range qs {
			if q.SKU != sku {
				continue
			}
			add(&out.OnHand, q.Quantity)
			n := out.ByStatus[q.Status]
			add(&n, q.Quantity)
			out.ByStatus[q.Status] = n
			n = out.ByLocation[q.Location]
			add(&n, q.Quantity)
			out.ByLocation[q.Location] = n
			n = out.ByLot[q.Lot]
			add(&n, q.Quantity)
			out.ByLot[q.Lot] = n
		}
		if !ok {
			return nil, stock.Overflow("stock of " + sku)
		}
		pools, err := tx.Pools(sku)
		for _, p := range pools {
			add(&out.Available, p.Available)
			add(&out.Reserved, p.Reserved)
		}
		if !ok {
			return nil, stock.Overflow("stock of " + sku)
		}
		return out, err
	})
}
