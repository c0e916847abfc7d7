package kvstore

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// TestCheckFindsOverflowedBalances writes what an unchecked ledger made of
// the report — two receipts of 9,223,372,036,854,775,807 units on
// two plates, the item's available total wrapped to −2 — below the
// store's own checks, and expects centrald check to refuse it, though
// quants and totals agree with a replay that wraps the same way.
func TestCheckFindsOverflowedBalances(t *testing.T) {
	st := New(NewMemory())
	require.NoError(t, st.eng.Update(context.Background(), func(kv KV) error {
		t := &tx{kv: kv}
		for _, lpn := range []string{"P1", "P2"} {
			m := stock.Movement{SKU: "A", Quantity: math.MaxInt64, To: "RECEIVING", LPN: lpn, ToStatus: stock.Available, Reason: "receipt"}
			var err error
			if m.Seq, err = t.nextCounter(kMoveSeq); err != nil {
				return err
			}
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := kv.Set(seqKey(pMove, m.Seq), b); err != nil {
				return err
			}
			if err := t.setInt(quantKey(pQuant, m.Dest()), m.Quantity); err != nil {
				return err
			}
		}
		return t.setInt(pAvail+"A", -2)
	}))
	problems, err := store.Check(context.Background(), st)
	require.NoError(t, err)
	text := strings.Join(problems, "\n")
	assert.Contains(t, text, "movement 1 does not replay")
	assert.Contains(t, text, "impossible quant")
	assert.Contains(t, text, "impossible available total of A: -2")
}
