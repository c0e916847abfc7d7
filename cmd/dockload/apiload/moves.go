package apiload

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
)

// Moves moves one unit of stock per request between two locations
// (POST /api/v1/moves): each request is one movement on the ledger, two
// quants and the ops/stock message it queues — real stock work in one
// transaction, as an order's promise will be. SKUs items spread it.
type Moves struct {
	SKUs int
	// at is what the second location held before; moved counts the moves
	// answered 201 (warm-up included).
	at    int64
	moved atomic.Int64
}

const (
	movesFrom = "LOAD-A"
	movesTo   = "LOAD-B"
)

func (m *Moves) sku(i int) string { return fmt.Sprintf("LOAD-%03d", i%max(m.SKUs, 1)) }

func (m *Moves) Name() string { return fmt.Sprintf("moves (%d SKUs)", max(m.SKUs, 1)) }

// Setup creates the items and the two locations (or finds them from an
// earlier run) and counts enough stock into the first for n moves.
func (m *Moves) Setup(ctx context.Context, c *Client, n int) error {
	for _, loc := range []string{movesFrom, movesTo} {
		if err := create(ctx, c, "/api/v1/locations", map[string]any{"code": loc, "type": "reserve"}); err != nil {
			return err
		}
	}
	var err error
	if m.at, err = unitsAt(ctx, c, movesTo); err != nil {
		return err
	}
	m.moved.Store(0)
	var lines []map[string]any
	for i := range max(m.SKUs, 1) {
		if err := create(ctx, c, "/api/v1/items", map[string]any{"sku": m.sku(i), "name": "load test item"}); err != nil {
			return err
		}
		lines = append(lines, map[string]any{"sku": m.sku(i), "quantity": n + 1})
	}
	return count(ctx, c, movesFrom, lines)
}

// create POSTs a record; one that exists already (409) is fine.
func create(ctx context.Context, c *Client, path string, v any) error {
	b, _ := json.Marshal(v)
	status, ans, err := c.Do(ctx, http.MethodPost, path, b, "")
	if err == nil && status != http.StatusCreated && status != http.StatusConflict {
		err = fmt.Errorf("POST %s: %d %s", path, status, ans)
	}
	return err
}

// count sets a location's stock to lines through a cycle count: the
// first count of a large difference asks for a recount, the recount
// books it.
func count(ctx context.Context, c *Client, location string, lines []map[string]any) error {
	b, _ := json.Marshal(map[string]string{"location": location})
	ans, err := c.Expect(ctx, http.StatusCreated, http.MethodPost, "/api/v1/counts", b)
	if err != nil {
		return err
	}
	var task struct{ ID string }
	if err := json.Unmarshal(ans, &task); err != nil {
		return err
	}
	b, _ = json.Marshal(map[string]any{"lines": lines, "reason": "found", "by": "dockload"})
	for range 2 {
		if _, err := c.Expect(ctx, http.StatusOK, http.MethodPost, "/api/v1/counts/"+url.PathEscape(task.ID)+"/submit", b); err != nil {
			return err
		}
	}
	return nil
}

func (m *Moves) Request(i int) Request {
	b, _ := json.Marshal(map[string]any{"sku": m.sku(i), "from": movesFrom, "to": movesTo, "quantity": 1, "reason": "load", "by": "dockload"})
	return Request{Method: http.MethodPost, Path: "/api/v1/moves", Body: b}
}

func (m *Moves) Answer(_, status int, body []byte) (int, error) {
	if status != http.StatusCreated {
		return 0, fmt.Errorf("move: %d %s", status, body)
	}
	m.moved.Add(1)
	return 1, nil
}

// Verify reads what arrived at the second location: exactly the units of
// the moves central answered 201 — none lost, none twice.
func (m *Moves) Verify(ctx context.Context, c *Client, _ Result) (string, error) {
	at, err := unitsAt(ctx, c, movesTo)
	if err != nil {
		return "", err
	}
	if moved := m.moved.Load(); at-m.at != moved {
		return "", fmt.Errorf("%s gained %d units, but %d moves of one unit were answered 201", movesTo, at-m.at, moved)
	}
	return fmt.Sprintf("checked: %s gained exactly the %d units of the moves answered 201", movesTo, m.moved.Load()), nil
}

// unitsAt sums the quants at a location.
func unitsAt(ctx context.Context, c *Client, location string) (int64, error) {
	ans, err := c.Expect(ctx, http.StatusOK, http.MethodGet, "/api/v1/stock?location="+url.QueryEscape(location)+"&limit=1000", nil)
	if err != nil {
		return 0, err
	}
	var quants []struct{ Quantity int64 }
	if err := json.Unmarshal(ans, &quants); err != nil {
		return 0, err
	}
	var total int64
	for _, q := range quants {
		total += q.Quantity
	}
	return total, nil
}

// Floor asks central for nothing but GET /healthz: no token check, no
// store. What it reaches is the most requests this machine serves with
// these clients, the ceiling of every other workload.
type Floor struct{}

func (Floor) Name() string                                            { return "floor (GET /healthz)" }
func (Floor) Setup(context.Context, *Client, int) error               { return nil }
func (Floor) Request(int) Request                                     { return Request{Method: http.MethodGet, Path: "/healthz"} }
func (Floor) Verify(context.Context, *Client, Result) (string, error) { return "", nil }

func (Floor) Answer(_, status int, body []byte) (int, error) {
	if status != http.StatusOK {
		return 0, fmt.Errorf("healthz: %d %s", status, body)
	}
	return 0, nil
}
