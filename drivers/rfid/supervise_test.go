package rfid

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) emit(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) states() []State {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []State
	for _, e := range l.events {
		if s, ok := e.(Status); ok {
			out = append(out, s.State)
		}
	}
	return out
}

func TestSuperviseReconnectsAndReportsStates(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log eventLog
	attempts := 0
	boom := errors.New("link down")
	done := make(chan error, 1)
	go func() {
		done <- Supervise(ctx, "dock1", Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}, log.emit,
			func(ctx context.Context, connected func(string)) error {
				attempts++
				switch attempts {
				case 1:
					return boom // dial failure: no Connected
				case 2:
					connected("model X")
					return boom // lost after connecting
				default:
					connected("model X")
					<-ctx.Done()
					return ctx.Err()
				}
			})
	}()
	require.Eventually(t, func() bool { return len(log.states()) >= 4 }, 5*time.Second, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, []State{Disconnected, Connected, Disconnected, Connected, Disconnected}, log.states())
	first := log.events[0].(Status)
	assert.ErrorIs(t, first.Err, boom)
	assert.Equal(t, "dock1", first.Reader)
	assert.Equal(t, "model X", log.events[1].(Status).Detail)
}

func TestSuperviseBackoffGrowsAndIsCapped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stamps []time.Time
	b := Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond}
	err := Supervise(ctx, "r", b, func(Event) {}, func(context.Context, func(string)) error {
		stamps = append(stamps, time.Now())
		if len(stamps) == 5 {
			cancel()
		}
		return errors.New("refused")
	})
	require.NoError(t, err)
	require.Len(t, stamps, 5)
	// Waits are 10, 20, 40, 40 ms: each gap at least its planned wait.
	for i, want := range []time.Duration{10, 20, 40, 40} {
		assert.GreaterOrEqual(t, stamps[i+1].Sub(stamps[i]), want*time.Millisecond, "gap %d", i)
	}
}

func TestParseEPC(t *testing.T) {
	b, err := ParseEPC("3074257BF7194E4000001A85")
	require.NoError(t, err)
	assert.Equal(t, "3074257BF7194E4000001A85", Read{EPC: b}.EPCHex())
	_, err = ParseEPC("30 74")
	assert.Error(t, err)
}
