package stock

import (
	"maps"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report: a receipt of 9,223,372,036,854,775,807 units was
// accepted, and two of them made the available total wrap to −2.
func TestPostRefusesQuantitiesThatWouldOverflow(t *testing.T) {
	q := NewMemQuants()
	huge := Movement{SKU: "A", Quantity: math.MaxInt64, To: "R", LPN: "P1", ToStatus: Available, Reason: "receipt"}
	_, err := Apply(q, huge)
	require.Error(t, err, "a line above MaxQuantity is refused")
	assert.Empty(t, q.All())

	full := Movement{SKU: "A", Quantity: MaxQuantity, To: "R", LPN: "P1", ToStatus: Available, Reason: "receipt"}
	_, err = Apply(q, full)
	require.NoError(t, err, "MaxQuantity itself is a valid line and quant")
	one := full
	one.Quantity = 1
	_, err = Apply(q, one)
	require.ErrorIs(t, err, ErrTooLarge, "a quant may not grow above MaxQuantity")
	avail, _ := q.Available(Pool{SKU: "A"})
	assert.Equal(t, MaxQuantity, avail)
}

func TestPostRefusesAnAvailableTotalThatWouldOverflowAndChangesNothing(t *testing.T) {
	q := NewMemQuants()
	_, err := Apply(q, Movement{SKU: "A", Quantity: 10, To: "Q", ToStatus: Quarantine, Reason: "receipt"})
	require.NoError(t, err)
	// A total this high needs millions of full quants; set it directly.
	q.avail[Pool{SKU: "A"}] = math.MaxInt64 - 5
	before, beforeAvail := maps.Clone(q.All()), maps.Clone(q.Pools())

	_, err = Apply(q, Movement{SKU: "A", Quantity: 10, To: "R", ToStatus: Available, Reason: "receipt"})
	require.ErrorIs(t, err, ErrTooLarge)
	// A release from quarantine takes from one quant and adds to another:
	// the refusal must not leave the source taken.
	_, err = Apply(q, Movement{SKU: "A", Quantity: 10, From: "Q", To: "Q", FromStatus: Quarantine, ToStatus: Available, Reason: "release"})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, before, q.All(), "nothing changed")
	assert.Equal(t, beforeAvail, q.Pools())
}

func TestReserveRefusesOverflow(t *testing.T) {
	q := NewMemQuants()
	q.reserved[Pool{SKU: "A"}] = math.MaxInt64 - 1
	require.ErrorIs(t, reserve(q, "R1", 5), ErrTooLarge)
}

func TestCheckedArithmetic(t *testing.T) {
	for _, c := range []struct {
		a, b int64
		ok   bool
	}{{1, 2, true}, {math.MaxInt64, 1, false}, {math.MinInt64, -1, false}, {math.MaxInt64, -1, true}, {-5, 3, true}} {
		s, ok := Add(c.a, c.b)
		assert.Equal(t, c.ok, ok, "%d + %d", c.a, c.b)
		if ok {
			assert.Equal(t, c.a+c.b, s)
		}
	}
	for _, c := range []struct {
		a, b int64
		ok   bool
	}{{3, 4, true}, {0, math.MaxInt64, true}, {math.MaxInt64, 2, false}, {-1, math.MinInt64, false}, {math.MinInt64, -1, false},
		{1 << 32, 1 << 31, false}, {1 << 31, 1 << 31, true}, {MaxQuantity, 99_999_999, false}, {-3, 5, true}} {
		p, ok := Mul(c.a, c.b)
		assert.Equal(t, c.ok, ok, "%d × %d", c.a, c.b)
		if ok {
			assert.Equal(t, c.a*c.b, p)
		}
	}
}

func TestInvalidQuantity(t *testing.T) {
	var v Invalid
	v.Quantity("a", 0, 1)
	v.Quantity("b", -1, 0)
	v.Quantity("c", MaxQuantity+1, 1)
	v.Quantity("d", MaxQuantity, 1)
	v.Quantity("e", 0, 0)
	v.Quantity("f", 1, 2)
	var fields []string
	for _, f := range v {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"a", "b", "c", "f"}, fields)
}
