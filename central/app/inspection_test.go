package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
)

// These tests receive goods through the application, where inspection
// takes part in a receipt: the plan decides the status, putaway sends
// quarantined stock to QC, the result moves it on.

var ctx = context.Background()

// site is the application on a store in memory.
type site struct {
	store.Store
	app *app.App
}

func newSite(t *testing.T) site {
	st := memstore.New()
	a, err := app.New(ctx, app.Config{Site: "t"}, st, zerolog.Nop())
	require.NoError(t, err)
	return site{Store: st, app: a}
}

// do runs fn in one application transaction.
func (s site) do(t *testing.T, fn func(tx *app.Tx) error) {
	t.Helper()
	require.NoError(t, s.app.Update(ctx, fn))
}

// receive books one plate of 50 TEA from supplier sup into RECEIVING.
func receive(t *testing.T, st site, asn, supplier string) inbound.Outcome {
	var out inbound.Outcome
	st.do(t, func(tx *app.Tx) error {
		_, err := tx.CreateASN(inbound.ASN{ID: asn, Supplier: supplier, Lines: []inbound.ExpectedLine{{SKU: "TEA", Quantity: 50}}})
		require.NoError(t, err)
		out, err = tx.ReceiveLabel(app.At{Gateway: "gw", Station: "dock", Time: time.Now()}, inbound.Label{Case: &inbound.Case{GTIN: "06901234567892", Count: 50}})
		return err
	})
	require.Equal(t, inbound.Received, out.Kind, out.Message)
	return out
}

func setup(t *testing.T) site {
	st := newSite(t)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.PutItem(stock.Item{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"}))
		require.NoError(t, tx.PutLocation(stock.Location{Code: "QC-1", Type: stock.LocQC}))
		require.NoError(t, tx.PutLocation(stock.Location{Code: "A-01-1-01", Type: stock.LocReserve}))
		for _, p := range []quality.Plan{
			{ID: "default", Mode: quality.Skip},
			{ID: "new-supplier", Supplier: "NEWCO", Mode: quality.Sample, Sample: 2, Of: 20},
			{ID: "tea-from-newco", Supplier: "NEWCO", SKU: "TEA", Mode: quality.Full},
			{ID: "tea-sampled", SKU: "TEA", Mode: quality.Sample, Sample: 1, Of: 10},
		} {
			require.NoError(t, p.Validate())
			require.NoError(t, tx.PutPlan(p))
		}
		return nil
	}))
	return st
}

func statusOf(t *testing.T, st site, lpn string) map[stock.Status]int64 {
	out := map[stock.Status]int64{}
	require.NoError(t, st.View(ctx, func(tx store.Tx) error {
		qs, err := tx.Quants("")
		for _, q := range qs {
			if q.LPN == lpn {
				out[q.Status] += q.Quantity
			}
		}
		return err
	}))
	return out
}

func record(st site, id, result, note string) (quality.Outcome, error) {
	var out quality.Outcome
	err := st.app.Update(ctx, func(tx *app.Tx) error {
		var err error
		out, err = tx.RecordInspection(id, result, note, "inspector")
		return err
	})
	return out, err
}

func TestFailedInspectionCreatesReturn(t *testing.T) {
	st := setup(t)
	out := receive(t, st, "ASN-1", "NEWCO")
	assert.Equal(t, stock.Quarantine, out.Receipt.Status, "the most specific plan (full) applies")
	assert.Equal(t, "QC-1", out.Receipt.Putaway, "quarantined stock goes to QC")
	var task quality.Task
	require.NoError(t, st.View(ctx, func(tx store.Tx) error {
		ts, err := tx.Inspections()
		require.Len(t, ts, 1)
		task = ts[0]
		return err
	}))
	assert.Equal(t, int64(50), task.SampleSize)
	assert.Equal(t, "tea-from-newco", task.Plan)

	_, err := record(st, task.ID, quality.Fail, "")
	assert.ErrorContains(t, err, "say what was found")
	res, err := record(st, task.ID, quality.Fail, "mould in 3 cases")
	require.NoError(t, err)
	require.NotNil(t, res.Return)
	assert.Equal(t, int64(50), res.Return.Quantity)
	assert.Equal(t, map[stock.Status]int64{stock.ToReturn: 50}, statusOf(t, st, out.LPN.Code))
	_, err = record(st, task.ID, quality.Pass, "")
	assert.ErrorContains(t, err, "already has result fail")
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestSampledInspectionPassAndConcession(t *testing.T) {
	st := setup(t)
	out := receive(t, st, "ASN-1", "OTHER")
	var tasks []quality.Task
	require.NoError(t, st.View(ctx, func(tx store.Tx) error {
		var err error
		tasks, err = tx.Inspections()
		return err
	}))
	require.Len(t, tasks, 1)
	assert.Equal(t, int64(5), tasks[0].SampleSize, "1 of every 10 of 50")
	res, err := record(st, tasks[0].ID, quality.Concession, "labels misprinted, sellable")
	require.NoError(t, err)
	assert.Equal(t, "qc-concession", res.Movements[0].Reason)
	assert.Equal(t, "labels misprinted, sellable", res.Movements[0].Note)
	assert.Equal(t, map[stock.Status]int64{stock.Available: 50}, statusOf(t, st, out.LPN.Code))

	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		return tx.PutPlan(quality.Plan{ID: "tea-sampled", SKU: "TEA", Mode: quality.Skip})
	}))
	out = receive(t, st, "ASN-2", "OTHER")
	assert.Equal(t, stock.Available, out.Receipt.Status, "a skip plan receives straight to available")
}
