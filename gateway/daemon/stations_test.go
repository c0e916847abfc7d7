package daemon

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// applied tells whether central applied the event with this id.
func applied(t *testing.T, c *centrald.Central, id string) bool {
	return slices.ContainsFunc(journal(t, c), func(l store.Applied) bool { return l.ID == id })
}

// opsWatch is an operations login on the site's broker that keeps what
// gateway gw-1 publishes, opened with the gateway's key (so every message
// it keeps was sealed by the gateway).
type opsWatch struct {
	t      *testing.T
	key    []byte
	mu     sync.Mutex
	scans  []wire.Scan
	states []wire.State
}

func watchGateway(t *testing.T, port int, secret, gatewaySecret string) *opsWatch {
	t.Helper()
	w := &opsWatch{t: t, key: wire.MessageKey(gatewaySecret)}
	co, err := mqttx.ClientOptions(mqttx.Config{URL: fmt.Sprintf("tcp://127.0.0.1:%d", port), ClientID: "ops-1",
		Username: "ops-1", Password: secret})
	require.NoError(t, err)
	c := mqtt.NewClient(co.SetCleanSession(true))
	require.NoError(t, mqttx.Wait(c.Connect(), 10*time.Second, "connect"))
	t.Cleanup(func() { c.Disconnect(0) })
	require.NoError(t, mqttx.Wait(c.Subscribe(wire.Root+"/t1/gw/gw-1/#", 1, w.onMessage), 5*time.Second, "subscribe"))
	return w
}

func (w *opsWatch) onMessage(_ mqtt.Client, m mqtt.Message) {
	payload, err := wire.Open(w.key, m.Topic(), m.Payload())
	if !assert.NoError(w.t, err, "%s is sealed by the gateway", m.Topic()) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch m.Topic() {
	case wire.StateTopic("t1", "gw-1"):
		var st wire.State
		if _, err := wire.Decode(payload, &st); assert.NoError(w.t, err) {
			w.states = append(w.states, st)
		}
	case wire.EventTopic("t1", "gw-1", wire.EvtScan):
		var sc wire.Scan
		if _, err := wire.Decode(payload, &sc); assert.NoError(w.t, err) {
			w.scans = append(w.scans, sc)
		}
	}
}

// role is the role of the first scan of data published ("" before it is).
func (w *opsWatch) role(data string) wire.Role {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.scans {
		if s.Data == data {
			return s.Role
		}
	}
	return ""
}

// birth is the last state message, if it is a birth.
func (w *opsWatch) birth() (wire.State, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.states) == 0 || w.states[len(w.states)-1].State != "online" {
		return wire.State{}, false
	}
	return w.states[len(w.states)-1], true
}

// A station's role changed while the gateway runs counts from the next
// scan, without restarting the scanner, and the gateway announces its
// stations again in a sealed birth that operations and central see. First
// with the link down (the scans wait in the outbox, each with the role of
// its time, and the birth on connecting names the new role), then with
// the link up (a new birth at once). Nothing buffered is lost: central
// applies every scan.
func TestStationChangesApplyLiveAndAreAnnounced(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: log})
	require.NoError(t, err)
	defer sc.Close()
	port := testenv.FreePort(t)
	devices := fmt.Sprintf(`devices:
  - {id: scanner-1, kind: scanner, station: dock-1, port: %q}
  - {id: light-1, kind: light, station: dock-1}
`, sc.Path())
	cfg := testConfig(t, port, "stations: [{id: dock-1, role: inbound-dock}]\n"+devices)
	cdir := centralFor(t, cfg)
	opsSecret, err := identity.Add(cdir, "ops-1", identity.RoleOps)
	require.NoError(t, err)
	g, err := Start(cfg, t.TempDir(), log)
	require.NoError(t, err)
	defer g.Close()
	g.devMu.Lock()
	scanner := g.units["scanner-1"]
	g.devMu.Unlock()
	require.NotNil(t, scanner)
	next := func(stations string) error {
		c := testConfig(t, port, stations+devices)
		c.MQTT.Password = cfg.MQTT.Password
		return g.Apply(c)
	}

	// Central is away: the scans wait in the outbox.
	require.False(t, g.Connected())
	scans := func(n int) []wire.Scan {
		var s []wire.Scan
		require.Eventually(t, func() bool { s = stored[wire.Scan](t, g, outbox.Must, wire.EvtScan); return len(s) == n },
			5*time.Second, 10*time.Millisecond)
		return s
	}
	require.NoError(t, sc.Scan("]C100106141410000000019"))
	scans(1)
	require.NoError(t, next("stations: [{id: dock-1, role: putaway}]\n"))
	require.NoError(t, sc.Scan("]C100106141410000000026"))
	buffered := scans(2)
	assert.Equal(t, wire.RoleInboundDock, buffered[0].Role, "a scan keeps the role of its time")
	assert.Equal(t, wire.RolePutaway, buffered[1].Role, "the next scan after the change has the new role")

	c, err := centrald.Start(centrald.Options{Site: "t1", DataDir: cdir,
		BrokerListen: fmt.Sprintf("127.0.0.1:%d", port), HTTPAddr: "127.0.0.1:0", APIToken: "t"}, log)
	require.NoError(t, err)
	defer c.Close()
	ops := watchGateway(t, port, opsSecret, cfg.MQTT.Password)
	require.Eventually(t, func() bool { return applied(t, c, buffered[0].ID) && applied(t, c, buffered[1].ID) }, 30*time.Second, 20*time.Millisecond,
		"central applies the buffered scans")
	require.Eventually(t, func() bool { b, ok := ops.birth(); return ok && b.Roles["dock-1"] == "putaway" }, 10*time.Second, 10*time.Millisecond,
		"the birth on connecting names the new role")
	birth, _ := ops.birth()
	assert.Equal(t, []string{"dock-1"}, birth.Stations)
	assert.Len(t, birth.Streams, 2, "with the streams")

	// Connected: a new station and another role are announced at once.
	require.NoError(t, next("stations: [{id: dock-1, role: outbound-dock}, {id: pack-1, role: pack}]\n"))
	require.NoError(t, sc.Scan("]C100106141410000000033"))
	require.Eventually(t, func() bool { return ops.role("00106141410000000033") != "" }, 20*time.Second, 20*time.Millisecond)
	assert.Equal(t, wire.RoleOutboundDock, ops.role("00106141410000000033"))
	require.Eventually(t, func() bool { b, ok := ops.birth(); return ok && len(b.Stations) == 2 }, 10*time.Second, 10*time.Millisecond,
		"the birth is published again")
	birth, _ = ops.birth()
	assert.Equal(t, []string{"dock-1", "pack-1"}, birth.Stations)
	assert.Equal(t, map[string]wire.Role{"dock-1": "outbound-dock", "pack-1": "pack"}, birth.Roles)
	assert.Equal(t, []wire.StreamInfo{{ID: g.Outbox().LaneStream(outbox.Must), Lane: wire.LaneMust}, {ID: g.Outbox().LaneStream(outbox.Bulk), Lane: wire.LaneBulk}},
		birth.Streams)

	g.devMu.Lock()
	assert.Same(t, scanner, g.units["scanner-1"], "the scanner was never restarted")
	g.devMu.Unlock()
	require.Eventually(t, func() bool { return g.Outbox().Stats().Events == 0 }, 30*time.Second, 20*time.Millisecond,
		"central acknowledged every event: nothing buffered was lost")
}
