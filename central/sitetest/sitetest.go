// Package sitetest is test support, for tests only: a central site
// without transports — a store (memory, or Badger in a directory when a
// test restarts it), the application with its station registry, and
// ingest — fed the sealed events of test gateways, with the messages it
// queued read back. Ingest, station and application tests share it, so
// each tests its own part through the same path a gateway's events take.
package sitetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/app/stations"
	"github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/central/store/memstore"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

// SiteID is the site every test gateway belongs to.
const SiteID = "t"

// Keyring is the accounts of the test gateways: each key is derived from
// a secret as central's accounts derive it (wire.MessageKey).
type Keyring map[string][]byte

// GatewayKey is a gateway's message key.
func (k Keyring) GatewayKey(gateway string) ([]byte, bool) {
	key, ok := k[gateway]
	return key, ok
}

// Keys are the test gateways gw1 and gw-1.
var Keys = Keyring{"gw1": wire.MessageKey("secret of gw1"), "gw-1": wire.MessageKey("secret of gw-1")}

// Options shape a site.
type Options struct {
	// Dir keeps the store in Badger there (Restart reopens it); "" keeps
	// it in memory.
	Dir string
	// Alerts collapses repeated alerts (zero value: one-minute windows).
	Alerts alerting.Collapser
	// Handler, when set, wraps the application as ingest's handler (a
	// test that makes some events fail).
	Handler func(*app.App) ingest.Handler
}

// Site is a running site.
type Site struct {
	T      testing.TB
	Store  store.Store
	App    *app.App
	Ingest *ingest.Ingest
	opt    Options
	seen   int // outgoing messages already returned by Drain
}

var ctx = context.Background()

// New starts a site.
func New(t testing.TB, opt Options) *Site {
	s := &Site{T: t, opt: opt}
	s.open()
	return s
}

func (s *Site) open() {
	t := s.T
	if s.opt.Dir == "" {
		s.Store = memstore.New()
	} else {
		st, err := badgerstore.Open(s.opt.Dir, zerolog.Nop())
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		s.Store = st
	}
	var err error
	s.App, err = app.New(ctx, app.Config{Site: SiteID, Alerts: s.opt.Alerts, Stations: stations.New(zerolog.Nop())}, s.Store, zerolog.Nop())
	require.NoError(t, err)
	var h ingest.Handler = s.App
	if s.opt.Handler != nil {
		h = s.opt.Handler(s.App)
	}
	s.Ingest = ingest.New(ingest.Config{Site: SiteID, Keys: Keys}, s.Store, h, zerolog.Nop())
}

// Restart closes the store as a stopping daemon would and opens it again
// (a site with a Dir). Messages queued before are published later, not
// read again by Drain.
func (s *Site) Restart() {
	require.NoError(s.T, s.Store.Close())
	s.open()
	s.seen = len(s.Queued())
}

// Update runs fn in one application transaction.
func (s *Site) Update(fn func(t *app.Tx) error) {
	s.T.Helper()
	require.NoError(s.T, s.App.Update(ctx, fn))
}

// View runs fn in a read-only snapshot.
func (s *Site) View(fn func(tx store.Tx) error) {
	s.T.Helper()
	require.NoError(s.T, s.Store.View(ctx, fn))
}

// Apply applies a batch of messages and returns the acks.
func (s *Site) Apply(in ...ingest.Incoming) []ingest.Ack {
	s.T.Helper()
	acks, err := s.Ingest.Apply(ctx, in)
	require.NoError(s.T, err)
	return acks
}

// Queued is every message queued and not yet sent.
func (s *Site) Queued() []store.Message {
	all, err := s.Store.Outgoing(ctx, 0, 1<<20)
	require.NoError(s.T, err)
	return all
}

// Drain returns the messages queued since the last Drain.
func (s *Site) Drain() []store.Message {
	all := s.Queued()
	out := all[s.seen:]
	s.seen = len(all)
	return out
}

// Consistent checks that the ledger and every projection agree, and
// orders with what promises them (what centrald check checks).
func (s *Site) Consistent() {
	s.T.Helper()
	problems, err := store.Check(ctx, s.Store)
	require.NoError(s.T, err)
	require.Empty(s.T, problems)
	problems, err = store.CheckOutbound(ctx, s.Store)
	require.NoError(s.T, err)
	require.Empty(s.T, problems)
}

// Sealed is msg as its gateway publishes it on its topic: sealed with the
// gateway's key.
func Sealed(t testing.TB, gateway string, typ wire.MessageType, msg any) ingest.Incoming {
	t.Helper()
	p, err := wire.Seal(Keys[gateway], wire.EventTopic(SiteID, gateway, typ), JSON(t, msg))
	require.NoError(t, err)
	return ingest.Incoming{Gateway: gateway, Type: typ, Payload: p}
}

// Birth is a gateway's sealed birth message announcing streams.
func Birth(t testing.TB, gateway string, streams ...wire.StreamInfo) ingest.Incoming {
	t.Helper()
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: "online", Streams: streams}
	st.Gateway = gateway
	p, err := wire.Seal(Keys[gateway], wire.StateTopic(SiteID, gateway), JSON(t, st))
	require.NoError(t, err)
	return ingest.Incoming{Gateway: gateway, State: true, Payload: p}
}

// Announce applies a gateway's birth message announcing one must stream.
func (s *Site) Announce(gateway, stream string) {
	s.T.Helper()
	acks := s.Apply(Birth(s.T, gateway, wire.StreamInfo{ID: stream, Lane: wire.LaneMust}))
	require.Empty(s.T, acks)
}

// JSON encodes v.
func JSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// SSCC completes an SSCC of company prefix 0614141 with its check digit.
func SSCC(serialRef string) string {
	body := serialRef[:1] + "0614141" + serialRef[1:]
	c, err := gs1.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

// Kinds summarises messages as "topic-type:detail" for assertions; every
// alert's kind must be one of the contract's.
func Kinds(t testing.TB, ms []store.Message) []string {
	Alerts(t, ms)
	var out []string
	for _, m := range ms {
		var v map[string]any
		require.NoError(t, json.Unmarshal(m.Payload, &v))
		detail := ""
		for _, k := range []string{"kind", "pattern", "template", "reason"} {
			if s, ok := v[k].(string); ok {
				detail = s
				break
			}
		}
		out = append(out, m.Topic[strings.LastIndex(m.Topic, "/")+1:]+":"+detail)
	}
	return out
}

// Payload is the first message on a topic ending in topicSuffix.
func Payload(t testing.TB, ms []store.Message, topicSuffix string) map[string]any {
	for _, m := range ms {
		if strings.HasSuffix(m.Topic, topicSuffix) {
			var v map[string]any
			require.NoError(t, json.Unmarshal(m.Payload, &v))
			return v
		}
	}
	t.Fatalf("no message on %s", topicSuffix)
	return nil
}

// Alerts decodes the ops/alert messages among ms; every kind must be one
// of the contract's (wire.AlertKinds).
func Alerts(t testing.TB, ms []store.Message) []wire.Alert {
	var alerts []wire.Alert
	for _, m := range ms {
		var al wire.Alert
		require.NoError(t, json.Unmarshal(m.Payload, &al))
		if al.Type == wire.OpsAlert {
			require.Contains(t, wire.AlertKinds, al.Kind, "an alert of a kind the contract does not have")
			alerts = append(alerts, al)
		}
	}
	return alerts
}
