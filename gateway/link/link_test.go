package link

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/broker"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
)

const (
	site    = "t1"
	gateway = "gw-1"
)

// rig is a link on a real outbox and a real broker (centrald's embedded
// one, with anonymous access on so that the test can play central), with
// a client that sees what the gateway publishes. The link reaches the
// broker through a TCP relay the test can cut.
type rig struct {
	t      *testing.T
	ob     *outbox.Outbox
	link   *Link
	relay  *relay
	secret string
	client mqtt.Client
	mu     sync.Mutex
	got    map[string][][]byte // topic → payloads the gateway published
}

// relay forwards TCP connections to a broker; cut drops them all without
// a word, as a pulled cable or a crashed gateway would (the broker then
// publishes the Last Will).
type relay struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &relay{ln: ln}
	t.Cleanup(func() { ln.Close(); r.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, c, up)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return r
}

func (r *relay) url() string { return "tcp://" + r.ln.Addr().String() }

func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

func newRig(t *testing.T, window int, events int) *rig {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	dir := t.TempDir()
	secret, err := identity.Add(dir, gateway, identity.RoleGateway)
	require.NoError(t, err)
	accounts, err := identity.Open(dir, log)
	require.NoError(t, err)
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Site: site, Accounts: accounts, AllowAnonymous: true}, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	db, err := storage.Open(t.TempDir(), storage.Gateway, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ob, err := outbox.Open(db, outbox.Options{}, log)
	require.NoError(t, err)
	t.Cleanup(ob.Close)
	r := &rig{t: t, ob: ob, secret: secret, got: map[string][][]byte{}, relay: newRelay(t, b.Addr())}
	for range events {
		r.appendEvent()
	}
	co, err := mqttx.ClientOptions(mqttx.Config{URL: b.URL(), ClientID: "test-central"})
	require.NoError(t, err)
	r.client = mqtt.NewClient(co.SetCleanSession(true))
	require.NoError(t, mqttx.Wait(r.client.Connect(), 5*time.Second, "connect"))
	t.Cleanup(func() { r.client.Disconnect(0) })
	require.NoError(t, mqttx.Wait(r.client.Subscribe(wire.Root+"/"+site+"/gw/"+gateway+"/#", 1, r.onMessage), 5*time.Second, "subscribe"))
	r.link, err = New(Options{MQTT: mqttx.Config{URL: r.relay.url(), Password: secret}, Site: site, Gateway: gateway,
		Window: window, ResendAfter: time.Hour, RefusalWindow: 300 * time.Millisecond,
		Stations: []Station{{ID: "dock-1", Role: "inbound-dock"}}}, ob, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.link.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r.waitSubscribed()
	return r
}

// waitSubscribed sends sealed light commands until one reaches the
// gateway: its command subscription is then in place.
func (r *rig) waitSubscribed() {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		r.send(wire.CmdLight, wire.Light{Envelope: wire.NewEnvelope(wire.CmdLight), Station: "dock-1", Pattern: "ok"}, true)
		select {
		case <-r.link.Commands():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.t.Fatal("the gateway never received a command")
}

func (r *rig) appendEvent() {
	ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	ev.Gateway = gateway
	_, err := r.ob.Append(context.Background(), ev)
	require.NoError(r.t, err)
}

func (r *rig) onMessage(_ mqtt.Client, m mqtt.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[m.Topic()] = append(r.got[m.Topic()], append([]byte(nil), m.Payload()...))
}

// maxSeq is the highest seq the gateway published on topic.
func (r *rig) maxSeq(topic string) uint64 {
	var top uint64
	for _, p := range r.published(topic) {
		var env wire.Envelope
		require.NoError(r.t, json.Unmarshal(p, &env))
		top = max(top, env.Seq)
	}
	return top
}

func (r *rig) published(topic string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.got[topic]...)
}

// send publishes a command to the gateway; sealed with the gateway's key
// it is what central sends.
func (r *rig) send(typ wire.MessageType, v any, sealed bool) {
	topic := wire.CommandTopic(site, gateway, typ)
	b, err := json.Marshal(v)
	require.NoError(r.t, err)
	if sealed {
		b, err = wire.Seal(wire.MessageKey(r.secret), topic, b)
		require.NoError(r.t, err)
	}
	require.NoError(r.t, mqttx.Wait(r.client.Publish(topic, 1, false, b), 5*time.Second, "publish"))
}

func (r *rig) ack(stream string, seq uint64) {
	a := wire.Ack{Envelope: wire.NewEnvelope(wire.CmdAck)}
	a.Stream, a.Seq = stream, seq
	r.send(wire.CmdAck, a, true)
}

// reports returns the refused-message reports the link stored.
func (r *rig) reports() []wire.Refused {
	recs, err := r.ob.Pending(outbox.Must, r.ob.Acked(outbox.Must), 10000)
	require.NoError(r.t, err)
	var out []wire.Refused
	for _, rec := range recs {
		if rec.Type == wire.EvtRefused {
			var f wire.Refused
			require.NoError(r.t, json.Unmarshal(rec.Payload, &f))
			out = append(out, f)
		}
	}
	return out
}

func (r *rig) waitReport(reason wire.Refusal) wire.Refused {
	var found wire.Refused
	require.Eventually(r.t, func() bool {
		for _, f := range r.reports() {
			if f.Reason == reason {
				found = f
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "a %s report", reason)
	return found
}

// The gateway seals its events and its birth, and the birth announces its
// streams with their lanes.
func TestGatewaySealsWhatItSendsAndAnnouncesItsStreams(t *testing.T) {
	r := newRig(t, 256, 3)
	key := wire.MessageKey(r.secret)
	evTopic := wire.EventTopic(site, gateway, wire.EvtLoad)
	require.Eventually(t, func() bool { return len(r.published(evTopic)) >= 3 }, 10*time.Second, 10*time.Millisecond)
	for _, p := range r.published(evTopic) {
		_, err := wire.Open(key, evTopic, p)
		assert.NoError(t, err, "every event is sealed with the gateway's key")
	}
	stTopic := wire.StateTopic(site, gateway)
	require.Eventually(t, func() bool { return len(r.published(stTopic)) > 0 }, 10*time.Second, 10*time.Millisecond)
	p, err := wire.Open(key, stTopic, r.published(stTopic)[0])
	require.NoError(t, err, "the birth is sealed")
	var st wire.State
	_, err = wire.Decode(p, &st)
	require.NoError(t, err)
	assert.Equal(t, []wire.StreamInfo{{ID: r.ob.LaneStream(outbox.Must), Lane: wire.LaneMust},
		{ID: r.ob.LaneStream(outbox.Bulk), Lane: wire.LaneBulk}}, st.Streams)
}

// states returns the state messages the gateway published, opened with
// its key (each must be sealed) and decoded.
func (r *rig) states() []wire.State {
	topic := wire.StateTopic(site, gateway)
	var out []wire.State
	for _, p := range r.published(topic) {
		opened, err := wire.Open(wire.MessageKey(r.secret), topic, p)
		require.NoError(r.t, err, "every state message is sealed")
		var st wire.State
		_, err = wire.Decode(opened, &st)
		require.NoError(r.t, err)
		out = append(out, st)
	}
	return out
}

// Stations changed while the gateway runs are announced at once: a new
// sealed birth names them with their roles and the streams, and the Last
// Will of the next session names them too (the broker keeps the will a
// session started with, so the first will still has the old ones).
func TestChangedStationsAreAnnouncedAgain(t *testing.T) {
	r := newRig(t, 256, 0)
	last := func() wire.State { s := r.states(); return s[len(s)-1] }
	require.Eventually(t, func() bool { return len(r.states()) > 0 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, map[string]wire.Role{"dock-1": "inbound-dock"}, last().Roles)
	births := len(r.states())

	r.link.SetStations([]Station{{ID: "dock-1", Role: "putaway"}, {ID: "pack-1", Role: "pack"}})
	require.Eventually(t, func() bool { return len(r.states()) > births }, 10*time.Second, 10*time.Millisecond,
		"the birth is published again")
	birth := last()
	assert.Equal(t, "online", birth.State)
	assert.Equal(t, []string{"dock-1", "pack-1"}, birth.Stations)
	assert.Equal(t, map[string]wire.Role{"dock-1": "putaway", "pack-1": "pack"}, birth.Roles)
	assert.Equal(t, []wire.StreamInfo{{ID: r.ob.LaneStream(outbox.Must), Lane: wire.LaneMust},
		{ID: r.ob.LaneStream(outbox.Bulk), Lane: wire.LaneBulk}}, birth.Streams, "with the streams")

	// The connection dies without a word: the broker publishes the will
	// of that session (the stations it began with); the link connects
	// again, announces the new ones, and its next will names them.
	for _, want := range []map[string]wire.Role{{"dock-1": "inbound-dock"}, {"dock-1": "putaway", "pack-1": "pack"}} {
		n := len(r.states())
		r.relay.cut()
		require.Eventually(t, func() bool {
			for _, s := range r.states()[n:] {
				if s.State == "offline" {
					assert.Equal(t, want, s.Roles, "the will")
					return true
				}
			}
			return false
		}, 10*time.Second, 10*time.Millisecond, "the broker publishes the will")
		require.Eventually(t, func() bool { return last().State == "online" }, 20*time.Second, 10*time.Millisecond,
			"the link is back")
		assert.Equal(t, map[string]wire.Role{"dock-1": "putaway", "pack-1": "pack"}, last().Roles)
	}
}

// Commands must carry central's seal for this gateway and fit the size
// limit; the refused ones are reported to central, collapsed per topic and
// reason with their count.
func TestGatewayRefusesUnsealedAndOversizedCommands(t *testing.T) {
	r := newRig(t, 256, 0)
	print := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", ZPL: "^XA^JUF^XZ"}
	for range 4 {
		r.send(wire.CmdPrint, print, false)
	}
	first := r.waitReport(wire.RefusedUnsealed)
	assert.Equal(t, wire.CommandTopic(site, gateway, wire.CmdPrint), first.Topic)
	assert.Equal(t, 1, first.Count)
	require.Eventually(t, func() bool {
		n := 0
		for _, f := range r.reports() {
			if f.Reason == wire.RefusedUnsealed {
				n += f.Count
			}
		}
		return n == 4 && len(r.reports()) == 2
	}, 10*time.Second, 10*time.Millisecond, "the next three in one report")

	other := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", Template: "x"}
	b, _ := json.Marshal(other)
	wrong, err := wire.Seal(wire.MessageKey("another gateway's secret"), wire.CommandTopic(site, gateway, wire.CmdPrint), b)
	require.NoError(t, err)
	require.NoError(t, mqttx.Wait(r.client.Publish(wire.CommandTopic(site, gateway, wire.CmdPrint), 1, false, wrong), 5*time.Second, "publish"))
	r.waitReport(wire.RefusedBadSeal)

	big := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", ZPL: "^XA" + strings.Repeat("x", wire.MaxCommandBytes) + "^XZ"}
	r.send(wire.CmdPrint, big, true)
	r.waitReport(wire.RefusedOversized)

	good := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", Template: "sscc-pallet"}
	r.send(wire.CmdPrint, good, true)
	for c := range r.link.Commands() {
		if c.Type == wire.CmdLight {
			continue // a late copy of waitSubscribed's probes
		}
		var got wire.Print
		require.NoError(t, json.Unmarshal(c.Payload, &got))
		assert.Equal(t, good.ID, got.ID, "only central's sealed command reaches the gateway")
		break
	}
	assert.Equal(t, uint64(6), r.link.Refused())
}

// An ack for another stream or beyond what the outbox issued is refused;
// one beyond what this run has published deletes only what was published.
func TestGatewayDeletesOnlyWhatItIssuedAndPublished(t *testing.T) {
	r := newRig(t, 8, 20) // the window holds 8 of the 20 in flight
	evTopic := wire.EventTopic(site, gateway, wire.EvtLoad)
	require.Eventually(t, func() bool { return r.maxSeq(evTopic) == 8 }, 10*time.Second, 10*time.Millisecond)
	stream := r.ob.Stream()

	r.ack("another-stream", 5)
	r.waitReport(wire.RefusedAckOtherStream)
	r.ack(stream, 1_000_000)
	r.waitReport(wire.RefusedAckBeyondIssued)
	assert.Zero(t, r.ob.Acked(outbox.Must))

	r.ack(stream, 15) // issued, but only 1..8 were published
	require.Eventually(t, func() bool { return r.ob.Acked(outbox.Must) == 8 }, 10*time.Second, 10*time.Millisecond)
	assert.Never(t, func() bool { return r.ob.Acked(outbox.Must) > 8 }, 1500*time.Millisecond, 20*time.Millisecond,
		"events 9..15 were never published: the ack does not delete them")
	assert.Equal(t, 20-8+len(r.reports()), r.ob.Stats().Events)
}
