package counting_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/internal/wire"
)

var ctx = context.Background()

// bins has 50 of an A item in A-01, 5 of a C item in C-01 and an empty B-01.
func bins(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.PutItem(stock.Item{SKU: "FAST", Name: "f", ABC: "A"}))
		require.NoError(t, tx.PutItem(stock.Item{SKU: "SLOW", Name: "s"}))
		for _, c := range []string{"A-01", "B-01", "C-01"} {
			require.NoError(t, tx.PutLocation(stock.Location{Code: c, Type: stock.LocReserve}))
		}
		for _, m := range []stock.Movement{
			{SKU: "FAST", Quantity: 50, To: "A-01", ToStatus: stock.Available, Reason: "receipt"},
			{SKU: "SLOW", Quantity: 5, To: "C-01", ToStatus: stock.Available, Reason: "receipt"},
		} {
			if _, err := stock.Post(tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	return st
}

func TestPlanCountsWhatIsDue(t *testing.T) {
	st := bins(t)
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.SetLastCounted("A-01", now.Add(-31*24*time.Hour)))
		require.NoError(t, tx.SetLastCounted("C-01", now.Add(-31*24*time.Hour)))
		ts, err := counting.Plan(tx, now, wire.NewID)
		require.NoError(t, err)
		require.Len(t, ts, 1, "A is counted monthly, C twice a year, an empty bin never")
		assert.Equal(t, "A-01", ts[0].Location)
		assert.Equal(t, "A", ts[0].Class)
		again, err := counting.Plan(tx, now, wire.NewID)
		assert.Empty(t, again, "a location with an open count gets no second")
		return err
	}))
}

func TestCountRecountsThenAdjusts(t *testing.T) {
	st := bins(t)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		task, err := counting.StartCount(tx, "A-01", time.Now(), wire.NewID)
		require.NoError(t, err)
		lines := []counting.Line{{SKU: "FAST", Quantity: 45}}
		res, err := counting.Submit(tx, task.ID, lines, "", "bob", time.Now(), wire.NewID)
		require.NoError(t, err)
		assert.True(t, res.Recount, "5 of 50 is beyond 2 %")
		assert.Nil(t, res.Task.Expected, "counts are blind")
		_, err = counting.Submit(tx, task.ID, lines, "", "bob", time.Now(), wire.NewID)
		var inv stock.Invalid
		require.ErrorAs(t, err, &inv)
		assert.Equal(t, "reason", inv[0].Field, "a variance that stands needs a reason")
		res, err = counting.Submit(tx, task.ID, lines, "damaged", "bob", time.Now(), wire.NewID)
		require.NoError(t, err)
		require.Len(t, res.Movements, 1)
		assert.Equal(t, "count-loss", res.Movements[0].Reason)
		assert.Equal(t, []counting.Line{{SKU: "FAST", Quantity: 50}}, res.Task.Expected, "shown once done")
		n, err := tx.Quant(stock.QuantKey{SKU: "FAST", Location: "A-01", Status: stock.Available})
		assert.Equal(t, int64(45), n)
		return err
	}))
	problems, err := store.Check(ctx, st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
