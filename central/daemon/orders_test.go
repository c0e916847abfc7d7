package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// call sends one API request and decodes the answer.
func call(t *testing.T, client *http.Client, c *Central, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+c.HTTPAddr+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

// stockUp puts n of sku into location BIN-1 by counting it there (a count
// that finds stock central did not know: the first count asks for a
// recount, the second stands).
func stockUp(t *testing.T, c *Central, sku string, n int) {
	t.Helper()
	code, _ := call(t, http.DefaultClient, c, "POST", "/api/v1/locations", `{"code":"BIN-1","type":"reserve","pallets":9}`)
	require.Contains(t, []int{http.StatusCreated, http.StatusConflict}, code)
	code, task := call(t, http.DefaultClient, c, "POST", "/api/v1/counts", `{"location":"BIN-1"}`)
	require.Equal(t, http.StatusCreated, code, "%v", task)
	body := fmt.Sprintf(`{"lines":[{"sku":%q,"quantity":%d}],"reason":"found","by":"t"}`, sku, n)
	for i := range 2 {
		code, v := call(t, http.DefaultClient, c, "POST", "/api/v1/counts/"+task["id"].(string)+"/submit", body)
		require.Equal(t, http.StatusOK, code, "%v", v)
		if v["recount"] != true {
			break
		}
		require.Zero(t, i, "the recount stands")
	}
}

// 1,000 HTTP clients order the last 10 units at the same moment, half of
// them through a channel that backorders shortages and half through one
// that refuses them: exactly 10 are promised, every other order is
// backordered or refused by its channel's policy, nothing is promised
// twice, and centrald check finds nothing.
func TestThousandClientsOrderTheLastTenUnits(t *testing.T) {
	c := startCentral(t, Options{})
	code, v := call(t, http.DefaultClient, c, "POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`)
	require.Equal(t, http.StatusCreated, code, "%v", v)
	stockUp(t, c, "W-1", 10)
	for _, b := range []string{`{"id":"SHOP","name":"shop","shortage":"backorder"}`, `{"id":"MKT","name":"marketplace","shortage":"refuse"}`} {
		code, v := call(t, http.DefaultClient, c, "POST", "/api/v1/channels", b)
		require.Equal(t, http.StatusCreated, code, "%v", v)
	}

	const clients = 1000
	client := &http.Client{Timeout: failIn, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients,
		DialContext: (&net.Dialer{Timeout: failIn}).DialContext}}
	defer client.CloseIdleConnections()
	start := make(chan struct{})
	type answer struct {
		channel string
		code    int
		order   map[string]any
	}
	answers := make(chan answer, clients)
	var wg sync.WaitGroup
	for i := range clients {
		ch := []string{"SHOP", "MKT"}[i%2]
		wg.Go(func() {
			body := fmt.Sprintf(`{"channel":%q,"channel_order":"flash-%d","payment":"paid","ship_to":{"name":"buyer %d"},"region":"any",`+
				`"lines":[{"sku":"W-1","quantity":1}]}`, ch, i, i)
			<-start
			code, v := call(t, client, c, "POST", "/api/v1/orders", body)
			answers <- answer{ch, code, v}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	close(answers)
	t.Logf("%d orders answered in %s", clients, time.Since(began))

	promised := 0
	waiting := map[string]int{}
	for a := range answers {
		require.Equal(t, http.StatusCreated, a.code, "%v", a.order)
		l := a.order["lines"].([]any)[0].(map[string]any)
		num := func(k string) float64 { n, _ := l[k].(float64); return n } // omitted when 0
		p, b, r := num("promised"), num("backordered"), num("refused")
		require.Equal(t, float64(1), p+b+r, "every unit is promised, backordered or refused")
		promised += int(p)
		switch {
		case b == 1:
			assert.Equal(t, "SHOP", a.channel, "only the backordering channel backorders")
			waiting["backordered"]++
		case r == 1:
			assert.Equal(t, "MKT", a.channel, "only the refusing channel refuses")
			waiting["refused"]++
		}
	}
	assert.Equal(t, 10, promised, "exactly the last 10 units are promised")
	assert.Equal(t, clients-10, waiting["backordered"]+waiting["refused"])

	require.NoError(t, c.Store.View(context.Background(), func(tx store.Tx) error {
		avail, err := tx.Available(stock.Pool{SKU: "W-1"})
		require.NoError(t, err)
		res, err := tx.Reserved(stock.Pool{SKU: "W-1"})
		require.NoError(t, err)
		assert.Equal(t, int64(10), avail)
		assert.Equal(t, int64(10), res, "reserved = on hand − unavailable, not a unit more")
		rs, err := tx.AllReservations()
		require.NoError(t, err)
		var units int64
		for _, r := range rs {
			units += r.Quantity
		}
		assert.Equal(t, int64(10), units)
		queue, err := tx.Waiting("W-1")
		assert.Len(t, queue, waiting["backordered"], "every backordered line waits in the queue")
		return err
	}))
	for _, check := range []func(context.Context, store.Store) ([]string, error){store.Check, store.CheckOutbound} {
		problems, err := check(context.Background(), c.Store)
		require.NoError(t, err)
		assert.Empty(t, problems)
	}
}
