package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// captureStderr runs f and returns what it wrote to stderr.
func captureStderr(t *testing.T, f func()) string {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = old
	require.NoError(t, w.Close())
	b, _ := io.ReadAll(r)
	return string(b)
}

func TestBadConfigIsRefusedAtStartNamingTheKey(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte(`site: dc1
gateway: gw-1
stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: s1, kind: scanner, station: dock-1, port: /dev/ttyUSB0, baud: 12345, colour: red}
`), 0o600))
	var code int
	out := captureStderr(t, func() { code = run([]string{"--config", p, "--data", t.TempDir()}) })
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "devices[0].colour: unknown key")
	assert.True(t, strings.Contains(out, p), "the message names the file")
}

func TestCheckAcceptsAGoodConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte("site: dc1\ngateway: gw-1\nmqtt: {password: s3cret}\nstations: [{id: dock-1, role: inbound-dock}]\n"), 0o600))
	assert.Equal(t, 0, run([]string{"--config", p, "--check"}))
	assert.Equal(t, 2, run([]string{"--config", filepath.Join(t.TempDir(), "missing.yaml"), "--check"}))
}

// A gateway without the secret central issued does not start, and --check
// says so; DOCKHAND_MQTT_PASSWORD gives it.
func TestGatewayWithoutCredentialsDoesNotStart(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte("site: dc1\ngateway: gw-1\nstations: [{id: dock-1, role: inbound-dock}]\nhttp: {listen: \"off\"}\n"), 0o600))
	t.Setenv("DOCKHAND_MQTT_PASSWORD", "")
	var code int
	out := captureStderr(t, func() { code = run([]string{"--config", p, "--check"}) })
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "no MQTT password")
	out = captureStderr(t, func() { code = run([]string{"--config", p, "--data", t.TempDir()}) })
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "no MQTT password")
	t.Setenv("DOCKHAND_MQTT_PASSWORD", "s3cret")
	assert.Equal(t, 0, run([]string{"--config", p, "--check"}))
}
