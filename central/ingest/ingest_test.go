package ingest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// The tests of ingest drive a whole site (sitetest): what ingest refuses,
// holds back, applies once or sets aside shows in what central applies
// and queues.

const testSite = sitetest.SiteID

var (
	keys           = sitetest.Keys
	sealedIncoming = sitetest.Sealed
	birth          = sitetest.Birth
	mustJSON       = sitetest.JSON
	kinds          = sitetest.Kinds
	payload        = sitetest.Payload
)

func newRig(t *testing.T) *sitetest.Dock { return sitetest.NewDock(t, sitetest.Options{}) }

// refusedAlerts returns the reasons of refused-message alerts in ms.
func refusedAlerts(t *testing.T, ms []store.Message) []string {
	var out []string
	for _, al := range sitetest.Alerts(t, ms) {
		if al.Kind == "refused-message" {
			out = append(out, al.Details["reason"])
		}
	}
	return out
}

// Messages whose sender central cannot confirm are refused before they are
// decoded: nothing applied, nothing acknowledged, one alert each.
func TestForgedAndOversizedEventsAreRefused(t *testing.T) {
	r := newRig(t)
	ev := r.PalletScan(r.Stream, 1)

	unknown := *ev
	unknown.Gateway = "gw-nobody"
	b := mustJSON(t, unknown)
	wrongKey, err := wire.Seal(wire.MessageKey("guessed"), wire.EventTopic(testSite, "gw1", wire.EvtScan), b)
	require.NoError(t, err)
	otherTopic, err := wire.Seal(keys["gw1"], wire.EventTopic(testSite, "gw1", wire.EvtCount), mustJSON(t, ev))
	require.NoError(t, err)
	mismatch := *ev
	mismatch.Gateway = "gw-1"

	cases := map[wire.Refusal]Incoming{
		wire.RefusedUnknownGateway:  {Gateway: "gw-nobody", Type: wire.EvtScan, Payload: b},
		wire.RefusedUnsealed:        {Gateway: "gw1", Type: wire.EvtScan, Payload: mustJSON(t, ev)},
		wire.RefusedBadSeal:         {Gateway: "gw1", Type: wire.EvtScan, Payload: wrongKey},
		wire.RefusedGatewayMismatch: sealedIncoming(t, "gw1", wire.EvtScan, &mismatch),
		wire.RefusedOversized:       {Gateway: "gw1", Type: wire.EvtScan, Size: wire.MaxEventBytes + 1},
	}
	for reason, in := range cases {
		acks := r.Apply(in)
		assert.Empty(t, acks, "%s: nothing is acknowledged", reason)
		assert.Equal(t, []string{string(reason)}, refusedAlerts(t, r.Drain()), reason)
	}
	// Sealed for evt/count but sent on evt/scan: the seal binds the topic.
	// A second bad seal on the same topic within the minute is counted and
	// held back for the window's summary (central's one alert path).
	acks := r.Apply(Incoming{Gateway: "gw1", Type: wire.EvtScan, Payload: otherTopic})
	assert.Empty(t, acks)
	assert.Empty(t, refusedAlerts(t, r.Drain()))
	assert.Equal(t, uint64(1), r.App.Metrics.AlertsHeldBack.Load())
	assert.Zero(t, r.Receipts(), "no forged event was applied")
	assert.Equal(t, uint64(6), r.Ingest.Metrics.Refused.Load())

	acks = r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, ev))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "the real event is applied")
	assert.Equal(t, 1, r.Receipts())
}

// Finding 2a: a "lane":"bulk" event with a huge seq on the must stream is
// a gap (the lane is the announced one), so the next real scan is applied.
func TestLaneComesFromTheAnnouncementNotTheEvent(t *testing.T) {
	r := newRig(t)
	jump := r.PalletScan(r.Stream, 9e18)
	jump.Lane = wire.LaneBulk
	acks := r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, jump))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(0), acks[0].Seq, "the watermark did not move")
	assert.True(t, acks[0].Resend, "a gap on a must stream is asked for again")

	acks = r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, r.PalletScan(r.Stream, 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq)
	assert.Equal(t, 1, r.Receipts(), "the real scan is applied")

	// A stream announced as bulk may have gaps.
	bulk := r.Stream + ".bulk"
	r.Apply(birth(t, "gw1", wire.StreamInfo{ID: r.Stream, Lane: wire.LaneMust}, wire.StreamInfo{ID: bulk, Lane: wire.LaneBulk}))
	raw := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	raw.Gateway, raw.Stream, raw.Seq = "gw1", bulk, 5
	acks = r.Apply(sealedIncoming(t, "gw1", wire.EvtLoad, raw))
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(5), acks[0].Seq)
	assert.Equal(t, uint64(4), r.Ingest.Metrics.Shed.Load())

	// A stream's lane never changes.
	r.Drain()
	r.Apply(birth(t, "gw1", wire.StreamInfo{ID: r.Stream, Lane: wire.LaneBulk}))
	assert.Equal(t, []string{string(wire.RefusedBadAnnouncement)}, refusedAlerts(t, r.Drain()))
}

// An event on a stream its gateway never announced is held back: a
// gateway heard from for the first time is asked to send it again (it then
// announces the stream first); a made-up stream of a gateway that announced
// its streams is refused with an alert.
func TestEventsOnlyOnAnnouncedStreams(t *testing.T) {
	r := newRig(t)
	acks := r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, r.PalletScan("made-up", 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, Ack{Gateway: "gw1", Stream: "made-up", Seq: 0, Resend: true}, acks[0])
	assert.Equal(t, []string{string(wire.RefusedUnannouncedStream)}, refusedAlerts(t, r.Drain()))
	assert.Zero(t, r.Receipts())

	// gw-1 has never announced anything: its event came before its birth.
	fresh := wire.NewID()
	ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	ev.Gateway, ev.Stream, ev.Seq = "gw-1", fresh, 1
	in := sealedIncoming(t, "gw-1", wire.EvtLoad, ev)
	acks = r.Apply(in)
	require.Len(t, acks, 1)
	assert.True(t, acks[0].Resend)
	assert.Empty(t, refusedAlerts(t, r.Drain()), "no alert for a gateway ahead of its own birth")
	acks = r.Apply(birth(t, "gw-1", wire.StreamInfo{ID: fresh, Lane: wire.LaneMust}), in)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "applied once the stream is announced")
}

// Finding 2c, with the key: an event claiming a seq that is already
// applied with another id is not applied and raises an alert.
func TestConflictingEventForAnAppliedSeqRaisesAnAlert(t *testing.T) {
	r := newRig(t)
	r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, r.PalletScan(r.Stream, 1)))
	r.Drain()
	acks := r.Apply(sealedIncoming(t, "gw1", wire.EvtScan, r.PalletScan(r.Stream, 1)))
	require.Len(t, acks, 1)
	assert.Equal(t, []string{"alert:conflicting-event"}, kinds(t, r.Drain()))
	assert.Equal(t, 1, r.Receipts())
	assert.Equal(t, uint64(1), r.Ingest.Metrics.Conflicts.Load())
}

// A gateway's refused-message report becomes one alert with its count.
func TestGatewayRefusalReportIsAnAlert(t *testing.T) {
	r := newRig(t)
	ms := r.Event(wire.EvtRefused, &wire.Refused{Topic: "dockhand/v1/t/gw/gw1/cmd/print", Reason: "bad-seal", Count: 7})
	require.Equal(t, []string{"alert:gateway-refused"}, kinds(t, ms))
	al := payload(t, ms, "/ops/alert")
	assert.Equal(t, "7", al["details"].(map[string]any)["count"])
}
