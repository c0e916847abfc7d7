package stock

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledgerModel drives random operations through Post and Reserve and checks
// the ledger invariants after every step.
type ledgerModel struct {
	t        testing.TB
	q        *MemQuants
	accepted []Movement
	in, out  int64 // units that entered and left the site
}

var (
	skus = []string{"A", "B"}
	locs = []string{"RECEIVING", "A-01-1-01", "A-01-1-02"}
	lots = []string{"", "L1"}
)

// step performs one random operation chosen from r.
func (lm *ledgerModel) step(r *rand.Rand) {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	st := Statuses[r.IntN(3)] // available, quarantine, damaged
	m := Movement{SKU: pick(skus), Quantity: r.Int64N(20) + 1, Lot: pick(lots), Reason: "test"}
	switch r.IntN(5) {
	case 0: // receipt
		m.To, m.ToStatus = pick(locs), st
	case 1: // issue
		m.From, m.FromStatus = pick(locs), st
	case 2: // move
		m.From, m.To, m.FromStatus, m.ToStatus = pick(locs), pick(locs), st, st
	case 3: // status change in place
		m.From, m.FromStatus, m.ToStatus = pick(locs), st, Statuses[r.IntN(3)]
		m.To = m.From
	case 4: // reserve or release
		if err := Reserve(lm.q, m.SKU, r.Int64N(30)-10); err == nil {
			lm.check()
		}
		return
	}
	before := maps.Clone(lm.q.All())
	if _, err := Post(lm.q, m); err != nil {
		assert.Equal(lm.t, before, lm.q.All(), "a refused movement changes nothing: %v", err)
		return
	}
	lm.accepted = append(lm.accepted, m)
	if m.From == "" {
		lm.in += m.Quantity
	}
	if m.To == "" {
		lm.out += m.Quantity
	}
	lm.check()
}

func (lm *ledgerModel) check() {
	t := lm.t
	var total int64
	avail := map[string]int64{}
	for k, n := range lm.q.All() {
		require.Positive(t, n, "quant %+v", k)
		total += n
		if k.Status == Available {
			avail[k.SKU] += n
		}
	}
	require.Equal(t, lm.in-lm.out, total, "the ledger balances: stock on hand = in - out")
	for _, sku := range skus {
		a, _ := lm.q.Available(sku)
		res, _ := lm.q.Reserved(sku)
		require.Equal(t, avail[sku], a, "available total of %s", sku)
		require.LessOrEqual(t, res, a, "reserved ≤ available for %s", sku)
		require.GreaterOrEqual(t, res, int64(0))
	}
}

// rebuild replays the accepted movements into a fresh projection.
func (lm *ledgerModel) rebuild() *MemQuants {
	fresh := NewMemQuants()
	for _, m := range lm.accepted {
		_, err := Post(fresh, m)
		require.NoError(lm.t, err, "an accepted movement replays")
	}
	return fresh
}

func runModel(t testing.TB, seed uint64, steps int) {
	lm := &ledgerModel{t: t, q: NewMemQuants()}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range steps {
		lm.step(r)
	}
	require.Equal(t, lm.q.All(), lm.rebuild().All(), "quants rebuilt from the ledger equal the live projection")
}

func TestLedgerInvariantsProperty(t *testing.T) {
	for seed := range uint64(100) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, seed, 300) })
	}
}

func FuzzLedgerInvariants(f *testing.F) {
	f.Add(uint64(1), uint16(50))
	f.Add(uint64(42), uint16(500))
	f.Fuzz(func(t *testing.T, seed uint64, steps uint16) { runModel(t, seed, int(steps%2000)) })
}

func TestPostRefusesNegativeStock(t *testing.T) {
	q := NewMemQuants()
	_, err := Post(q, Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	_, err = Post(q, Movement{SKU: "A", Quantity: 6, From: "X", FromStatus: Available, Reason: "issue"})
	require.ErrorIs(t, err, ErrInsufficient)
	n, _ := q.Quant(QuantKey{SKU: "A", Location: "X", Status: Available})
	assert.Equal(t, int64(5), n)
}

func TestPostProtectsReservedStock(t *testing.T) {
	q := NewMemQuants()
	_, err := Post(q, Movement{SKU: "A", Quantity: 10, To: "X", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	require.NoError(t, Reserve(q, "A", 8))
	require.ErrorIs(t, Reserve(q, "A", 3), ErrReserved, "cannot reserve more than is available")
	_, err = Post(q, Movement{SKU: "A", Quantity: 3, From: "X", FromStatus: Available, ToStatus: Damaged, To: "X", Reason: "damage"})
	require.ErrorIs(t, err, ErrReserved, "a status change may not eat reserved stock")
	_, err = Post(q, Movement{SKU: "A", Quantity: 10, From: "X", To: "Y", FromStatus: Available, ToStatus: Available, Reason: "move"})
	require.NoError(t, err, "moving available stock keeps it available")
	_, err = Post(q, Movement{SKU: "A", Quantity: 2, From: "Y", FromStatus: Available, Reason: "ship"})
	require.NoError(t, err)
	require.Error(t, Reserve(q, "A", -9), "cannot release more than is reserved")
}

func TestMovementValidate(t *testing.T) {
	for name, m := range map[string]Movement{
		"no sku":        {Quantity: 1, To: "X", ToStatus: Available, Reason: "r"},
		"zero quantity": {SKU: "A", To: "X", ToStatus: Available, Reason: "r"},
		"nowhere":       {SKU: "A", Quantity: 1, Reason: "r"},
		"same place":    {SKU: "A", Quantity: 1, From: "X", To: "X", FromStatus: Available, ToStatus: Available, Reason: "r"},
		"bad status":    {SKU: "A", Quantity: 1, To: "X", ToStatus: "lost", Reason: "r"},
		"no reason":     {SKU: "A", Quantity: 1, To: "X", ToStatus: Available},
	} {
		assert.Error(t, m.Validate(), name)
	}
	repack := Movement{SKU: "A", Quantity: 1, From: "X", To: "X", LPN: "P1", ToLPN: "P2", FromStatus: Available, ToStatus: Available, Reason: "repack"}
	assert.NoError(t, repack.Validate(), "moving stock to another licence plate in place is a change")
}

func TestItemValidateAndUnits(t *testing.T) {
	it := Item{SKU: "W-10", GTIN: "614141000418", Name: "Widget", Packs: []Pack{{UoM: "case", Quantity: 12, GTIN: "10614141000415"}},
		TempZone: "chilled", ABC: "A", Dims: &Dims{LengthMM: 100, WidthMM: 100, HeightMM: 100, WeightG: 500}}
	require.NoError(t, it.Validate())
	n, ok := it.UnitsPer("00614141000418")
	assert.True(t, ok)
	assert.Equal(t, int64(1), n, "a GTIN-12 matches its GTIN-14 form")
	n, ok = it.UnitsPer("10614141000415")
	assert.True(t, ok)
	assert.Equal(t, int64(12), n)
	assert.Equal(t, int64(1000), it.Dims.VolumeCM3())

	bad := Item{SKU: "W 10", Name: "", TempZone: "warm", ABC: "D", Packs: []Pack{{UoM: "case", Quantity: 1, GTIN: "10614141000416"}}}
	var inv Invalid
	require.ErrorAs(t, bad.Validate(), &inv)
	var fields []string
	for _, f := range inv {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"sku", "name", "temp_zone", "abc", "packs[0].quantity", "packs[0].gtin"}, fields)
}

func TestLocationNormalizeAndCapacity(t *testing.T) {
	l := Location{Code: "A-03-2-05", Type: LocReserve}
	l.Normalize()
	assert.Equal(t, []string{"A", "03", "2", "05"}, []string{l.Aisle, l.Rack, l.Level, l.Position})
	assert.Equal(t, 1, l.PalletCapacity(), "a bin holds one pallet unless told otherwise")
	assert.Equal(t, 0, Location{Code: "RECEIVING", Type: LocReceiving}.PalletCapacity(), "receiving has no limit")
	assert.Error(t, Location{Code: "X", Type: "shelf", Pallets: -1}.Validate())
}
