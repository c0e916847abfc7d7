// Package config reads and validates a gateway's YAML configuration. Every
// key is checked: an unknown key or a bad value stops the gateway at start
// with the key's path and the reason, because a typo found on the dock at
// 6 a.m. costs far more than one found when the technician saves the file.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/internal/yamlx"
	"github.com/dockhand/dockhand/zpl"
)

// Roles lists every valid station role: what a scan at the station means
// to central, as the MQTT contract defines them.
var Roles = wire.Roles

// Device kinds.
const (
	KindScanner = "scanner"
	KindRFID    = "rfid"
	KindPrinter = "printer"
	KindLight   = "light"
	KindInput   = "input"
)

// Kinds lists every valid device kind.
var Kinds = []string{KindScanner, KindRFID, KindPrinter, KindLight, KindInput}

// RFID reader protocols.
const (
	ProtocolLLRP    = "llrp"
	ProtocolMercury = "mercury"
)

// Door sides of an RFID antenna (key of Device.Antennas): the truck side,
// the warehouse side, or none (counts for presence, not for direction).
const (
	SideOutside = "outside"
	SideInside  = "inside"
	SideNone    = "none"
)

// Config is a gateway's whole configuration (contract: the key names are
// relied on by technicians' files).
type Config struct {
	Site     string    `yaml:"site"`
	Gateway  string    `yaml:"gateway"`
	MQTT     MQTT      `yaml:"mqtt"`
	Stations []Station `yaml:"stations"`
	Devices  []Device  `yaml:"devices"`
	Labels   Labels    `yaml:"labels"`
	HTTP     HTTP      `yaml:"http"`
	Outbox   Outbox    `yaml:"outbox"`
	Link     Link      `yaml:"link"`
	Log      Log       `yaml:"log"`
	// Warnings are problems that do not stop the gateway (deprecated
	// keys); the daemon logs them and --check prints them.
	Warnings []string `yaml:"-"`
}

// MQTT is the link to the site broker. Username defaults to the gateway
// id; Password is the secret central issued to this gateway (centrald
// gateway add), required to start, also given as DOCKHAND_MQTT_PASSWORD.
type MQTT struct {
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Station is a place where work happens (a dock door, a pack bench).
type Station struct {
	ID   string    `yaml:"id"`
	Role wire.Role `yaml:"role"`
}

// Device is one scanner, RFID reader, printer or light.
type Device struct {
	ID      string `yaml:"id"`
	Kind    string `yaml:"kind"`
	Station string `yaml:"station"`
	// Serial devices.
	Port     string `yaml:"port"`
	Baud     int    `yaml:"baud"`
	DataBits int    `yaml:"data_bits"`
	Parity   string `yaml:"parity"`
	StopBits string `yaml:"stop_bits"`
	Suffix   string `yaml:"suffix"`
	Prefix   string `yaml:"prefix"`
	// FNC1 is the character a scanner sends for GS1's FNC1 when it cannot
	// send GS (0x1D) itself.
	FNC1 string `yaml:"fnc1"`
	// TCP devices (printers, LLRP readers).
	Address string `yaml:"address"`
	// Printers: the print head's resolution and the label stock loaded
	// (a zpl printer profile); 0 / "" take labels.dpi / labels.profile.
	DPI     int    `yaml:"dpi"`
	Profile string `yaml:"profile"`
	// Lights: "log" (default; for hosts without GPIO) or "gpio".
	Driver string         `yaml:"driver"`
	Pins   gpio.LightPins `yaml:"pins"`
	RFID   RFID           `yaml:",inline"`
	Input  Input          `yaml:",inline"`
}

// RFID holds the keys of a device of kind rfid (a reader at a dock door).
type RFID struct {
	// Protocol is llrp (fixed reader on TCP, needs address) or mercury
	// (serial module, needs port and region); default from which is given.
	Protocol string `yaml:"protocol"`
	// Region is the Mercury module's RF region (na, eu, ...); required.
	Region string `yaml:"region"`
	// ReadPower is the Mercury module's read power in dBm; 0 keeps its own.
	ReadPower float64 `yaml:"read_power"`
	// Antennas maps each antenna port to use to its door side (outside,
	// inside, none); empty: every antenna (LLRP) or antenna 1 (Mercury),
	// no direction.
	Antennas map[int]string `yaml:"antennas"`
	// MinRSSI in dBm: weaker reads are dropped; 0 = no threshold.
	MinRSSI float64 `yaml:"min_rssi"`
	// ArriveReads is how many reads make a tag present (default 1).
	ArriveReads int `yaml:"arrive_reads"`
	// DedupWindow: a tag appears in the raw lane at most once per window.
	DedupWindow Duration `yaml:"dedup_window"`
	// DepartAfter: a tag not read this long has left (default 3s); when
	// every tag has left, the pass is reported to central.
	DepartAfter Duration `yaml:"depart_after"`
	// GateHold: reads still count this long after the photo-eye cleared
	// (default 2s; a pointer so that an explicit 0s stays 0).
	GateHold *Duration `yaml:"gate_hold"`
	// GateGPI is the LLRP reader's own input port wired to a photo-eye
	// (0 = none); high = beam broken.
	GateGPI int `yaml:"gate_gpi"`
	// RawRate caps raw read events per second (bulk lane); 0 = no raw reads.
	RawRate float64 `yaml:"raw_rate"`
}

// Input holds the keys of a device of kind input: a photo-eye or push
// button on a Raspberry Pi GPIO pin that gates RFID readers.
type Input struct {
	Pin      string   `yaml:"pin"`      // periph.io name, e.g. GPIO5
	Edge     string   `yaml:"edge"`     // rising | falling | both (default both)
	Pull     string   `yaml:"pull"`     // up | down | float (default up)
	Debounce Duration `yaml:"debounce"` // default 20ms
	// Active is the level that means "beam broken / pressed": low (the
	// default, for pull-up wiring) or high.
	Active string `yaml:"active"`
	// Gates names the rfid devices whose reads count only while this input
	// is active.
	Gates Names `yaml:"gates"`
}

// Names is a list of ids written either as one name or as a YAML list.
type Names = yamlx.OneOrMany

// HTTP is the gateway's local web server (technician page, /metrics).
type HTTP struct {
	// Listen is the address, e.g. ":8080"; "off" disables the server.
	Listen string `yaml:"listen"`
	// AdminPasswordHash is the technician's password as a bcrypt or
	// argon2id hash; empty: the page asks for one on first use and keeps
	// it in a file next to the configuration.
	AdminPasswordHash string `yaml:"admin_password_hash"`
	// CertFile and KeyFile turn on HTTPS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Labels configures label printing.
type Labels struct {
	// Templates is a directory of user label templates added to the built-in ones.
	Templates string `yaml:"templates"`
	// DPI and Profile are the printers' resolution and label stock unless
	// a printer gives its own (defaults 203 and 4x6).
	DPI     int    `yaml:"dpi"`
	Profile string `yaml:"profile"`
	// RawZPL lets central's print commands carry ZPL of their own; off by
	// default (templates only). Even then printer commands are refused
	// (zpl.CheckRaw, docs/labels.md).
	RawZPL bool `yaml:"raw_zpl"`
}

// DefaultProfile is the printer profile when neither the printer nor
// labels: names one: 4 x 6 in labels, the stock of most setup files.
const DefaultProfile = "4x6"

// Outbox bounds the durable event buffer.
type Outbox struct {
	// ResendAfter and Window are deprecated here: they are link settings
	// (Link); still read, with a warning.
	ResendAfter Duration `yaml:"resend_after"`
	Window      int      `yaml:"window"`
	// MaxBytes is the disk budget for unacknowledged events; when it is
	// used up new scans are refused (red light), never dropped.
	MaxBytes int64 `yaml:"max_bytes"`
	// BulkMaxBytes and BulkMaxAge bound the sheddable lane of raw RFID
	// reads: beyond them its oldest events are dropped (and counted).
	BulkMaxBytes int64    `yaml:"bulk_max_bytes"`
	BulkMaxAge   Duration `yaml:"bulk_max_age"`
}

// Link configures how the gateway publishes its outbox to central. Zero
// values take the link's defaults (link.DefaultResendAfter, 5s, and
// link.DefaultWindow, 256).
type Link struct {
	// ResendAfter is how long an unacknowledged event waits before it is
	// published again.
	ResendAfter Duration `yaml:"resend_after"`
	// Window is how many events may be in flight before central acknowledges.
	Window int `yaml:"window"`
}

// Log configures logging.
type Log struct {
	Level string `yaml:"level"`
}

// Duration is a time.Duration written as "5s", "2m".
type Duration time.Duration

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("not a duration like 5s or 2m: %q", n.Value)
	}
	*d = Duration(v)
	return nil
}

// Load reads, checks and defaults the configuration file at path.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse checks raw YAML against the schema, decodes it, applies defaults and
// validates every value. All problems are reported together.
func Parse(raw []byte) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty")
	} else if err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	var probs problems
	checkShape(doc.Content[0], &Config{}, "", &probs)
	if len(probs) > 0 {
		return nil, probs
	}
	cfg := &Config{}
	if err := doc.Content[0].Decode(cfg); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (c *Config) applyDefaults() {
	if c.MQTT.URL == "" {
		c.MQTT.URL = "tcp://127.0.0.1:1883"
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = ":8080"
	}
	if c.Labels.DPI == 0 {
		c.Labels.DPI = 203
	}
	if c.Labels.Profile == "" {
		c.Labels.Profile = DefaultProfile
	}
	if c.MQTT.Username == "" {
		c.MQTT.Username = c.Gateway
	}
	c.moveDeprecatedLinkKeys()
	if c.Outbox.MaxBytes == 0 {
		c.Outbox.MaxBytes = 256 << 20
	}
	if c.Outbox.BulkMaxBytes == 0 {
		c.Outbox.BulkMaxBytes = c.Outbox.MaxBytes / 8
	}
	if c.Outbox.BulkMaxAge == 0 {
		c.Outbox.BulkMaxAge = Duration(10 * time.Minute)
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	for i := range c.Devices {
		d := &c.Devices[i]
		if d.Kind == KindScanner && d.Baud == 0 {
			d.Baud = 9600
		}
		if d.Kind == KindLight && d.Driver == "" {
			d.Driver = "log"
		}
		if d.Kind == KindRFID {
			d.RFID.applyDefaults(d.Address != "")
			if d.Port != "" && d.Baud == 0 {
				d.Baud = 115200 // Mercury modules' factory rate
			}
		}
		if d.Kind == KindInput {
			d.Input.applyDefaults()
		}
	}
}

// Validate checks every value and names the key of each problem.
func (c *Config) Validate() error {
	var p problems
	name := func(key, v string) {
		switch {
		case v == "":
			p.add(key, "is required")
		case !wire.ValidName(v):
			p.add(key, fmt.Sprintf("%q may use only letters, digits, '-', '_' and '.' (at most 64)", v))
		}
	}
	name("site", c.Site)
	name("gateway", c.Gateway)
	c.MQTT.validate(&p)
	if c.HTTP.Listen != "off" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			p.add("http.listen", fmt.Sprintf("%q is not an address like :8080 (or off)", c.HTTP.Listen))
		}
		c.HTTP.validate(&p)
	}
	validateLabels("labels", c.Labels.DPI, c.Labels.Profile, &p)
	if r := time.Duration(c.Link.ResendAfter); r != 0 && r < 100*time.Millisecond {
		p.add("link.resend_after", "must be at least 100ms")
	}
	if c.Outbox.MaxBytes < 1<<20 {
		p.add("outbox.max_bytes", fmt.Sprintf("%d is less than 1 MiB", c.Outbox.MaxBytes))
	}
	if c.Outbox.BulkMaxBytes < 64<<10 {
		p.add("outbox.bulk_max_bytes", fmt.Sprintf("%d is less than 64 KiB", c.Outbox.BulkMaxBytes))
	}
	if time.Duration(c.Outbox.BulkMaxAge) < time.Second {
		p.add("outbox.bulk_max_age", "must be at least 1s")
	}
	if c.Link.Window < 0 || c.Link.Window > 10000 {
		p.add("link.window", fmt.Sprintf("%d is outside 1..10000", c.Link.Window))
	}
	if !slices.Contains([]string{"trace", "debug", "info", "warn", "error"}, c.Log.Level) {
		p.add("log.level", fmt.Sprintf("%q is not one of trace, debug, info, warn, error", c.Log.Level))
	}
	if len(c.Stations) == 0 {
		p.add("stations", "at least one station is required")
	}
	stations := map[string]bool{}
	for i, s := range c.Stations {
		key := fmt.Sprintf("stations[%d]", i)
		name(key+".id", s.ID)
		if stations[s.ID] {
			p.add(key+".id", fmt.Sprintf("%q is used by another station", s.ID))
		}
		stations[s.ID] = true
		if !slices.Contains(Roles, s.Role) {
			p.add(key+".role", fmt.Sprintf("%q is not one of %s", s.Role, joinRoles()))
		}
	}
	devices := map[string]Device{} // first device of each id, for references
	for _, d := range c.Devices {
		if _, dup := devices[d.ID]; !dup {
			devices[d.ID] = d
		}
	}
	seen := map[string]bool{}
	// Print and light commands address a station, so each station drives
	// one printer and one light; a second one would silently take over.
	oneOf := map[[2]string]string{} // station, kind → device id
	for i, d := range c.Devices {
		key := fmt.Sprintf("devices[%d]", i)
		name(key+".id", d.ID)
		if seen[d.ID] {
			p.add(key+".id", fmt.Sprintf("%q is used by another device", d.ID))
		}
		seen[d.ID] = true
		if !stations[d.Station] {
			p.add(key+".station", fmt.Sprintf("%q is not one of the stations", d.Station))
		}
		if d.Kind == KindPrinter || d.Kind == KindLight {
			if other, dup := oneOf[[2]string{d.Station, d.Kind}]; dup {
				p.add(key+".station", fmt.Sprintf("station %q already has %s %q; a station has at most one %s (print and light commands address the station): put %q at its own station",
					d.Station, d.Kind, other, d.Kind, d.ID))
			} else {
				oneOf[[2]string{d.Station, d.Kind}] = d.ID
			}
		}
		d.validate(key, &p)
		if d.Kind == KindInput {
			d.Input.validateGates(key, devices, &p)
		}
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

// moveDeprecatedLinkKeys takes outbox.resend_after and outbox.window,
// where older configurations have them, into the link section.
func (c *Config) moveDeprecatedLinkKeys() {
	if c.Outbox.ResendAfter != 0 {
		if c.Link.ResendAfter == 0 {
			c.Link.ResendAfter = c.Outbox.ResendAfter
		}
		c.Warnings = append(c.Warnings, "outbox.resend_after is deprecated: move it to link.resend_after")
	}
	if c.Outbox.Window != 0 {
		if c.Link.Window == 0 {
			c.Link.Window = c.Outbox.Window
		}
		c.Warnings = append(c.Warnings, "outbox.window is deprecated: move it to link.window")
	}
	c.Outbox.ResendAfter, c.Outbox.Window = 0, 0
}

func (m MQTT) validate(p *problems) {
	u, err := url.Parse(m.URL)
	if err != nil || u.Host == "" {
		p.add("mqtt.url", fmt.Sprintf("%q is not a broker URL like tcp://10.0.0.5:1883", m.URL))
		return
	}
	if !slices.Contains([]string{"tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss"}, u.Scheme) {
		p.add("mqtt.url", fmt.Sprintf("scheme %q is not tcp, ssl, ws or wss", u.Scheme))
	}
	if m.Password != "" && m.Username == "" {
		p.add("mqtt.username", "is required when mqtt.password is set")
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		p.add("mqtt.cert_file", "cert_file and key_file go together")
	}
	for key, f := range map[string]string{"mqtt.ca_file": m.CAFile, "mqtt.cert_file": m.CertFile, "mqtt.key_file": m.KeyFile} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			p.add(key, fmt.Sprintf("cannot read %s: %v", f, err))
		}
	}
}

var bauds = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

func (d Device) validate(key string, p *problems) {
	if !slices.Contains(Kinds, d.Kind) {
		p.add(key+".kind", fmt.Sprintf("%q is not one of %s", d.Kind, strings.Join(Kinds, ", ")))
		return
	}
	serial := func(required bool) {
		if d.Port == "" {
			if required {
				p.add(key+".port", "is required for a "+d.Kind+" (e.g. /dev/ttyUSB0 or /dev/serial/by-id/...)")
			}
			return
		}
		if !strings.HasPrefix(d.Port, "/") {
			p.add(key+".port", fmt.Sprintf("%q must be an absolute device path", d.Port))
		}
		if !slices.Contains(bauds, d.Baud) {
			p.add(key+".baud", fmt.Sprintf("%d is not a standard baud rate", d.Baud))
		}
		if d.DataBits != 0 && (d.DataBits < 5 || d.DataBits > 8) {
			p.add(key+".data_bits", fmt.Sprintf("%d is outside 5..8", d.DataBits))
		}
		if d.Parity != "" && !slices.Contains([]string{"none", "odd", "even"}, d.Parity) {
			p.add(key+".parity", fmt.Sprintf("%q is not none, odd or even", d.Parity))
		}
		if d.StopBits != "" && !slices.Contains([]string{"1", "1.5", "2"}, d.StopBits) {
			p.add(key+".stop_bits", fmt.Sprintf("%q is not 1, 1.5 or 2", d.StopBits))
		}
	}
	tcp := func(required bool, defaultPort string) {
		if d.Address == "" {
			if required {
				p.add(key+".address", "is required for a "+d.Kind+" (host:port, e.g. 10.0.0.31:"+defaultPort+")")
			}
			return
		}
		if _, port, err := net.SplitHostPort(d.Address); err != nil || port == "" {
			p.add(key+".address", fmt.Sprintf("%q is not host:port (e.g. 10.0.0.31:%s)", d.Address, defaultPort))
		}
	}
	switch d.Kind {
	case KindScanner:
		serial(true)
		if len(d.FNC1) > 1 {
			p.add(key+".fnc1", "must be a single character")
		}
	case KindPrinter:
		// 0 and "" take the labels: defaults, checked there.
		validateLabels(key, d.DPI, d.Profile, p)
		if (d.Port == "") == (d.Address == "") {
			p.add(key+".address", "give either address (TCP) or port (serial), not both or neither")
			return
		}
		serial(false)
		tcp(false, "9100")
	case KindRFID:
		if (d.Port == "") == (d.Address == "") {
			p.add(key+".address", "give either address (LLRP reader on TCP) or port (Mercury module on serial), not both or neither")
			return
		}
		serial(false)
		d.RFID.validate(key, d.Address, d.Port, p)
	case KindLight:
		switch d.Driver {
		case "log":
		case "gpio":
			if d.Pins.Green == "" && d.Pins.Amber == "" && d.Pins.Red == "" {
				p.add(key+".pins", "a gpio light needs at least one of green, amber, red")
			}
		default:
			p.add(key+".driver", fmt.Sprintf("%q is not log or gpio", d.Driver))
		}
	case KindInput:
		d.Input.validate(key, p)
	}
	d.refuseForeignKeys(key, p)
}

// validateLabels checks a printer resolution and profile (under key: the
// labels: defaults or a printer); 0 and "" are not checked.
func validateLabels(key string, dpi int, profile string, p *problems) {
	if dpi != 0 && dpi != 203 && dpi != 300 && dpi != 600 {
		p.add(key+".dpi", fmt.Sprintf("%d is not a printer resolution (203, 300 or 600)", dpi))
	}
	if _, ok := zpl.LookupProfile(profile); profile != "" && !ok {
		p.add(key+".profile", fmt.Sprintf("%q is not a printer profile (%s: the labels loaded, see firmware-config/printers)", profile, strings.Join(zpl.ProfileNames(), ", ")))
	}
}

// LabelOptions are the resolution and profile labels for printer d are
// rendered with: its own, else the labels: defaults (for a zero Device:
// the defaults).
func (c *Config) LabelOptions(d Device) zpl.Options {
	opt := zpl.Options{DPI: d.DPI, Profile: d.Profile}
	if opt.DPI == 0 {
		opt.DPI = c.Labels.DPI
	}
	if opt.Profile == "" {
		opt.Profile = c.Labels.Profile
	}
	return opt
}

// validate checks the web server's keys.
func (h HTTP) validate(p *problems) {
	if hash := h.AdminPasswordHash; hash != "" && !strings.HasPrefix(hash, "$2a$") && !strings.HasPrefix(hash, "$2b$") &&
		!strings.HasPrefix(hash, "$2y$") && !strings.HasPrefix(hash, "$argon2id$") {
		p.add("http.admin_password_hash", "is not a bcrypt ($2b$...) or argon2id ($argon2id$...) hash (make one with gatewayd --hash-password)")
	}
	if (h.CertFile == "") != (h.KeyFile == "") {
		p.add("http.cert_file", "cert_file and key_file go together")
	}
	for key, f := range map[string]string{"http.cert_file": h.CertFile, "http.key_file": h.KeyFile} {
		if _, err := os.Stat(f); f != "" && err != nil {
			p.add(key, fmt.Sprintf("cannot read %s: %v", f, err))
		}
	}
}

// Problem is one configuration problem: the key's path and the reason.
type Problem struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// Problems splits an error of Parse or Validate into its problems; nil
// when err is of another kind.
func Problems(err error) []Problem {
	var ps problems
	if !errors.As(err, &ps) {
		return nil
	}
	out := make([]Problem, len(ps))
	for i, s := range ps {
		k, r, _ := strings.Cut(s, ": ")
		out[i] = Problem{Key: k, Reason: r}
	}
	return out
}

// problems collects every configuration problem so one run shows them all.
type problems []string

func (p *problems) add(key, reason string) { *p = append(*p, key+": "+reason) }

func (p problems) Error() string {
	if len(p) == 1 {
		return p[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(p), strings.Join(p, "\n  "))
}

// joinRoles lists the roles for a message.
func joinRoles() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// StationRole returns the role of a station ("" when unknown).
func (c *Config) StationRole(id string) wire.Role {
	for _, s := range c.Stations {
		if s.ID == id {
			return s.Role
		}
	}
	return ""
}

// DeviceAt returns the first device of a kind at a station (the only
// printer or light: validation allows one of each per station).
func (c *Config) DeviceAt(station, kind string) (Device, bool) {
	for _, d := range c.Devices {
		if d.Station == station && d.Kind == kind {
			return d, true
		}
	}
	return Device{}, false
}
