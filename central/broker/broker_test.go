package broker

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

const site = "dc1"

type rig struct {
	t        *testing.T
	dir      string
	accounts *identity.Registry
	b        *Broker
	secrets  map[string]string
}

func newRig(t *testing.T, opt Options) *rig {
	r := &rig{t: t, dir: t.TempDir(), secrets: map[string]string{}}
	for name, role := range map[string]identity.Role{"dock-01": identity.RoleGateway, "dock-02": identity.RoleGateway,
		"alice": identity.RoleOps, identity.CentralName: identity.RoleCentral} {
		s, err := identity.Add(r.dir, name, role)
		require.NoError(t, err)
		r.secrets[name] = s
	}
	var err error
	r.accounts, err = identity.Open(r.dir, zerolog.Nop())
	require.NoError(t, err)
	opt.Listen, opt.Site, opt.Accounts = "127.0.0.1:0", site, r.accounts
	r.b, err = Start(opt, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.b.Close() })
	return r
}

// client is a paho client of one account ("" = anonymous).
type client struct {
	c    mqtt.Client
	lost chan struct{}
	mu   sync.Mutex
	got  []string // topics received
}

func (r *rig) options(user string) *mqtt.ClientOptions {
	co, err := mqttx.ClientOptions(mqttx.Config{URL: r.b.URL(), ClientID: "test-" + user + "-" + wire.NewID(),
		Username: user, Password: r.secrets[user]})
	require.NoError(r.t, err)
	return co.SetConnectRetry(false).SetAutoReconnect(false).SetCleanSession(true)
}

func (r *rig) connect(co *mqtt.ClientOptions) (*client, error) {
	c := &client{lost: make(chan struct{})}
	co.SetConnectionLostHandler(func(mqtt.Client, error) { close(c.lost) })
	co.SetDefaultPublishHandler(c.onMessage)
	c.c = mqtt.NewClient(co)
	if err := mqttx.Wait(c.c.Connect(), 5*time.Second, "connect"); err != nil {
		return nil, err
	}
	r.t.Cleanup(func() { c.c.Disconnect(0) })
	return c, nil
}

func (r *rig) login(user string) *client {
	c, err := r.connect(r.options(user))
	require.NoError(r.t, err, "login of %s", user)
	return c
}

func (c *client) onMessage(_ mqtt.Client, m mqtt.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, m.Topic())
}

func (c *client) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// subscribe returns the broker's SUBACK code (0x80 = refused).
func (c *client) subscribe(t *testing.T, filter string) byte {
	tok := c.c.Subscribe(filter, 1, c.onMessage)
	require.NoError(t, mqttx.Wait(tok, 5*time.Second, "subscribe"))
	return tok.(*mqtt.SubscribeToken).Result()[filter]
}

// publish reports whether the broker accepted a QoS 1 publish (its
// PUBACK came) or refused it (it closed the connection).
func (c *client) publish(topic string, payload []byte) bool {
	tok := c.c.Publish(topic, 1, false, payload)
	select {
	case <-tok.Done():
		return tok.Error() == nil
	case <-c.lost:
		return false
	case <-time.After(5 * time.Second):
		return false
	}
}

func topic(parts ...string) string { return wire.Root + "/" + site + "/" + strings.Join(parts, "/") }

// The broker logs every client in and lets each account publish and read
// only its own topics; ops sees the whole site and publishes nothing.
func TestBrokerEnforcesLoginsAndRights(t *testing.T) {
	r := newRig(t, Options{})
	_, err := r.connect(r.options(""))
	require.Error(t, err, "anonymous access is off by default")
	co := r.options("dock-01").SetPassword(r.secrets["dock-02"])
	_, err = r.connect(co)
	require.Error(t, err, "a wrong secret is refused")

	ops := r.login("alice")
	assert.Equal(t, byte(1), ops.subscribe(t, "dockhand/#"), "ops may read everything of the site")
	central := r.login(identity.CentralName)
	require.Equal(t, byte(1), central.subscribe(t, wire.AllEvents(site)))

	// (paho keeps a local route even for a refused filter, so the refused
	// ones are tried on another client.)
	snoop := r.login("dock-01")
	assert.Equal(t, byte(0x80), snoop.subscribe(t, wire.AllCommands(site, "dock-02")), "another gateway's commands")
	assert.Equal(t, byte(0x80), snoop.subscribe(t, "dockhand/#"))
	gw := r.login("dock-01")
	assert.Equal(t, byte(1), gw.subscribe(t, wire.AllCommands(site, "dock-01")))

	require.True(t, gw.publish(topic("gw", "dock-01", "evt", "scan"), []byte(`{}`)), "its own event")
	require.True(t, central.publish(topic("gw", "dock-01", "cmd", "print"), []byte(`{}`)), "central's command")
	require.Eventually(t, func() bool { return len(ops.received()) == 2 }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return len(gw.received()) == 1 }, 5*time.Second, 10*time.Millisecond)

	// Forged publishes end the forger's connection and reach nobody.
	for _, forged := range []struct{ user, topic string }{
		{"dock-01", topic("gw", "dock-02", "evt", "scan")},
		{"dock-01", topic("gw", "dock-01", "cmd", "ack")},
		{"dock-01", topic("ops", "alert")},
		{"alice", topic("gw", "dock-01", "cmd", "print")},
		{"alice", topic("gw", "dock-01", "evt", "scan")},
	} {
		c := r.login(forged.user)
		assert.False(t, c.publish(forged.topic, []byte(`{}`)), "%s may not publish %s", forged.user, forged.topic)
	}
	// An event larger than the event limit, a packet larger than any message.
	c := r.login("dock-01")
	assert.False(t, c.publish(topic("gw", "dock-01", "evt", "scan"), make([]byte, wire.MaxEventBytes+1)))
	c = r.login(identity.CentralName)
	assert.False(t, c.publish(topic("gw", "dock-01", "cmd", "print"), make([]byte, wire.MaxPacketBytes)))
	time.Sleep(200 * time.Millisecond) // let any wrongly routed message arrive before looking
	assert.Len(t, ops.received(), 2, "no forged message was delivered")
	assert.Len(t, gw.received(), 1)
	assert.Empty(t, snoop.received(), "refused subscriptions deliver nothing")
	assert.GreaterOrEqual(t, r.b.Refused(), uint64(9))
}

// A gateway's Last Will is a publish like any other: mochi sends it without
// an ACL check, so the broker checks it at CONNECT.
func TestWillOnAnotherGatewaysTopicIsRefused(t *testing.T) {
	r := newRig(t, Options{})
	co := r.options("dock-01").SetWill(wire.StateTopic(site, "dock-02"), `{"state":"offline"}`, 1, true)
	_, err := r.connect(co)
	require.Error(t, err)
	co = r.options("dock-01").SetWill(wire.StateTopic(site, "dock-01"), `{"state":"offline"}`, 1, true)
	_, err = r.connect(co)
	require.NoError(t, err)
}

// A client id belongs to the account holding its session: a gateway cannot
// take over central's session (its subscriptions and queued events).
func TestClientIDCannotBeTakenOverByAnotherAccount(t *testing.T) {
	r := newRig(t, Options{})
	co := r.options(identity.CentralName).SetClientID("dockhand-central-" + site)
	_, err := r.connect(co)
	require.NoError(t, err)
	co = r.options("dock-01").SetClientID("dockhand-central-" + site)
	_, err = r.connect(co)
	require.Error(t, err)
}

// Revoking or rotating an account disconnects its clients, and its old
// secret no longer logs in.
func TestRevokedAndRotatedAccountsAreDisconnected(t *testing.T) {
	r := newRig(t, Options{})
	gw1, gw2 := r.login("dock-01"), r.login("dock-02")
	require.NoError(t, identity.Revoke(r.dir, "dock-01"))
	_, err := identity.Rotate(r.dir, "dock-02")
	require.NoError(t, err)
	require.NoError(t, r.accounts.Reload())
	r.b.Revalidate()
	for _, c := range []*client{gw1, gw2} {
		select {
		case <-c.lost:
		case <-time.After(5 * time.Second):
			t.Fatal("client not disconnected")
		}
	}
	for _, u := range []string{"dock-01", "dock-02"} {
		_, err := r.connect(r.options(u))
		assert.Error(t, err, "the old secret of %s", u)
	}
}

// With --broker-allow-anonymous (development) a client without a login
// may do anything, and accounts still need their right secret.
func TestAnonymousAccessWhenAllowed(t *testing.T) {
	r := newRig(t, Options{AllowAnonymous: true})
	anon, err := r.connect(r.options(""))
	require.NoError(t, err)
	assert.True(t, anon.publish(topic("gw", "dock-01", "cmd", "print"), []byte(`{}`)))
	_, err = r.connect(r.options("dock-01").SetPassword("wrong"))
	assert.Error(t, err)
}

// The TLS listener serves the same accounts; with a client CA it also
// requires a client certificate.
func TestTLSListener(t *testing.T) {
	dir := t.TempDir()
	testenv.Certs(t, dir)
	r := newRig(t, Options{TLS: TLS{Listen: "127.0.0.1:0", CertFile: filepath.Join(dir, "server.pem"),
		KeyFile: filepath.Join(dir, "server.key"), ClientCAFile: filepath.Join(dir, "ca.pem")}})
	url := "ssl://" + r.b.TLSAddr()
	tlsLogin := func(cert string) error {
		co, err := mqttx.ClientOptions(mqttx.Config{URL: url, ClientID: wire.NewID(), Username: "dock-01", Password: r.secrets["dock-01"],
			CAFile: filepath.Join(dir, "ca.pem"), CertFile: cert, KeyFile: strings.Replace(cert, ".pem", ".key", 1)})
		require.NoError(t, err)
		_, err = r.connect(co.SetConnectRetry(false).SetCleanSession(true))
		return err
	}
	require.NoError(t, tlsLogin(filepath.Join(dir, "client.pem")))
	assert.Error(t, tlsLogin(""), "no client certificate")
}
