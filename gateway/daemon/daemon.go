// Package daemon assembles gatewayd: the Badger outbox, the MQTT link, the
// devices of the configuration, the handling of central's commands and the
// technician page. cmd/gatewayd and the demo both start a gateway through
// it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/gateway/web"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// Options are the parts of a gateway that do not come from its
// configuration file. The zero value works.
type Options struct {
	// ConfigPath is the file the technician page saves device changes
	// to; "" leaves the page read-only.
	ConfigPath string
	// Version is announced in the birth message and shown on the page
	// (default "dev").
	Version string
	// Logs, if set, is the ring the page reads recent log lines from; the
	// caller writes the logger into it.
	Logs *logging.Ring
	// SerialDirs are where the page looks for serial ports (default
	// /dev/serial/by-id).
	SerialDirs []string
	// PrinterPoll is how often an idle printer is asked for ~HS
	// (default 10 s).
	PrinterPoll time.Duration
}

func (o Options) withDefaults() Options {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.SerialDirs == nil {
		o.SerialDirs = []string{"/dev/serial/by-id"}
	}
	if o.PrinterPoll <= 0 {
		o.PrinterPoll = 10 * time.Second
	}
	return o
}

// Gateway is a running gateway.
type Gateway struct {
	opt  Options
	cfg  atomic.Pointer[config.Config] // stations and devices change with Apply
	log  zerolog.Logger
	disk *storage.Disk
	db   *badger.DB
	// opened is set once the database is open and the outbox, link and
	// devices run (a gateway short of disk space waits for it at start).
	opened  atomic.Bool
	outbox  *outbox.Outbox
	link    *link.Link
	labels  *zpl.Registry
	metrics *metrics
	board   *health.Board
	live    live.Hub
	started time.Time
	dataDir string
	web     *web.Server
	// HTTPAddr is the address the page and /metrics are served on ("" when off).
	HTTPAddr string

	// lights is read on every scan, so it is swapped whole, never locked.
	lights atomic.Pointer[map[string]stationLight] // by station
	// devMu is held while devices change, and by a print command between
	// finding its printer and queueing the job there.
	devMu    sync.Mutex
	printers map[string]*printQueue // by station
	units    map[string]*unit       // by device id; rfidGroup for the readers and inputs
	lightDev map[string]gpio.Light  // by device id

	fullMu       sync.Mutex
	fullReported time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start opens the data directory and starts every part of the gateway.
// When the disk is too full to open the database, Start still returns a
// gateway: it shows the fault on every light, on the page and in its
// metrics, and starts the rest once there is room (see awaitDisk).
func Start(cfg *config.Config, dataDir string, log zerolog.Logger) (*Gateway, error) {
	return StartWith(cfg, dataDir, log, Options{})
}

// StartWith is Start with options.
func StartWith(cfg *config.Config, dataDir string, log zerolog.Logger, opt Options) (*Gateway, error) {
	if dataDir == "" {
		return nil, errors.New("--data: a data directory is required")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	log = log.With().Str("gateway", cfg.Gateway).Logger()
	for _, w := range cfg.Warnings {
		log.Warn().Msg("config: " + w)
	}
	g := &Gateway{opt: opt.withDefaults(), log: log, printers: map[string]*printQueue{}, units: map[string]*unit{},
		lightDev: map[string]gpio.Light{}, started: time.Now(), dataDir: dataDir}
	g.cfg.Store(cfg)
	g.lights.Store(&map[string]stationLight{})
	g.board = health.NewBoard(g.onDeviceChange)
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
	g.disk = storage.NewDisk(filepath.Join(dataDir, "gateway"), storage.Gateway, outboxOptions(cfg, nil).Data(), log)
	g.metrics = newMetrics(g)
	db, err := g.disk.Open()
	switch {
	case errors.Is(err, storage.ErrNoSpace):
		// The lights and the page come first, to show the fault while
		// the gateway waits for space; the other devices start with the
		// database.
		var lights, others []config.Device
		for _, d := range cfg.Devices {
			if d.Kind == config.KindLight {
				lights = append(lights, d)
			} else {
				others = append(others, d)
			}
		}
		g.devMu.Lock()
		lightErr := g.startDevices(cfg, lights, false)
		g.devMu.Unlock()
		if lightErr != nil {
			return nil, lightErr
		}
		if err := g.startHTTP(); err != nil {
			return nil, err
		}
		g.wg.Add(1)
		go g.awaitDisk(err, others)
	case err != nil:
		return nil, err
	default:
		if err := g.startStored(db, cfg.Devices); err != nil {
			return nil, err
		}
		if err := g.startHTTP(); err != nil {
			return nil, err
		}
	}
	ok = true
	return g, nil
}

// startStored starts everything that needs the open database: the
// outbox, the link, the devices other than lights and the handling of
// commands.
func (g *Gateway) startStored(db *badger.DB, devs []config.Device) error {
	cfg, log := g.config(), g.log
	g.db = db
	var err error
	if g.outbox, err = outbox.Open(g.db, outboxOptions(cfg, g.disk), log); err != nil {
		return err
	}
	g.link, err = link.New(link.Options{
		MQTT: mqttx.Config{URL: cfg.MQTT.URL, Username: cfg.MQTT.Username, Password: cfg.MQTT.Password,
			CAFile: cfg.MQTT.CAFile, CertFile: cfg.MQTT.CertFile, KeyFile: cfg.MQTT.KeyFile},
		Site: cfg.Site, Gateway: cfg.Gateway, Stations: linkStations(cfg), Version: g.opt.Version,
		ResendAfter: time.Duration(cfg.Link.ResendAfter), Window: cfg.Link.Window,
	}, g.outbox, log)
	if err != nil {
		return err
	}
	g.opened.Store(true)
	g.devMu.Lock()
	err = g.startDevices(cfg, devs, true)
	g.devMu.Unlock()
	if err != nil {
		return err
	}
	g.wg.Add(3)
	go func() { defer g.wg.Done(); _ = g.link.Run(g.ctx) }()
	go func() { defer g.wg.Done(); g.commandLoop() }()
	go func() { defer g.wg.Done(); g.watchDisk() }()
	log.Info().Str("site", cfg.Site).Str("mqtt", cfg.MQTT.URL).Str("version", g.opt.Version).Int("devices", len(cfg.Devices)).Msg("gateway started")
	return nil
}

// outboxOptions are the outbox's bounds from the configuration.
func outboxOptions(cfg *config.Config, disk outbox.Disk) outbox.Options {
	return outbox.Options{MaxBytes: cfg.Outbox.MaxBytes, BulkMaxBytes: cfg.Outbox.BulkMaxBytes,
		BulkMaxAge: time.Duration(cfg.Outbox.BulkMaxAge), Disk: disk}
}

func (g *Gateway) startHTTP() error {
	cfg := g.config()
	if cfg.HTTP.Listen == "off" {
		return nil
	}
	hashFile := filepath.Join(g.dataDir, "admin-password.hash")
	if g.opt.ConfigPath != "" {
		hashFile = filepath.Join(filepath.Dir(g.opt.ConfigPath), "admin-password.hash")
	}
	var err error
	g.web, err = web.Start(web.Options{Listen: cfg.HTTP.Listen, CertFile: cfg.HTTP.CertFile, KeyFile: cfg.HTTP.KeyFile,
		PasswordHash: cfg.HTTP.AdminPasswordHash, PasswordFile: hashFile, SetupCodeFile: filepath.Join(g.dataDir, "setup-code"),
		ConfigPath: g.opt.ConfigPath,
		SerialDirs: g.opt.SerialDirs, Metrics: g.metrics.handler}, backend{g}, g.log.With().Str("component", "web").Logger())
	if err != nil {
		return err
	}
	g.HTTPAddr = g.web.Addr()
	return nil
}

// Outbox exposes the outbox (for tests and the demo's story).
func (g *Gateway) Outbox() *outbox.Outbox { return g.outbox }

// Connected reports whether the MQTT session is up.
func (g *Gateway) Connected() bool { return g.opened.Load() && g.link.Connected() }

// Devices returns every configured device's health.
func (g *Gateway) Devices() []health.Device { return g.board.Snapshot() }

// config is the configuration in force.
func (g *Gateway) config() *config.Config { return g.cfg.Load() }

// Close stops the gateway: the page, the devices, then the link (which
// announces "offline"), then the database.
func (g *Gateway) Close() {
	if g.web != nil {
		g.web.Close()
	}
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
	for _, l := range g.lightDev {
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
	env.Gateway, env.Device = g.config().Gateway, device
	if !g.opened.Load() {
		// Only the lights run while the gateway waits for the space to
		// open its database; their state is reported once it is open.
		g.metrics.refused.Add(1)
		g.log.Warn().Str("device", device).Str("type", string(env.Type)).Msg("event not stored: the database is not open yet (waiting for disk space)")
		return false
	}
	if _, err := appendFn(g.ctx, ev); err != nil {
		g.metrics.refused.Add(1)
		g.log.Error().Err(err).Str("device", device).Str("type", string(env.Type)).Msg("event refused: not stored")
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

// stationLight is a station's light and its health.
type stationLight struct {
	gpio.Light
	health *health.Handle
}

// light returns a station's light, if it has one.
func (g *Gateway) light(station string) (stationLight, bool) {
	l, ok := (*g.lights.Load())[station]
	return l, ok
}

// show switches a station's light, when it has one.
func (g *Gateway) show(station string, p gpio.Pattern) {
	if l, ok := g.light(station); ok {
		if err := l.Show(p); err != nil {
			l.health.Failed(err)
			g.log.Warn().Err(err).Str("station", station).Msg("light")
		}
	}
}

func newEnvelope(typ wire.MessageType) wire.Envelope { return wire.NewEnvelope(typ) }
