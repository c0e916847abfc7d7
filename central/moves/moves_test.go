package moves_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/internal/wire"
)

var ctx = context.Background()

// bins is a store with plate P1 of 10 in A-01 and an empty A-02.
func bins(t *testing.T) store.Store {
	st := memstore.New()
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		for _, c := range []string{"A-01", "A-02"} {
			require.NoError(t, tx.PutLocation(stock.Location{Code: c, Type: stock.LocReserve}))
		}
		if _, err := stock.Post(tx, stock.Movement{SKU: "A", Quantity: 10, To: "A-01", LPN: "P1", ToStatus: stock.Available, Reason: "receipt"}); err != nil {
			return err
		}
		return tx.PutLPN(stock.LPN{Code: "P1", SKU: "A", Quantity: 10, Status: stock.Available, Location: "A-01"})
	}))
	return st
}

func TestMoveOrderMarksThePlate(t *testing.T) {
	st := bins(t)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		_, err := moves.CreateMoveOrder(tx, moves.MoveOrder{ID: "MO 1", LPN: "P9", To: "A-01"})
		var inv stock.Invalid
		require.ErrorAs(t, err, &inv)
		var fields []string
		for _, f := range inv {
			fields = append(fields, f.Field)
		}
		assert.ElementsMatch(t, []string{"id", "lpn", "reason", "by"}, fields)
		o, err := moves.CreateMoveOrder(tx, moves.MoveOrder{ID: "MO-1", LPN: "P1", To: "A-02", Reason: "relocate", By: "planner"})
		require.NoError(t, err)
		assert.Equal(t, "A-01", o.From)
		l, err := tx.LPN("P1")
		require.NoError(t, err)
		assert.Equal(t, "A-02", l.Putaway, "the plate is on its way")
		assert.Equal(t, "MO-1", l.MoveOrder)
		_, err = moves.CreateMoveOrder(tx, moves.MoveOrder{ID: "MO-2", LPN: "P1", To: "A-02", Reason: "r", By: "b"})
		assert.ErrorAs(t, err, &inv, "one open move order per plate")
		require.NoError(t, moves.CompleteMove(tx, "MO-1", "A-02", time.Now()))
		o, err = tx.MoveOrder("MO-1")
		assert.Equal(t, moves.MoveDone, o.Status)
		return err
	}))
}

func TestMoveNowPostsAndThePlateFollows(t *testing.T) {
	st := bins(t)
	require.NoError(t, st.Update(ctx, func(tx store.Tx) error {
		_, err := moves.MoveNow(tx, moves.Move{SKU: "A", From: "A-01", To: "A-02", LPN: "P1", Quantity: 11, Reason: "r", By: "b"}, time.Now(), wire.NewID)
		var inv stock.Invalid
		require.ErrorAs(t, err, &inv, "more than is there")
		assert.Equal(t, "quantity", inv[0].Field)
		p, err := moves.MoveNow(tx, moves.Move{SKU: "A", From: "A-01", To: "A-02", LPN: "P1", Quantity: 4, Reason: "r", By: "b"}, time.Now(), wire.NewID)
		require.NoError(t, err)
		assert.Equal(t, int64(6), *p.Balances.From)
		l, _ := tx.LPN("P1")
		assert.Equal(t, "A-01", l.Location, "part of the plate is still there")
		_, err = moves.MoveNow(tx, moves.Move{SKU: "A", From: "A-01", To: "A-02", LPN: "P1", Quantity: 6, Reason: "r", By: "b"}, time.Now(), wire.NewID)
		require.NoError(t, err)
		l, err = tx.LPN("P1")
		assert.Equal(t, "A-02", l.Location, "the plate follows once nothing of it is left behind")
		return err
	}))
}
