package scanner_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/scanner"
)

const eventTimeout = 10 * time.Second

// harness runs a scanner driver against a virtual scanner.
type harness struct {
	t      *testing.T
	dev    *devsim.Scanner
	events chan scanner.Event
	done   chan error
	cancel context.CancelFunc
}

func start(t *testing.T, devOpt devsim.ScannerOptions, cfg scanner.Config) *harness {
	t.Helper()
	dev, err := devsim.NewScanner(devOpt)
	require.NoError(t, err)
	cfg.Port = dev.Path()
	if cfg.ReconnectMin == 0 {
		cfg.ReconnectMin, cfg.ReconnectMax = time.Millisecond, 5*time.Millisecond
	}
	s, err := scanner.New(cfg, zerolog.Nop())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, dev: dev, events: make(chan scanner.Event, 64), done: make(chan error, 1), cancel: cancel}
	go func() { h.done <- s.Run(ctx, func(e scanner.Event) { h.events <- e }) }()
	t.Cleanup(h.stop)
	h.expect(scanner.Connected)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		assert.NoError(h.t, err, "Run returns nil on cancel")
	case <-time.After(eventTimeout):
		h.t.Error("Run did not return after cancel")
	}
	assert.NoError(h.t, h.dev.Close())
}

func (h *harness) expect(kind scanner.EventKind) scanner.Event {
	h.t.Helper()
	select {
	case e := <-h.events:
		require.Equal(h.t, kind, e.Kind, "event %+v (data %q)", e, e.Data)
		return e
	case <-time.After(eventTimeout):
		h.t.Fatalf("no %v event within %v", kind, eventTimeout)
	}
	return scanner.Event{}
}

func (h *harness) expectRead(want string) {
	h.t.Helper()
	e := h.expect(scanner.Read)
	assert.Equal(h.t, want, string(e.Data))
	assert.NoError(h.t, e.Err)
	assert.False(h.t, e.At.IsZero())
}

func TestReadsFramesWithEachSuffix(t *testing.T) {
	cases := []struct {
		name   string
		dev    []byte // what the scanner sends after the data
		cfg    []byte // what the driver is told
		prefix []byte
	}{
		{name: "CR default", dev: []byte("\r")},
		{name: "CRLF with default CR", dev: []byte("\r\n")},
		{name: "LF", dev: []byte("\n"), cfg: []byte("\n")},
		{name: "CRLF with LF", dev: []byte("\r\n"), cfg: []byte("\n")},
		{name: "CRLF exact", dev: []byte("\r\n"), cfg: []byte("\r\n")},
		{name: "custom ETX with STX prefix", dev: []byte{0x03}, cfg: []byte{0x03}, prefix: []byte{0x02}},
		{name: "custom TAB", dev: []byte("\t"), cfg: []byte("\t")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, devsim.ScannerOptions{Suffix: tc.dev, Prefix: tc.prefix},
				scanner.Config{Suffix: tc.cfg, Prefix: tc.prefix})
			require.NoError(t, h.dev.Scan("]C1010950123456789217250101"))
			require.NoError(t, h.dev.Scan("A-03-2-05"))
			h.expectRead("]C1010950123456789217250101")
			h.expectRead("A-03-2-05")
		})
	}
}

func TestPrefixStrippedOnlyWhenPresent(t *testing.T) {
	h := start(t, devsim.ScannerOptions{}, scanner.Config{Prefix: []byte("#")})
	require.NoError(t, h.dev.Scan("#WITH"))
	require.NoError(t, h.dev.Scan("WITHOUT"))
	h.expectRead("WITH")
	h.expectRead("WITHOUT")
}

func TestOverlongFrameThenResync(t *testing.T) {
	h := start(t, devsim.ScannerOptions{}, scanner.Config{MaxFrame: 16})
	require.NoError(t, h.dev.Scan("0123456789ABCDEF-TOO-LONG-0123456789"))
	require.NoError(t, h.dev.Scan("OK1"))
	e := h.expect(scanner.FrameError)
	assert.ErrorIs(t, e.Err, scanner.ErrFrameTooLong)
	assert.Equal(t, "0123456789ABCDEF", string(e.Data))
	h.expectRead("OK1")
}

func TestBinaryGarbageIsFrameError(t *testing.T) {
	h := start(t, devsim.ScannerOptions{Seed: 7}, scanner.Config{})
	require.NoError(t, h.dev.Garbage(100))
	require.NoError(t, h.dev.Scan("LOST-IN-NOISE"))
	require.NoError(t, h.dev.Scan("OK2"))
	e := h.expect(scanner.FrameError)
	assert.ErrorIs(t, e.Err, scanner.ErrBinaryFrame)
	h.expectRead("OK2")
}

func TestGarbageLongerThanMaxFrameResyncs(t *testing.T) {
	h := start(t, devsim.ScannerOptions{Seed: 8}, scanner.Config{MaxFrame: 64})
	require.NoError(t, h.dev.Garbage(5000))
	require.NoError(t, h.dev.Scan("X"))
	require.NoError(t, h.dev.Scan("OK3"))
	e := h.expect(scanner.FrameError)
	assert.ErrorIs(t, e.Err, scanner.ErrFrameTooLong)
	h.expectRead("OK3")
}

func TestSlowDeviceFramesAcrossReads(t *testing.T) {
	h := start(t, devsim.ScannerOptions{}, scanner.Config{})
	h.dev.SetSlow(200 * time.Microsecond)
	require.NoError(t, h.dev.Scan("00012345678905"))
	h.expectRead("00012345678905")
}

func TestUnplugReplug(t *testing.T) {
	h := start(t, devsim.ScannerOptions{}, scanner.Config{})
	require.NoError(t, h.dev.Unplug())
	e := h.expect(scanner.Disconnected)
	assert.Error(t, e.Err)
	require.NoError(t, h.dev.Replug())
	h.expect(scanner.Connected)
	require.NoError(t, h.dev.Scan("AFTER-REPLUG"))
	h.expectRead("AFTER-REPLUG")
}

func TestMidFrameDisconnectDiscardsPartial(t *testing.T) {
	h := start(t, devsim.ScannerOptions{}, scanner.Config{})
	require.NoError(t, h.dev.ScanPartialThenUnplug("PARTIAL-FRAME"))
	e := h.expect(scanner.FrameError)
	assert.ErrorIs(t, e.Err, scanner.ErrPartialFrame)
	assert.Equal(t, "PARTIA", string(e.Data))
	h.expect(scanner.Disconnected)
	require.NoError(t, h.dev.Replug())
	h.expect(scanner.Connected)
	require.NoError(t, h.dev.Scan("WHOLE"))
	h.expectRead("WHOLE") // not "PARTIAWHOLE"
}

func TestStartsUnpluggedThenConnects(t *testing.T) {
	dev, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	defer dev.Close()
	require.NoError(t, dev.Unplug())
	s, err := scanner.New(scanner.Config{Port: dev.Path(), ReconnectMin: time.Millisecond, ReconnectMax: 2 * time.Millisecond}, zerolog.Nop())
	require.NoError(t, err)
	events := make(chan scanner.Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(e scanner.Event) { events <- e }) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	e := recv(t, events)
	require.Equal(t, scanner.Disconnected, e.Kind, "an absent device is reported once")
	require.ErrorContains(t, e.Err, dev.Path())
	require.NoError(t, dev.Replug())
	e = recv(t, events)
	require.Equal(t, scanner.Connected, e.Kind)
}

func TestRunTwiceIsRejected(t *testing.T) {
	dev, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	defer dev.Close()
	s, err := scanner.New(scanner.Config{Port: dev.Path()}, zerolog.Nop())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan scanner.Event, 16)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(e scanner.Event) { events <- e }) }()
	require.Equal(t, scanner.Connected, recv(t, events).Kind)
	require.Error(t, s.Run(ctx, func(scanner.Event) {}))
	cancel()
	require.NoError(t, <-done)
}

// TestUnplugReplugNoLeak runs 1,000 unplug/replug cycles and checks that
// goroutines and file descriptors return to their baseline.
func TestUnplugReplugNoLeak(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts /proc/self/fd")
	}
	// Warm up: the runtime's poller opens its own fds on first use.
	warm, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	require.NoError(t, warm.Close())
	baseG, baseFD := runtime.NumGoroutine(), countFDs(t)
	h := start(t, devsim.ScannerOptions{}, scanner.Config{ReconnectMin: time.Millisecond, ReconnectMax: time.Millisecond})
	var connectedG, connectedFD int
	for i := range 1000 {
		require.NoError(t, h.dev.Unplug())
		h.expect(scanner.Disconnected)
		require.NoError(t, h.dev.Replug())
		h.expect(scanner.Connected)
		if i == 0 {
			connectedG, connectedFD = runtime.NumGoroutine(), countFDs(t)
		}
	}
	require.NoError(t, h.dev.Scan("STILL-WORKS"))
	h.expectRead("STILL-WORKS")
	assert.LessOrEqual(t, runtime.NumGoroutine(), connectedG, "goroutines after 1,000 cycles vs after 1")
	assert.LessOrEqual(t, countFDs(t), connectedFD, "fds after 1,000 cycles vs after 1")
	h.stop()
	// Polled here, not with Eventually, which runs its check in a goroutine.
	for deadline := time.Now().Add(eventTimeout); runtime.NumGoroutine() > baseG && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), baseG, "goroutines back to baseline")
	assert.LessOrEqual(t, countFDs(t), baseFD, "fds back to baseline")
}

func recv(t *testing.T, events <-chan scanner.Event) scanner.Event {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(eventTimeout):
		t.Fatal("no event")
	}
	return scanner.Event{}
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}
