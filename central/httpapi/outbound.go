package httpapi

import (
	"net/http"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/store"
)

// routeOutbound adds the selling and shipping endpoints: channels,
// warehouses, orders and their actions, backorder queues, shipments,
// promotions, pre-sales, transfers and the stock layers.
func (s *Server) routeOutbound(api *http.ServeMux) {
	ok := http.StatusOK
	api.HandleFunc("POST /api/v1/channels", s.create(body(orders.Channel.Validate, of((*app.Tx).CreateChannel))))
	api.HandleFunc("GET /api/v1/channels", list(s, store.Tx.Channels))
	api.HandleFunc("GET /api/v1/channels/{id}", get(s, "id", store.Tx.Channel))
	api.HandleFunc("POST /api/v1/warehouses", s.create(body(routing.Warehouse.Validate, of((*app.Tx).CreateWarehouse))))
	api.HandleFunc("GET /api/v1/warehouses", list(s, store.Tx.Warehouses))
	api.HandleFunc("GET /api/v1/warehouses/{code}", get(s, "code", store.Tx.WarehouseByCode))
	api.HandleFunc("POST /api/v1/orders", s.create(body(nil, of((*app.Tx).CreateOrder))))
	api.HandleFunc("GET /api/v1/orders", s.listOrders)
	api.HandleFunc("GET /api/v1/orders/{id}", get(s, "id", store.Tx.Order))
	api.HandleFunc("POST /api/v1/orders/{id}/change", s.command(ok, body(nil, changeOrder)))
	api.HandleFunc("POST /api/v1/orders/{id}/pay", s.command(ok, body(nil, payOrder)))
	api.HandleFunc("POST /api/v1/orders/{id}/cancel", s.command(ok, body(nil, cancelOrder)))
	api.HandleFunc("POST /api/v1/orders/{id}/ship", s.create(body(app.CheckShip, shipOrder)))
	api.HandleFunc("GET /api/v1/backorders/{sku}", s.listBackorders)
	api.HandleFunc("GET /api/v1/shipments", list(s, store.Tx.Shipments))
	api.HandleFunc("GET /api/v1/shipments/{id}", get(s, "id", store.Tx.Shipment))
	api.HandleFunc("POST /api/v1/promotions", s.create(body(nil, of((*app.Tx).CreatePromotion))))
	api.HandleFunc("GET /api/v1/promotions", list(s, store.Tx.Promotions))
	api.HandleFunc("GET /api/v1/promotions/{id}", get(s, "id", store.Tx.Promotion))
	api.HandleFunc("POST /api/v1/promotions/{id}/end", s.command(ok, noBody(func(t *app.Tx, r *http.Request) (any, error) {
		return t.EndPromotion(r.PathValue("id"))
	})))
	api.HandleFunc("POST /api/v1/presales", s.create(body(nil, of((*app.Tx).CreatePresale))))
	api.HandleFunc("GET /api/v1/presales", list(s, store.Tx.Presales))
	api.HandleFunc("GET /api/v1/presales/{id}", get(s, "id", store.Tx.Presale))
	api.HandleFunc("POST /api/v1/transfers", s.create(body(routing.Transfer.Validate, of((*app.Tx).CreateTransfer))))
	api.HandleFunc("GET /api/v1/transfers", list(s, store.Tx.Transfers))
	api.HandleFunc("GET /api/v1/transfers/{id}", get(s, "id", store.Tx.Transfer))
	api.HandleFunc("POST /api/v1/transfers/{id}/receive", s.command(ok, body(nil, receiveTransfer)))
	api.HandleFunc("GET /api/v1/stock-layers/{sku}", s.stockLayers)
}

func changeOrder(t *app.Tx, r *http.Request, c orders.ChangeRequest) (orders.Order, error) {
	return t.ChangeOrder(r.PathValue("id"), c)
}

// byRequest is the body of an order action: who, and why.
type byRequest struct {
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

func payOrder(t *app.Tx, r *http.Request, b byRequest) (orders.Order, error) {
	return t.PayOrder(r.PathValue("id"), b.By)
}

func cancelOrder(t *app.Tx, r *http.Request, b byRequest) (orders.Order, error) {
	return t.CancelOrder(r.PathValue("id"), b.Reason, b.By)
}

func shipOrder(t *app.Tx, r *http.Request, b app.ShipRequest) (orders.Shipment, error) {
	return t.ShipOrder(r.PathValue("id"), b)
}

// receiveRequest books a transfer's arrival.
type receiveRequest struct {
	Location string `json:"location,omitempty"`
	By       string `json:"by"`
}

func receiveTransfer(t *app.Tx, r *http.Request, b receiveRequest) (routing.Transfer, error) {
	return t.ReceiveTransfer(r.PathValue("id"), b.Location, b.By)
}

// listOrders lists orders by id (the order of arrival), filtered by
// channel and status; channel and channel_order find one order.
func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && !validStatus(orders.Status(st)) {
		s.fail(w, &httpError{http.StatusBadRequest, "invalid", "status: not an order status"})
		return
	}
	if q.Get("channel_order") != "" && q.Get("channel") == "" {
		s.fail(w, badRequest("channel_order: give the channel too"))
		return
	}
	if co := q.Get("channel_order"); co != "" {
		s.view(w, r, func(tx store.Tx) (any, error) {
			id, err := tx.OrderOf(q.Get("channel"), co)
			if err != nil {
				return []orders.Order{}, nil
			}
			o, err := tx.Order(id)
			return []orders.Order{o}, err
		})
		return
	}
	listWhere(s, w, r, store.Tx.Orders, func(o orders.Order) bool {
		return match(q.Get("channel"), o.Channel) && match(q.Get("status"), string(o.Status))
	})
}

func validStatus(s orders.Status) bool {
	for _, v := range []orders.Status{orders.Promised, orders.PartlyBackordered, orders.Backordered, orders.Refused, orders.PartlyShipped,
		orders.Shipped, orders.Cancelled, orders.Expired} {
		if s == v {
			return true
		}
	}
	return false
}

// listBackorders lists an item's backorder queue, first come first.
func (s *Server) listBackorders(w http.ResponseWriter, r *http.Request) {
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	sku := r.PathValue("sku")
	s.view(w, r, func(tx store.Tx) (any, error) {
		if _, err := tx.Item(sku); err != nil {
			return nil, err
		}
		out := []promise.Waiting{}
		err := pg.fill(func(p *store.Page) (int, error) {
			ws, err := tx.Paged(p).Waiting(sku)
			out = append(out, ws...)
			return len(out), err
		})
		pg.link(w, r)
		return out, err
	})
}

func (s *Server) stockLayers(w http.ResponseWriter, r *http.Request) {
	l, err := s.app.Layers(r.Context(), r.PathValue("sku"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}
