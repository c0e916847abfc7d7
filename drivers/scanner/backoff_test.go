package scanner

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
)

// TestReconnectBackoffDoublesAndResetsAfterGoodConnection records the
// reconnect waits instead of sleeping; each wait hands its delay to the test
// and blocks until the test lets it go, which keeps the driver and the test
// in lock step (the device can be replugged while the driver waits).
func TestReconnectBackoffDoublesAndResetsAfterGoodConnection(t *testing.T) {
	dev, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	defer dev.Close()
	ms := time.Millisecond
	s, err := New(Config{Port: dev.Path(), ReconnectMin: ms, ReconnectMax: 4 * ms, StableAfter: time.Hour}, zerolog.Nop())
	require.NoError(t, err)
	delays := make(chan time.Duration)
	proceed := make(chan struct{})
	s.wait = func(ctx context.Context, d time.Duration) bool {
		select {
		case delays <- d:
		case <-ctx.Done():
			return false
		}
		select {
		case <-proceed:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// waited checks the next wait, runs then while the driver waits, and
	// lets the driver go on.
	waited := func(want time.Duration, msg string, then func()) {
		t.Helper()
		select {
		case d := <-delays:
			assert.Equal(t, want, d, msg)
		case <-time.After(10 * time.Second):
			t.Fatalf("driver did not wait (%s)", msg)
		}
		if then != nil {
			then()
		}
		proceed <- struct{}{}
	}
	replug := func() { require.NoError(t, dev.Replug()) }
	events := make(chan Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(e Event) { events <- e }) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	expect := func(k EventKind) {
		t.Helper()
		select {
		case e := <-events:
			require.Equal(t, k, e.Kind, "%+v", e)
		case <-time.After(10 * time.Second):
			t.Fatalf("no %v event", k)
		}
	}
	expect(Connected)

	// Unplugged for a while: 1, 2, 4, then capped at 4 ms.
	require.NoError(t, dev.Unplug())
	expect(Disconnected)
	for _, want := range []time.Duration{ms, 2 * ms, 4 * ms} {
		waited(want, "doubling", nil)
	}
	waited(4*ms, "capped", replug)
	expect(Connected)
	assert.Empty(t, events, "one Disconnected per outage, not one per failed retry")

	// A good frame makes the connection good: the next outage starts at 1 ms.
	require.NoError(t, dev.Scan("GOOD"))
	expect(Read)
	require.NoError(t, dev.Unplug())
	expect(Disconnected)
	waited(ms, "reset after a good connection", replug)
	expect(Connected)

	// A connection that delivered nothing and was short-lived is not good:
	// the backoff keeps growing.
	require.NoError(t, dev.Unplug())
	expect(Disconnected)
	waited(2*ms, "no reset after a flapping connection", replug)
	expect(Connected)
}
