package stock

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledgerModel drives random operations through Apply and the reservation
// rules and checks the ledger invariants after every step.
type ledgerModel struct {
	t        testing.TB
	q        *MemQuants
	accepted []Movement
	in, out  int64 // units that entered and left the site
	reserved int   // reservations made, for their ids
}

var (
	skus = []string{"A", "B"}
	locs = []string{"RECEIVING", "A-01-1-01", "A-01-1-02", "W2-01"}
	lots = []string{"", "L1"}
)

// newModel is a model whose location W2-01 is in a second warehouse.
func newModel(t testing.TB) *ledgerModel {
	lm := &ledgerModel{t: t, q: NewMemQuants()}
	lm.q.Locate("W2-01", "W2")
	return lm
}

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
	case 4: // reserve, allocate or release
		lm.promise(r, m)
		lm.check()
		return
	}
	before := maps.Clone(lm.q.All())
	if _, err := Apply(lm.q, m); err != nil {
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

// promise makes, binds or gives back a reservation of m's item: a random
// one of the three, which the rules may refuse.
func (lm *ledgerModel) promise(r *rand.Rand, m Movement) {
	ids := slices.Sorted(maps.Keys(lm.q.Reservations()))
	switch {
	case r.IntN(3) == 0 || len(ids) == 0:
		lm.reserved++
		wh, _ := lm.q.Warehouse(locs[r.IntN(len(locs))])
		_, _ = Reserve(lm.q, Reservation{ID: fmt.Sprint("R", lm.reserved), SKU: m.SKU, Warehouse: wh, Quantity: m.Quantity})
	case r.IntN(2) == 0:
		res := lm.q.Reservations()[ids[r.IntN(len(ids))]]
		k := QuantKey{SKU: res.SKU, Location: locs[r.IntN(len(locs))], Lot: m.Lot, Status: Available}
		_, _ = Allocate(lm.q, res.ID, k, r.Int64N(10)+1)
	default:
		res := lm.q.Reservations()[ids[r.IntN(len(ids))]]
		_, err := Release(lm.q, res.ID, r.Int64N(res.Quantity)+1)
		require.NoError(lm.t, err)
	}
}

func (lm *ledgerModel) check() {
	t := lm.t
	var total int64
	avail := map[Pool]int64{}
	for k, n := range lm.q.All() {
		require.Positive(t, n, "quant %+v", k)
		total += n
		if k.Status == Available {
			wh, _ := lm.q.Warehouse(k.Location)
			avail[Pool{SKU: k.SKU, Warehouse: wh}] += n
		}
	}
	require.Equal(t, lm.in-lm.out, total, "the ledger balances: stock on hand = in - out")
	reserved, allocated := map[Pool]int64{}, map[QuantKey]int64{}
	for _, res := range lm.q.Reservations() {
		reserved[res.Pool()] += res.Quantity
		require.LessOrEqual(t, res.Allocated(), res.Quantity, "a line's quant reservations ≤ the line")
		for _, q := range res.Quants {
			allocated[q.QuantKey] += q.Quantity
		}
	}
	for _, sku := range skus {
		for _, wh := range []string{"", "W2"} {
			p := Pool{SKU: sku, Warehouse: wh}
			a, _ := lm.q.Available(p)
			res, _ := lm.q.Reserved(p)
			require.Equal(t, avail[p], a, "available total of %s", p)
			require.Equal(t, reserved[p], res, "reserved total of %s", p)
			require.LessOrEqual(t, res, a, "reserved ≤ on hand − unavailable for %s", p)
			require.GreaterOrEqual(t, res, int64(0))
		}
	}
	for k, n := range allocated {
		held, _ := lm.q.Allocated(k)
		have, _ := lm.q.Quant(k)
		require.Equal(t, n, held, "allocated total on %+v", k)
		require.LessOrEqual(t, held, have, "allocated ≤ the quant %+v", k)
	}
}

// rebuild replays the accepted movements into a fresh projection.
func (lm *ledgerModel) rebuild() *MemQuants {
	fresh := NewMemQuants()
	fresh.Locate("W2-01", "W2")
	for _, m := range lm.accepted {
		_, err := Apply(fresh, m)
		require.NoError(lm.t, err, "an accepted movement replays")
	}
	return fresh
}

func runModel(t testing.TB, seed uint64, steps int) {
	lm := newModel(t)
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
	_, err := Apply(q, Movement{SKU: "A", Quantity: 5, To: "X", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	_, err = Apply(q, Movement{SKU: "A", Quantity: 6, From: "X", FromStatus: Available, Reason: "issue"})
	require.ErrorIs(t, err, ErrInsufficient)
	n, _ := q.Quant(QuantKey{SKU: "A", Location: "X", Status: Available})
	assert.Equal(t, int64(5), n)
}

// reserve makes reservation id of qty A from the default warehouse.
func reserve(q *MemQuants, id string, qty int64) error {
	_, err := Reserve(q, Reservation{ID: id, Order: "O-1", Line: id, SKU: "A", Quantity: qty})
	return err
}

func TestPostProtectsReservedStock(t *testing.T) {
	q := NewMemQuants()
	_, err := Apply(q, Movement{SKU: "A", Quantity: 10, To: "X", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	require.NoError(t, reserve(q, "R1", 8))
	require.ErrorIs(t, reserve(q, "R2", 3), ErrReserved, "cannot reserve more than is available")
	_, err = Apply(q, Movement{SKU: "A", Quantity: 3, From: "X", FromStatus: Available, ToStatus: Damaged, To: "X", Reason: "damage"})
	require.ErrorIs(t, err, ErrReserved, "a status change may not eat reserved stock")
	_, err = Apply(q, Movement{SKU: "A", Quantity: 10, From: "X", To: "Y", FromStatus: Available, ToStatus: Available, Reason: "move"})
	require.NoError(t, err, "moving available stock keeps it available")
	_, err = Apply(q, Movement{SKU: "A", Quantity: 2, From: "Y", FromStatus: Available, Reason: "ship"})
	require.NoError(t, err)
	_, err = Release(q, "R1", 9)
	require.Error(t, err, "cannot release more than is reserved")
}

// Reservations are records per order line and per quant: a pool is
// promised by warehouse, allocations pin quants, and stock moving out of
// a warehouse or off an allocated quant is refused while it is promised.
func TestReservationsPerLineAndPerQuant(t *testing.T) {
	q := NewMemQuants()
	q.Locate("W2-01", "W2")
	bin := QuantKey{SKU: "A", Location: "A-01", Lot: "L1", Status: Available}
	_, err := Apply(q, Movement{SKU: "A", Quantity: 10, To: "A-01", Lot: "L1", ToStatus: Available, Reason: "receipt"})
	require.NoError(t, err)
	_, err = Reserve(q, Reservation{ID: "R1", SKU: "A", Warehouse: "W2", Quantity: 1})
	require.ErrorIs(t, err, ErrReserved, "nothing is available in W2")
	require.NoError(t, reserve(q, "R1", 6))
	atp, _ := AvailableToPromise(q, Pool{SKU: "A"})
	assert.Equal(t, int64(4), atp)

	_, err = Allocate(q, "R1", bin, 7)
	var inv Invalid
	require.ErrorAs(t, err, &inv, "a line's quant reservations never exceed the line")
	res, err := Allocate(q, "R1", bin, 4)
	require.NoError(t, err)
	assert.Equal(t, []QuantReservation{{QuantKey: bin, Quantity: 4}}, res.Quants)
	_, err = Apply(q, Movement{SKU: "A", Quantity: 7, From: "A-01", To: "A-02", Lot: "L1", FromStatus: Available, ToStatus: Available, Reason: "move"})
	require.ErrorIs(t, err, ErrReserved, "6 left on the bin would be fine for the pool, but 4 are allocated there: at most 6 may go")
	_, err = Apply(q, Movement{SKU: "A", Quantity: 5, From: "A-01", To: "W2-01", Lot: "L1", FromStatus: Available, ToStatus: Available, Reason: "transfer"})
	require.ErrorIs(t, err, ErrReserved, "a transfer out of the warehouse may not take promised stock")
	_, err = Apply(q, Movement{SKU: "A", Quantity: 4, From: "A-01", To: "W2-01", Lot: "L1", FromStatus: Available, ToStatus: Available, Reason: "transfer"})
	require.NoError(t, err)
	avail, _ := q.Available(Pool{SKU: "A", Warehouse: "W2"})
	assert.Equal(t, int64(4), avail, "the pool of W2 has what arrived there")

	res, err = Release(q, "R1", 3)
	require.NoError(t, err, "the two unbound units go first, then one bound")
	assert.Equal(t, int64(3), res.Quantity)
	assert.Equal(t, []QuantReservation{{QuantKey: bin, Quantity: 3}}, res.Quants)
	held, _ := q.Allocated(bin)
	assert.Equal(t, int64(3), held)
	_, err = Release(q, "R1", 3)
	require.NoError(t, err)
	_, err = q.Reservation("R1")
	require.ErrorIs(t, err, ErrNotFound, "a reservation released in full is gone")
	assert.Empty(t, q.Reservations())
	held, _ = q.Allocated(bin)
	assert.Zero(t, held)
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
