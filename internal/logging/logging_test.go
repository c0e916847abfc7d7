package logging_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/gateway/config"
	gatewayd "github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/testenv"
)

// topKeys returns the fields of a JSON object line and fails on a key that
// appears twice: what a strict JSON log shipper refuses.
func topKeys(line []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %q", line)
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("key %q appears twice in %s", key, line)
		}
		fields[key] = v
	}
	return fields, nil
}

// checkLines asserts that every line of out is a JSON object without a
// repeated key and with a component, and returns how many lines each
// component wrote.
func checkLines(t *testing.T, out string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields, err := topKeys([]byte(line))
		require.NoError(t, err)
		var c string
		require.NoError(t, json.Unmarshal(fields["component"], &c), "a component on %s", line)
		seen[c]++
	}
	return seen
}

func TestDuplicateKeyIsCaught(t *testing.T) {
	_, err := topKeys([]byte(`{"component":"gatewayd","level":"info","component":"link"}`))
	assert.ErrorContains(t, err, `key "component" appears twice`)
}

// Sub-loggers' lines keep their own component, the most specific one; the
// daemon's lines keep the daemon's.
func TestEveryLineHasOneComponent(t *testing.T) {
	var buf bytes.Buffer
	log, err := logging.New(&buf, "debug", "gatewayd")
	require.NoError(t, err)
	log.Info().Msg("root")
	link := log.With().Str("component", "link").Logger()
	link.Warn().Str("broker", "tcp://x").Msg("sub")
	dev := link.With().Str("device", "scanner-1").Str("component", "driver").Logger()
	dev.Debug().Msg("sub of sub")
	printer := log.With().Str("device", "printer-1").Logger()
	printer.Info().Msg("device")
	log.Log().Msg("no level")
	quoted := log.With().Str("component", `li"nk,"component":"x`).Logger()
	quoted.Info().Str("note", `"component":"y"`).Msg("quotes inside values")
	assert.Equal(t, map[string]int{"gatewayd": 3, "link": 1, "driver": 1, `li"nk,"component":"x`: 1}, checkLines(t, buf.String()))
	assert.Contains(t, buf.String(), `"broker":"tcp://x"`, "other fields stay")
}

// The real daemons, wired as cmd/centrald and cmd/gatewayd wire them (one
// logger from New, gatewayd's also into its ring for the page, passed
// down to every part that adds its component), write no line with a
// repeated key, to the output or to the ring.
func TestDaemonLogLinesHaveOneComponent(t *testing.T) {
	var clog, glog testenv.Buffer
	cl, err := logging.New(&clog, "debug", "centrald")
	require.NoError(t, err)
	var ringCopy testenv.Buffer // what the ring is given, line by line
	ring := logging.NewRing(100000)
	gl, err := logging.New(&glog, "debug", "gatewayd", ring, &ringCopy)
	require.NoError(t, err)
	port := testenv.FreePort(t)
	cdir := filepath.Join(t.TempDir(), "c")
	secret, err := identity.Add(cdir, "gw-1", identity.RoleGateway)
	require.NoError(t, err)
	c, err := centrald.Start(centrald.Options{Site: "t1", DataDir: cdir,
		BrokerListen: fmt.Sprintf("127.0.0.1:%d", port), HTTPAddr: "127.0.0.1:0", APIToken: "t"}, cl)
	require.NoError(t, err)
	cfg, err := config.Parse(fmt.Appendf(nil, "site: t1\ngateway: gw-1\nmqtt: {url: \"tcp://127.0.0.1:%d\", password: %q}\nhttp: {listen: \"off\"}\n"+
		"stations: [{id: dock-1, role: inbound-dock}]\ndevices: [{id: light-1, kind: light, station: dock-1}]\n", port, secret))
	require.NoError(t, err)
	g, err := gatewayd.Start(cfg, t.TempDir(), gl)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Contains(glog.String(), `"mqtt connected"`) && strings.Contains(clog.String(), `"gateway state"`)
	}, 60*time.Second, 20*time.Millisecond, "the gateway reaches central")
	g.Close()
	c.Close()

	gw := checkLines(t, glog.String())
	assert.Equal(t, gw, checkLines(t, ringCopy.String()), "the ring's writers get the same lines")
	byComponent := map[string]int{}
	for _, l := range ring.Lines(logging.Filter{MinLevel: zerolog.NoLevel}) {
		byComponent[l.Fields["component"]]++
	}
	assert.Equal(t, gw, byComponent, "the page shows each line with its own component")
	central := checkLines(t, clog.String())
	for _, part := range []string{"gatewayd", "link", "outbox", "badger"} {
		assert.Positive(t, gw[part], "gateway lines of %s: %v", part, gw)
	}
	for _, part := range []string{"centrald", "mqtt"} {
		assert.Positive(t, central[part], "central lines of %s: %v", part, central)
	}
}
