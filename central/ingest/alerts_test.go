package ingest_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/alerting"
	. "github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// collapsing is the options of a site whose alerts collapse on clk.
func collapsing() (sitetest.Options, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	return sitetest.Options{Alerts: alerting.Collapser{Window: time.Minute, Now: clk.now}}, clk
}

// garbageScans is what a gateway makes of 1 MB of garbage on a scanner:
// one scan event per CR-terminated frame, each parsed as the gateway
// parses (gateway/daemon onScan), most of them with an error.
func garbageScans(t *testing.T, stream string) []Incoming {
	r := rand.New(rand.NewPCG(10, 1))
	garbage := make([]byte, 1<<20)
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	var out []Incoming
	for _, frame := range bytes.Split(garbage, []byte{'\r'}) {
		if len(frame) == 0 {
			continue
		}
		ev := wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Role: "inbound-dock", Data: string(frame)}
		if s, err := gs1.ParseScan(frame, gs1.Options{}); err != nil {
			ev.Error = err.Error()
		} else {
			ev.Symbology, ev.GS1, ev.Data = s.Symbology, s.GS1, s.Data
			for _, e := range s.Elements {
				ev.Elements = append(ev.Elements, wire.Element{AI: e.AI, Value: e.Value})
			}
		}
		ev.Gateway, ev.Device, ev.Stream, ev.Seq = "gw-1", "scanner-1", stream, uint64(len(out)+1)
		out = append(out, sealedIncoming(t, "gw-1", wire.EvtScan, ev))
	}
	return out
}

func queuedAlerts(t *testing.T, s *sitetest.Site) []wire.Alert { return sitetest.Alerts(t, s.Queued()) }

// Issue 10: 1 MB of garbage on a scanner raised 3,772 alerts. Every bad
// scan is still applied and journaled (it is data); ops get the first
// alert of each kind at once and one summary per window with the count.
func TestGarbageOnAScannerRaisesOneAlertAndASummary(t *testing.T) {
	opt, clk := collapsing()
	s := sitetest.New(t, opt)
	stream := wire.NewID()
	s.Announce("gw-1", stream)
	events := garbageScans(t, stream)
	require.Greater(t, len(events), 3000)
	for i := 0; i < len(events); i += maxBatchForTest {
		batch := events[i:min(i+maxBatchForTest, len(events))]
		acks := s.Apply(batch...)
		require.Len(t, acks, 1)
		clk.t = clk.t.Add(10 * time.Millisecond)
	}
	assert.Equal(t, uint64(len(events)), s.Ingest.Metrics.Applied.Load(), "every garbage scan is applied")
	var journaled int
	s.View(func(tx store.Tx) error {
		js, err := tx.JournalFrom(0, 1<<20)
		journaled = len(js)
		return err
	})
	assert.Equal(t, len(events), journaled, "and journaled")

	raised := s.App.Metrics.Alerts.Load()
	require.Greater(t, raised, uint64(3000), "the flood raises an alert per scan")
	first := queuedAlerts(t, s)
	kinds := map[wire.AlertKind]int{}
	for _, al := range first {
		kinds[al.Kind]++
		assert.Zero(t, al.Count)
		assert.Equal(t, "scanner-1", al.Device)
	}
	t.Logf("%d garbage scans raised %d alerts; sent at once: %v", len(events), raised, kinds)
	for k, n := range kinds {
		assert.Equal(t, 1, n, "one %s alert at once", k)
	}

	require.NoError(t, s.App.FlushAlerts(ctx))
	assert.Len(t, queuedAlerts(t, s), len(first), "no summary before the window is over")
	clk.t = clk.t.Add(time.Minute)
	require.NoError(t, s.App.FlushAlerts(ctx))
	all := queuedAlerts(t, s)
	summaries := all[len(first):]
	require.Len(t, summaries, len(first), "one summary per kind")
	total := uint64(len(first))
	for _, s := range summaries {
		require.NotNil(t, s.First)
		require.NotNil(t, s.Last)
		assert.False(t, s.Last.Before(*s.First))
		total += uint64(s.Count)
	}
	assert.Equal(t, raised, total, "every alert is either sent or counted in a summary, once")
	assert.Equal(t, raised-uint64(len(first)), s.App.Metrics.AlertsHeldBack.Load())

	require.NoError(t, s.App.FlushAlerts(ctx))
	clk.t = clk.t.Add(time.Minute)
	require.NoError(t, s.App.FlushAlerts(ctx))
	assert.Len(t, queuedAlerts(t, s), len(all), "a quiet window adds nothing")
	s.View(func(tx store.Tx) error {
		ws, err := tx.AlertWindows()
		assert.Empty(t, ws, "and closes the keys")
		return err
	})
}

const maxBatchForTest = 256

var ctx = context.Background()

// A repeat held back in a transaction that aborts is not counted: when
// the batch is applied again, each bad scan is counted once.
func TestHeldBackAlertsCountOnceWhenTheTransactionAborts(t *testing.T) {
	opt, clk := collapsing()
	stream := wire.NewID()
	scan := func(seq uint64) Incoming {
		ev := wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Role: "inbound-dock", Data: "x", Error: "garbage"}
		ev.Gateway, ev.Device, ev.Stream, ev.Seq = "gw-1", "scanner-1", stream, seq
		return sealedIncoming(t, "gw-1", wire.EvtScan, ev)
	}
	// The fourth event fails to apply: the batch's transaction aborts
	// after the first three raised their alerts in it.
	bad, badID := loadEvent(t, stream, 4)
	s := failingSite(t, opt, badID)
	s.Announce("gw-1", stream)
	batch := []Incoming{scan(1), scan(2), scan(3), bad, scan(5)}
	for range PoisonAfter {
		_, _ = s.Ingest.Apply(ctx, batch)
	}
	acks, err := s.Ingest.Apply(ctx, batch)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), acks[0].Seq)

	clk.t = clk.t.Add(time.Minute)
	require.NoError(t, s.App.FlushAlerts(ctx))
	var badScans []wire.Alert
	for _, al := range queuedAlerts(t, s) {
		if al.Kind == "bad-scan" {
			badScans = append(badScans, al)
		}
	}
	require.Len(t, badScans, 2, "the first at once, then the summary")
	assert.Zero(t, badScans[0].Count)
	assert.Equal(t, int64(3), badScans[1].Count, "scans 2, 3 and 5, each once")
}
