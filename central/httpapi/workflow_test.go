package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

func (a *api) ok(method, path, body string, want int) map[string]any {
	code, v, _ := a.do(method, path, body)
	require.Equal(a.t, want, code, "%s %s: %v", method, path, v)
	return v
}

// queued lists the ops messages queued so far as topic suffix → count.
func queued(t *testing.T, a *api) map[string]int {
	ms, err := a.st.Outgoing(context.Background(), 0, 1000)
	require.NoError(t, err)
	out := map[string]int{}
	for _, m := range ms {
		out[m.Topic[strings.LastIndex(m.Topic, "/")+1:]]++
	}
	return out
}

func TestPurchaseOrderApprovalOverHTTP(t *testing.T) {
	a := newAPI(t)
	a.ok("POST", "/api/v1/items", `{"sku":"TEA","name":"Tea","category":"food"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/suppliers", `{"id":"ACME","name":"ACME Supplies","over_pct":5,"under_pct":2}`, http.StatusCreated)
	a.ok("POST", "/api/v1/approval-rules", `{"id":"big","min_amount":50000,"levels":["supervisor"]}`, http.StatusCreated)
	code, v, _ := a.do("POST", "/api/v1/pos", `{"id":"PO-1","supplier":"NOPE","lines":[{"sku":"TEA","quantity":100,"unit_price":900}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.ElementsMatch(t, []string{"by", "supplier"}, fields(v))
	a.ok("POST", "/api/v1/pos", `{"id":"PO-1","by":"buyer","supplier":"ACME","lines":[{"sku":"TEA","quantity":100,"unit_price":900}]}`, http.StatusCreated)
	code, _, _ = a.do("POST", "/api/v1/pos", `{"id":"PO-1","by":"buyer","supplier":"ACME","lines":[{"sku":"TEA","quantity":1}]}`)
	assert.Equal(t, http.StatusConflict, code)

	code, v, _ = a.do("POST", "/api/v1/asns", `{"id":"ASN-1","supplier":"ACME","po":"PO-1","lines":[{"sku":"TEA","quantity":100}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "the order is not approved yet")
	assert.Equal(t, []string{"po"}, fields(v))

	v = a.ok("POST", "/api/v1/pos/PO-1/submit", `{"by":"buyer"}`, http.StatusOK)
	assert.Equal(t, "pending-approval", v["status"])
	code, v, _ = a.do("POST", "/api/v1/pos/PO-1/launch", `{"by":"buyer"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"action"}, fields(v))
	v = a.ok("POST", "/api/v1/pos/PO-1/approve", `{"by":"boss","level":"supervisor","note":"fine"}`, http.StatusOK)
	assert.Equal(t, "approved", v["status"])
	assert.Len(t, v["history"], 3)

	v = a.ok("POST", "/api/v1/asns", `{"id":"ASN-1","supplier":"ACME","po":"PO-1","lines":[{"sku":"TEA","quantity":100}]}`, http.StatusCreated)
	assert.Equal(t, map[string]any{"over_pct": 5.0, "under_pct": 2.0}, v["tolerance"], "the supplier's tolerance")
	v = a.ok("POST", "/api/v1/asns/ASN-1/close", ``, http.StatusOK)
	assert.Len(t, v["discrepancies"], 1, "nothing arrived")
	assert.Equal(t, 1, queued(t, a)["alert"], "a short receipt beyond tolerance is an alert")
	a.ok("GET", "/api/v1/discrepancies", "", http.StatusOK)
}

// seed receives 10 TEA onto plate P1 in RECEIVING, as a dock scan would.
func seed(t *testing.T, a *api) {
	a.ok("POST", "/api/v1/items", `{"sku":"TEA","name":"Tea","abc":"A"}`, http.StatusCreated)
	a.ok("POST", "/api/v1/locations", `{"code":"RECV","type":"receiving"}`, http.StatusCreated)
	v := a.ok("POST", "/api/v1/locations", `{"code":"A-01-1-01","type":"reserve","pick_seq":3}`, http.StatusCreated)
	assert.Equal(t, "01", v["rack"], "the bin address comes from the code")
	a.ok("POST", "/api/v1/locations", `{"code":"A-01-1-02","type":"reserve"}`, http.StatusCreated)
	require.NoError(t, a.st.Update(context.Background(), func(tx store.Tx) error {
		if _, err := stock.Post(tx, stock.Movement{SKU: "TEA", Quantity: 10, To: "RECV", LPN: "P1", ToStatus: stock.Available, Reason: "receipt"}); err != nil {
			return err
		}
		return tx.PutLPN(stock.LPN{Code: "P1", SKU: "TEA", Quantity: 10, Status: stock.Available, Location: "RECV", Putaway: "A-01-1-01", ReceivedAt: time.Now()})
	}))
}

func TestPutawayMoveAndCountOverHTTP(t *testing.T) {
	a := newAPI(t)
	seed(t, a)
	code, v, _ := a.do("POST", "/api/v1/lpns/P1/putaway", `{"location":"RECV","by":"ann"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "%v", v)
	assert.Equal(t, []string{"location"}, fields(v))
	code, _, _ = a.do("POST", "/api/v1/lpns/P9/putaway", `{"location":"A-01-1-01","by":"ann"}`)
	assert.Equal(t, http.StatusNotFound, code)
	v = a.ok("POST", "/api/v1/lpns/P1/putaway", `{"location":"A-01-1-02","by":"ann"}`, http.StatusOK)
	assert.Equal(t, true, v["deviated"])
	assert.Equal(t, 1, queued(t, a)["stock"], "every ledger change is published")

	code, v, _ = a.do("POST", "/api/v1/moves", `{"sku":"TEA","from":"A-01-1-02","to":"A-01-1-01","lpn":"P1","quantity":11,"reason":"relocate","by":"ann"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, "never negative")
	assert.Equal(t, []string{"quantity"}, fields(v))
	body := `{"sku":"TEA","from":"A-01-1-02","to":"A-01-1-01","lpn":"P1","quantity":10,"reason":"relocate","by":"ann"}`
	a.ok("POST", "/api/v1/moves", body, http.StatusCreated)
	code, _, hdr := a.do("POST", "/api/v1/moves", body, "Idempotency-Key", "m1")
	require.Equal(t, http.StatusUnprocessableEntity, code, "the stock already moved")
	assert.Empty(t, hdr.Get("Idempotent-Replay"))
	v = a.ok("GET", "/api/v1/lpns/P1", "", http.StatusOK)
	assert.Equal(t, "A-01-1-01", v["location"], "the plate follows a full move")

	v = a.ok("POST", "/api/v1/counts", `{"location":"A-01-1-01"}`, http.StatusCreated)
	id := v["id"].(string)
	assert.Nil(t, v["expected"], "counts are blind")
	v = a.ok("POST", "/api/v1/counts/"+id+"/submit", `{"lines":[{"sku":"TEA","quantity":7}],"by":"bob"}`, http.StatusOK)
	assert.Equal(t, true, v["recount"])
	code, v, _ = a.do("POST", "/api/v1/counts/"+id+"/submit", `{"lines":[{"sku":"TEA","quantity":7}],"by":"bob"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, []string{"reason"}, fields(v), "a loss needs a reason")
	v = a.ok("POST", "/api/v1/counts/"+id+"/submit", `{"lines":[{"sku":"TEA","quantity":7}],"by":"bob","reason":"damaged"}`, http.StatusOK)
	assert.Len(t, v["movements"], 1)

	var sum app.ItemStock
	require.NoError(t, json.Unmarshal(a.raw("GET", "/api/v1/stock/items/TEA"), &sum))
	assert.Equal(t, int64(7), sum.OnHand)
	assert.Equal(t, map[string]int64{"A-01-1-01": 7}, sum.ByLocation)
	var ledger []stock.Movement
	require.NoError(t, json.Unmarshal(a.raw("GET", "/api/v1/ledger?location=A-01-1-01"), &ledger))
	var reasons []string
	for _, m := range ledger {
		reasons = append(reasons, m.Reason)
	}
	assert.Equal(t, []string{"move", "count-loss"}, reasons)
	problems, err := store.Check(context.Background(), a.st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
