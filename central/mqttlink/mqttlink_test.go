package mqttlink

import (
	"context"
	"encoding/json"
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
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

// noAccounts is an embedded broker's accounts when everyone is anonymous.
type noAccounts struct{}

func (noAccounts) Authenticate(string, string) (identity.Account, error) {
	return identity.Account{}, identity.ErrBadLogin
}
func (noAccounts) Lookup(string) (identity.Account, bool) { return identity.Account{}, false }

// watcher records every message under the site's topics.
type watcher struct {
	mu  sync.Mutex
	got map[string][][]byte // topic → payloads
}

func (w *watcher) on(_ mqtt.Client, m mqtt.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got[m.Topic()] = append(w.got[m.Topic()], append([]byte(nil), m.Payload()...))
}

func (w *watcher) on1(topic string) [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got[topic]
}

// The link moves bytes both ways: a sealed event on a gateway's topic
// reaches ingest and is applied; the ack goes back sealed with the
// gateway's key; what the event queued is published and leaves the queue.
func TestEventInAckAndMessagesOut(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	site := sitetest.NewDock(t, sitetest.Options{})
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Site: sitetest.SiteID, Accounts: noAccounts{}, AllowAnonymous: true}, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	w := &watcher{got: map[string][][]byte{}}
	co, err := mqttx.ClientOptions(mqttx.Config{URL: b.URL(), ClientID: "test-gateway"})
	require.NoError(t, err)
	gw := mqtt.NewClient(co.SetCleanSession(true))
	require.NoError(t, mqttx.Wait(gw.Connect(), 5*time.Second, "connect"))
	t.Cleanup(func() { gw.Disconnect(0) })
	require.NoError(t, mqttx.Wait(gw.Subscribe(wire.Root+"/"+sitetest.SiteID+"/#", 1, w.on), 5*time.Second, "subscribe"))

	l, err := New(mqttx.Config{URL: b.URL()}, sitetest.SiteID, site.Ingest, site.Store, sitetest.Keys, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	require.Eventually(t, l.Connected, 10*time.Second, 10*time.Millisecond, "central subscribes")

	ev := sitetest.Sealed(t, "gw1", wire.EvtScan, site.PalletScan(site.Stream, 1))
	require.NoError(t, mqttx.Wait(gw.Publish(wire.EventTopic(sitetest.SiteID, "gw1", wire.EvtScan), 1, false, ev.Payload), 5*time.Second, "publish"))

	ackTopic := wire.CommandTopic(sitetest.SiteID, "gw1", wire.CmdAck)
	require.Eventually(t, func() bool { return len(w.on1(ackTopic)) > 0 }, 10*time.Second, 10*time.Millisecond, "the ack comes back")
	opened, err := wire.Open(sitetest.Keys["gw1"], ackTopic, w.on1(ackTopic)[0])
	require.NoError(t, err, "sealed with the gateway's key")
	var ack wire.Ack
	require.NoError(t, json.Unmarshal(opened, &ack))
	assert.Equal(t, uint64(1), ack.Seq)
	assert.Equal(t, site.Stream, ack.Stream)

	receipt := wire.OpsTopic(sitetest.SiteID, wire.OpsReceipt)
	require.Eventually(t, func() bool { return len(w.on1(receipt)) == 1 }, 10*time.Second, 10*time.Millisecond, "the receipt is published")
	printTopic := wire.CommandTopic(sitetest.SiteID, "gw1", wire.CmdPrint)
	require.Eventually(t, func() bool { return len(w.on1(printTopic)) == 1 }, 10*time.Second, 10*time.Millisecond, "the label is sent")
	_, err = wire.Open(sitetest.Keys["gw1"], printTopic, w.on1(printTopic)[0])
	assert.NoError(t, err, "commands are sealed")
	assert.False(t, strings.Contains(string(w.on1(receipt)[0]), `"sig"`), "ops messages are not sealed")
	require.Eventually(t, func() bool { return len(site.Queued()) == 0 }, 10*time.Second, 10*time.Millisecond,
		"published messages leave the queue")
}
