package apiload

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// Orders sends sales orders (POST /api/v1/orders): each request is one
// order of Lines lines, each line one unit of its own item, promised at
// once in one transaction. With Flash, every order is one unit of one
// item of which only Units are in stock: a flash sale, where exactly the
// stock must be promised and every other order backordered.
type Orders struct {
	Lines int
	Flash bool
	Units int64 // the flash sale's stock (default 100)

	run      string // names this run's items, location and orders
	promised atomic.Int64
	waiting  atomic.Int64
}

func (o *Orders) lines() int { return max(o.Lines, 1) }

func (o *Orders) Name() string {
	if o.Flash {
		return fmt.Sprintf("flash sale (%d units of one item)", o.units())
	}
	return fmt.Sprintf("orders (%d lines)", o.lines())
}

func (o *Orders) units() int64 {
	if o.Units > 0 {
		return o.Units
	}
	return 100
}

func (o *Orders) sku(j int) string { return fmt.Sprintf("%s-%02d", o.run, j) }

// Setup creates a channel that backorders shortages, this run's items and
// stock (enough for every order, or the flash sale's units) in a location
// of their own, so runs against the same central do not meet.
func (o *Orders) Setup(ctx context.Context, c *Client, n int) error {
	o.run = fmt.Sprintf("O%06d", time.Now().UnixNano()/1000%1000000)
	o.promised.Store(0)
	o.waiting.Store(0)
	if err := create(ctx, c, "/api/v1/channels", map[string]any{"id": "LOAD", "name": "load", "shortage": "backorder"}); err != nil {
		return err
	}
	if err := create(ctx, c, "/api/v1/locations", map[string]any{"code": o.run, "type": "reserve"}); err != nil {
		return err
	}
	var lines []map[string]any
	items := o.lines()
	if o.Flash {
		items = 1
	}
	for j := range items {
		if err := create(ctx, c, "/api/v1/items", map[string]any{"sku": o.sku(j), "name": "load test item"}); err != nil {
			return err
		}
		units := int64(n + 1)
		if o.Flash {
			units = o.units()
		}
		lines = append(lines, map[string]any{"sku": o.sku(j), "quantity": units})
	}
	return count(ctx, c, o.run, lines)
}

func (o *Orders) Request(i int) Request {
	var ls []map[string]any
	for j := range o.lines() {
		if o.Flash && j > 0 {
			break
		}
		ls = append(ls, map[string]any{"sku": o.sku(j), "quantity": 1})
	}
	b, _ := json.Marshal(map[string]any{"channel": "LOAD", "channel_order": fmt.Sprintf("%s-%d", o.run, i), "payment": "paid",
		"ship_to": map[string]string{"name": "load"}, "region": "any", "lines": ls})
	return Request{Method: http.MethodPost, Path: "/api/v1/orders", Body: b}
}

// Answer counts the lines the order promised.
func (o *Orders) Answer(_, status int, body []byte) (int, error) {
	if status != http.StatusCreated {
		return 0, fmt.Errorf("order: %d %s", status, body)
	}
	var got struct {
		Lines []struct{ Promised, Backordered int64 } `json:"lines"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		return 0, err
	}
	n := 0
	for _, l := range got.Lines {
		o.promised.Add(l.Promised)
		o.waiting.Add(l.Backordered)
		if l.Promised > 0 {
			n++
		}
	}
	return n, nil
}

// Verify reads the items' dispatch layers: what central allocated to
// orders is exactly what the answers promised; a flash sale promised
// exactly its stock.
func (o *Orders) Verify(ctx context.Context, c *Client, _ Result) (string, error) {
	var allocated int64
	items := o.lines()
	if o.Flash {
		items = 1
	}
	for j := range items {
		ans, err := c.Expect(ctx, http.StatusOK, http.MethodGet, "/api/v1/stock-layers/"+o.sku(j), nil)
		if err != nil {
			return "", err
		}
		var l struct {
			Total struct{ Allocated int64 } `json:"total"`
		}
		if err := json.Unmarshal(ans, &l); err != nil {
			return "", err
		}
		allocated += l.Total.Allocated
	}
	p := o.promised.Load()
	if allocated != p {
		return "", fmt.Errorf("central allocated %d units, the answers promised %d", allocated, p)
	}
	if o.Flash && p != o.units() {
		return "", fmt.Errorf("the flash sale promised %d units of %d", p, o.units())
	}
	return fmt.Sprintf("checked: central allocated exactly the %d units the answers promised (warm-up included); %d backordered", p, o.waiting.Load()), nil
}
