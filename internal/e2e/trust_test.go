package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/dockhand/dockhand/central/app"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/broker"
	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/gateway/config"
	gatewayd "github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// The findings of issue 10, replayed as a hostile device on the warehouse
// network would, against a real central, a real gateway with a virtual
// scanner and printer, and four brokers: centrald's embedded broker with
// its rights on and with them off (--broker-allow-anonymous), a Mosquitto
// anyone may use (a misconfigured site broker) and a Mosquitto with the
// configuration Dockhand ships. With rights on, the forgeries are refused
// at the broker; with them off, by central and the gateway, which check
// every message against its sender. Either way nothing forged is applied,
// printed or acknowledged, and the real scans that follow are applied.

type brokerKind int

const (
	embeddedRights brokerKind = iota
	embeddedOpen
	mosquittoOpen
	mosquittoShipped
)

func (k brokerKind) rightsOn() bool { return k == embeddedRights || k == mosquittoShipped }

const (
	dock    = "dock-01" // the gateway under attack
	evil    = "gw-evil" // a compromised Pi: a valid login and key of its own
	nosy    = "gw-nosy" // another compromised Pi, trying to read what is not its own
	watcher = "ops"     // operations, reading everything
)

type trustSite struct {
	t       *testing.T
	kind    brokerKind
	id      string
	cdir    string
	secrets map[string]string
	url     string // for central, the forger and the watcher
	gwURL   string // for the gateway (TLS with the shipped Mosquitto)
	caFile  string
	central *centrald.Central
	gw      *gatewayd.Gateway
	scanner *devsim.Scanner
	printer *devsim.Printer
	ops     *opsWatcher
	pallets []string
	next    int
	log     zerolog.Logger
}

func newTrustSite(t *testing.T, kind brokerKind) *trustSite {
	s := &trustSite{t: t, kind: kind, id: site(), cdir: filepath.Join(t.TempDir(), "central"), secrets: map[string]string{},
		log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)}
	for name, role := range map[string]identity.Role{identity.CentralName: identity.RoleCentral, dock: identity.RoleGateway,
		evil: identity.RoleGateway, nosy: identity.RoleGateway, watcher: identity.RoleOps} {
		secret, err := identity.Add(s.cdir, name, role)
		require.NoError(t, err)
		s.secrets[name] = secret
	}
	s.startBroker()
	s.startCentral()
	s.seed()
	s.ops = newOpsWatcher(t, s.url, s.secrets[watcher])
	s.startGateway()
	return s
}

func (s *trustSite) startBroker() {
	t := s.t
	switch s.kind {
	case embeddedRights, embeddedOpen:
		// centrald's embedded broker, run on its own so that central can
		// be stopped while the broker stays (central down, network up).
		accounts, err := identity.Open(s.cdir, s.log)
		require.NoError(t, err)
		b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Site: s.id, Accounts: accounts,
			AllowAnonymous: s.kind == embeddedOpen}, s.log)
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		s.url = b.URL()
	case mosquittoOpen:
		s.url = testenv.StartMosquitto(t, "").URL()
	case mosquittoShipped:
		s.url = s.startShippedMosquitto()
	}
	if s.gwURL == "" {
		s.gwURL = s.url
	}
}

// startShippedMosquitto runs Mosquitto with firmware-config/mosquitto as
// shipped; only paths, ports and the site id differ. The password file is
// made with mosquitto_passwd from the secrets central issued.
func (s *trustSite) startShippedMosquitto() string {
	t := s.t
	passwd := testenv.MosquittoBinary(t, "mosquitto_passwd")
	conf, err := os.ReadFile("../../firmware-config/mosquitto/dockhand.conf")
	require.NoError(t, err)
	acl, err := os.ReadFile("../../firmware-config/mosquitto/dockhand.acl")
	require.NoError(t, err)
	assert.Contains(t, string(conf), fmt.Sprintf("max_packet_size %d\n", wire.MaxPacketBytes), "the packet limit is Dockhand's")
	var tlsPort int
	m := testenv.StartMosquittoWith(t, func(port int, dir string) string {
		for tlsPort = testenv.FreePort(t); tlsPort == port; tlsPort = testenv.FreePort(t) {
		}
		first := true
		for _, name := range []string{identity.CentralName, dock, evil, nosy, watcher} {
			args := []string{"-b", filepath.Join(dir, "dockhand.passwd"), name, s.secrets[name]}
			if first {
				args = append([]string{"-c"}, args...)
				first = false
			}
			out, err := exec.Command(passwd, args...).CombinedOutput()
			require.NoError(t, err, "mosquitto_passwd: %s", out)
		}
		aclText := string(acl)
		require.Contains(t, aclText, "/dc1/")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dockhand.acl"), []byte(strings.ReplaceAll(aclText, "/dc1/", "/"+s.id+"/")), 0o600))
		testenv.Certs(t, dir)
		s.caFile = filepath.Join(t.TempDir(), "ca.pem")
		ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(s.caFile, ca, 0o600))
		text := string(conf)
		for from, to := range map[string]string{
			"persistence_location /var/lib/mosquitto/": "persistence_location " + dir + "/",
			"/etc/mosquitto/dockhand.passwd":           filepath.Join(dir, "dockhand.passwd"),
			"/etc/mosquitto/dockhand.acl":              filepath.Join(dir, "dockhand.acl"),
			"listener 1883 127.0.0.1":                  fmt.Sprintf("listener %d 127.0.0.1", port),
			"listener 8883\n":                          fmt.Sprintf("listener %d 127.0.0.1\n", tlsPort),
			"/etc/mosquitto/certs/ca.pem":              filepath.Join(dir, "ca.pem"),
			"/etc/mosquitto/certs/broker.pem":          filepath.Join(dir, "server.pem"),
			"/etc/mosquitto/certs/broker.key":          filepath.Join(dir, "server.key"),
		} {
			require.Contains(t, text, from, "the shipped configuration changed; keep this test in step")
			text = strings.Replace(text, from, to, 1)
		}
		return text
	})
	s.gwURL = fmt.Sprintf("ssl://127.0.0.1:%d", tlsPort)
	return m.URL()
}

func (s *trustSite) startCentral() {
	c, err := centrald.Start(centrald.Options{Site: s.id, DataDir: s.cdir, HTTPAddr: "127.0.0.1:0", APIToken: "t",
		MQTT: mqttx.Config{URL: s.url, Username: identity.CentralName, Password: s.secrets[identity.CentralName]}}, s.log)
	require.NoError(s.t, err)
	s.central = c
	s.t.Cleanup(func() {
		if s.central != nil {
			s.central.Close()
		}
	})
	require.Eventually(s.t, c.Subscribed, 15*time.Second, 10*time.Millisecond)
}

func (s *trustSite) stopCentral() {
	s.central.Close()
	s.central = nil
}

// seed gives central an item, locations and an ASN of a dozen pallets.
func (s *trustSite) seed() {
	for i := range 12 {
		body := fmt.Sprintf("10614141%09d", 100+i)
		c, err := gs1.CheckDigit(body)
		require.NoError(s.t, err)
		s.pallets = append(s.pallets, body+string(c))
	}
	require.NoError(s.t, s.central.App.Update(context.Background(), func(t *app.Tx) error {
		if _, err := t.CreateItem(stock.Item{SKU: "WIDGET-10", GTIN: "10614141000415", Name: "Widget"}); err != nil {
			return err
		}
		for i := range 12 {
			if _, err := t.CreateLocation(stock.Location{Code: fmt.Sprintf("A-01-1-%02d", i+1), Type: stock.LocReserve, Zone: "A"}); err != nil {
				return err
			}
		}
		a := inbound.ASN{ID: "ASN-1", Supplier: "ACME"}
		for _, p := range s.pallets {
			a.Pallets = append(a.Pallets, inbound.ExpectedPallet{SSCC: p, SKU: "WIDGET-10", Quantity: 48, Lot: "L1"})
		}
		_, err := t.CreateASN(a)
		return err
	}))
}

func (s *trustSite) startGateway() {
	t := s.t
	var err error
	s.scanner, err = devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: s.log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.scanner.Close() })
	s.printer, err = devsim.NewPrinter("127.0.0.1:0", "", s.log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.printer.Close() })
	ca := ""
	if s.caFile != "" {
		ca = fmt.Sprintf("  ca_file: %q\n", s.caFile)
	}
	cfg, err := config.Parse(fmt.Appendf(nil, `site: %s
gateway: %s
mqtt:
  url: %s
  password: %q
%shttp: {listen: "off"}
stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: scanner-1, kind: scanner, station: dock-1, port: %q}
  - {id: printer-1, kind: printer, station: dock-1, address: %q, profile: 4x8}
link: {resend_after: 500ms}
`, s.id, dock, s.gwURL, s.secrets[dock], ca, s.scanner.Path(), s.printer.Addr()))
	require.NoError(t, err)
	s.gw, err = gatewayd.Start(cfg, t.TempDir(), s.log)
	require.NoError(t, err)
	t.Cleanup(s.gw.Close)
	s.ops.wait(t, "the gateway's birth", func(m opsMessage) bool {
		return m.Topic == wire.StateTopic(s.id, dock) && m.str("state") == "online"
	})
}

// pallet returns the next SSCC of the ASN no test has used yet.
func (s *trustSite) pallet() string {
	s.next++
	return s.pallets[s.next-1]
}

// scan scans a pallet at the dock for real.
func (s *trustSite) scan(sscc string) {
	require.NoError(s.t, s.scanner.Scan("]C100"+sscc))
}

// receipts returns central's receipts of a pallet (central must be up or
// its store reopened).
func (s *trustSite) receipts(sscc string) []inbound.Receipt {
	var out []inbound.Receipt
	require.NoError(s.t, s.central.Store.View(context.Background(), func(tx store.Tx) error {
		rs, err := tx.Receipts()
		for _, r := range rs {
			if r.SSCC == sscc {
				out = append(out, r)
			}
		}
		return err
	}))
	return out
}

// received waits until the real scan of a pallet is applied (one
// receipt, from the real gateway) and its label is printed.
func (s *trustSite) received(sscc string) {
	s.t.Helper()
	require.Eventually(s.t, func() bool { return len(s.receipts(sscc)) > 0 && s.labels(sscc) > 0 }, 20*time.Second, 20*time.Millisecond,
		"pallet %s is received and labelled", sscc)
	rs := s.receipts(sscc)
	require.Len(s.t, rs, 1)
	assert.Equal(s.t, dock, rs[0].Gateway)
}

// settle waits until the gateway has nothing left to send: every label's
// print result is applied at central and the outbox is empty, so the next
// scan takes the next seq.
func (s *trustSite) settle() {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		results := 0
		require.NoError(s.t, s.central.Store.View(context.Background(), func(tx store.Tx) error {
			lines, err := tx.JournalFrom(0, 100000)
			for _, l := range lines {
				if l.Gateway == dock && l.Type == wire.EvtPrint {
					results++
				}
			}
			return err
		}))
		return results == len(s.printer.Jobs()) && s.gw.Outbox().Stats().Events == 0
	}, 20*time.Second, 20*time.Millisecond, "the gateway settles")
}

// labels counts the labels printed that contain text.
func (s *trustSite) labels(text string) int {
	n := 0
	for _, j := range s.printer.Jobs() {
		if strings.Contains(string(j.ZPL), text) {
			n++
		}
	}
	return n
}

// palletScan is a scan event of a pallet as a gateway sends it.
func palletScan(gateway, stream string, seq uint64, sscc string) *wire.Scan {
	ev := &wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Role: "inbound-dock",
		Data: "00" + sscc, GS1: true, Elements: []wire.Element{{AI: "00", Value: sscc}}}
	ev.Gateway, ev.Device, ev.Stream, ev.Seq = gateway, "scanner-1", stream, seq
	return ev
}

// forgedScan is a pallet scan on a gateway's event topic, sealed with the
// compromised Pi's own key.
func (s *trustSite) forgedScan(gateway, stream string, seq uint64, sscc string) (string, []byte) {
	topic := wire.EventTopic(s.id, gateway, wire.EvtScan)
	return topic, s.sealEvil(topic, palletScan(gateway, stream, seq, sscc))
}

func (s *trustSite) sealEvil(topic string, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(s.t, err)
	sealed, err := wire.Seal(wire.MessageKey(s.secrets[evil]), topic, b)
	require.NoError(s.t, err)
	return sealed
}

// forge publishes as the compromised Pi and reports whether the broker
// took the message. When it did, a marker published after it on the Pi's
// own topic is awaited at the watcher: by then the broker has routed the
// forged message to whoever it was going to reach. On the embedded broker
// with rights off the forger needs no login at all and uses none.
func (s *trustSite) forge(topic string, payload []byte) bool {
	t := s.t
	login := mqttx.Config{URL: s.url, ClientID: "forger-" + wire.NewID(), Username: evil, Password: s.secrets[evil]}
	if s.kind == embeddedOpen {
		login.Username, login.Password = "", ""
	}
	co, err := mqttx.ClientOptions(login)
	require.NoError(t, err)
	lost := make(chan struct{})
	co.SetConnectRetry(false).SetAutoReconnect(false).SetCleanSession(true).
		SetConnectionLostHandler(func(mqtt.Client, error) { close(lost) })
	c := mqtt.NewClient(co)
	require.NoError(t, mqttx.Wait(c.Connect(), 10*time.Second, "forger connect"))
	defer c.Disconnect(0)
	if !published(c.Publish(topic, 1, false, payload), lost) {
		return false
	}
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: "online"}
	st.Gateway = evil
	marker := st.ID
	if !published(c.Publish(wire.StateTopic(s.id, evil), 1, false, s.sealEvil(wire.StateTopic(s.id, evil), st)), lost) {
		return false
	}
	s.ops.wait(t, "the forger's marker", func(m opsMessage) bool { return m.str("id") == marker })
	return true
}

func published(tok mqtt.Token, lost <-chan struct{}) bool {
	select {
	case <-tok.Done():
		return tok.Error() == nil
	case <-lost:
		return false
	case <-time.After(10 * time.Second):
		return false
	}
}

// refusedBy checks where a forgery was stopped: at the broker (rights on:
// not taken, or taken and dropped) or by central or the gateway, whose
// refusal counter must move.
func (s *trustSite) refusedBy(t *testing.T, atBroker bool, accepted bool, counter func() uint64, before uint64) {
	t.Helper()
	if atBroker {
		if s.kind == embeddedRights || s.kind == embeddedOpen {
			assert.False(t, accepted, "the embedded broker refused the publish and closed the connection")
		}
		assert.Equal(t, before, counter(), "nothing reached the peer")
		return
	}
	// Asserted, not required: what the forgery did is checked next, and a
	// failure should show that too.
	assert.True(t, accepted)
	assert.Eventually(t, func() bool { return counter() > before }, 10*time.Second, 10*time.Millisecond, "refused by the peer")
}

func (s *trustSite) centralRefused() uint64 { return s.central.Ingest.Metrics.Refused.Load() }

// gatewayRefusals counts the refusal reports the gateway stored for central.
func (s *trustSite) gatewayRefusals() uint64 {
	n := len(s.ops.all(func(m opsMessage) bool { return m.Type == string(wire.OpsAlert) && m.str("kind") == "gateway-refused" }))
	return uint64(n)
}

func TestForgeriesAgainstEmbeddedBrokerWithRights(t *testing.T) {
	runForgeries(t, newTrustSite(t, embeddedRights))
}

func TestForgeriesAgainstEmbeddedBrokerWithRightsOff(t *testing.T) {
	runForgeries(t, newTrustSite(t, embeddedOpen))
}

func TestForgeriesAgainstOpenMosquitto(t *testing.T) {
	runForgeries(t, newTrustSite(t, mosquittoOpen))
}

func TestForgeriesAgainstShippedMosquittoConfiguration(t *testing.T) {
	s := newTrustSite(t, mosquittoShipped)
	runForgeries(t, s)
	// mosquitto_sub -t 'dockhand/#' with an ops login shows the whole site.
	for _, suffix := range []string{"/state", "/evt/scan", "/cmd/print", "/ops/receipt", "/ops/alert"} {
		assert.NotEmpty(t, s.ops.all(func(m opsMessage) bool { return strings.HasSuffix(m.Topic, suffix) }), "ops sees %s", suffix)
	}
}

func runForgeries(top *testing.T, s *trustSite) {
	// Each case runs as a subtest, and the site's helpers report to it.
	run := func(name string, f func(t *testing.T)) {
		top.Run(name, func(t *testing.T) {
			s.t = t
			defer func() { s.t = top }()
			f(t)
		})
	}
	if s.kind.rightsOn() {
		run("a client without a login is refused", func(t *testing.T) {
			co, err := mqttx.ClientOptions(mqttx.Config{URL: s.url, ClientID: "anon-" + wire.NewID()})
			require.NoError(t, err)
			c := mqtt.NewClient(co.SetConnectRetry(false).SetAutoReconnect(false))
			assert.Error(t, mqttx.Wait(c.Connect(), 10*time.Second, "anonymous connect"))
		})
		// Another gateway subscribes to the attacked gateway's commands
		// and to everything; by the end it must have read nothing of them.
		co, err := mqttx.ClientOptions(mqttx.Config{URL: s.url, ClientID: "nosy-" + wire.NewID(), Username: nosy, Password: s.secrets[nosy]})
		require.NoError(top, err)
		var mu sync.Mutex
		var read []string
		c := mqtt.NewClient(co.SetCleanSession(true))
		require.NoError(top, mqttx.Wait(c.Connect(), 10*time.Second, "nosy connect"))
		defer c.Disconnect(0)
		for _, filter := range []string{wire.AllCommands(s.id, dock), "dockhand/#"} {
			require.NoError(top, mqttx.Wait(c.Subscribe(filter, 1, func(_ mqtt.Client, m mqtt.Message) {
				mu.Lock()
				defer mu.Unlock()
				read = append(read, m.Topic())
			}), 10*time.Second, "nosy subscribe"))
		}
		defer func() {
			mu.Lock()
			defer mu.Unlock()
			assert.Empty(top, read, "a gateway reads nothing but its own commands")
		}()
	}

	run("forged scan for a gateway that does not exist", func(t *testing.T) {
		p := s.pallet()
		before := s.centralRefused()
		accepted := s.forge(s.forgedScan("ghost", "ghost-stream", 1, p))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.centralRefused, before)
		s.scan(p)
		s.received(p) // one receipt, the real gateway's: the forged one booked nothing
	})

	run("forged scan on a made-up stream of the real gateway", func(t *testing.T) {
		p := s.pallet()
		jobs := len(s.printer.Jobs())
		before := s.centralRefused()
		accepted := s.forge(s.forgedScan(dock, "made-up", 1, p))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.centralRefused, before)
		s.scan(p)
		s.received(p)
		assert.Len(t, s.printer.Jobs(), jobs+1, "one label, for the real scan")
	})

	run("finding 2a: a bulk-lane event with seq 9e18 on the must stream, then a real scan", func(t *testing.T) {
		p := s.pallet()
		topic := wire.EventTopic(s.id, dock, wire.EvtScan)
		ev := palletScan(dock, s.gw.Outbox().Stream(), 9e18, s.pallets[len(s.pallets)-1])
		ev.Lane = wire.LaneBulk
		before := s.centralRefused()
		accepted := s.forge(topic, s.sealEvil(topic, ev))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.centralRefused, before)
		s.scan(p)
		s.received(p)
		q := s.pallet()
		s.scan(q)
		s.received(q) // and the stream keeps delivering
	})

	run("finding 2c: a forged event with the next seq, then the real scan with that seq", func(t *testing.T) {
		real, fake := s.pallet(), s.pallet()
		s.settle()
		seq := s.gw.Outbox().Issued(outbox.Must) + 1
		before := s.centralRefused()
		accepted := s.forge(s.forgedScan(dock, s.gw.Outbox().Stream(), seq, fake))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.centralRefused, before)
		s.scan(real)
		s.received(real)
		assert.Empty(t, s.receipts(fake), "the forged pallet was not booked")
		require.NoError(t, s.central.Store.View(context.Background(), func(tx store.Tx) error {
			id, ok, err := tx.AppliedID(dock, s.gw.Outbox().Stream(), seq)
			require.True(t, ok)
			assert.Equal(t, s.receipts(real)[0].Event, id, "seq %d is the real scan", seq)
			return err
		}))
	})

	run("forged cmd/print is not printed", func(t *testing.T) {
		jobs := len(s.printer.Jobs())
		topic := wire.CommandTopic(s.id, dock, wire.CmdPrint)
		cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", ZPL: "^XA^JUF^XZ"}
		before := s.gatewayRefusals()
		accepted := s.forge(topic, s.sealEvil(topic, cmd))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.gatewayRefusals, before)
		p := s.pallet()
		s.scan(p)
		s.received(p)
		assert.Len(t, s.printer.Jobs(), jobs+1, "only the real scan's label")
		assert.Zero(t, s.labels("^JU"), "the forged printer reset never reached the printer")
	})

	run("oversized event", func(t *testing.T) {
		// The compromised Pi on its own topic, with its own valid seal: only
		// the size is wrong. The embedded broker bounds events itself; a
		// Mosquitto bounds packets, so central refuses the event unread.
		topic := wire.EventTopic(s.id, evil, wire.EvtScan)
		ev := wire.Load{Envelope: wire.NewEnvelope(wire.EvtScan), Pad: strings.Repeat("x", wire.MaxEventBytes)}
		ev.Gateway = evil
		before := s.centralRefused()
		accepted := s.forge(topic, s.sealEvil(topic, ev))
		atBroker := s.kind == embeddedRights || s.kind == embeddedOpen
		s.refusedBy(t, atBroker, accepted, s.centralRefused, before)
	})

	run("oversized command", func(t *testing.T) {
		topic := wire.CommandTopic(s.id, dock, wire.CmdPrint)
		cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "dock-1", ZPL: "^XA" + strings.Repeat("x", wire.MaxCommandBytes) + "^XZ"}
		before := s.gatewayRefusals()
		accepted := s.forge(topic, s.sealEvil(topic, cmd))
		s.refusedBy(t, s.kind.rightsOn(), accepted, s.gatewayRefusals, before)
		for _, j := range s.printer.Jobs() {
			assert.Less(t, len(j.ZPL), wire.MaxCommandBytes, "the oversized label was not printed")
		}
	})

	// Last: it stops central.
	run("finding 2b: a forged cmd/ack with central down deletes nothing", func(t *testing.T) {
		s.settle() // every earlier event acknowledged and deleted
		s.stopCentral()
		stream := s.gw.Outbox().Stream()
		acked := s.gw.Outbox().Acked(outbox.Must)
		issued := s.gw.Outbox().Issued(outbox.Must)
		waiting := []string{s.pallet(), s.pallet(), s.pallet()}
		for _, p := range waiting {
			s.scan(p)
		}
		require.Eventually(t, func() bool { return s.gw.Outbox().Issued(outbox.Must) >= issued+3 }, 10*time.Second, 10*time.Millisecond)
		topic := wire.CommandTopic(s.id, dock, wire.CmdAck)
		ack := wire.Ack{Envelope: wire.NewEnvelope(wire.CmdAck)}
		ack.Stream, ack.Seq = stream, s.gw.Outbox().Issued(outbox.Must)
		accepted := s.forge(topic, s.sealEvil(topic, ack))
		if s.kind.rightsOn() {
			if s.kind == embeddedRights {
				assert.False(t, accepted)
			}
		} else {
			assert.True(t, accepted)
			assert.Eventually(t, func() bool { return storedRefusals(t, s.gw) > 0 }, 10*time.Second, 10*time.Millisecond,
				"the gateway refused the ack and stored a report for central")
		}
		// The gateway applies acks to its disk at most every second: had it
		// taken the forged one, the waiting scans would be gone by then.
		assert.Never(t, func() bool {
			return s.gw.Outbox().Acked(outbox.Must) != acked || s.gw.Outbox().Stats().Events < len(waiting)
		}, 2500*time.Millisecond, 20*time.Millisecond, "the waiting scans stay in the outbox")
		// Central comes back: every scan made while it was down arrives.
		s.startCentral()
		for _, p := range waiting {
			s.received(p)
		}
	})
}

// storedRefusals counts refused-message reports in the gateway's outbox.
func storedRefusals(t *testing.T, g *gatewayd.Gateway) int {
	recs, err := g.Outbox().Pending(outbox.Must, g.Outbox().Acked(outbox.Must), 1000)
	require.NoError(t, err)
	n := 0
	for _, r := range recs {
		if r.Type == wire.EvtRefused {
			n++
		}
	}
	return n
}

// opsWatcher is an operations login subscribed to dockhand/#, as
// `mosquitto_sub -u ops -t 'dockhand/#'` would be.
type opsWatcher struct {
	mu      sync.Mutex
	seen    []opsMessage
	changed chan struct{}
}

type opsMessage struct {
	Topic   string
	Type    string
	Payload map[string]any
}

func (m opsMessage) str(k string) string { s, _ := m.Payload[k].(string); return s }

func newOpsWatcher(t *testing.T, url, secret string) *opsWatcher {
	w := &opsWatcher{changed: make(chan struct{})}
	co, err := mqttx.ClientOptions(mqttx.Config{URL: url, ClientID: "ops-" + wire.NewID(), Username: watcher, Password: secret})
	require.NoError(t, err)
	co.SetCleanSession(true).SetOnConnectHandler(func(c mqtt.Client) { c.Subscribe("dockhand/#", 1, w.onMessage) })
	c := mqtt.NewClient(co)
	require.NoError(t, mqttx.Wait(c.Connect(), 10*time.Second, "ops connect"))
	t.Cleanup(func() { c.Disconnect(0) })
	require.NoError(t, mqttx.Wait(c.Subscribe("dockhand/#", 1, w.onMessage), 10*time.Second, "ops subscribe"))
	return w
}

func (w *opsWatcher) onMessage(_ mqtt.Client, m mqtt.Message) {
	msg := opsMessage{Topic: m.Topic()}
	_ = json.Unmarshal(m.Payload(), &msg.Payload)
	msg.Type = msg.str("type")
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, msg)
	close(w.changed)
	w.changed = make(chan struct{})
}

func (w *opsWatcher) all(match func(opsMessage) bool) []opsMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []opsMessage
	for _, m := range w.seen {
		if match(m) {
			out = append(out, m)
		}
	}
	return out
}

func (w *opsWatcher) wait(t *testing.T, what string, match func(opsMessage) bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		w.mu.Lock()
		ch := w.changed
		w.mu.Unlock()
		if len(w.all(match)) > 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("ops never saw %s", what)
		}
	}
}
