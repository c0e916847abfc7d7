package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/wire"

	"github.com/dockhand/dockhand/zpl"
)

const good = `
site: dc1
gateway: dock-01
mqtt:
  url: tcp://10.0.0.5:1883
  username: gw
  password: secret
stations:
  - id: dock-1
    role: inbound-dock
  - id: pack-1
    role: pack
devices:
  - id: scanner-1
    kind: scanner
    station: dock-1
    port: /dev/serial/by-id/usb-Zebra-if00
    baud: 115200
  - id: printer-1
    kind: printer
    station: dock-1
    address: 10.0.0.31:9100
  - id: light-1
    kind: light
    station: dock-1
    driver: gpio
    pins: {green: GPIO17, amber: GPIO27, red: GPIO22, buzzer: GPIO23}
`

func TestParseGoodConfigAppliesDefaults(t *testing.T) {
	cfg, err := Parse([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, "dc1", cfg.Site)
	assert.Equal(t, 115200, cfg.Devices[0].Baud)
	assert.Equal(t, "10.0.0.31:9100", cfg.Devices[1].Address)
	assert.Equal(t, "GPIO17", cfg.Devices[2].Pins.Green)
	assert.Equal(t, 203, cfg.Labels.DPI)
	assert.False(t, cfg.Labels.RawZPL, "raw ZPL is off by default")
	assert.Equal(t, ":8080", cfg.HTTP.Listen)
	assert.Zero(t, cfg.Link, "the link applies its own defaults")
	assert.Equal(t, "gw", cfg.MQTT.Username)
	noUser, err := Parse([]byte(strings.Replace(good, "  username: gw\n", "", 1)))
	require.NoError(t, err)
	assert.Equal(t, "dock-01", noUser.MQTT.Username, "the username defaults to the gateway id")
	assert.Empty(t, cfg.Warnings)
	assert.Equal(t, wire.RoleInboundDock, cfg.StationRole("dock-1"))
	d, ok := cfg.DeviceAt("dock-1", KindPrinter)
	require.True(t, ok)
	assert.Equal(t, "printer-1", d.ID)
}

// outbox.resend_after and outbox.window were link settings under the
// outbox key; old files still work, with a warning each.
func TestDeprecatedLinkKeysMoveToTheLinkSection(t *testing.T) {
	cfg, err := Parse([]byte(good + "outbox:\n  resend_after: 2s\n  window: 64\n"))
	require.NoError(t, err)
	assert.Equal(t, Link{ResendAfter: Duration(2 * time.Second), Window: 64}, cfg.Link)
	assert.Equal(t, []string{"outbox.resend_after is deprecated: move it to link.resend_after",
		"outbox.window is deprecated: move it to link.window"}, cfg.Warnings)
	cfg, err = Parse([]byte(good + "link:\n  resend_after: 3s\n  window: 32\n"))
	require.NoError(t, err)
	assert.Equal(t, Link{ResendAfter: Duration(3 * time.Second), Window: 32}, cfg.Link)
	assert.Empty(t, cfg.Warnings)
	_, err = Parse([]byte(good + "link:\n  resend_after: 10ms\n"))
	assert.ErrorContains(t, err, "link.resend_after: must be at least 100ms")
}

func TestParseRefusesBadInputNamingTheKey(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", good + "colour: blue\n", "colour: unknown key (line"},
		{"unknown device key", replace(good, "    baud: 115200", "    baud: 115200\n    speed: fast"), "devices[0].speed: unknown key"},
		{"baud not a number", replace(good, "baud: 115200", "baud: fast"), `devices[0].baud: must be a whole number, got "fast"`},
		{"baud not standard", replace(good, "baud: 115200", "baud: 12345"), "devices[0].baud: 12345 is not a standard baud rate"},
		{"missing site", replace(good, "site: dc1", ""), "site: is required"},
		{"site with wildcard", replace(good, "site: dc1", "site: dc/#"), `site: "dc/#" may use only`},
		{"bad role", replace(good, "role: pack", "role: packing"), `stations[1].role: "packing" is not one of`},
		{"device on unknown station", replace(good, "station: dock-1\n    address", "station: dock-9\n    address"), `devices[1].station: "dock-9" is not one of the stations`},
		{"bad kind", replace(good, "kind: scanner", "kind: camera"), `devices[0].kind: "camera" is not one of`},
		{"scanner without port", replace(good, "    port: /dev/serial/by-id/usb-Zebra-if00\n", ""), "devices[0].port: is required for a scanner"},
		{"printer address without port", replace(good, "10.0.0.31:9100", "10.0.0.31"), `devices[1].address: "10.0.0.31" is not host:port`},
		{"bad mqtt scheme", replace(good, "tcp://10.0.0.5:1883", "http://10.0.0.5"), `mqtt.url: scheme "http"`},
		{"duplicate device id", replace(good, "id: printer-1", "id: scanner-1"), `devices[1].id: "scanner-1" is used by another device`},
		{"stations not a list", replace(good, "stations:\n  - id: dock-1\n    role: inbound-dock\n  - id: pack-1\n    role: pack", "stations: dock-1"), "stations: must be a list"},
		{"gpio light without pins", replace(good, "    pins: {green: GPIO17, amber: GPIO27, red: GPIO22, buzzer: GPIO23}\n", ""), "devices[2].pins: a gpio light needs"},
		{"bad duration", good + "outbox:\n  resend_after: soon\n", "not a duration"},
		{"printer dpi not a resolution", replace(good, "address: 10.0.0.31:9100", "address: 10.0.0.31:9100\n    dpi: 250"), "devices[1].dpi: 250 is not a printer resolution (203, 300 or 600)"},
		{"printer dpi not a number", replace(good, "address: 10.0.0.31:9100", "address: 10.0.0.31:9100\n    dpi: high"), `devices[1].dpi: must be a whole number, got "high"`},
		{"printer profile unknown", replace(good, "address: 10.0.0.31:9100", "address: 10.0.0.31:9100\n    profile: a5"), `devices[1].profile: "a5" is not a printer profile (4x6, 4x8, 6.5x8`},
		{"dpi on a scanner", replace(good, "    baud: 115200", "    baud: 115200\n    dpi: 300"), "devices[0].dpi: is only for a device of kind printer"},
		{"profile on a light", replace(good, "driver: gpio", "driver: gpio\n    profile: 4x8"), "devices[2].profile: is only for a device of kind printer"},
		{"labels dpi", good + "labels: {dpi: 320}\n", "labels.dpi: 320 is not a printer resolution"},
		{"labels profile", good + "labels: {profile: 6x4}\n", `labels.profile: "6x4" is not a printer profile`},
		{"not yaml", "site: [", "not valid YAML"},
		{"empty", "", "empty"},
		{"bulk budget too small", good + "outbox:\n  bulk_max_bytes: 100\n", "outbox.bulk_max_bytes: 100 is less than 64 KiB"},
		{"bulk age too short", good + "outbox:\n  bulk_max_age: 10ms\n", "outbox.bulk_max_age: must be at least 1s"},
		{"raw_zpl not a switch", good + "labels:\n  raw_zpl: sometimes\n", `labels.raw_zpl: must be true or false, got "sometimes"`},
		{"second printer at a station", good + "  - {id: printer-2, kind: printer, station: dock-1, address: 10.0.0.32:9100}\n",
			`devices[3].station: station "dock-1" already has printer "printer-1"; a station has at most one printer`},
		{"second light at a station", good + "  - {id: light-2, kind: light, station: dock-1}\n",
			`devices[3].station: station "dock-1" already has light "light-1"; a station has at most one light`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A printer and a light at each of two stations is fine.
// Each printer renders its labels at its own resolution and for its own
// label stock; without them, the labels: defaults apply.
func TestPrinterLabelOptions(t *testing.T) {
	cfg, err := Parse([]byte(good + "labels: {dpi: 300}\n"))
	require.NoError(t, err)
	assert.Equal(t, zpl.Options{DPI: 300, Profile: DefaultProfile}, cfg.LabelOptions(cfg.Devices[1]), "the defaults")
	assert.Equal(t, zpl.Options{DPI: 300, Profile: "4x6"}, cfg.LabelOptions(Device{}))
	cfg, err = Parse([]byte(replace(good, "address: 10.0.0.31:9100", "address: 10.0.0.31:9100\n    dpi: 600\n    profile: 6.5x8")))
	require.NoError(t, err)
	assert.Equal(t, zpl.Options{DPI: 600, Profile: "6.5x8"}, cfg.LabelOptions(cfg.Devices[1]))
	assert.Equal(t, zpl.Options{DPI: 203, Profile: "4x6"}, cfg.LabelOptions(Device{}), "labels: defaults")
}

func TestParseOnePrinterAndLightPerStation(t *testing.T) {
	_, err := Parse([]byte(good + "  - {id: printer-2, kind: printer, station: pack-1, address: 10.0.0.32:9100}\n  - {id: light-2, kind: light, station: pack-1}\n"))
	require.NoError(t, err)
}

func TestParseReportsAllProblemsAtOnce(t *testing.T) {
	_, err := Parse([]byte(replace(replace(good, "site: dc1", "site: ''"), "baud: 115200", "baud: 7")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 problems")
	assert.Contains(t, err.Error(), "site: is required")
	assert.Contains(t, err.Error(), "devices[0].baud")
}

func TestLoadNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte(good+"bogus: 1\n"), 0o600))
	_, err := Load(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), p)
	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorContains(t, err, "read config")
}

func replace(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }

const portal = `
site: dc1
gateway: dock-01
stations:
  - id: door-1
    role: inbound-dock
devices:
  - id: rfid-1
    kind: rfid
    station: door-1
    address: 10.0.0.40
    antennas: {1: outside, 2: outside, 3: inside, 4: none}
    min_rssi: -65
    arrive_reads: 2
    dedup_window: 500ms
    depart_after: 4s
    gate_gpi: 1
    raw_rate: 50
  - id: rfid-2
    kind: rfid
    station: door-1
    port: /dev/serial/by-id/usb-FTDI-if00-port0
    region: eu
    read_power: 20
  - id: eye-1
    kind: input
    station: door-1
    pin: GPIO5
    debounce: 50ms
    gates: [rfid-1, rfid-2]
  - id: button-1
    kind: input
    station: door-1
    pin: GPIO6
    edge: falling
    active: high
    gates: rfid-2
`

func TestParseRFIDAndInputDevices(t *testing.T) {
	cfg, err := Parse([]byte(portal))
	require.NoError(t, err)
	llrp, mercury, eye, button := cfg.Devices[0], cfg.Devices[1], cfg.Devices[2], cfg.Devices[3]
	assert.Equal(t, ProtocolLLRP, llrp.RFID.Protocol, "address means LLRP")
	assert.Equal(t, map[int]string{1: SideOutside, 2: SideOutside, 3: SideInside, 4: SideNone}, llrp.RFID.Antennas)
	assert.InDelta(t, -65.0, llrp.RFID.MinRSSI, 0)
	assert.Equal(t, 2, llrp.RFID.ArriveReads)
	assert.Equal(t, 500*time.Millisecond, time.Duration(llrp.RFID.DedupWindow))
	assert.Equal(t, 4*time.Second, time.Duration(llrp.RFID.DepartAfter))
	assert.Equal(t, 1, llrp.RFID.GateGPI)
	assert.InDelta(t, 50.0, llrp.RFID.RawRate, 0)

	assert.Equal(t, ProtocolMercury, mercury.RFID.Protocol, "port means Mercury")
	assert.Equal(t, 115200, mercury.Baud, "Mercury modules default to 115200 baud")
	assert.Equal(t, "eu", mercury.RFID.Region)
	assert.Equal(t, 1, mercury.RFID.ArriveReads)
	assert.Equal(t, time.Second, time.Duration(mercury.RFID.DedupWindow))
	assert.Equal(t, 3*time.Second, time.Duration(mercury.RFID.DepartAfter))
	assert.Equal(t, 2*time.Second, time.Duration(*mercury.RFID.GateHold))
	assert.Zero(t, mercury.RFID.RawRate, "raw reads are off by default")

	assert.Equal(t, Names{"rfid-1", "rfid-2"}, eye.Input.Gates)
	assert.Equal(t, "both", eye.Input.Edge)
	assert.Equal(t, "up", eye.Input.Pull)
	assert.Equal(t, ActiveLow, eye.Input.Active)
	assert.Equal(t, 50*time.Millisecond, time.Duration(eye.Input.Debounce))
	assert.False(t, eye.Input.Pulse())
	assert.Equal(t, Names{"rfid-2"}, button.Input.Gates, "a single name is a list of one")
	assert.Equal(t, 20*time.Millisecond, time.Duration(button.Input.Debounce))
	assert.True(t, button.Input.Pulse())
	assert.Equal(t, []string{"eye-1", "button-1"}, cfg.GatedBy("rfid-2"))
	assert.Equal(t, []string{"eye-1"}, cfg.GatedBy("rfid-1"))
}

func TestParseRefusesBadRFIDAndInputKeys(t *testing.T) {
	cases := []struct {
		name, old, repl, want string
	}{
		{"unknown protocol", "    address: 10.0.0.40\n", "    address: 10.0.0.40\n    protocol: bluetooth\n", `devices[0].protocol: "bluetooth" is not llrp or mercury`},
		{"llrp on a serial port", "    region: eu\n", "    region: eu\n    protocol: llrp\n", "devices[1].address: is required for protocol llrp"},
		{"mercury on TCP", "    address: 10.0.0.40\n", "    address: 10.0.0.40\n    protocol: mercury\n", "devices[0].port: is required for protocol mercury"},
		{"both address and port", "    address: 10.0.0.40\n", "    address: 10.0.0.40\n    port: /dev/ttyUSB0\n", "devices[0].address: give either address"},
		{"bad llrp address", "address: 10.0.0.40", "address: tcp://10.0.0.40", `devices[0].address: "tcp://10.0.0.40" is not a host`},
		{"missing region", "    region: eu\n", "", "devices[1].region: is required for protocol mercury"},
		{"unknown region", "region: eu", "region: mars", `devices[1].region: "mars" is not one of au, eu`},
		{"region on llrp", "    gate_gpi: 1\n", "    gate_gpi: 1\n    region: eu\n", "devices[0].region: is only for protocol mercury"},
		{"read power on llrp", "    gate_gpi: 1\n", "    gate_gpi: 1\n    read_power: 20\n", "devices[0].read_power: is only for protocol mercury"},
		{"read power too high", "read_power: 20", "read_power: 33", "devices[1].read_power: 33 dBm is outside 0..31.5"},
		{"read power not a number", "read_power: 20", "read_power: loud", `devices[1].read_power: must be a number, got "loud"`},
		{"gate gpi on mercury", "    read_power: 20\n", "    read_power: 20\n    gate_gpi: 1\n", "devices[1].gate_gpi: is only for protocol llrp"},
		{"bad side", "3: inside", "3: truck", `devices[0].antennas.3: "truck" is not one of outside, inside, none`},
		{"antenna not a number", "4: none", "four: none", `devices[0].antennas.four: must be a whole number, got "four"`},
		{"antenna 0", "4: none", "0: none", "devices[0].antennas.0: antenna 0 is outside 1..65535"},
		{"mercury antenna too high", "    read_power: 20\n", "    read_power: 20\n    antennas: {16: inside}\n", "devices[1].antennas.16: antenna 16 is outside 1..15"},
		{"antennas not a mapping", "antennas: {1: outside, 2: outside, 3: inside, 4: none}", "antennas: [1, 2]", "devices[0].antennas: must be a mapping of keys"},
		{"positive rssi", "min_rssi: -65", "min_rssi: 10", "devices[0].min_rssi: 10 is not a threshold in dBm"},
		{"arrive reads", "arrive_reads: 2", "arrive_reads: 101", "devices[0].arrive_reads: 101 is outside 1..100"},
		{"dedup window", "dedup_window: 500ms", "dedup_window: 2h", "devices[0].dedup_window: 2h0m0s is outside 0s..1h0m0s"},
		{"dedup window not a duration", "dedup_window: 500ms", "dedup_window: often", "devices[0].dedup_window: not a duration"},
		{"depart after too short", "depart_after: 4s", "depart_after: 10ms", "devices[0].depart_after: 10ms is outside 100ms..10m0s"},
		{"gate hold", "    gate_gpi: 1\n", "    gate_gpi: 1\n    gate_hold: 2m\n", "devices[0].gate_hold: 2m0s is outside 0s..1m0s"},
		{"raw rate", "raw_rate: 50", "raw_rate: 5000", "devices[0].raw_rate: 5000 is outside 0..1000"},
		{"serial framing on a reader", "    region: eu\n", "    region: eu\n    parity: even\n", "devices[1].parity: is not used by RFID readers"},
		{"rfid key on a scanner", "    raw_rate: 50\n", "    raw_rate: 50\n  - {id: scanner-1, kind: scanner, station: door-1, port: /dev/ttyUSB0, min_rssi: -60}\n", "devices[1].min_rssi: is only for a device of kind rfid"},
		{"input key on a reader", "    raw_rate: 50\n", "    raw_rate: 50\n    debounce: 10ms\n", "devices[0].debounce: is only for a device of kind input"},
		{"input without pin", "    pin: GPIO5\n", "", "devices[2].pin: is required for an input"},
		{"bad edge", "    edge: falling\n", "    edge: down\n", `devices[3].edge: "down" is not rising, falling or both`},
		{"bad pull", "    pin: GPIO5\n", "    pin: GPIO5\n    pull: sideways\n", `devices[2].pull: "sideways" is not up, down or float`},
		{"bad debounce", "debounce: 50ms", "debounce: 5s", "devices[2].debounce: 5s is outside 1ms..2s"},
		{"bad active", "active: high", "active: yes", `devices[3].active: "yes" is not low or high`},
		{"input gating nothing", "    gates: rfid-2\n", "", "devices[3].gates: is required"},
		{"gates an unknown device", "gates: rfid-2", "gates: rfid-9", `devices[3].gates: "rfid-9" is not one of the devices`},
		{"gates an input", "gates: rfid-2", "gates: eye-1", `devices[3].gates: "eye-1" is a input, not an rfid reader`},
		{"gates a reader twice", "gates: [rfid-1, rfid-2]", "gates: [rfid-1, rfid-1]", `devices[2].gates: "rfid-1" is named twice`},
		{"button with no gate hold", "    region: eu\n", "    region: eu\n    gate_hold: 0s\n", `devices[3].gates: "rfid-2" has gate_hold 0s`},
		{"gates a mapping", "gates: rfid-2", "gates: {a: b}", "devices[3].gates: must be a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, portal, c.old, "test case must change the config")
			_, err := Parse([]byte(replace(portal, c.old, c.repl)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestProblemsSplitsKeysFromReasons(t *testing.T) {
	_, err := Parse([]byte(replace(good, "baud: 115200", "baud: 12345") + "http:\n  admin_password_hash: secret\n  cert_file: /nonexistent.pem\n"))
	require.Error(t, err)
	ps := Problems(err)
	assert.Contains(t, ps, Problem{Key: "devices[0].baud", Reason: "12345 is not a standard baud rate"})
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	assert.True(t, keys["http.admin_password_hash"], "a password in clear text is refused: %v", ps)
	assert.True(t, keys["http.cert_file"], "%v", ps)
	assert.Nil(t, Problems(os.ErrNotExist))
	_, err = Parse([]byte(good + "http:\n  admin_password_hash: $2b$10$abcdefghijklmnopqrstuu5cT0pZ6Xv0nNq2z7Qx9bJm6yQK0Yy7e\n"))
	assert.NoError(t, err)
}
