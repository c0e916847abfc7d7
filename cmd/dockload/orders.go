package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
)

// orders drives central's order API (POST /api/v1/orders) over real HTTP
// with many concurrent clients, central on Badger with durable commits:
//
//	dockload orders [--orders 20000] [--lines 1] [--clients 64] [--rate 0]
//	dockload orders --flash            (10,000 orders for 100 units of one SKU)
//
// It prints order lines promised per second, each order's latency (the
// HTTP round trip: decode, promise, durable commit, answer) and, for the
// flash sale, that exactly the stock was promised.
func orders(args []string) error {
	fs := flag.NewFlagSet("orders", flag.ExitOnError)
	n := fs.Int("orders", 20000, "orders to send")
	lines := fs.Int("lines", 1, "lines per order (each a different item)")
	clients := fs.Int("clients", 64, "concurrent HTTP clients")
	rate := fs.Int("rate", 0, "orders per second in all (0 = as fast as possible)")
	flash := fs.Bool("flash", false, "flash sale: 10,000 orders of one unit each for 100 units of one item")
	_ = fs.Parse(args)
	units := int64(*n) // of each item: enough for every order
	if *flash {
		*n, *lines, units = 10000, 1, 100
	}
	dir, _ := os.MkdirTemp("", "dockload-orders-")
	defer os.RemoveAll(dir)
	c, _, stop, err := startCentral(filepath.Join(dir, "central"), "", freeListen())
	if err != nil {
		return err
	}
	defer stop()
	api := &apiClient{base: "http://" + c.HTTPAddr, http: &http.Client{Timeout: time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}}}
	skus := make([]string, *lines)
	for i := range skus {
		skus[i] = fmt.Sprintf("LOAD-%03d", i)
	}
	if err := api.stockUp(skus, units); err != nil {
		return err
	}
	if err := api.post("/api/v1/channels", map[string]any{"id": "LOAD", "name": "load", "shortage": "backorder"}, nil); err != nil {
		return err
	}

	jobs := make(chan int)
	var promised, waiting atomic.Int64
	lat := make([][]time.Duration, *clients)
	errs := make(chan error, *clients)
	var wg sync.WaitGroup
	for w := range *clients {
		wg.Go(func() {
			for i := range jobs {
				body := map[string]any{"channel": "LOAD", "channel_order": fmt.Sprint("L", i), "payment": "paid", "region": "any",
					"ship_to": map[string]string{"name": "load"}}
				var ls []map[string]any
				for _, sku := range skus {
					ls = append(ls, map[string]any{"sku": sku, "quantity": 1})
				}
				body["lines"] = ls
				var got struct {
					Lines []struct{ Promised, Backordered int64 } `json:"lines"`
				}
				t0 := time.Now()
				if err := api.post("/api/v1/orders", body, &got); err != nil {
					errs <- err
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				for _, l := range got.Lines {
					promised.Add(l.Promised)
					waiting.Add(l.Backordered)
				}
			}
		})
	}
	t0 := time.Now()
	var tick <-chan time.Time
	if *rate > 0 {
		tk := time.NewTicker(time.Second / time.Duration(*rate))
		defer tk.Stop()
		tick = tk.C
	}
	sent := 0
send:
	for ; sent < *n; sent++ {
		if tick != nil {
			<-tick
		}
		select {
		case jobs <- sent:
		case err = <-errs:
			break send
		}
	}
	close(jobs)
	wg.Wait()
	el := time.Since(t0)
	if err != nil {
		return err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	what := fmt.Sprintf("%d orders × %d line(s), %d clients, rate %d/s", *n, *lines, *clients, *rate)
	if *flash {
		what = fmt.Sprintf("flash sale: %d orders for %d units, %d clients", *n, units, *clients)
	}
	fmt.Printf("orders (%s): %s = %.0f orders/s, %.0f lines/s (%d promised, %d backordered)\n", what, el.Round(time.Millisecond),
		float64(*n)/el.Seconds(), float64(*n**lines)/el.Seconds(), promised.Load(), waiting.Load())
	fmt.Printf("  order latency (HTTP round trip, promise and durable commit): %s\n", loadgen.Summarise(all))
	if !*flash {
		return nil
	}
	var reserved int64
	if err := c.Store.View(context.Background(), func(tx store.Tx) (err error) {
		reserved, err = tx.Reserved(stock.Pool{SKU: skus[0]})
		return err
	}); err != nil {
		return err
	}
	fmt.Printf("  reserved in the store: %d of %d; promised in the answers: %d\n", reserved, units, promised.Load())
	if reserved != units || promised.Load() != units {
		return errors.New("the flash sale did not promise exactly the stock")
	}
	problems, err := store.CheckOutbound(context.Background(), c.Store)
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("centrald check: %v", problems[0])
	}
	return err
}

// apiClient calls central's API with the load tool's token.
type apiClient struct {
	base string
	http *http.Client
}

func (a *apiClient) post(path string, body, into any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, a.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer load")
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, out)
	}
	if into != nil {
		return json.Unmarshal(out, into)
	}
	return nil
}

// stockUp creates the items and counts units of each into one bin (a
// first count far off is counted again, then it stands).
func (a *apiClient) stockUp(skus []string, units int64) error {
	var lines []map[string]any
	for _, sku := range skus {
		if err := a.post("/api/v1/items", map[string]any{"sku": sku, "name": sku}, nil); err != nil {
			return err
		}
		lines = append(lines, map[string]any{"sku": sku, "quantity": units})
	}
	if err := a.post("/api/v1/locations", map[string]any{"code": "LOAD-BIN", "type": "reserve"}, nil); err != nil {
		return err
	}
	var task struct{ ID string }
	if err := a.post("/api/v1/counts", map[string]any{"location": "LOAD-BIN"}, &task); err != nil {
		return err
	}
	for range 2 {
		var res struct{ Recount bool }
		if err := a.post("/api/v1/counts/"+task.ID+"/submit", map[string]any{"lines": lines, "reason": "load", "by": "dockload"}, &res); err != nil {
			return err
		}
		if !res.Recount {
			return nil
		}
	}
	return errors.New("the stock count did not stand")
}
