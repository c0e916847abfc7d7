package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/drivers/scanner"
	"github.com/dockhand/dockhand/internal/testenv"
)

func TestHelpAndUnknown(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run([]string{"help"}, nil, &out, &errOut))
	assert.Contains(t, out.String(), "devsim run")
	assert.Equal(t, 2, run([]string{"frobnicate"}, nil, &out, &errOut))
	assert.Contains(t, errOut.String(), `unknown command "frobnicate"`)
	assert.Equal(t, 2, run(nil, nil, &out, &errOut))
}

// TestRunTypedLinesBecomeScans drives `devsim run` like a human: typed lines
// arrive at a scanner driver on the pty, "!" commands reach the printer.
func TestRunTypedLinesBecomeScans(t *testing.T) {
	dir := t.TempDir()
	stdin, typing := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	var stdout, stderr testenv.Buffer
	go func() {
		exited <- runDevices(ctx, []string{"--scanner", "--printer-listen", "127.0.0.1:0", "--dir", dir}, stdin, &stdout, &stderr)
	}()

	s, err := scanner.New(scanner.Config{
		Port:         filepath.Join(dir, "usb-Dockhand_Virtual_Scanner_0001-if00"),
		ReconnectMin: time.Millisecond, ReconnectMax: 10 * time.Millisecond,
	}, zerolog.Nop())
	require.NoError(t, err)
	events := make(chan scanner.Event, 16)
	runCtx, stopScanner := context.WithCancel(context.Background())
	scannerDone := make(chan error, 1)
	go func() { scannerDone <- s.Run(runCtx, func(e scanner.Event) { events <- e }) }()
	for e := range events {
		if e.Kind == scanner.Connected {
			break
		}
	}

	_, err = io.WriteString(typing, "]C1010950123456789217\n!!BANG\n")
	require.NoError(t, err)
	for _, want := range []string{"]C1010950123456789217", "!BANG"} {
		e := <-events
		require.Equal(t, scanner.Read, e.Kind, "%+v", e)
		assert.Equal(t, want, string(e.Data))
	}
	stopScanner()
	require.NoError(t, <-scannerDone)

	assert.Contains(t, stdout.String(), "scanner  "+dir)
	m := regexp.MustCompile(`printer  (127\.0\.0\.1:\d+)`).FindStringSubmatch(stdout.String())
	require.Len(t, m, 2, stdout.String())
	p := printer.NewTCP(m[1], printer.Options{})
	_, err = io.WriteString(typing, "!paperout on\n!bogus\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		h, err := p.Status(context.Background())
		return err == nil && h.PaperOut
	}, 10*time.Second, 10*time.Millisecond, "!paperout on reaches the printer")
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "unknown command !bogus") },
		10*time.Second, 10*time.Millisecond)

	cancel()
	assert.Equal(t, 0, <-exited)
}
