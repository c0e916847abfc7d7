package quality_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/internal/wire"
)

// The inspection rules on their own, on a store in memory; receiving with
// inspection is central/app's inspection_test.

var ctx = context.Background()

func plans(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		// The most specific first: the order plans are stored in does not
		// decide (they are listed by id).
		plans := []quality.Plan{
			{ID: "tea-from-newco", Supplier: "NEWCO", SKU: "TEA", Mode: quality.Full},
			{ID: "tea-sampled", SKU: "TEA", Mode: quality.Sample, Sample: 1, Of: 10},
			{ID: "new-supplier", Supplier: "NEWCO", Mode: quality.Sample, Sample: 2, Of: 20},
			{ID: "default", Mode: quality.Skip},
		}
		for _, p := range plans {
			if err := p.Validate(); err != nil {
				return err
			}
			if err := tx.PutPlan(p); err != nil {
				return err
			}
		}
		return nil
	}))
	return st
}

func TestTheMostSpecificPlanDecides(t *testing.T) {
	st := plans(t)
	for _, c := range []struct {
		supplier, sku string
		status        stock.Status
		plan          string
		sample        int64
	}{
		{"NEWCO", "TEA", stock.Quarantine, "tea-from-newco", 50},
		{"NEWCO", "COFFEE", stock.Quarantine, "new-supplier", 6}, // 2 of every 20 of 50: three twenties
		{"OTHER", "TEA", stock.Quarantine, "tea-sampled", 5},
		{"OTHER", "COFFEE", stock.Available, "", 0},
	} {
		require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
			status, err := quality.OnReceipt(tx, quality.Received{Receipt: "R-" + c.supplier + c.sku, Supplier: c.supplier, SKU: c.sku,
				LPN: "P-" + c.supplier + c.sku, Quantity: 50, At: time.Now()}, wire.NewID)
			require.NoError(t, err)
			assert.Equal(t, c.status, status, "%s %s", c.supplier, c.sku)
			ts, err := tx.Inspections()
			var task *quality.Task
			for i := range ts {
				if ts[i].Receipt == "R-"+c.supplier+c.sku {
					task = &ts[i]
				}
			}
			if c.plan == "" {
				assert.Nil(t, task, "a skip plan opens no inspection")
				return err
			}
			require.NotNil(t, task)
			assert.Equal(t, c.plan, task.Plan)
			assert.Equal(t, c.sample, task.SampleSize)
			return err
		}))
	}
}

func TestRecordMovesThePlatesStock(t *testing.T) {
	st := plans(t)
	var id string
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		if _, err := stock.Post(tx, stock.Movement{SKU: "TEA", Quantity: 50, To: "QC-1", LPN: "P1", ToStatus: stock.Quarantine, Reason: "receipt"}); err != nil {
			return err
		}
		if err := tx.PutLPN(stock.LPN{Code: "P1", SKU: "TEA", Quantity: 50, Status: stock.Quarantine, Location: "QC-1"}); err != nil {
			return err
		}
		_, err := quality.OnReceipt(tx, quality.Received{Receipt: "R1", Supplier: "NEWCO", SKU: "TEA", LPN: "P1", Quantity: 50}, wire.NewID)
		ts, _ := tx.Inspections()
		id = ts[0].ID
		return err
	}))
	record := func(result, note string) (quality.Outcome, error) {
		var out quality.Outcome
		err := st.Update(ctx, func(tx store.Tx) error {
			var err error
			out, err = quality.Record(tx, id, result, note, "inspector", time.Now(), wire.NewID)
			return err
		})
		return out, err
	}
	_, err := record(quality.Fail, "")
	assert.ErrorContains(t, err, "say what was found")
	out, err := record(quality.Fail, "mould")
	require.NoError(t, err)
	require.NotNil(t, out.Return)
	assert.Equal(t, int64(50), out.Return.Quantity)
	assert.Equal(t, stock.ToReturn, out.Movements[0].ToStatus)
	require.Len(t, out.Alerts, 1)
	assert.Equal(t, "qc-failed", out.Alerts[0].Kind, "a failure is an alert")
	_, err = record(quality.Pass, "")
	assert.ErrorContains(t, err, "already has result fail")
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
