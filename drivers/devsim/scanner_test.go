package devsim_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.bug.st/serial"

	"github.com/dockhand/dockhand/drivers/devsim"
)

func TestScannerStablePathAcrossReplug(t *testing.T) {
	dir := t.TempDir()
	s, err := devsim.NewScanner(devsim.ScannerOptions{Dir: dir, Name: "usb-Test-if00"})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, dir+"/usb-Test-if00", s.Path())
	first := s.TTY()
	assert.NotEmpty(t, first)

	require.NoError(t, s.Unplug())
	_, err = os.Lstat(s.Path())
	assert.True(t, os.IsNotExist(err), "the by-id link disappears on unplug, as with udev")
	assert.Empty(t, s.TTY())
	assert.ErrorIs(t, s.Scan("x"), devsim.ErrUnplugged)
	assert.ErrorIs(t, s.Unplug(), devsim.ErrUnplugged)

	require.NoError(t, s.Replug())
	target, err := os.Readlink(s.Path())
	require.NoError(t, err)
	assert.Equal(t, s.TTY(), target)
	assert.Error(t, s.Replug(), "already plugged in")
}

func TestScannerBytesOnTheWire(t *testing.T) {
	s, err := devsim.NewScanner(devsim.ScannerOptions{Prefix: []byte{0x02}, Suffix: []byte("\r\n")})
	require.NoError(t, err)
	defer s.Close()
	port, err := serial.Open(s.Path(), &serial.Mode{BaudRate: 9600})
	require.NoError(t, err)
	defer port.Close()
	require.NoError(t, port.SetReadTimeout(100*time.Millisecond))

	require.NoError(t, s.Scan("ABC"))
	assert.Equal(t, "\x02ABC\r\n", readN(t, port, 6))
	require.NoError(t, s.Garbage(50))
	g := readN(t, port, 50)
	assert.NotContains(t, g, "\r")
	assert.NotContains(t, g, "\n")
}

func TestScannerCloseRemovesTempDir(t *testing.T) {
	s, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err))
	assert.Error(t, s.Replug(), "closed")
}

func readN(t *testing.T, port serial.Port, n int) string {
	t.Helper()
	buf := make([]byte, 0, n)
	deadline := time.Now().Add(10 * time.Second)
	for len(buf) < n && time.Now().Before(deadline) {
		tmp := make([]byte, n-len(buf))
		k, err := port.Read(tmp)
		require.NoError(t, err)
		buf = append(buf, tmp[:k]...)
	}
	return string(buf)
}
