package link

import (
	"errors"
	"time"
)

// Status is the link's state for the technician page and /readyz.
type Status struct {
	Connected bool
	Since     time.Time // when the link last went up or down (or was created)
	LastError string    // why the last connection ended; "" when none has
}

// Status reports whether the session is up, since when, and why the last
// one ended.
func (l *Link) Status() Status {
	s := Status{Connected: l.connected.Load(), Since: time.Unix(0, l.since.Load())}
	if e := l.lastErr.Load(); e != nil {
		s.LastError = *e
	}
	return s
}

// note records a change of the connection: up, or down because of err.
func (l *Link) note(up bool, err error) {
	l.connected.Store(up)
	l.since.Store(time.Now().UnixNano())
	if err != nil {
		msg := err.Error()
		l.lastErr.Store(&msg)
	}
}

var errNotAcknowledging = errors.New("the broker stopped acknowledging publishes")
