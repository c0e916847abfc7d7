package stock

import (
	"errors"
	"fmt"
	"math"
)

// MaxQuantity is the largest quantity, in base units, of one line — a
// ledger movement, an ASN, order or count line, a pack size — and of one
// quant: 999,999,999,999. Twelve digits are far beyond any real bin, and
// keep every quantity and every sum of up to 9,000 of them exact in a
// JSON client that reads numbers as IEEE doubles (exact to 2^53). Totals
// of many quants are summed with checked arithmetic and refused rather
// than wrapped.
const MaxQuantity int64 = 999_999_999_999

// ErrTooLarge is returned (wrapped) when a quantity, or a total it would
// make, is above MaxQuantity or outside the 64-bit range.
var ErrTooLarge = errors.New("quantity too large")

// Add returns a+b, or false when the sum does not fit in an int64.
func Add(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// Mul returns a*b, or false when the product does not fit in an int64.
func Mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// Overflow is the error for a total that does not fit: what names it.
func Overflow(what string) error {
	return fmt.Errorf("%w: %s does not fit in a 64-bit integer", ErrTooLarge, what)
}

// Quantity records a problem with a quantity field unless min ≤ q ≤
// MaxQuantity (min is 1 for lines, 0 for counts).
func (v *Invalid) Quantity(field string, q, min int64) {
	switch {
	case q < min && min == 1:
		v.Add(field, "must be positive, got %d", q)
	case q < min:
		v.Add(field, "must be at least %d, got %d", min, q)
	case q > MaxQuantity:
		v.Add(field, "must be at most %d, got %d", MaxQuantity, q)
	}
}
