package daemon

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/broker"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// gateway is a test gateway logged in to central's broker: it seals what
// it publishes with its key, as gatewayd does.
type gateway struct {
	mqtt.Client
	key []byte
}

// gatewayLogin gives gateway id an account at central (as `centrald
// gateway add` does), logs it in and announces stream in a sealed birth.
func gatewayLogin(t *testing.T, c *Central, id, stream string) gateway {
	t.Helper()
	secret, err := identity.Add(c.DataDir, id, identity.RoleGateway)
	require.NoError(t, err)
	require.NoError(t, c.Accounts.Reload())
	gw := gateway{Client: login(t, c.BrokerURL, id, secret), key: wire.MessageKey(secret)}
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: "online", Streams: []wire.StreamInfo{{ID: stream, Lane: wire.LaneMust}}}
	st.Gateway = id
	gw.publish(t, wire.StateTopic(site, id), st)
	return gw
}

func (g gateway) publish(t *testing.T, topic string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	sealed, err := wire.Seal(g.key, topic, b)
	require.NoError(t, err)
	require.NoError(t, mqttx.Wait(g.Publish(topic, 1, false, sealed), 10*time.Second, "publish"))
}

// opsLogin logs a new read-only operations account in.
func opsLogin(t *testing.T, c *Central) mqtt.Client {
	t.Helper()
	name := "ops-" + wire.NewID()[20:]
	secret, err := identity.Add(c.DataDir, name, identity.RoleOps)
	require.NoError(t, err)
	require.NoError(t, c.Accounts.Reload())
	return login(t, c.BrokerURL, name, secret)
}

func login(t *testing.T, url, user, secret string) mqtt.Client {
	t.Helper()
	cl, err := connect(t, url, user, secret, nil)
	require.NoError(t, err)
	return cl
}

func connect(t *testing.T, url, user, secret string, lost chan struct{}) (mqtt.Client, error) {
	co, err := mqttx.ClientOptions(mqttx.Config{URL: url, ClientID: "t-" + wire.NewID(), Username: user, Password: secret})
	require.NoError(t, err)
	co.SetConnectRetry(false).SetAutoReconnect(false).SetCleanSession(true)
	if lost != nil {
		co.SetConnectionLostHandler(func(mqtt.Client, error) { close(lost) })
	}
	c := mqtt.NewClient(co)
	err = mqttx.Wait(c.Connect(), 5*time.Second, "connect")
	if err == nil {
		t.Cleanup(func() { c.Disconnect(0) })
	}
	return c, err
}

// centrald's embedded broker logs clients in against the accounts file,
// creates central's own account, and follows the file while it runs: a
// gateway revoked with `centrald gateway revoke` is disconnected.
func TestEmbeddedBrokerFollowsTheAccountsFile(t *testing.T) {
	dir := t.TempDir()
	secret, err := identity.Add(dir, "dock-01", identity.RoleGateway)
	require.NoError(t, err)
	certs := t.TempDir()
	testenv.Certs(t, certs)
	c, err := Start(Options{Site: "dc1", DataDir: dir, BrokerListen: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", APIToken: "t",
		BrokerTLS: broker.TLS{Listen: "127.0.0.1:0", CertFile: filepath.Join(certs, "server.pem"), KeyFile: filepath.Join(certs, "server.key")}},
		zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	defer c.Close()
	require.Eventually(t, c.Subscribed, 10*time.Second, 10*time.Millisecond, "central logged in to its own broker")
	a, ok := c.Accounts.Lookup(identity.CentralName)
	require.True(t, ok)
	assert.Equal(t, identity.RoleCentral, a.Role)

	_, err = connect(t, c.BrokerURL, "", "", nil)
	assert.Error(t, err, "no anonymous access by default")
	lost := make(chan struct{})
	_, err = connect(t, c.BrokerURL, "dock-01", secret, lost)
	require.NoError(t, err)

	// The TLS listener takes the same logins.
	co, err := mqttx.ClientOptions(mqttx.Config{URL: "ssl://" + c.BrokerTLSAddr, ClientID: "t-tls", Username: "dock-01", Password: secret,
		CAFile: filepath.Join(certs, "ca.pem")})
	require.NoError(t, err)
	tc := mqtt.NewClient(co.SetConnectRetry(false).SetCleanSession(true))
	require.NoError(t, mqttx.Wait(tc.Connect(), 5*time.Second, "tls connect"))
	tc.Disconnect(0)

	require.NoError(t, identity.Revoke(dir, "dock-01"))
	select {
	case <-lost:
	case <-time.After(10 * time.Second):
		t.Fatal("the revoked gateway was not disconnected")
	}
	_, err = connect(t, c.BrokerURL, "dock-01", secret, nil)
	assert.Error(t, err)
}
