package allocator

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// palletScan is a pallet scan at the rig's inbound dock: a receipt if
// central applies it.
func (r *rig) palletScan(stream string, seq uint64) *wire.Scan {
	s := &wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "st1", Role: RoleInboundDock,
		Data: "00" + sscc("1000000001"), GS1: true, Elements: []wire.Element{{AI: "00", Value: sscc("1000000001")}}}
	s.Gateway, s.Device, s.Stream, s.Seq = "gw1", "dev1", stream, seq
	return s
}

// refusedAlerts returns the reasons of refused-message alerts in ms.
func refusedAlerts(t *testing.T, ms []store.Message) []string {
	var out []string
	for _, m := range ms {
		var al wire.Alert
		require.NoError(t, json.Unmarshal(m.Payload, &al))
		if al.Kind == "refused-message" {
			out = append(out, al.Details["reason"])
		}
	}
	return out
}

func (r *rig) apply(in ...Incoming) []Ack {
	acks, err := r.a.Apply(in)
	require.NoError(r.t, err)
	return acks
}

func (r *rig) receipts() int {
	var n int
	require.NoError(r.t, r.st.View(context.Background(), func(tx store.Tx) error {
		rs, err := tx.Receipts()
		n = len(rs)
		return err
	}))
	return n
}

// Messages whose sender central cannot confirm are refused before they are
// decoded: nothing applied, nothing acknowledged, one alert each.
func TestForgedAndOversizedEventsAreRefused(t *testing.T) {
	r := newRig(t)
	ev := r.palletScan(r.stream, 1)

	unknown := *ev
	unknown.Gateway = "gw-nobody"
	b, _ := json.Marshal(unknown)
	wrongKey, err := wire.Seal(wire.MessageKey("guessed"), wire.EventTopic(testSite, "gw1", wire.EvtScan), b)
	require.NoError(t, err)
	otherTopic, err := wire.Seal(keys["gw1"], wire.EventTopic(testSite, "gw1", wire.EvtCount), mustJSON(t, ev))
	require.NoError(t, err)
	mismatch := *ev
	mismatch.Gateway = "gw-1"

	cases := map[string]Incoming{
		ReasonUnknownGateway:  {Gateway: "gw-nobody", Type: wire.EvtScan, Payload: b},
		ReasonUnsealed:        {Gateway: "gw1", Type: wire.EvtScan, Payload: mustJSON(t, ev)},
		ReasonBadSeal:         {Gateway: "gw1", Type: wire.EvtScan, Payload: wrongKey},
		ReasonGatewayMismatch: sealedIncoming(t, "gw1", wire.EvtScan, &mismatch),
		ReasonOversized:       {Gateway: "gw1", Type: wire.EvtScan, Size: wire.MaxEventBytes + 1},
	}
	for reason, in := range cases {
		acks := r.apply(in)
		assert.Empty(t, acks, "%s: nothing is acknowledged", reason)
		assert.Equal(t, []string{reason}, refusedAlerts(t, r.drain()), reason)
	}
	// Sealed for evt/count but sent on evt/scan: the seal binds the topic.
	// A second bad seal on the same topic within the minute is counted and
	// held back for the window's summary (central's one alert path).
	acks := r.apply(Incoming{Gateway: "gw1", Type: wire.EvtScan, Payload: otherTopic})
	assert.Empty(t, acks)
	assert.Empty(t, refusedAlerts(t, r.drain()))
	assert.Equal(t, uint64(1), r.a.Metrics.AlertsHeldBack.Load())
	assert.Zero(t, r.receipts(), "no forged event was applied")
	assert.Equal(t, uint64(6), r.a.Metrics.Refused.Load())

	acks = r.apply(sealedIncoming(t, "gw1", wire.EvtScan, ev))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "the real event is applied")
	assert.Equal(t, 1, r.receipts())
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// Finding 2a: a "lane":"bulk" event with a huge seq on the must stream is
// a gap (the lane is the announced one), so the next real scan is applied.
func TestLaneComesFromTheAnnouncementNotTheEvent(t *testing.T) {
	r := newRig(t)
	jump := r.palletScan(r.stream, 9e18)
	jump.Lane = wire.LaneBulk
	acks := r.apply(sealedIncoming(t, "gw1", wire.EvtScan, jump))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(0), acks[0].Seq, "the watermark did not move")
	assert.True(t, acks[0].Resend, "a gap on a must stream is asked for again")

	acks = r.apply(sealedIncoming(t, "gw1", wire.EvtScan, r.palletScan(r.stream, 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq)
	assert.Equal(t, 1, r.receipts(), "the real scan is applied")

	// A stream announced as bulk may have gaps.
	bulk := r.stream + ".bulk"
	r.apply(birth(t, "gw1", wire.StreamInfo{ID: r.stream, Lane: wire.LaneMust}, wire.StreamInfo{ID: bulk, Lane: wire.LaneBulk}))
	raw := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	raw.Gateway, raw.Stream, raw.Seq = "gw1", bulk, 5
	acks = r.apply(sealedIncoming(t, "gw1", wire.EvtLoad, raw))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(5), acks[0].Seq)
	assert.Equal(t, uint64(4), r.a.Metrics.Shed.Load())

	// A stream's lane never changes.
	r.drain()
	r.apply(birth(t, "gw1", wire.StreamInfo{ID: r.stream, Lane: wire.LaneBulk}))
	assert.Equal(t, []string{ReasonBadAnnouncement}, refusedAlerts(t, r.drain()))
}

// An event on a stream its gateway never announced is held back: a
// gateway heard from for the first time is asked to send it again (it then
// announces the stream first); a made-up stream of a gateway that announced
// its streams is refused with an alert.
func TestEventsOnlyOnAnnouncedStreams(t *testing.T) {
	r := newRig(t)
	acks := r.apply(sealedIncoming(t, "gw1", wire.EvtScan, r.palletScan("made-up", 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, Ack{Gateway: "gw1", Stream: "made-up", Seq: 0, Resend: true}, acks[0])
	assert.Equal(t, []string{ReasonUnannouncedStream}, refusedAlerts(t, r.drain()))
	assert.Zero(t, r.receipts())

	// gw-1 has never announced anything: its event came before its birth.
	fresh := wire.NewID()
	ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	ev.Gateway, ev.Stream, ev.Seq = "gw-1", fresh, 1
	in := sealedIncoming(t, "gw-1", wire.EvtLoad, ev)
	acks = r.apply(in)
	require.Len(t, acks, 1)
	assert.True(t, acks[0].Resend)
	assert.Empty(t, refusedAlerts(t, r.drain()), "no alert for a gateway ahead of its own birth")
	acks = r.apply(birth(t, "gw-1", wire.StreamInfo{ID: fresh, Lane: wire.LaneMust}), in)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "applied once the stream is announced")
}

// Finding 2c, with the key: an event claiming a seq that is already
// applied with another id is not applied and raises an alert.
func TestConflictingEventForAnAppliedSeqRaisesAnAlert(t *testing.T) {
	r := newRig(t)
	r.apply(sealedIncoming(t, "gw1", wire.EvtScan, r.palletScan(r.stream, 1)))
	r.drain()
	acks := r.apply(sealedIncoming(t, "gw1", wire.EvtScan, r.palletScan(r.stream, 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, []string{"alert:conflicting-event"}, kinds(t, r.drain()))
	assert.Equal(t, 1, r.receipts())
	assert.Equal(t, uint64(1), r.a.Metrics.Conflicts.Load())
}

// A gateway's refused-message report becomes one alert with its count.
func TestGatewayRefusalReportIsAnAlert(t *testing.T) {
	r := newRig(t)
	ms := r.event(wire.EvtRefused, &wire.Refused{Topic: "dockhand/v1/t/gw/gw1/cmd/print", Reason: "bad-seal", Count: 7})
	require.Equal(t, []string{"alert:gateway-refused"}, kinds(t, ms))
	al := payload(t, ms, "/ops/alert")
	assert.Equal(t, "7", al["details"].(map[string]any)["count"])
}
