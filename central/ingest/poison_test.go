package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/app"
	. "github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// failing is the application as ingest's handler, except that the event
// with id bad fails to apply, as a bug in a workflow would.
type failing struct {
	*app.App
	bad string
}

func (f failing) Event(tx store.Tx, gateway string, env wire.Envelope, payload []byte) error {
	if env.ID == f.bad {
		return errors.New("workflow bug")
	}
	return f.App.Event(tx, gateway, env, payload)
}

// failingSite is a site whose event bad fails to apply.
func failingSite(t *testing.T, opt sitetest.Options, bad string) *sitetest.Site {
	opt.Handler = func(a *app.App) Handler { return failing{a, bad} }
	return sitetest.New(t, opt)
}

func loadEvent(t *testing.T, stream string, seq uint64) (Incoming, string) {
	ev := wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	ev.Gateway, ev.Stream, ev.Seq = "gw-1", stream, seq
	return sealedIncoming(t, "gw-1", wire.EvtLoad, ev), ev.ID
}

// An event whose application keeps failing must not hold back its
// gateway's later events for ever: after PoisonAfter attempts it becomes an
// event-failed alert and the stream moves on; events of the same batch
// that are fine are applied meanwhile.
func TestEventThatKeepsFailingIsSetAsideAsAnAlert(t *testing.T) {
	stream := wire.NewID()
	e1, _ := loadEvent(t, stream, 1)
	e2, badID := loadEvent(t, stream, 2)
	e3, _ := loadEvent(t, stream, 3)
	s := failingSite(t, sitetest.Options{}, badID)
	s.Announce("gw-1", stream)
	a := s.Ingest
	ctx := context.Background()

	acks, err := a.Apply(ctx, []Incoming{e1, e2, e3})
	require.Error(t, err)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "the event before the bad one is applied")

	// The gateway re-sends 2 and 3 after its timeout.
	for attempt := 2; attempt < PoisonAfter; attempt++ {
		acks, err = a.Apply(ctx, []Incoming{e2, e3})
		require.Error(t, err, "attempt %d still fails", attempt)
		require.Len(t, acks, 1)
		assert.Equal(t, uint64(1), acks[0].Seq)
		assert.True(t, acks[0].Resend, "event 3 came after a gap")
	}
	acks, err = a.Apply(ctx, []Incoming{e2, e3})
	require.NoError(t, err)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(3), acks[0].Seq, "after the last attempt the stream moves on")
	assert.Equal(t, uint64(1), a.Metrics.SetAside.Load())

	alerts := sitetest.Alerts(t, s.Queued())
	require.Len(t, alerts, 1)
	assert.Equal(t, wire.AlertEventFailed, alerts[0].Kind)
	assert.Contains(t, alerts[0].Message, "workflow bug")
	assert.Contains(t, alerts[0].Details["event"], badID, "the event itself is kept in the alert")

	// Nothing is applied twice when the gateway re-sends once more.
	acks, err = a.Apply(ctx, []Incoming{e1, e2, e3})
	require.NoError(t, err)
	assert.Equal(t, uint64(3), acks[0].Seq)
	assert.Equal(t, uint64(1), a.Metrics.SetAside.Load())
}

// full is the application as ingest's handler on a full disk: while on,
// every event's transaction is refused as the store refuses writes.
type full struct {
	*app.App
	on *atomic.Bool
}

func (f full) Event(tx store.Tx, gateway string, env wire.Envelope, payload []byte) error {
	if f.on.Load() {
		return fmt.Errorf("write: %w", store.ErrNoSpace)
	}
	return f.App.Event(tx, gateway, env, payload)
}

// A full disk is no fault of the events: however often they are refused
// for it, none is set aside as an event-failed alert; they are applied
// when they are sent again once there is space.
func TestFullDiskNeverSetsAnEventAside(t *testing.T) {
	stream := wire.NewID()
	e1, _ := loadEvent(t, stream, 1)
	e2, _ := loadEvent(t, stream, 2)
	var on atomic.Bool
	on.Store(true)
	s := sitetest.New(t, sitetest.Options{Handler: func(a *app.App) Handler { return full{a, &on} }})
	s.Announce("gw-1", stream)
	ctx := context.Background()

	for range 2 * PoisonAfter {
		acks, err := s.Ingest.Apply(ctx, []Incoming{e1, e2})
		require.ErrorIs(t, err, store.ErrNoSpace)
		assert.Empty(t, acks, "nothing applied, nothing acknowledged")
		acks, err = s.Ingest.Apply(ctx, []Incoming{e1}) // alone: the path that counts failures
		require.ErrorIs(t, err, store.ErrNoSpace)
		assert.Empty(t, acks)
	}
	assert.Zero(t, s.Ingest.Metrics.SetAside.Load())

	on.Store(false)
	acks, err := s.Ingest.Apply(ctx, []Incoming{e1, e2})
	require.NoError(t, err)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(2), acks[0].Seq)
	assert.False(t, acks[0].Resend)
	assert.Zero(t, s.Ingest.Metrics.SetAside.Load())
	assert.Empty(t, sitetest.Alerts(t, s.Queued()), "no event-failed alert")
}
