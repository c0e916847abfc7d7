package rfid

import (
	"context"
	"errors"
	"time"
)

// Backoff bounds the wait between reconnection attempts. The wait doubles
// after each failed attempt and returns to Min once a session got connected.
type Backoff struct {
	Min time.Duration // default 200 ms
	Max time.Duration // default 10 s
}

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = 200 * time.Millisecond
	}
	if b.Max < b.Min {
		b.Max = max(10*time.Second, b.Min)
	}
	return b
}

// Session is one connection to a reader. It calls connected once the reader
// is set up (detail goes into the Connected status) and returns when the
// connection is lost or ctx is cancelled.
type Session func(ctx context.Context, connected func(detail string)) error

// Supervise runs session again and again until ctx is cancelled, emitting a
// Connected status when a session reports success and a Disconnected status
// with the cause when it ends. Drivers use it to implement Reader.Run so that
// every driver reconnects the same way.
func Supervise(ctx context.Context, name string, b Backoff, emit func(Event), session Session) error {
	b = b.withDefaults()
	wait := b.Min
	for {
		wasConnected := false
		err := session(ctx, func(detail string) {
			wasConnected = true
			emit(Status{Reader: name, State: Connected, At: time.Now(), Detail: detail})
		})
		if ctx.Err() != nil {
			if wasConnected {
				emit(Status{Reader: name, State: Disconnected, At: time.Now(), Err: context.Cause(ctx)})
			}
			return nil
		}
		if err == nil {
			err = errors.New("session ended")
		}
		emit(Status{Reader: name, State: Disconnected, At: time.Now(), Err: err})
		if wasConnected {
			wait = b.Min
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, b.Max)
	}
}
