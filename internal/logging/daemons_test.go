package logging

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/gateway/config"
	gatewayd "github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/internal/testenv"
)

// syncBuffer is a log sink for loggers used from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The real daemons, wired as cmd/centrald and cmd/gatewayd wire them (one
// logger from New, passed down to every part that adds its component),
// write no line with a repeated key and exactly one component per line.
func TestDaemonLogLinesHaveOneComponent(t *testing.T) {
	var clog, glog syncBuffer
	cl, err := New(&clog, "debug", "centrald")
	require.NoError(t, err)
	gl, err := New(&glog, "debug", "gatewayd")
	require.NoError(t, err)
	port := testenv.FreePort(t)
	c, err := centrald.Start(centrald.Options{Site: "t1", DataDir: filepath.Join(t.TempDir(), "c"),
		BrokerListen: fmt.Sprintf("127.0.0.1:%d", port), HTTPAddr: "127.0.0.1:0", APIToken: "t"}, cl)
	require.NoError(t, err)
	cfg, err := config.Parse(fmt.Appendf(nil, "site: t1\ngateway: gw-1\nmqtt: {url: \"tcp://127.0.0.1:%d\"}\nhttp: {listen: \"off\"}\n"+
		"stations: [{id: dock-1, role: inbound-dock}]\ndevices: [{id: light-1, kind: light, station: dock-1}]\n", port))
	require.NoError(t, err)
	g, err := gatewayd.Start(cfg, t.TempDir(), gl)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Contains(glog.String(), `"mqtt connected"`) && strings.Contains(clog.String(), `"gateway state"`)
	}, 60*time.Second, 20*time.Millisecond, "the gateway reaches central")
	g.Close()
	c.Close()

	gw := checkLines(t, glog.String())
	central := checkLines(t, clog.String())
	for _, part := range []string{"gatewayd", "link"} {
		assert.Positive(t, gw[part], "gateway lines of %s: %v", part, gw)
	}
	for _, part := range []string{"centrald", "mqtt"} {
		assert.Positive(t, central[part], "central lines of %s: %v", part, central)
	}
}
