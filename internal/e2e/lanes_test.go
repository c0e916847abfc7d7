package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

const rawReads = 1500

// A backlog of raw RFID reads must not delay a scan, and raw reads the
// gateway shed must not stall central.
func TestScanOvertakesRawReadBacklogAndShedReadsDoNotStallCentral(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	db, err := storage.Open(t.TempDir(), storage.Gateway, log)
	require.NoError(t, err)
	defer db.Close()
	ob, err := outbox.Open(db, outbox.Options{BulkMaxBytes: 256 << 10}, log)
	require.NoError(t, err)
	defer ob.Close()

	// The broker is not there yet: raw reads pile up (and the oldest are
	// shed), then one scan arrives.
	port := testenv.FreePort(t)
	pad := strings.Repeat("r", 400)
	for range rawReads {
		ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtRFID), Pad: pad}
		ev.Gateway, ev.Lane = "gw-1", wire.LaneBulk
		_, err := ob.Append(context.Background(), ev)
		require.NoError(t, err)
	}
	scan := &wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Role: "putaway", Data: "A-01-1-01"}
	scan.Gateway = "gw-1"
	_, err = ob.Append(context.Background(), scan)
	require.NoError(t, err)
	shed := ob.Stats().Bulk.Shed
	require.Greater(t, shed, uint64(0), "the bulk budget made the gateway shed old raw reads")

	siteID := site()
	// Central with its embedded broker on the gateway's port.
	cdir := filepath.Join(t.TempDir(), "c")
	secret := addGateway(t, cdir)
	c := startCentralEmbedded(t, siteID, cdir, port)
	defer c.Close()
	// On a first start, events published before central has subscribed
	// are dropped by the broker and re-sent later; this test is about
	// ordering, so it starts the gateway once central listens.
	require.Eventually(t, c.Subscribed, 10*time.Second, 10*time.Millisecond)
	lk, err := link.New(link.Options{MQTT: mqttx.Config{URL: fmt.Sprintf("tcp://127.0.0.1:%d", port), Password: secret}, Site: siteID,
		Gateway: "gw-1", Window: 64, ResendAfter: 500 * time.Millisecond}, ob, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = lk.Run(ctx) }()
	defer func() { cancel(); <-done }()

	require.Eventually(t, func() bool {
		return ob.Acked(outbox.Must) == 1 && ob.Acked(outbox.Bulk) == ob.Issued(outbox.Bulk)
	}, 60*time.Second, 20*time.Millisecond, "everything kept is applied")
	var order []store.Applied
	require.NoError(t, c.Store.View(context.Background(), func(tx store.Tx) error {
		order, err = tx.JournalFrom(0, 10000)
		return err
	}))
	scanAt, bulk := -1, 0
	for i, a := range order {
		if a.Type == wire.EvtScan {
			scanAt = i
		} else {
			bulk++
		}
	}
	require.GreaterOrEqual(t, scanAt, 0)
	assert.Less(t, scanAt, 64+1, "the scan went out within the first window, ahead of the raw-read backlog")
	assert.Equal(t, int(rawReads-shed), bulk, "every raw read that was not shed is applied once")
	assert.Equal(t, shed, c.Ingest.Metrics.Shed.Load(), "central counts the shed reads as gaps it accepted")
}
