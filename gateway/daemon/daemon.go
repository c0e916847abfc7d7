// Package daemon assembles gatewayd: the Badger outbox, the MQTT link, the
// devices of the configuration, and the handling of central's commands.
// cmd/gatewayd and the demo both start a gateway through it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// Version is reported in the gateway's birth message.
var Version = "dev"

// Gateway is a running gateway.
type Gateway struct {
	cfg  *config.Config
	log  zerolog.Logger
	disk *storage.Disk
	db   *badger.DB
	// opened is set once the database is open and the outbox, link and
	// devices run (a gateway short of disk space waits for it at start).
	opened   atomic.Bool
	outbox   *outbox.Outbox
	link     *link.Link
	labels   *zpl.Registry
	lights   map[string]gpio.Light // by station
	printers map[string]*printQueue
	metrics  *metrics
	HTTPAddr string

	fullMu       sync.Mutex
	fullReported time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	http   *http.Server
}

// Start opens the data directory and starts every part of the gateway.
// When the disk is too full to open the database, Start still returns a
// gateway: it shows the fault on every light and in its metrics, and
// starts the rest once there is room (see awaitDisk).
func Start(cfg *config.Config, dataDir string, log zerolog.Logger) (*Gateway, error) {
	if dataDir == "" {
		return nil, errors.New("--data: a data directory is required")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	log = log.With().Str("gateway", cfg.Gateway).Logger()
	g := &Gateway{cfg: cfg, log: log, lights: map[string]gpio.Light{}, printers: map[string]*printQueue{}}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	ok := false
	defer func() {
		if !ok {
			g.Close()
		}
	}()
	var err error
	if g.labels, err = zpl.NewRegistry(cfg.Labels.Templates); err != nil {
		return nil, fmt.Errorf("labels.templates: %w", err)
	}
	// Lights and /metrics come first: a gateway whose disk is too full to
	// open the database shows it on every light and in its metrics while
	// it waits for space.
	if err := g.openLights(); err != nil {
		return nil, err
	}
	g.disk = storage.NewDisk(filepath.Join(dataDir, "gateway"), storage.Gateway, g.outboxOptions().Data(), log)
	g.metrics = newMetrics(g)
	if err := g.startHTTP(); err != nil {
		return nil, err
	}
	db, err := g.disk.Open()
	switch {
	case errors.Is(err, storage.ErrNoSpace):
		g.wg.Add(1)
		go g.awaitDisk(err)
	case err != nil:
		return nil, err
	default:
		if err := g.startStored(db); err != nil {
			return nil, err
		}
	}
	ok = true
	return g, nil
}

// startStored starts everything that needs the open database: the
// outbox, the link, the devices and the handling of commands.
func (g *Gateway) startStored(db *badger.DB) error {
	cfg, log := g.cfg, g.log
	g.db = db
	var err error
	if g.outbox, err = outbox.Open(g.db, g.outboxOptions(), log); err != nil {
		return err
	}
	var stations []string
	for _, s := range cfg.Stations {
		stations = append(stations, s.ID)
	}
	g.link, err = link.New(link.Options{
		MQTT: mqttx.Config{URL: cfg.MQTT.URL, Username: cfg.MQTT.Username, Password: cfg.MQTT.Password,
			CAFile: cfg.MQTT.CAFile, CertFile: cfg.MQTT.CertFile, KeyFile: cfg.MQTT.KeyFile},
		Site: cfg.Site, Gateway: cfg.Gateway, Stations: stations, Version: Version,
		ResendAfter: time.Duration(cfg.Outbox.ResendAfter), Window: cfg.Outbox.Window,
	}, g.outbox, log)
	if err != nil {
		return err
	}
	if err := g.startDevices(); err != nil {
		return err
	}
	g.wg.Add(3)
	go func() { defer g.wg.Done(); _ = g.link.Run(g.ctx) }()
	go func() { defer g.wg.Done(); g.commandLoop() }()
	go func() { defer g.wg.Done(); g.watchDisk() }()
	g.opened.Store(true)
	log.Info().Str("site", cfg.Site).Str("mqtt", cfg.MQTT.URL).Int("devices", len(cfg.Devices)).Msg("gateway started")
	return nil
}

func (g *Gateway) outboxOptions() outbox.Options {
	return outbox.Options{MaxBytes: g.cfg.Outbox.MaxBytes, BulkMaxBytes: g.cfg.Outbox.BulkMaxBytes,
		BulkMaxAge: time.Duration(g.cfg.Outbox.BulkMaxAge), Disk: g.disk}
}

func (g *Gateway) startHTTP() error {
	if g.cfg.HTTP.Listen == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", g.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", g.cfg.HTTP.Listen, err)
	}
	g.HTTPAddr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", g.metrics.handler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"status\":\"ok\",\"mqtt_connected\":%t,\"storage\":%q}\n",
			g.opened.Load() && g.link.Connected(), g.Storage().State)
	})
	g.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := g.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.log.Error().Err(err).Msg("http server")
		}
	}()
	return nil
}

// Outbox exposes the outbox (for tests and the demo's story).
func (g *Gateway) Outbox() *outbox.Outbox { return g.outbox }

// Connected reports whether the MQTT session is up.
func (g *Gateway) Connected() bool { return g.link.Connected() }

// Close stops the gateway: devices first, then the link (which announces
// "offline"), then the database.
func (g *Gateway) Close() {
	if g.cancel != nil {
		g.cancel()
	}
	if g.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = g.http.Shutdown(ctx)
		cancel()
	}
	g.wg.Wait()
	for _, l := range g.lights {
		_ = l.Close()
	}
	if g.outbox != nil {
		g.outbox.Close()
	}
	if g.db != nil {
		if err := g.db.Close(); err != nil {
			g.log.Error().Err(err).Msg("close database")
		}
		g.disk.Close()
	}
}

// emit stores an event in the outbox; it reports whether the event is
// durable.
func (g *Gateway) emit(ev outbox.Event, device string) bool {
	return g.store(ev, device, g.outbox.Append)
}

// store stamps an event with this gateway and device and stores it with
// appendFn (the outbox's Append or one of its variants).
func (g *Gateway) store(ev outbox.Event, device string, appendFn func(context.Context, outbox.Event) (uint64, error)) bool {
	env := ev.Env()
	env.Gateway, env.Device = g.cfg.Gateway, device
	if _, err := appendFn(g.ctx, ev); err != nil {
		g.metrics.refused.Add(1)
		g.log.Error().Err(err).Str("device", device).Str("type", env.Type).Msg("event refused: not stored")
		if errors.Is(err, outbox.ErrFull) && env.Type != wire.EvtDevice {
			g.reportFull(device, err)
		}
		return false
	}
	return true
}

// reportFull tells central (through the outbox's reserve) that the gateway
// is refusing events, at most once a minute so the reserve is not used up
// by the reports themselves.
func (g *Gateway) reportFull(device string, err error) {
	g.fullMu.Lock()
	due := time.Since(g.fullReported) > time.Minute
	if due {
		g.fullReported = time.Now()
	}
	g.fullMu.Unlock()
	if !due {
		return
	}
	g.emit(&wire.Device{Envelope: newEnvelope(wire.EvtDevice), Kind: "outbox", State: "refused", Error: err.Error()}, device)
}

// show switches a station's light, when it has one.
func (g *Gateway) show(station string, p gpio.Pattern) {
	if l, ok := g.lights[station]; ok {
		if err := l.Show(p); err != nil {
			g.log.Warn().Err(err).Str("station", station).Msg("light")
		}
	}
}

func newEnvelope(typ string) wire.Envelope { return wire.NewEnvelope(typ) }
