package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
)

func startCentral(t *testing.T, siteID, dir, url string) *centrald.Central {
	c, err := centrald.Start(centrald.Options{Site: siteID, DataDir: dir, MQTT: mqttx.Config{URL: url},
		HTTPAddr: "127.0.0.1:0", APIToken: "t"}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel))
	require.NoError(t, err)
	return c
}

func startCentralEmbedded(t *testing.T, siteID, dir string, port int) *centrald.Central {
	c, err := centrald.Start(centrald.Options{Site: siteID, DataDir: dir, BrokerListen: "127.0.0.1:" + strconv.Itoa(port),
		HTTPAddr: "127.0.0.1:0", APIToken: "t"}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel))
	require.NoError(t, err)
	return c
}

// addGateway gives gateway gw-1 an account in central's data directory and
// returns its secret, as `centrald gateway add gw-1` does.
func addGateway(t *testing.T, centralDir string) string {
	t.Helper()
	secret, err := identity.Add(centralDir, "gw-1", identity.RoleGateway)
	require.NoError(t, err)
	return secret
}

type runResult struct {
	res loadgen.Result
	err error
}

func runGateway(opt loadgen.Options, d time.Duration) <-chan runResult {
	ch := make(chan runResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		res, err := loadgen.RunGateway(ctx, opt, true, zerolog.Nop())
		if err == nil && res.Acked < res.Issued {
			err = ctx.Err()
		}
		ch <- runResult{res, err}
	}()
	return ch
}

// A broker that takes publishes but never PUBACKs them: paho would keep
// every one in memory. The link caps what waits for a PUBACK, rebuilds the
// session when the broker stalls, and loses nothing.
func TestBrokerThatNeverAcknowledgesPublishes(t *testing.T) {
	m := testenv.StartMosquitto(t, "")
	siteID := site()
	cdir := filepath.Join(t.TempDir(), "c")
	secret := addGateway(t, cdir)
	c := startCentral(t, siteID, cdir, m.URL())
	defer c.Close()
	proxy := newPubackEater(t, "127.0.0.1:"+itoa(m.Port))
	proxy.eating.Store(true)

	const total, window = 3000, 64
	opt := loadgen.Options{DataDir: t.TempDir(), Site: siteID, Gateway: "gw-1", MQTT: proxy.url(), Password: secret, Total: total,
		Window: window, ResendAfter: 300 * time.Millisecond, StallAfter: time.Second}
	done := runGateway(opt, 2*time.Minute)
	require.Eventually(t, func() bool { return proxy.eaten.Load() > 2*window }, 30*time.Second, 10*time.Millisecond)
	time.Sleep(2500 * time.Millisecond) // at least one stall is detected while PUBACKs are eaten
	proxy.eating.Store(false)
	r := <-done
	require.NoError(t, r.err)
	t.Logf("result: %+v, PUBACKs eaten: %d", r.res, proxy.eaten.Load())
	assert.LessOrEqual(t, r.res.MaxUnconfirmed, 2*window, "publishes waiting for a PUBACK stay bounded")
	assert.GreaterOrEqual(t, r.res.Restarts, uint64(1), "the stalled session was rebuilt")
	assertExactlyOnceInOrder(t, c.Store, "gw-1", total, r.res)
}

// Central is offline while a gateway bursts, and the broker keeps only 20
// queued messages for it (Mosquitto max_queued_messages): the broker
// PUBACKs the gateway and drops the rest. The gateway re-publishes what
// central has not acknowledged, and central applies each event once.
func TestBrokerDropsQueuedMessagesForOfflineCentral(t *testing.T) {
	m := testenv.StartMosquitto(t, "max_queued_messages 20")
	siteID := site()
	cdir := filepath.Join(t.TempDir(), "c")
	secret := addGateway(t, cdir)
	c := startCentral(t, siteID, cdir, m.URL())
	c.Close() // its persistent session stays on the broker, with a small queue

	const total = 3000
	opt := loadgen.Options{DataDir: t.TempDir(), Site: siteID, Gateway: "gw-1", MQTT: m.URL(), Password: secret, Total: total,
		Window: 512, ResendAfter: 500 * time.Millisecond}
	done := runGateway(opt, 2*time.Minute)
	time.Sleep(2 * time.Second) // the burst is published; most of it is dropped by the broker
	c = startCentral(t, siteID, cdir, m.URL())
	defer c.Close()
	r := <-done
	require.NoError(t, r.err)
	t.Logf("result: %+v", r.res)
	assert.Greater(t, r.res.Resent, uint64(0), "dropped events were published again")
	assert.Less(t, r.res.Published, uint64(10*total), "no resend storm: the window shrinks to what the broker can queue")
	assertExactlyOnceInOrder(t, c.Store, "gw-1", total, r.res)
	assert.Greater(t, c.Ingest.Metrics.Gaps.Load()+c.Ingest.Metrics.Duplicates.Load(), uint64(0), "central saw the broker's drops as gaps or repeats")
}

func itoa(n int) string { return strconv.Itoa(n) }
