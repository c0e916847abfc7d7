package serialline_test

import (
	"bytes"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/scanner/serialline"
)

// TestOpenOnPseudoTerminal checks that a port without modem control (a pty
// answers "inappropriate ioctl for device") still opens and is logged.
func TestOpenOnPseudoTerminal(t *testing.T) {
	dev, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	defer dev.Close()
	var logs bytes.Buffer
	port, err := serialline.Open(serialline.Settings{Port: dev.Path(), Baud: 115200, Parity: "even", StopBits: "2", DataBits: 7},
		zerolog.New(&logs).Level(zerolog.DebugLevel))
	require.NoError(t, err)
	defer port.Close()

	assert.ErrorContains(t, port.SetDTR(true), "inappropriate ioctl", "the case this test is about")
	assert.Contains(t, logs.String(), "DTR not supported")
}

func TestOpenMissingPortNamesIt(t *testing.T) {
	_, err := serialline.Open(serialline.Settings{Port: "/nonexistent/ttyX"}, zerolog.Nop())
	require.ErrorContains(t, err, "open /nonexistent/ttyX")
}
