// Package rfidtest holds what the tests of the RFID drivers share: a
// recorder for the events a reader emits that waits for what a test expects,
// matchers for those events, and a way to run a reader for the length of a
// test. Only tests import it.
package rfidtest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// Events records what a reader emits. The zero value is ready to use.
type Events struct {
	// Wait bounds each WaitFor; default 20 s, generous for a loaded CI
	// machine.
	Wait time.Duration

	mu  sync.Mutex
	all []rfid.Event
}

// Emit records ev; pass it to Reader.Run.
func (e *Events) Emit(ev rfid.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

// Mark returns the current position; Since and WaitFor look only at the
// events after a position.
func (e *Events) Mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.all)
}

// Since returns a copy of the events after position from.
func (e *Events) Since(from int) []rfid.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]rfid.Event(nil), e.all[from:]...)
}

// WaitFor waits until an event after position from matches, fails the test
// naming what it waited for if none does in time, and returns the event.
func (e *Events) WaitFor(t *testing.T, from int, what string, match func(rfid.Event) bool) rfid.Event {
	t.Helper()
	wait := e.Wait
	if wait == 0 {
		wait = 20 * time.Second
	}
	var found rfid.Event
	require.Eventually(t, func() bool {
		for _, ev := range e.Since(from) {
			if match(ev) {
				found = ev
				return true
			}
		}
		return false
	}, wait, 5*time.Millisecond, "waiting for %s", what)
	return found
}

// State matches a Status event with state s.
func State(s rfid.State) func(rfid.Event) bool {
	return func(ev rfid.Event) bool {
		st, ok := ev.(rfid.Status)
		return ok && st.State == s
	}
}

// TagRead matches a Read of the tag with this EPC.
func TagRead(epc []byte) func(rfid.Event) bool {
	return func(ev rfid.Event) bool {
		r, ok := ev.(rfid.Read)
		return ok && bytes.Equal(r.EPC, epc)
	}
}

// Run runs r in the background, recording into ev, until the test ends or
// stop is called. stop cancels Run and returns its result, or an error if
// Run does not return within 10 s; at cleanup the test asserts that result
// is nil.
func Run(t *testing.T, r rfid.Reader, ev *Events) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, ev.Emit) }()
	stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("Run did not return after cancel")
		}
	})
	t.Cleanup(func() { assert.NoError(t, stop()) })
	return stop
}
