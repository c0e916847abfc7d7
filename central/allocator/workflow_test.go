package allocator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/drivers/epc"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

const (
	caseGTIN = "10614141000415" // a case of 12 widgets
	unitGTIN = "00614141000418"
)

// rig is central's allocator on a store in a temp dir, with a gateway
// whose events the test writes.
type rig struct {
	t      *testing.T
	dir    string
	st     store.Store
	a      *Allocator
	stream string
	seq    uint64
	seen   int      // outgoing messages already returned by drain
	last   Incoming // the last event sent, as published
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, dir: t.TempDir(), stream: wire.NewID()}
	r.open()
	announce(t, r.a, "gw1", r.stream)
	require.NoError(t, r.st.Update(context.Background(), func(tx store.Tx) error {
		for _, it := range []stock.Item{
			{SKU: "WIDGET", GTIN: unitGTIN, Name: "Widget", Packs: []stock.Pack{{UoM: "case", Quantity: 12, GTIN: caseGTIN}}, LotTracked: true, ExpiryTracked: true},
			{SKU: "TEA", GTIN: "06901234567892", Name: "Tea"},
		} {
			if err := tx.PutItem(it); err != nil {
				return err
			}
		}
		for _, l := range []stock.Location{
			{Code: "A-01-1-01", Type: stock.LocReserve, PickSeq: 1},
			{Code: "A-01-1-02", Type: stock.LocReserve, PickSeq: 2},
			{Code: "A-01-1-03", Type: stock.LocReserve, PickSeq: 3},
			{Code: "F-01-1-01", Type: stock.LocReserve, TempZone: "frozen"},
		} {
			if err := tx.PutLocation(l); err != nil {
				return err
			}
		}
		_, err := inbound.CreateASN(receiving{tx}, inbound.ASN{ID: "ASN-1", Supplier: "ACME", Created: time.Now(),
			Tolerance: &inbound.Tolerance{OverPct: 10, UnderPct: 5},
			Pallets:   []inbound.ExpectedPallet{{SSCC: sscc("1000000001"), SKU: "WIDGET", Quantity: 48, Lot: "P1", Expiry: "2027-06-30"}},
			Lines:     []inbound.ExpectedLine{{SKU: "WIDGET", Quantity: 120, Lot: "L1"}}})
		return err
	}))
	return r
}

func (r *rig) open() {
	st, err := badgerstore.Open(r.dir, zerolog.Nop())
	require.NoError(r.t, err)
	r.t.Cleanup(func() { _ = st.Close() })
	r.st = st
	r.a, err = New(Config{Site: testSite, Keys: keys}, st, zerolog.Nop())
	require.NoError(r.t, err)
}

// restart closes the store as a stopping daemon would and opens it again.
func (r *rig) restart() {
	require.NoError(r.t, r.st.Close())
	r.open()
	all, err := r.st.Outgoing(context.Background(), 0, 1<<20)
	require.NoError(r.t, err)
	r.seen = len(all) // queued before the restart, published later

}

// sscc completes an SSCC of company prefix 0614141 with its check digit.
func sscc(serialRef string) string {
	body := serialRef[:1] + "0614141" + serialRef[1:]
	c, err := gs1.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

// event sends one event of the rig's gateway and returns the messages it
// queued.
func (r *rig) event(typ string, msg interface{ Env() *wire.Envelope }) []store.Message {
	r.seq++
	env := msg.Env()
	*env = wire.NewEnvelope(typ)
	env.Gateway, env.Device, env.Stream, env.Seq = "gw1", "dev1", r.stream, r.seq
	r.last = sealedIncoming(r.t, "gw1", typ, msg)
	return r.send(r.last)
}

// resend publishes the last event again, as a gateway whose ack was lost does.
func (r *rig) resend() []store.Message { return r.send(r.last) }

func (r *rig) send(in Incoming) []store.Message {
	acks, err := r.a.Apply([]Incoming{in})
	require.NoError(r.t, err)
	require.Len(r.t, acks, 1)
	require.Equal(r.t, r.seq, acks[0].Seq, "the event is applied")
	return r.drain()
}

func (r *rig) drain() []store.Message {
	all, err := r.st.Outgoing(context.Background(), 0, 1<<20)
	require.NoError(r.t, err)
	out := all[r.seen:]
	r.seen = len(all)
	return out
}

func (r *rig) scan(role, hri string) []store.Message {
	s := &wire.Scan{Station: "st1", Role: role, HRI: hri, Data: hri}
	if strings.HasPrefix(hri, "(") {
		els, err := gs1.ParseHRI(hri)
		require.NoError(r.t, err)
		s.GS1 = true
		for _, e := range els {
			s.Elements = append(s.Elements, wire.Element{AI: e.AI, Value: e.Value})
		}
	}
	return r.event(wire.EvtScan, s)
}

// kinds summarises messages as "topic-type:detail" for assertions.
func kinds(t *testing.T, ms []store.Message) []string {
	var out []string
	for _, m := range ms {
		var v map[string]any
		require.NoError(t, json.Unmarshal(m.Payload, &v))
		detail := ""
		for _, k := range []string{"kind", "pattern", "template", "reason"} {
			if s, ok := v[k].(string); ok {
				detail = s
				break
			}
		}
		out = append(out, m.Topic[strings.LastIndex(m.Topic, "/")+1:]+":"+detail)
	}
	return out
}

func payload(t *testing.T, ms []store.Message, topicSuffix string) map[string]any {
	for _, m := range ms {
		if strings.HasSuffix(m.Topic, topicSuffix) {
			var v map[string]any
			require.NoError(t, json.Unmarshal(m.Payload, &v))
			return v
		}
	}
	t.Fatalf("no message on %s", topicSuffix)
	return nil
}

func (r *rig) quants(sku string) map[string]int64 {
	out := map[string]int64{}
	require.NoError(r.t, r.st.View(context.Background(), func(tx store.Tx) error {
		qs, err := tx.Quants("")
		for _, q := range qs {
			if q.SKU == sku {
				out[q.Location+"/"+q.LPN+"/"+string(q.Status)] += q.Quantity
			}
		}
		return err
	}))
	return out
}

func (r *rig) consistent() {
	problems, err := store.Check(context.Background(), r.st)
	require.NoError(r.t, err)
	require.Empty(r.t, problems)
}

func TestCaseScanReceivesOntoNewPlate(t *testing.T) {
	r := newRig(t)
	ms := r.scan(RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270600")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	label := payload(t, ms, "/cmd/print")["data"].(map[string]any)
	assert.Equal(t, map[string]any{"lpn": "L000000001", "location": "A-01-1-01", "sku": "WIDGET", "item": "Widget",
		"quantity": "12", "lot": "L1", "expiry": "2027-06-30"}, label, "one case of 12; day 00 is the month's last day")

	// A pallet label that lists its contents (00 + 02 + 37) but is on no
	// ASN is received as cases onto a plate with its SSCC.
	pallet := sscc("2000000009")
	ms = r.scan(RoleInboundDock, "(00)"+pallet+"(02)"+caseGTIN+"(37)2(10)L1(17)270630")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	assert.Equal(t, pallet, payload(t, ms, "/cmd/print")["data"].(map[string]any)["lpn"])
	assert.Equal(t, map[string]int64{"RECEIVING/L000000001/available": 12, "RECEIVING/" + pallet + "/available": 24}, r.quants("WIDGET"))
	ms = r.scan(RoleInboundDock, "(00)"+pallet+"(02)"+caseGTIN+"(37)2(10)L1(17)270630")
	assert.Equal(t, []string{"light:attention", "alert:duplicate-pallet"}, kinds(t, ms))
	r.consistent()
}

func TestCaseScanRefusals(t *testing.T) {
	r := newRig(t)
	for name, tc := range map[string]struct{ hri, kind string }{
		"unknown GTIN":    {"(01)10614141999993(10)L1(17)270630", "unknown-item"},
		"no lot":          {"(01)" + caseGTIN + "(17)270630", "incomplete-scan"},
		"no expiry":       {"(01)" + caseGTIN + "(10)L1", "incomplete-scan"},
		"item not on ASN": {"(01)06901234567892", "unexpected-item"},
		"not a GTIN":      {"(400)PO-1", "unexpected-scan"},
	} {
		ms := r.scan(RoleInboundDock, tc.hri)
		assert.Equal(t, []string{"light:reject", "alert:" + tc.kind}, kinds(t, ms), name)
	}
	assert.Empty(t, r.quants("WIDGET"), "nothing was received")
	assert.Empty(t, r.quants("TEA"))
}

func TestOverReceiptTolerance(t *testing.T) {
	r := newRig(t)
	// 120 expected for lot L1, tolerance 10%: up to 132 may arrive.
	ms := r.scan(RoleInboundDock, "(00)"+sscc("2000000009")+"(02)"+caseGTIN+"(37)10(10)L1(17)270630")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	ms = r.scan(RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, []string{"alert:over-receipt", "stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms), "132 of 120 is within 10%")
	assert.Equal(t, "info", payload(t, ms, "/ops/alert")["severity"])
	ms = r.scan(RoleInboundDock, "(00)"+sscc("2000000010")+"(02)"+unitGTIN+"(37)1(10)L1(17)270630")
	assert.Equal(t, []string{"light:reject", "alert:over-receipt"}, kinds(t, ms), "133 is beyond tolerance")
	assert.Equal(t, "warning", payload(t, ms, "/ops/alert")["severity"])
	var total int64
	for _, n := range r.quants("WIDGET") {
		total += n
	}
	assert.Equal(t, int64(132), total)
	require.NoError(t, r.st.View(context.Background(), func(tx store.Tx) error {
		ds, err := tx.Discrepancies()
		require.NoError(t, err)
		require.Len(t, ds, 2)
		assert.True(t, ds[0].Within)
		assert.False(t, ds[1].Within)
		a, err := tx.ASN("ASN-1")
		require.NoError(t, err)
		assert.Equal(t, []inbound.Progress{{SKU: "WIDGET", Lot: "P1", Expected: 48}, {SKU: "WIDGET", Lot: "L1", Expected: 120, Received: 132}}, a.Progress)
		return nil
	}))
	r.consistent()
}

func TestCloseASNShort(t *testing.T) {
	r := newRig(t)
	r.scan(RoleInboundDock, "(00)"+sscc("1000000001"))
	r.scan(RoleInboundDock, "(00)"+sscc("2000000009")+"(02)"+caseGTIN+"(37)9(10)L1(17)270630") // 108 of 120: 10% short, tolerance 5%
	var closed inbound.Closed
	require.NoError(t, r.st.Update(context.Background(), func(tx store.Tx) error {
		var err error
		closed, err = inbound.CloseASN(receiving{tx}, "ASN-1", time.Now(), wire.NewID)
		return err
	}))
	require.Len(t, closed.Discrepancies, 1)
	assert.Equal(t, inbound.DiscShort, closed.Discrepancies[0].Kind)
	assert.False(t, closed.Discrepancies[0].Within)
	assert.Equal(t, "short-receipt", closed.Alerts[0].Kind)
	ms := r.scan(RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, []string{"light:reject", "alert:unexpected-item"}, kinds(t, ms), "a closed ASN receives nothing more")
}

func TestPutawayByScan(t *testing.T) {
	r := newRig(t)
	ms := r.scan(RoleInboundDock, "(00)"+sscc("1000000001"))
	assert.Equal(t, "A-01-1-01", payload(t, ms, "/ops/receipt")["putaway"])
	pallet := sscc("1000000001")

	ms = r.scan(RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"light:reject", "alert:unknown-lpn"}, kinds(t, ms), "a location before any plate")

	assert.Empty(t, r.scan(RolePutaway, "(00)"+pallet), "the plate scan only arms the station")
	ms = r.scan(RolePutaway, "NOWHERE")
	assert.Equal(t, []string{"light:reject", "alert:unknown-location"}, kinds(t, ms))
	ms = r.scan(RolePutaway, "RECEIVING")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "the plate is already there")
	ms = r.scan(RolePutaway, "F-01-1-01")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "ambient goods do not go to the freezer")
	assert.Contains(t, payload(t, ms, "/ops/alert")["message"], "frozen")

	ms = r.scan(RolePutaway, "A-01-1-02")
	assert.Equal(t, []string{"stock:putaway-deviation", "alert:putaway-deviation"}, kinds(t, ms), "another valid bin is accepted and recorded")
	assert.Equal(t, map[string]int64{"A-01-1-02/" + pallet + "/available": 48}, r.quants("WIDGET"))

	// The next plate gets the suggested bin and goes there.
	ms = r.scan(RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, "A-01-1-01", payload(t, ms, "/cmd/print")["data"].(map[string]any)["location"])
	r.scan(RolePutaway, "L000000001")
	ms = r.scan(RolePutaway, "A-01-1-02")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "A-01-1-02 is full")
	ms = r.scan(RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"stock:putaway"}, kinds(t, ms))
	require.NoError(t, r.st.View(context.Background(), func(tx store.Tx) error {
		l, err := tx.LPN("L000000001")
		require.NoError(t, err)
		assert.Equal(t, "A-01-1-01", l.Location)
		assert.False(t, l.Deviated)
		return nil
	}))
	r.consistent()
}

func TestRFIDPortalCountsCases(t *testing.T) {
	r := newRig(t)
	pal, err := epc.EncodeSSCC96(0, "0614141", "1000000001")
	require.NoError(t, err)
	epcs := []string{fmt.Sprintf("%X", pal)}
	for i := range 3 { // the pallet holds 48 = 4 cases of 12; one tag is missing
		c, err := epc.EncodeSGTIN96(2, "0614141", "100041", uint64(100+i))
		require.NoError(t, err)
		epcs = append(epcs, fmt.Sprintf("%X", c), fmt.Sprintf("%X", c)) // each tag read twice
	}
	ms := r.event(wire.EvtRFID, &wire.RFIDRead{Station: "door-1", Role: RoleInboundDock, EPCs: append(epcs, "00ZZ")})
	require.Equal(t, []string{"alert:rfid-count-mismatch"}, kinds(t, ms))
	assert.Contains(t, payload(t, ms, "/ops/alert")["message"], "counted 3 cases")

	c, err := epc.EncodeSGTIN96(2, "0614141", "100041", 200)
	require.NoError(t, err)
	ms = r.event(wire.EvtRFID, &wire.RFIDRead{Station: "door-1", Role: RoleInboundDock, EPCs: append(epcs, fmt.Sprintf("%X", c))})
	assert.Empty(t, ms, "four cases match the ASN")
	require.NoError(t, r.st.View(context.Background(), func(tx store.Tx) error {
		a, err := tx.ASN("ASN-1")
		require.NoError(t, err)
		require.NotNil(t, a.Pallets[0].CountedCases)
		assert.Equal(t, int64(4), *a.Pallets[0].CountedCases)
		return nil
	}))
}

func TestRestartInTheMiddle(t *testing.T) {
	r := newRig(t)
	r.scan(RoleInboundDock, "(00)"+sscc("1000000001"))
	r.scan(RolePutaway, "(00)"+sscc("1000000001"))
	r.restart()
	// The gateway resends the last event (its ack was lost): applied once.
	assert.Empty(t, r.resend(), "a resent event changes nothing")
	ms := r.scan(RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"stock:putaway"}, kinds(t, ms), "the station remembers the plate across a restart")
	r.consistent()
}

func TestCycleCountAtStationWithRecount(t *testing.T) {
	r := newRig(t)
	r.scan(RoleInboundDock, "(00)"+sscc("1000000001")) // 48 widgets, lot P1
	r.scan(RolePutaway, "(00)"+sscc("1000000001"))
	r.scan(RolePutaway, "A-01-1-01")

	assert.Equal(t, []string{"light:reject", "alert:unknown-location"}, kinds(t, r.scan(RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630")),
		"a count starts with the location")
	assert.Empty(t, r.scan(RoleCount, "A-01-1-01"))
	for range 3 {
		assert.Empty(t, r.scan(RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630"))
	}
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, r.scan(RoleCount, "A-01-1-02")))
	ms := r.scan(RoleCount, "A-01-1-01")
	assert.Equal(t, []string{"light:attention", "alert:count-recount"}, kinds(t, ms), "36 of 48 is far off: count again")
	assert.Equal(t, map[string]int64{"A-01-1-01/" + sscc("1000000001") + "/available": 48}, r.quants("WIDGET"), "no adjustment yet")

	for range 3 {
		r.scan(RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630")
	}
	r.scan(RoleCount, "(01)"+unitGTIN+"(10)P1(17)270630")
	ms = r.scan(RoleCount, "A-01-1-01")
	assert.Equal(t, []string{"stock:count-loss", "alert:count-adjusted"}, kinds(t, ms), "the recount stands: 37 counted")
	assert.Equal(t, map[string]int64{"A-01-1-01/" + sscc("1000000001") + "/available": 37}, r.quants("WIDGET"))
	r.consistent()
}

func TestMoveOrderConfirmedByScan(t *testing.T) {
	r := newRig(t)
	pallet := sscc("1000000001")
	r.scan(RoleInboundDock, "(00)"+pallet)
	r.scan(RolePutaway, "(00)"+pallet)
	r.scan(RolePutaway, "A-01-1-01")
	require.NoError(t, r.a.Update(func(tx store.Tx) error {
		_, err := moves.CreateMoveOrder(tx, moves.MoveOrder{ID: "MO-1", LPN: pallet, To: "A-01-1-03", Reason: "relocate", By: "planner"})
		return err
	}))
	r.scan(RolePutaway, "(00)"+pallet)
	ms := r.scan(RolePutaway, "A-01-1-03")
	assert.Equal(t, []string{"stock:move"}, kinds(t, ms))
	require.NoError(t, r.st.View(context.Background(), func(tx store.Tx) error {
		o, err := tx.MoveOrder("MO-1")
		assert.Equal(t, moves.MoveDone, o.Status)
		assert.Equal(t, "A-01-1-03", o.MovedTo)
		return err
	}))
	r.consistent()
}
