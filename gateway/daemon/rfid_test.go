package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// Test tags from the EPC Tag Data Standard's examples (see docs/rfid.md).
var (
	palletEPC = mustEPC("3174257BF4499602D2000000") // SSCC-96 → (00)106141412345678908
	caseEPC   = mustEPC("3074257BF7194E4000001A85") // SGTIN-96 → (01)80614141123458(21)6789
)

func mustEPC(s string) []byte {
	b, err := rfid.ParseEPC(s)
	if err != nil {
		panic(err)
	}
	return b
}

// testConfig is a gateway of site t1 named gw-1, with no web server,
// whose broker is on 127.0.0.1:port; body adds stations, devices and more.
// Its password is a placeholder until centralFor issues a real one.
func testConfig(t *testing.T, port int, body string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(fmt.Appendf(nil, "site: t1\ngateway: gw-1\nmqtt: {url: \"tcp://127.0.0.1:%d\", password: no-central}\nhttp: {listen: \"off\"}\n%s", port, body))
	require.NoError(t, err)
	return cfg
}

// centralFor makes a data directory for a central that knows the gateway
// of cfg, and gives cfg the secret central issued.
func centralFor(t *testing.T, cfg *config.Config) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "c")
	secret, err := identity.Add(dir, cfg.Gateway, identity.RoleGateway)
	require.NoError(t, err)
	cfg.MQTT.Password = secret
	return dir
}

// startPortalGateway starts a gateway whose MQTT broker is absent (events
// stay in the outbox for the test to read) with the given devices.
func startPortalGateway(t *testing.T, devices string) *Gateway {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	cfg := testConfig(t, testenv.FreePort(t), "stations: [{id: door-1, role: inbound-dock}]\ndevices:\n"+devices)
	g, err := Start(cfg, t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(g.Close)
	return g
}

// stored decodes the events of one type waiting in one outbox lane.
func stored[T any](t *testing.T, g *Gateway, lane outbox.Lane, typ wire.MessageType) []T {
	t.Helper()
	recs, err := g.Outbox().Pending(lane, 0, 100000)
	require.NoError(t, err)
	var out []T
	for _, r := range recs {
		if r.Type == typ {
			var v T
			require.NoError(t, json.Unmarshal(r.Payload, &v))
			out = append(out, v)
		}
	}
	return out
}

// passes returns the rfid events waiting in the outbox.
func passes(t *testing.T, g *Gateway) []wire.RFIDRead {
	return stored[wire.RFIDRead](t, g, outbox.Must, wire.EvtRFID)
}

// raws returns the raw reads waiting in the outbox's bulk lane.
func raws(t *testing.T, g *Gateway) []wire.RFIDRaw {
	return stored[wire.RFIDRaw](t, g, outbox.Bulk, wire.EvtRFIDRaw)
}

// deviceStates returns the device events' states, in order.
func deviceStates(t *testing.T, g *Gateway) []string {
	var out []string
	for _, d := range stored[wire.Device](t, g, outbox.Must, wire.EvtDevice) {
		out = append(out, d.State)
	}
	return out
}

func rawSeen(t *testing.T, g *Gateway, epc []byte, antenna int) bool {
	for _, r := range raws(t, g) {
		if r.EPC == fmt.Sprintf("%X", epc) && r.Antenna == antenna {
			return true
		}
	}
	return false
}

func assertIdentities(t *testing.T, tags []wire.PassTag) {
	t.Helper()
	byScheme := map[string]wire.PassTag{}
	for _, tg := range tags {
		byScheme[tg.Scheme] = tg
	}
	assert.Equal(t, "00", byScheme["sscc-96"].AI)
	assert.Equal(t, "106141412345678908", byScheme["sscc-96"].Key)
	assert.Equal(t, "(00)106141412345678908", byScheme["sscc-96"].HRI)
	assert.Equal(t, "80614141123458", byScheme["sgtin-96"].Key)
	assert.Equal(t, "6789", byScheme["sgtin-96"].Serial)
	assert.Equal(t, "urn:epc:id:sgtin:0614141.812345.6789", byScheme["sgtin-96"].URI)
}

// A pallet and a case carried from the truck-side antenna to the
// warehouse-side antenna of an LLRP reader make one pass, direction "in",
// with their GS1 identities; unplugging the reader is reported once.
func TestLLRPReaderPortalPassAndUnplug(t *testing.T) {
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	defer sim.Close()
	g := startPortalGateway(t, fmt.Sprintf(`
  - id: rfid-1
    kind: rfid
    station: door-1
    address: %q
    antennas: {1: outside, 2: inside}
    dedup_window: 0s
    depart_after: 1s
    raw_rate: 1000
`, sim.Addr()))
	require.Eventually(t, func() bool { return sim.Inventorying() }, 10*time.Second, 10*time.Millisecond)

	sim.PutTag(rfid.Read{EPC: palletEPC, Antenna: 1, RSSI: -50})
	sim.PutTag(rfid.Read{EPC: caseEPC, Antenna: 1, RSSI: -52})
	require.Eventually(t, func() bool { return rawSeen(t, g, palletEPC, 1) && rawSeen(t, g, caseEPC, 1) },
		10*time.Second, 10*time.Millisecond, "both tags read outside")
	sim.PutTag(rfid.Read{EPC: palletEPC, Antenna: 2, RSSI: -50})
	sim.PutTag(rfid.Read{EPC: caseEPC, Antenna: 2, RSSI: -52})
	require.Eventually(t, func() bool { return rawSeen(t, g, palletEPC, 2) && rawSeen(t, g, caseEPC, 2) },
		10*time.Second, 10*time.Millisecond, "both tags read inside")
	assert.Equal(t, []string{"connected"}, deviceStates(t, g), "nothing has left the door yet")
	sim.RemoveTag(palletEPC)
	sim.RemoveTag(caseEPC)

	require.Eventually(t, func() bool { return len(passes(t, g)) == 1 }, 10*time.Second, 10*time.Millisecond)
	p := passes(t, g)[0]
	assert.Equal(t, "door-1", p.Station)
	assert.Equal(t, wire.RoleInboundDock, p.Role)
	assert.Equal(t, "rfid-1", p.Device)
	assert.ElementsMatch(t, []string{"3174257BF4499602D2000000", "3074257BF7194E4000001A85"}, p.EPCs,
		"each tag once, however often it was read")
	require.Len(t, p.Tags, 2)
	assertIdentities(t, p.Tags)
	for _, tg := range p.Tags {
		assert.Equal(t, "in", tg.Direction, "outside then inside is receiving")
		assert.GreaterOrEqual(t, tg.Reads, 2)
		assert.False(t, tg.LastSeen.Before(tg.FirstSeen))
	}
	side := map[int]string{}
	for _, r := range raws(t, g) {
		side[r.Antenna] = r.Side
	}
	assert.Equal(t, map[int]string{1: "outside", 2: "inside"}, side)

	require.NoError(t, sim.Unplug())
	require.Eventually(t, func() bool { return len(deviceStates(t, g)) >= 2 }, 20*time.Second, 10*time.Millisecond)
	require.NoError(t, sim.Replug())
	require.Eventually(t, func() bool { return len(deviceStates(t, g)) >= 3 }, 30*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{"connected", "disconnected", "connected"}, deviceStates(t, g),
		"failed reconnect attempts are not reported again")
	assert.Len(t, passes(t, g), 1)
}

// A Mercury module on a serial port: the raw lane passes each tag once per
// de-duplication window while the pass counts every read; pulling the
// module's USB plug is a disconnected device event.
func TestMercuryReaderPortalPassDedupAndUnplug(t *testing.T) {
	sim, err := devsim.NewMercuryReader(devsim.MercuryReaderOptions{Dir: t.TempDir(), ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	defer sim.Close()
	g := startPortalGateway(t, fmt.Sprintf(`
  - id: rfid-2
    kind: rfid
    station: door-1
    port: %q
    region: eu
    antennas: {1: none}
    dedup_window: 10m
    depart_after: 1s
    raw_rate: 100
`, sim.Path()))
	require.Eventually(t, func() bool { return sim.Reading() }, 10*time.Second, 10*time.Millisecond)

	sim.PutTag(rfid.Read{EPC: palletEPC, Antenna: 1, RSSI: -50})
	require.Eventually(t, func() bool { return rawSeen(t, g, palletEPC, 1) }, 10*time.Second, 10*time.Millisecond)
	// The case's first read cycle also reads the pallet again: by the time
	// the case shows up, the pallet has been read at least twice.
	sim.PutTag(rfid.Read{EPC: caseEPC, Antenna: 1, RSSI: -55})
	require.Eventually(t, func() bool { return rawSeen(t, g, caseEPC, 1) }, 10*time.Second, 10*time.Millisecond)
	sim.RemoveTag(palletEPC)
	sim.RemoveTag(caseEPC)

	require.Eventually(t, func() bool { return len(passes(t, g)) == 1 }, 10*time.Second, 10*time.Millisecond)
	p := passes(t, g)[0]
	require.Len(t, p.Tags, 2)
	assertIdentities(t, p.Tags)
	reads := map[string]int{}
	for _, tg := range p.Tags {
		reads[tg.EPC] = tg.Reads
		assert.Empty(t, tg.Direction, "an antenna with no side gives no direction")
	}
	assert.GreaterOrEqual(t, reads["3174257BF4499602D2000000"], 2)
	perTag := map[string]int{}
	for _, r := range raws(t, g) {
		perTag[r.EPC]++
		assert.Equal(t, wire.LaneBulk, r.Lane)
	}
	assert.Equal(t, map[string]int{"3174257BF4499602D2000000": 1, "3074257BF7194E4000001A85": 1}, perTag,
		"one raw read per tag inside the de-duplication window")

	require.NoError(t, sim.Unplug())
	require.Eventually(t, func() bool { return len(deviceStates(t, g)) >= 2 }, 20*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{"connected", "disconnected"}, deviceStates(t, g))
}

// A portal pass travels through MQTT to central, which applies it once:
// the pallet's SSCC is on no ASN, so central raises an unknown-pallet alert.
// The raw read (bulk lane) only tells the test when the tag was first read.
func TestPortalPassReachesCentral(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	port := testenv.FreePort(t)
	sim, err := devsim.NewLLRPReader(devsim.LLRPReaderOptions{ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	defer sim.Close()
	cfg := testConfig(t, port, fmt.Sprintf(`stations: [{id: door-1, role: inbound-dock}]
devices:
  - {id: rfid-1, kind: rfid, station: door-1, address: %q, depart_after: 1s, raw_rate: 10, dedup_window: 10m}
`, sim.Addr()))
	c, err := centrald.Start(centrald.Options{Site: "t1", DataDir: centralFor(t, cfg),
		BrokerListen: fmt.Sprintf("127.0.0.1:%d", port), HTTPAddr: "127.0.0.1:0", APIToken: "t"}, log)
	require.NoError(t, err)
	defer c.Close()
	g, err := Start(cfg, t.TempDir(), log)
	require.NoError(t, err)
	defer g.Close()
	require.Eventually(t, func() bool { return sim.Inventorying() && g.Connected() }, 20*time.Second, 10*time.Millisecond)
	alerts := c.App.Metrics.Alerts.Load()

	sim.PutTag(rfid.Read{EPC: palletEPC, Antenna: 1, RSSI: -50})
	require.Eventually(t, func() bool { return g.Outbox().Issued(outbox.Bulk) >= 1 }, 10*time.Second, 10*time.Millisecond,
		"the tag's first raw read shows it was read")
	sim.RemoveTag(palletEPC)
	require.Eventually(t, func() bool { return rfidApplied(t, c) == 1 }, 20*time.Second, 20*time.Millisecond,
		"central applies the pass")
	assert.Greater(t, c.App.Metrics.Alerts.Load(), alerts, "central decoded the SSCC and found it on no ASN")
	require.Eventually(t, func() bool { return g.Outbox().Stats().Events == 0 }, 20*time.Second, 20*time.Millisecond,
		"central acknowledged the pass")
}

func rfidApplied(t *testing.T, c *centrald.Central) int {
	n := 0
	for _, l := range journal(t, c) {
		if l.Type == wire.EvtRFID {
			n++
		}
	}
	return n
}

// journal is what central applied.
func journal(t *testing.T, c *centrald.Central) []store.Applied {
	var lines []store.Applied
	require.NoError(t, c.Store.View(context.Background(), func(tx store.Tx) error {
		var err error
		lines, err = tx.JournalFrom(0, 100000)
		return err
	}))
	return lines
}
