package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// A full outbox refuses scans loudly — red light, a "refused" device event,
// a log line — and accepts them again once central has drained it.
func TestFullOutboxRefusesScansThenRecovers(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	dir := t.TempDir()
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: log})
	require.NoError(t, err)
	defer sc.Close()
	port := testenv.FreePort(t)
	cfg := testConfig(t, port, fmt.Sprintf(`stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: scanner-1, kind: scanner, station: dock-1, port: %q}
  - {id: light-1, kind: light, station: dock-1}
outbox: {max_bytes: 1048576}
link: {resend_after: 500ms}
`, sc.Path()))
	cdir := centralFor(t, cfg)
	g, err := Start(cfg, dir, log)
	require.NoError(t, err)
	defer g.Close()
	light, ok := g.light("dock-1")
	require.True(t, ok)

	// Central is away; fill the budget.
	pad := strings.Repeat("x", 4000)
	for {
		ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad), Pad: pad}
		ev.Gateway = "gw-1"
		_, err := g.Outbox().Append(context.Background(), ev)
		if errors.Is(err, outbox.ErrFull) {
			break
		}
		require.NoError(t, err)
	}
	before := g.Outbox().Stats().Events
	require.NoError(t, sc.Scan("]C100106141410000000019"))
	require.Eventually(t, func() bool { return light.Current() == gpio.PatternReject }, 5*time.Second, 10*time.Millisecond,
		"a refused scan shows red")
	assert.Eventually(t, func() bool { return g.metrics.refused.Load() >= 1 }, time.Second, 10*time.Millisecond)
	recs, err := g.Outbox().Pending(outbox.Must, 0, before+10)
	require.NoError(t, err)
	var refused, scans int
	for _, r := range recs {
		var d wire.Device
		require.NoError(t, json.Unmarshal(r.Payload, &d))
		if r.Type == wire.EvtDevice && d.State == "refused" && d.Kind == "outbox" {
			refused++
		}
		if r.Type == wire.EvtScan {
			scans++
		}
	}
	assert.Equal(t, 1, refused, "the refusal is reported to central through the reserve")
	assert.Zero(t, scans, "the refused scan was not stored")

	// Central (with the embedded broker) comes up on the gateway's port:
	// the backlog drains and scans are accepted again.
	c, err := centrald.Start(centrald.Options{Site: "t1", DataDir: cdir,
		BrokerListen: fmt.Sprintf("127.0.0.1:%d", port), HTTPAddr: "127.0.0.1:0", APIToken: "t"}, log)
	require.NoError(t, err)
	defer c.Close()
	require.Eventually(t, func() bool { return g.Outbox().Stats().Events == 0 }, 60*time.Second, 50*time.Millisecond,
		"the backlog drains")
	require.NoError(t, sc.Scan("]C100106141410000000019"))
	require.Eventually(t, func() bool {
		return slices.ContainsFunc(journal(t, c), func(l store.Applied) bool { return l.Type == wire.EvtScan })
	}, 20*time.Second, 50*time.Millisecond, "the next scan reaches central")
}
