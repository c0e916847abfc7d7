package stock

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// yielder is a projection whose owner gives way by releasing the newest
// reservations (or refuses to, with an error).
type yielder struct {
	*MemQuants
	order  []string // reservations, oldest first
	refuse bool
	asked  []int64
}

func (y *yielder) Yield(p Pool, need int64) error {
	y.asked = append(y.asked, need)
	if y.refuse {
		return errors.New("no")
	}
	for i := len(y.order) - 1; i >= 0 && need > 0; i-- {
		r, err := y.Reservation(y.order[i])
		if err != nil {
			continue
		}
		n := min(need, r.Quantity)
		if _, err := Release(y, r.ID, n); err != nil {
			return err
		}
		need -= n
	}
	return nil
}

// A loss of promised stock goes through when the projection gives way,
// after every other check, and is refused as before when it does not.
func TestYielderGivesWayToALoss(t *testing.T) {
	y := &yielder{MemQuants: NewMemQuants(), order: []string{"R1", "R2"}}
	_, err := Apply(y, Movement{SKU: "A", Quantity: 10, To: "X", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	require.NoError(t, reserve(y.MemQuants, "R1", 4))
	require.NoError(t, reserve(y.MemQuants, "R2", 4))

	_, err = Apply(y, Movement{SKU: "A", Quantity: 11, From: "X", FromStatus: Available, Reason: "count-loss"})
	require.ErrorIs(t, err, ErrInsufficient)
	assert.Empty(t, y.asked, "a movement refused for another reason asks nothing")

	_, err = Apply(y, Movement{SKU: "A", Quantity: 5, From: "X", FromStatus: Available, Reason: "count-loss"})
	require.NoError(t, err)
	assert.Equal(t, []int64{3}, y.asked, "8 reserved of 5 left: 3 must go")
	r2, _ := y.Reservation("R2")
	assert.Equal(t, int64(1), r2.Quantity, "the newest gave way")
	res, _ := y.Reserved(Pool{SKU: "A"})
	avail, _ := y.Available(Pool{SKU: "A"})
	assert.Equal(t, avail, res)

	y.refuse = true
	before := y.All()[QuantKey{SKU: "A", Location: "X", Status: Available}]
	_, err = Apply(y, Movement{SKU: "A", Quantity: 1, From: "X", FromStatus: Available, Reason: "count-loss"})
	require.Error(t, err)
	assert.Equal(t, before, y.All()[QuantKey{SKU: "A", Location: "X", Status: Available}], "a yielder that refuses stops the movement")
}
