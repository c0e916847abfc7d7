package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/gateway/web"
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
	out := captureStderr(t, func() { code = run([]string{"--config", p, "--data", t.TempDir()}, strings.NewReader(""), io.Discard) })
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "devices[0].colour: unknown key")
	assert.True(t, strings.Contains(out, p), "the message names the file")
}

func TestCheckAcceptsAGoodConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte("site: dc1\ngateway: gw-1\nmqtt: {password: s3cret}\nstations: [{id: dock-1, role: inbound-dock}]\n"), 0o600))
	assert.Equal(t, 0, run([]string{"--config", p, "--check"}, nil, io.Discard))
	assert.Equal(t, 2, run([]string{"--config", filepath.Join(t.TempDir(), "missing.yaml"), "--check"}, nil, io.Discard))
}

func TestVersionAndPasswordHash(t *testing.T) {
	var out strings.Builder
	require.Equal(t, 0, run([]string{"--version"}, nil, &out))
	assert.True(t, strings.HasPrefix(out.String(), "gatewayd "), out.String())
	version = "v9.8.7"
	defer func() { version = "" }()
	out.Reset()
	require.Equal(t, 0, run([]string{"--version"}, nil, &out))
	assert.Contains(t, out.String(), "gatewayd v9.8.7 (")

	out.Reset()
	require.Equal(t, 0, run([]string{"--hash-password"}, strings.NewReader("correct horse battery\n"), &out))
	hash := strings.TrimSpace(out.String())
	assert.True(t, web.CheckPassword(hash, "correct horse battery"))
	assert.False(t, web.CheckPassword(hash, "correct horse"))
	assert.Equal(t, 2, run([]string{"--hash-password"}, strings.NewReader("short\n"), io.Discard), "too short")
}

// A gateway without the secret central issued does not start, and --check
// says so; DOCKHAND_MQTT_PASSWORD gives it.
func TestGatewayWithoutCredentialsDoesNotStart(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gw.yaml")
	require.NoError(t, os.WriteFile(p, []byte("site: dc1\ngateway: gw-1\nstations: [{id: dock-1, role: inbound-dock}]\nhttp: {listen: \"off\"}\n"), 0o600))
	t.Setenv("DOCKHAND_MQTT_PASSWORD", "")
	var code int
	out := captureStderr(t, func() { code = run([]string{"--config", p, "--check"}, nil, io.Discard) })
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "no MQTT password")
	out = captureStderr(t, func() { code = run([]string{"--config", p, "--data", t.TempDir()}, nil, io.Discard) })
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "no MQTT password")
	t.Setenv("DOCKHAND_MQTT_PASSWORD", "s3cret")
	assert.Equal(t, 0, run([]string{"--config", p, "--check"}, nil, io.Discard))
}
