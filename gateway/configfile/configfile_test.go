package configfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/gateway/config"
)

const file = `# dock 1 gateway
site: dc1
gateway: gw-1
stations: [{id: dock-1, role: inbound-dock}]
devices:
  # the Zebra at the door
  - id: scanner-1
    kind: scanner
    station: dock-1
    port: /dev/ttyUSB0
    suffix: "\r"
  - {id: rfid-1, kind: rfid, station: dock-1, address: 10.0.0.40, antennas: {1: outside, 2: inside}}
log:
  level: info # keep it quiet
`

func TestDevicesReadAsWritten(t *testing.T) {
	d, err := Parse([]byte(file))
	require.NoError(t, err)
	devs := d.Items(Devices)
	require.Len(t, devs, 2)
	assert.Equal(t, "\r", devs[0]["suffix"])
	assert.Equal(t, "{1: outside, 2: inside}", devs[1]["antennas"])
	assert.Equal(t, 1, d.Index(Devices, "rfid-1"))
	assert.Equal(t, -1, d.Index(Devices, "nope"))
}

// A device written from form fields is checked by the same parser as the
// file; its comments and every other line stay.
func TestPutDeviceKeepsTheRestOfTheFile(t *testing.T) {
	d, err := Parse([]byte(file))
	require.NoError(t, err)
	_, err = d.Put(Devices, 0, Fields{"id": "scanner-1", "kind": "scanner", "station": "dock-1",
		"port": "/dev/serial/by-id/usb-x", "baud": "19200", "suffix": "\r\n", "prefix": ""})
	require.NoError(t, err)
	i, err := d.Put(Devices, -1, Fields{"id": "printer-1", "kind": "printer", "station": "dock-1", "address": "10.0.0.31:9100"})
	require.NoError(t, err)
	assert.Equal(t, 2, i)
	_, err = d.Put(Devices, 1, Fields{"id": "rfid-1", "kind": "rfid", "station": "dock-1", "address": "10.0.0.40", "antennas": "{1: outside, 3: inside}"})
	require.NoError(t, err)
	raw, err := d.Bytes()
	require.NoError(t, err)
	s := string(raw)
	assert.Contains(t, s, "# dock 1 gateway")
	assert.Contains(t, s, "# the Zebra at the door")
	assert.Contains(t, s, "# keep it quiet")
	cfg, err := config.Parse(raw)
	require.NoError(t, err, s)
	assert.Equal(t, 19200, cfg.Devices[0].Baud)
	assert.Equal(t, "\r\n", cfg.Devices[0].Suffix)
	assert.Equal(t, "inside", cfg.Devices[1].RFID.Antennas[3])
	assert.Equal(t, "10.0.0.31:9100", cfg.Devices[2].Address)

	d.Remove(Devices, 1)
	raw, err = d.Bytes()
	require.NoError(t, err)
	cfg, err = config.Parse(raw)
	require.NoError(t, err)
	assert.Len(t, cfg.Devices, 2)
}

// Stations are edited like devices, also where the file writes them as a
// flow list on one line: the result is still valid YAML that the config
// check reads, and the rest of the file stays.
func TestStationsAreEditedInPlace(t *testing.T) {
	d, err := Parse([]byte(file))
	require.NoError(t, err)
	assert.Equal(t, []Fields{{"id": "dock-1", "role": "inbound-dock"}}, d.Items(Stations))
	i, err := d.Put(Stations, -1, Fields{"id": "pack-1", "role": "pack"})
	require.NoError(t, err)
	assert.Equal(t, 1, i)
	_, err = d.Put(Stations, d.Index(Stations, "dock-1"), Fields{"id": "dock-1", "role": "putaway"})
	require.NoError(t, err)
	raw, err := d.Bytes()
	require.NoError(t, err)
	cfg, err := config.Parse(raw)
	require.NoError(t, err, string(raw))
	assert.Equal(t, []config.Station{{ID: "dock-1", Role: "putaway"}, {ID: "pack-1", Role: "pack"}}, cfg.Stations)
	assert.Contains(t, string(raw), "# the Zebra at the door")
	assert.Len(t, cfg.Devices, 2, "the devices are untouched")

	d.Remove(Stations, 1)
	raw, err = d.Bytes()
	require.NoError(t, err)
	cfg, err = config.Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, []config.Station{{ID: "dock-1", Role: "putaway"}}, cfg.Stations)
}

// Bad values reach the config check with their key, so the page can put
// the reason next to the field.
func TestBadValuesAreNamedByTheConfigCheck(t *testing.T) {
	d, err := Parse([]byte(file))
	require.NoError(t, err)
	_, err = d.Put(Devices, 0, Fields{"id": "scanner-1", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0", "baud": "fast"})
	require.NoError(t, err)
	raw, err := d.Bytes()
	require.NoError(t, err)
	_, err = config.Parse(raw)
	ps := config.Problems(err)
	require.Len(t, ps, 1, "%v", err)
	assert.Equal(t, "devices[0].baud", ps[0].Key)
	assert.Contains(t, ps[0].Reason, `must be a whole number, got "fast"`)

	_, err = d.Put(Devices, 1, Fields{"id": "rfid-1", "antennas": "{1: outside"})
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "antennas", fe.Key)

	_, err = Parse([]byte("- a\n- b\n"))
	assert.Error(t, err)
}

func TestSaveIsAtomicAndKeepsABackup(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "gateway.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old\n"), 0o600))
	require.NoError(t, Save(p, []byte("new\n")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(b))
	b, err = os.ReadFile(p + BackupSuffix)
	require.NoError(t, err)
	assert.Equal(t, "old\n", string(b))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the file keeps its permissions")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind")

	require.NoError(t, os.Chmod(dir, 0o500))
	defer os.Chmod(dir, 0o700)
	if os.Geteuid() != 0 { // root writes anyway
		assert.Error(t, Save(p, []byte("newer\n")))
		b, _ = os.ReadFile(p)
		assert.Equal(t, "new\n", string(b), "a failed save leaves the file as it was")
	}
}
