package stations_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/epc"
	"github.com/dockhand/dockhand/internal/wire"
)

// These tests drive each station role through the path a gateway's
// events take (sealed events → ingest → the application → the role's
// handler), on a store in memory, and read the messages central queued.

const (
	caseGTIN = sitetest.CaseGTIN
	unitGTIN = sitetest.UnitGTIN
)

var (
	kinds   = sitetest.Kinds
	payload = sitetest.Payload
	sscc    = sitetest.SSCC
)

func newRig(t *testing.T) *sitetest.Dock { return sitetest.NewDock(t, sitetest.Options{}) }

func TestCaseScanReceivesOntoNewPlate(t *testing.T) {
	r := newRig(t)
	ms := r.Scan(wire.RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270600")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	label := payload(t, ms, "/cmd/print")["data"].(map[string]any)
	assert.Equal(t, map[string]any{"lpn": "L000000001", "location": "A-01-1-01", "sku": "WIDGET", "item": "Widget",
		"quantity": "12", "lot": "L1", "expiry": "2027-06-30"}, label, "one case of 12; day 00 is the month's last day")

	// A pallet label that lists its contents (00 + 02 + 37) but is on no
	// ASN is received as cases onto a plate with its SSCC.
	pallet := sscc("2000000009")
	ms = r.Scan(wire.RoleInboundDock, "(00)"+pallet+"(02)"+caseGTIN+"(37)2(10)L1(17)270630")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	assert.Equal(t, pallet, payload(t, ms, "/cmd/print")["data"].(map[string]any)["lpn"])
	assert.Equal(t, map[string]int64{"RECEIVING/L000000001/available": 12, "RECEIVING/" + pallet + "/available": 24}, r.Quants("WIDGET"))
	ms = r.Scan(wire.RoleInboundDock, "(00)"+pallet+"(02)"+caseGTIN+"(37)2(10)L1(17)270630")
	assert.Equal(t, []string{"light:attention", "alert:duplicate-pallet"}, kinds(t, ms))
	r.Consistent()
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
		ms := r.Scan(wire.RoleInboundDock, tc.hri)
		assert.Equal(t, []string{"light:reject", "alert:" + tc.kind}, kinds(t, ms), name)
	}
	assert.Empty(t, r.Quants("WIDGET"), "nothing was received")
	assert.Empty(t, r.Quants("TEA"))
}

func TestOverReceiptTolerance(t *testing.T) {
	r := newRig(t)
	// 120 expected for lot L1, tolerance 10%: up to 132 may arrive.
	ms := r.Scan(wire.RoleInboundDock, "(00)"+sscc("2000000009")+"(02)"+caseGTIN+"(37)10(10)L1(17)270630")
	assert.Equal(t, []string{"stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms))
	ms = r.Scan(wire.RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, []string{"alert:over-receipt", "stock:receipt", "receipt:", "print:putaway"}, kinds(t, ms), "132 of 120 is within 10%")
	assert.Equal(t, "info", payload(t, ms, "/ops/alert")["severity"])
	ms = r.Scan(wire.RoleInboundDock, "(00)"+sscc("2000000010")+"(02)"+unitGTIN+"(37)1(10)L1(17)270630")
	assert.Equal(t, []string{"light:reject", "alert:over-receipt"}, kinds(t, ms), "133 is beyond tolerance")
	assert.Equal(t, "warning", payload(t, ms, "/ops/alert")["severity"])
	var total int64
	for _, n := range r.Quants("WIDGET") {
		total += n
	}
	assert.Equal(t, int64(132), total)
	require.NoError(t, r.Store.View(context.Background(), func(tx store.Tx) error {
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
	r.Consistent()
}

func TestCloseASNShort(t *testing.T) {
	r := newRig(t)
	r.Scan(wire.RoleInboundDock, "(00)"+sscc("1000000001"))
	r.Scan(wire.RoleInboundDock, "(00)"+sscc("2000000009")+"(02)"+caseGTIN+"(37)9(10)L1(17)270630") // 108 of 120: 10% short, tolerance 5%
	var closed inbound.Closed
	require.NoError(t, r.Store.Update(context.Background(), func(tx store.Tx) error {
		var err error
		closed, err = inbound.CloseASN(tx, "ASN-1", time.Now(), wire.NewID)
		return err
	}))
	require.Len(t, closed.Discrepancies, 1)
	assert.Equal(t, inbound.DiscShort, closed.Discrepancies[0].Kind)
	assert.False(t, closed.Discrepancies[0].Within)
	assert.Equal(t, "short-receipt", closed.Alerts[0].Kind)
	ms := r.Scan(wire.RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, []string{"light:reject", "alert:unexpected-item"}, kinds(t, ms), "a closed ASN receives nothing more")
}

func TestPutawayByScan(t *testing.T) {
	r := newRig(t)
	ms := r.Scan(wire.RoleInboundDock, "(00)"+sscc("1000000001"))
	assert.Equal(t, "A-01-1-01", payload(t, ms, "/ops/receipt")["putaway"])
	pallet := sscc("1000000001")

	ms = r.Scan(wire.RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"light:reject", "alert:unknown-lpn"}, kinds(t, ms), "a location before any plate")

	assert.Empty(t, r.Scan(wire.RolePutaway, "(00)"+pallet), "the plate scan only arms the station")
	ms = r.Scan(wire.RolePutaway, "NOWHERE")
	assert.Equal(t, []string{"light:reject", "alert:unknown-location"}, kinds(t, ms))
	ms = r.Scan(wire.RolePutaway, "RECEIVING")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "the plate is already there")
	ms = r.Scan(wire.RolePutaway, "F-01-1-01")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "ambient goods do not go to the freezer")
	assert.Contains(t, payload(t, ms, "/ops/alert")["message"], "frozen")

	ms = r.Scan(wire.RolePutaway, "A-01-1-02")
	assert.Equal(t, []string{"stock:putaway-deviation", "alert:putaway-deviation"}, kinds(t, ms), "another valid bin is accepted and recorded")
	assert.Equal(t, map[string]int64{"A-01-1-02/" + pallet + "/available": 48}, r.Quants("WIDGET"))

	// The next plate gets the suggested bin and goes there.
	ms = r.Scan(wire.RoleInboundDock, "(01)"+caseGTIN+"(10)L1(17)270630")
	assert.Equal(t, "A-01-1-01", payload(t, ms, "/cmd/print")["data"].(map[string]any)["location"])
	r.Scan(wire.RolePutaway, "L000000001")
	ms = r.Scan(wire.RolePutaway, "A-01-1-02")
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, ms), "A-01-1-02 is full")
	ms = r.Scan(wire.RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"stock:putaway"}, kinds(t, ms))
	require.NoError(t, r.Store.View(context.Background(), func(tx store.Tx) error {
		l, err := tx.LPN("L000000001")
		require.NoError(t, err)
		assert.Equal(t, "A-01-1-01", l.Location)
		assert.False(t, l.Deviated)
		return nil
	}))
	r.Consistent()
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
	ms := r.Event(wire.EvtRFID, &wire.RFIDRead{Station: "door-1", Role: wire.RoleInboundDock, EPCs: append(epcs, "00ZZ")})
	require.Equal(t, []string{"alert:rfid-count-mismatch"}, kinds(t, ms))
	assert.Contains(t, payload(t, ms, "/ops/alert")["message"], "counted 3 cases")

	c, err := epc.EncodeSGTIN96(2, "0614141", "100041", 200)
	require.NoError(t, err)
	ms = r.Event(wire.EvtRFID, &wire.RFIDRead{Station: "door-1", Role: wire.RoleInboundDock, EPCs: append(epcs, fmt.Sprintf("%X", c))})
	assert.Empty(t, ms, "four cases match the ASN")
	require.NoError(t, r.Store.View(context.Background(), func(tx store.Tx) error {
		a, err := tx.ASN("ASN-1")
		require.NoError(t, err)
		require.NotNil(t, a.Pallets[0].CountedCases)
		assert.Equal(t, int64(4), *a.Pallets[0].CountedCases)
		return nil
	}))
}

func TestRestartInTheMiddle(t *testing.T) {
	r := sitetest.NewDock(t, sitetest.Options{Dir: t.TempDir()})
	r.Scan(wire.RoleInboundDock, "(00)"+sscc("1000000001"))
	r.Scan(wire.RolePutaway, "(00)"+sscc("1000000001"))
	r.Restart()
	// The gateway resends the last event (its ack was lost): applied once.
	assert.Empty(t, r.Resend(), "a resent event changes nothing")
	ms := r.Scan(wire.RolePutaway, "A-01-1-01")
	assert.Equal(t, []string{"stock:putaway"}, kinds(t, ms), "the station remembers the plate across a restart")
	r.Consistent()
}

func TestCycleCountAtStationWithRecount(t *testing.T) {
	r := newRig(t)
	r.Scan(wire.RoleInboundDock, "(00)"+sscc("1000000001")) // 48 widgets, lot P1
	r.Scan(wire.RolePutaway, "(00)"+sscc("1000000001"))
	r.Scan(wire.RolePutaway, "A-01-1-01")

	assert.Equal(t, []string{"light:reject", "alert:unknown-location"}, kinds(t, r.Scan(wire.RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630")),
		"a count starts with the location")
	assert.Empty(t, r.Scan(wire.RoleCount, "A-01-1-01"))
	for range 3 {
		assert.Empty(t, r.Scan(wire.RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630"))
	}
	assert.Equal(t, []string{"light:reject", "alert:wrong-location"}, kinds(t, r.Scan(wire.RoleCount, "A-01-1-02")))
	ms := r.Scan(wire.RoleCount, "A-01-1-01")
	assert.Equal(t, []string{"light:attention", "alert:count-recount"}, kinds(t, ms), "36 of 48 is far off: count again")
	assert.Equal(t, map[string]int64{"A-01-1-01/" + sscc("1000000001") + "/available": 48}, r.Quants("WIDGET"), "no adjustment yet")

	for range 3 {
		r.Scan(wire.RoleCount, "(01)"+caseGTIN+"(10)P1(17)270630")
	}
	r.Scan(wire.RoleCount, "(01)"+unitGTIN+"(10)P1(17)270630")
	ms = r.Scan(wire.RoleCount, "A-01-1-01")
	assert.Equal(t, []string{"stock:count-loss", "alert:count-adjusted"}, kinds(t, ms), "the recount stands: 37 counted")
	assert.Equal(t, map[string]int64{"A-01-1-01/" + sscc("1000000001") + "/available": 37}, r.Quants("WIDGET"))
	r.Consistent()
}

func TestMoveOrderConfirmedByScan(t *testing.T) {
	r := newRig(t)
	pallet := sscc("1000000001")
	r.Scan(wire.RoleInboundDock, "(00)"+pallet)
	r.Scan(wire.RolePutaway, "(00)"+pallet)
	r.Scan(wire.RolePutaway, "A-01-1-01")
	r.Update(func(t *app.Tx) error {
		_, err := t.CreateMoveOrder(moves.MoveOrder{ID: "MO-1", LPN: pallet, To: "A-01-1-03", Reason: "relocate", By: "planner"})
		return err
	})
	r.Scan(wire.RolePutaway, "(00)"+pallet)
	ms := r.Scan(wire.RolePutaway, "A-01-1-03")
	assert.Equal(t, []string{"stock:move"}, kinds(t, ms))
	require.NoError(t, r.Store.View(context.Background(), func(tx store.Tx) error {
		o, err := tx.MoveOrder("MO-1")
		assert.Equal(t, moves.MoveDone, o.Status)
		assert.Equal(t, "A-01-1-03", o.MovedTo)
		return err
	}))
	r.Consistent()
}
