package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, ":8080", cfg.HTTP.Listen)
	assert.Equal(t, 5*time.Second, time.Duration(cfg.Outbox.ResendAfter))
	assert.Equal(t, "inbound-dock", cfg.StationRole("dock-1"))
	d, ok := cfg.DeviceAt("dock-1", KindPrinter)
	require.True(t, ok)
	assert.Equal(t, "printer-1", d.ID)
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
		{"not yaml", "site: [", "not valid YAML"},
		{"empty", "", "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
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
