// Package daemon assembles centrald: the store, the application with its
// station registry, ingest, the embedded broker (unless an external one is
// named), the MQTT link and the HTTP API. cmd/centrald and the demo both
// start central through it.
package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/app/stations"
	"github.com/dockhand/dockhand/central/broker"
	"github.com/dockhand/dockhand/central/httpapi"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/mqttlink"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/metrics"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/secret"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
)

// Options configure central.
type Options struct {
	Site    string
	DataDir string
	// MQTT names an external broker; empty starts the embedded one.
	MQTT mqttx.Config
	// BrokerListen is the embedded broker's address (default :1883).
	BrokerListen string
	// BrokerFallback picks a free port when BrokerListen is taken.
	BrokerFallback bool
	// BrokerAllowAnonymous lets clients without a login do anything on the
	// embedded broker (development only).
	BrokerAllowAnonymous bool
	// BrokerTLS adds a TLS listener to the embedded broker.
	BrokerTLS broker.TLS
	// HTTPAddr is the API address (default :8081).
	HTTPAddr string
	// HTTPTimeouts bound how long one client may hold a connection.
	HTTPTimeouts HTTPTimeouts
	// HTTPCertFile and HTTPKeyFile, when set, make the API speak HTTPS.
	HTTPCertFile, HTTPKeyFile string
	// APIToken; empty reads or creates DataDir/api-token.
	APIToken string
	// PaymentHold is how long an unpaid order keeps its promise when its
	// channel does not say (app.DefaultPaymentHold).
	PaymentHold time.Duration
	// WaitForSpace: on a disk too full to open the store, Start returns a
	// central that waits for space (centrald). Without it Start fails with
	// an error wrapping storage.ErrNoSpace, for callers that use Store and
	// App at once (the demo, load tests).
	WaitForSpace bool
}

// HTTPTimeouts bound each HTTP request, so a client that is slow or gone
// cannot hold a connection (or, before the body is read, anything else);
// zero takes the default.
type HTTPTimeouts struct {
	// ReadHeader: the request line and headers (default 10 s).
	ReadHeader time.Duration
	// Read: the whole request, body included (default 30 s: 1 MiB, the
	// largest body, at 35 KB/s).
	Read time.Duration
	// Write: from the end of the headers to the end of the answer
	// (default 60 s).
	Write time.Duration
	// Idle: a kept-alive connection between requests (default 120 s).
	Idle time.Duration
}

// DefaultHTTPTimeouts are the timeouts of a zero HTTPTimeouts.
var DefaultHTTPTimeouts = HTTPTimeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}

func (t HTTPTimeouts) orDefault() HTTPTimeouts {
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	d := DefaultHTTPTimeouts
	return HTTPTimeouts{pick(t.ReadHeader, d.ReadHeader), pick(t.Read, d.Read), pick(t.Write, d.Write), pick(t.Idle, d.Idle)}
}

// Central is a running central.
type Central struct {
	link      *mqttlink.Link
	Store     store.Store
	App       *app.App
	Ingest    *ingest.Ingest
	Accounts  *identity.Registry
	DataDir   string
	BrokerURL string
	// BrokerTLSAddr is the embedded broker's TLS address, if it has one.
	BrokerTLSAddr string
	HTTPAddr      string
	TokenFile     string
	token         string

	broker  *broker.Broker
	disk    *storage.Disk // the store's filesystem
	http    *http.Server
	handler atomic.Pointer[http.Handler] // what http serves
	fatal   chan error                   // an error that stopped central after Start
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	log     zerolog.Logger
	probing atomic.Bool // a store readiness probe is running
}

// Start starts central; Close stops it. When the disk is too full to
// open the store and opt.WaitForSpace is set, Start still returns a
// central: it serves /healthz, /readyz (storage "unavailable") and
// /metrics, answers the API with 507, and starts the rest once there is
// room (see awaitDisk); until then Store, App, Ingest and Accounts are nil.
func Start(opt Options, log zerolog.Logger) (*Central, error) {
	if !wire.ValidName(opt.Site) {
		return nil, fmt.Errorf("--site %q: use letters, digits, '-', '_' or '.' (at most 64)", opt.Site)
	}
	if opt.DataDir == "" {
		return nil, errors.New("--data: a data directory is required")
	}
	if opt.MQTT.URL != "" {
		if err := CheckBrokerURL(opt.MQTT.URL); err != nil {
			return nil, fmt.Errorf("--mqtt: %w", err)
		}
	}
	if err := os.MkdirAll(opt.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	c := &Central{log: log, DataDir: opt.DataDir, TokenFile: filepath.Join(opt.DataDir, "api-token"), fatal: make(chan error, 1)}
	var err error
	if c.token, err = secret.Token(opt.APIToken, c.TokenFile); err != nil {
		return nil, err
	}
	if opt.APIToken != "" {
		c.TokenFile = ""
	}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.disk = storage.NewDisk(filepath.Join(opt.DataDir, "central"), storage.Central, storage.DataOnDisk, log)
	st, openErr := badgerstore.OpenOn(c.disk)
	switch {
	case openErr == nil:
		if err := c.startStored(ctx, opt, st); err != nil {
			return nil, err
		}
	case errors.Is(openErr, storage.ErrNoSpace) && opt.WaitForSpace:
		h := httpapi.NewUnavailable(c.token, c.metricsHandler(), httpapi.Readiness{"storage": c.storageReady}, c.unavailable, log)
		c.handler.Store(&h)
	default:
		return nil, openErr
	}
	httpAddr := opt.HTTPAddr
	if httpAddr == "" {
		httpAddr = ":8081"
	}
	tlsConf, err := httpTLS(opt.HTTPCertFile, opt.HTTPKeyFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return nil, fmt.Errorf("--http %s: %w", httpAddr, err)
	}
	c.HTTPAddr = ln.Addr().String()
	to := opt.HTTPTimeouts.orDefault()
	// The handler changes once: from the one that waits for space to the
	// API, when the store opens.
	serveAPI := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*c.handler.Load()).ServeHTTP(w, r) })
	c.http = &http.Server{Handler: serveAPI,
		ReadHeaderTimeout: to.ReadHeader, ReadTimeout: to.Read, WriteTimeout: to.Write, IdleTimeout: to.Idle,
		TLSConfig: tlsConf, ErrorLog: logging.Std(log.With().Str("component", "http").Logger())}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		serve := c.http.Serve
		if tlsConf != nil {
			serve = func(ln net.Listener) error { return c.http.ServeTLS(ln, "", "") }
		}
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("http server")
		}
	}()
	if openErr != nil {
		c.wg.Add(1)
		go c.awaitDisk(ctx, opt, openErr)
	} else {
		log.Info().Str("site", opt.Site).Str("http", c.HTTPAddr).Str("mqtt", c.BrokerURL).Msg("central started")
	}
	ok = true
	return c, nil
}

// startStored starts everything that needs the open store: the accounts,
// the application, ingest, the broker, the MQTT link, the timers and the
// API, and follows the store's disk.
func (c *Central) startStored(ctx context.Context, opt Options, st store.Store) error {
	log := c.log
	c.Store = st
	var err error
	if c.Accounts, err = identity.Open(opt.DataDir, log); err != nil {
		return err
	}
	c.App, err = app.New(context.Background(), app.Config{Site: opt.Site, Stations: stations.New(log), PaymentHold: opt.PaymentHold}, c.Store, log)
	if err != nil {
		return err
	}
	c.Ingest = ingest.New(ingest.Config{Site: opt.Site, Keys: c.Accounts}, c.Store, c.App, log)
	mc := opt.MQTT
	if mc.URL == "" {
		if err := c.startBroker(opt, &mc); err != nil {
			return err
		}
	}
	c.BrokerURL = mc.URL
	link, err := mqttlink.New(mc, opt.Site, c.Ingest, c.Store, c.Accounts, log)
	if err != nil {
		return err
	}
	c.link = link
	ready := httpapi.Readiness{"mqtt": c.mqttReady, "store": c.storeReady, "storage": c.storageReady}
	h := httpapi.New(c.App, c.token, c.metricsHandler(), ready, log)
	c.handler.Store(&h)
	c.wg.Add(5)
	go func() {
		defer c.wg.Done()
		c.Accounts.Watch(ctx, time.Second, func() {
			if c.broker != nil {
				c.broker.Revalidate()
			}
		})
	}()
	go func() { defer c.wg.Done(); _ = link.Run(ctx) }()
	go func() { defer c.wg.Done(); c.flushAlerts(ctx) }()
	go func() { defer c.wg.Done(); c.runTimers(ctx) }()
	go func() { defer c.wg.Done(); c.watchDisk(ctx) }()
	return nil
}

// startBroker starts the embedded broker and logs central in with its own
// account, whose secret is renewed at every start and kept in memory.
func (c *Central) startBroker(opt Options, mc *mqttx.Config) error {
	if mc.Username != "" {
		c.log.Warn().Msg("--mqtt-user is for an external broker; on the embedded one central uses its own account")
	}
	secret, err := identity.EnsureCentral(opt.DataDir)
	if err != nil {
		return err
	}
	if err := c.Accounts.Reload(); err != nil {
		return err
	}
	listen := opt.BrokerListen
	if listen == "" {
		listen = ":1883"
	}
	c.broker, err = broker.Start(broker.Options{Listen: listen, FallbackToFreePort: opt.BrokerFallback, Site: opt.Site,
		Accounts: c.Accounts, AllowAnonymous: opt.BrokerAllowAnonymous, TLS: opt.BrokerTLS}, c.log)
	if err != nil {
		return err
	}
	mc.URL, mc.Username, mc.Password = c.broker.URL(), identity.CentralName, secret
	c.BrokerTLSAddr = c.broker.TLSAddr()
	c.log.Info().Str("addr", c.broker.Addr()).Str("tls", c.BrokerTLSAddr).Bool("anonymous", opt.BrokerAllowAnonymous).
		Msg("embedded MQTT broker listening; logins checked against " + identity.Path(opt.DataDir))
	return nil
}

// Subscribed reports whether central's MQTT session is up and subscribed
// to the gateways' events.
func (c *Central) Subscribed() bool { return c.link != nil && c.link.Connected() }

// httpTLS loads the API's certificate, if one is configured.
func httpTLS(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, errors.New("--http-cert and --http-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--http-cert/--http-key: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// flushAlerts publishes the summaries of collapsed alerts once a second,
// when their window is over.
func (c *Central) flushAlerts(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.App.FlushAlerts(ctx); err != nil && !errors.Is(err, store.ErrNoSpace) {
				c.log.Warn().Err(err).Msg("alert summaries not published yet")
			}
		}
	}
}

// runTimers runs the use cases whose time has come (unpaid orders'
// holds, promotions' ends) and publishes the stock layers that changed,
// once a second and once at start, so that a timer that came due while
// central was down runs as soon as it is back.
func (c *Central) runTimers(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		// A full disk is logged once by watchDisk, not every second here.
		if n, err := c.App.RunTimers(ctx); err != nil && !errors.Is(err, store.ErrNoSpace) {
			c.log.Warn().Err(err).Int("ran", n).Msg("timers not run yet")
		}
		if _, err := c.App.PublishLayers(ctx); err != nil && !errors.Is(err, store.ErrNoSpace) {
			c.log.Warn().Err(err).Msg("stock layers not published yet")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// mqttReady is the readiness check of the broker session.
func (c *Central) mqttReady() string {
	if !c.Subscribed() {
		return "not connected to the MQTT broker " + c.BrokerURL
	}
	return ""
}

// storeProbeWait is how long a readiness check waits for a store write.
const storeProbeWait = 2 * time.Second

// storeReady is the readiness check of the store: it commits a small
// write. One probe runs at a time, so a stuck store does not pile up
// goroutines.
func (c *Central) storeReady() string {
	if !c.probing.CompareAndSwap(false, true) {
		return "the store has not finished the previous readiness write"
	}
	done := make(chan error, 1)
	go func() {
		defer c.probing.Store(false)
		done <- c.Store.Probe(context.Background())
	}()
	select {
	case err := <-done:
		if err != nil {
			return "the store does not take writes: " + err.Error()
		}
		return ""
	case <-time.After(storeProbeWait):
		return "the store did not take a write within " + storeProbeWait.String()
	}
}

// Token is the API token (for the demo and tests in the same process).
func (c *Central) Token() string { return c.token }

// Close stops everything and closes the store.
func (c *Central) Close() {
	if c.cancel != nil {
		c.cancel()
	}
	if c.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = c.http.Shutdown(ctx)
		cancel()
	}
	c.wg.Wait()
	if c.Store == nil && c.disk != nil {
		c.disk.Close() // never opened as a store, which would close it
	}
	if c.broker != nil {
		_ = c.broker.Close()
	}
	if c.Store != nil {
		_ = c.Store.Close()
	}
}

// metricsHandler serves the storage's metrics, and everything else's
// once the store is open.
func (c *Central) metricsHandler() http.Handler {
	reg := metrics.New("dockhand_central_")
	reg.Flag("storage_ok", "1 when the store takes writes (0: the disk is full, or the store cannot be opened for lack of space).",
		func() bool { return c.disk.Status().State == storage.StateOK })
	reg.Gauge("storage_free_bytes", "Free space on the store's filesystem.", func() float64 { return float64(c.disk.Status().Free) })
	reg.Gauge("storage_needed_bytes", "Free space the store keeps for its database's own writes (or needs to open).",
		func() float64 { return float64(c.disk.Status().Needed) })
	if c.App == nil {
		return reg.Handler()
	}
	a, g, link := c.App, c.Ingest, c.link
	if c.broker != nil {
		reg.Counter("broker_refused_total", "Logins, publishes, subscriptions and deliveries the embedded broker refused.", c.broker.Refused)
	}
	reg.Counter("events_applied_total", "Gateway events applied to the ledger.", g.Metrics.Applied.Load)
	reg.Counter("events_duplicate_total", "Redelivered gateway events ignored.", g.Metrics.Duplicates.Load)
	reg.Counter("events_gap_total", "Events that arrived after a gap in a gateway's sequence.", g.Metrics.Gaps.Load)
	reg.Counter("events_shed_total", "Bulk-lane events a gateway shed before sending (raw RFID reads).", g.Metrics.Shed.Load)
	reg.Counter("events_malformed_total", "Events without a valid envelope.", g.Metrics.Malformed.Load)
	reg.Counter("events_set_aside_total", "Events that failed to apply repeatedly and were turned into event-failed alerts.", g.Metrics.SetAside.Load)
	reg.Counter("apply_failures_total", "Event batches whose transaction failed.", g.Metrics.Failures.Load)
	reg.Counter("alerts_total", "Operations alerts raised.", a.Metrics.Alerts.Load)
	reg.Counter("alerts_held_back_total", "Repeated alerts held back for the summary of their window.", a.Metrics.AlertsHeldBack.Load)
	reg.Counter("messages_refused_total", "Gateway messages refused: oversized, unknown or revoked gateway, bad or missing seal, unannounced stream.", g.Metrics.Refused.Load)
	reg.Counter("events_conflicting_total", "Events claiming a seq already applied with another event id (forgery or replay).", g.Metrics.Conflicts.Load)
	reg.Counter("commands_unsendable_total", "Queued commands dropped because their gateway had no active account.", link.Unsendable)
	reg.Flag("mqtt_connected", "1 when the broker session is up.", link.Connected)
	if st, ok := c.Store.(interface{ Stats() store.Stats }); ok {
		reg.Counter("store_updates_total", "Store transactions run (API commands, event batches, probes).", func() uint64 { return st.Stats().Updates })
		reg.Counter("store_commits_total", "Durable store commits (one fsync each); concurrent transactions share them (group commit).", func() uint64 { return st.Stats().Commits })
	}
	return reg.Handler()
}
