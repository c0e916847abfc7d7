package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

const (
	totalEvents = 10000
	minKills    = 20
)

func site() string { return "e2e" + strings.ToLower(wire.NewID()[20:]) }

func gatewayOptions(dir, siteID, url, secret string) loadgen.Options {
	return loadgen.Options{DataDir: dir, Site: siteID, Gateway: "gw-1", MQTT: url, Password: secret, Total: totalEvents,
		Rate: 2500, Workers: 8, ResendAfter: time.Second, Window: 256}
}

// killGatewayRepeatedly starts the gateway and SIGKILLs it at random
// moments, between and during broker outages (brokerDown/brokerUp are
// called at chosen kills), then lets one last gateway drain and returns
// its result.
func killGatewayRepeatedly(t *testing.T, opt loadgen.Options, brokerDown, brokerUp func(i int)) loadgen.Result {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range minKills + 4 {
		gw := spawn(t, "gateway", gatewayOpts{Options: opt})
		time.Sleep(time.Duration(60+rng.IntN(300)) * time.Millisecond)
		gw.kill()
		brokerDown(i)
		brokerUp(i)
	}
	last := spawn(t, "gateway", gatewayOpts{Options: opt, UntilAcked: true})
	res, err := last.wait(3 * time.Minute)
	require.NoError(t, err, "the last gateway drains its backlog")
	return res
}

// assertExactlyOnceInOrder reads central's journal: every event the
// gateway issued is applied once, in seq order, and nothing else is.
func assertExactlyOnceInOrder(t *testing.T, st store.Store, gateway string, total int, res loadgen.Result) {
	t.Helper()
	require.Equal(t, uint64(total), res.Issued, "the gateway issued every event exactly once across kills")
	require.Equal(t, res.Issued, res.Acked, "central acknowledged everything")
	var lines []store.Applied
	require.NoError(t, st.View(context.Background(), func(tx store.Tx) error {
		n, err := tx.AppliedCount(gateway)
		require.NoError(t, err)
		assert.Equal(t, uint64(total), n, "applied count")
		var after uint64
		for {
			batch, err := tx.JournalFrom(after, 5000)
			if err != nil || len(batch) == 0 {
				return err
			}
			lines = append(lines, batch...)
			after = batch[len(batch)-1].N
		}
	}))
	ids := map[string]bool{}
	var next uint64 = 1
	for _, l := range lines {
		if l.Gateway != gateway {
			continue
		}
		require.Equal(t, res.Stream, l.Stream)
		require.Equal(t, next, l.Seq, "events applied in seq order, each once")
		require.False(t, ids[l.ID], "event id %s applied twice", l.ID)
		ids[l.ID] = true
		next++
	}
	assert.Equal(t, uint64(total+1), next)
}

// Real Mosquitto, stopped and restarted during the stream; gatewayd killed
// with SIGKILL at random points at least 20 times.
func TestGatewayKillsAndMosquittoRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("long fault-injection test; runs without -short")
	}
	m := testenv.StartMosquitto(t, "")
	siteID := site()
	cdir := filepath.Join(t.TempDir(), "central")
	secret := addGateway(t, cdir)
	c, err := centrald.Start(centrald.Options{Site: siteID, DataDir: cdir,
		MQTT: mqttx.Config{URL: m.URL()}, HTTPAddr: "127.0.0.1:0", APIToken: "t"}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	defer c.Close()
	opt := gatewayOptions(t.TempDir(), siteID, m.URL(), secret)
	res := killGatewayRepeatedly(t, opt,
		func(i int) {
			if i == 6 || i == 15 {
				m.Stop()
			}
		},
		func(i int) {
			if i == 8 || i == 17 {
				m.Start()
			}
		})
	t.Logf("final run: %+v", res)
	assertExactlyOnceInOrder(t, c.Store, "gw-1", totalEvents, res)
}

// The embedded broker lives in central: killing centrald with SIGKILL is
// a broker crash and a central crash at once. Both processes are killed
// repeatedly; central restarts on the same port and data.
func TestGatewayAndCentralKillsEmbeddedBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("long fault-injection test; runs without -short")
	}
	siteID := site()
	port := testenv.FreePort(t)
	copt := centralOpts{Site: siteID, DataDir: filepath.Join(t.TempDir(), "central"), BrokerListen: fmt.Sprintf("127.0.0.1:%d", port)}
	secret := addGateway(t, copt.DataDir)
	central := spawn(t, "central", copt)
	opt := gatewayOptions(t.TempDir(), siteID, fmt.Sprintf("tcp://127.0.0.1:%d", port), secret)
	res := killGatewayRepeatedly(t, opt,
		func(i int) {
			if i%5 == 2 {
				central.kill()
			}
		},
		func(i int) {
			if i%5 == 3 {
				central = spawn(t, "central", copt)
			}
		})
	t.Logf("final run: %+v", res)
	require.NoError(t, central.stop(20*time.Second))
	st, err := badgerstore.Open(filepath.Join(copt.DataDir, "central"), zerolog.Nop())
	require.NoError(t, err)
	defer st.Close()
	assertExactlyOnceInOrder(t, st, "gw-1", totalEvents, res)
	problems, err := store.Check(context.Background(), st)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
