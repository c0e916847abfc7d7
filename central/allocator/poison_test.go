package allocator

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/wire"
)

func loadEvent(t *testing.T, stream string, seq uint64) (Incoming, string) {
	ev := wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
	ev.Gateway, ev.Stream, ev.Seq = "gw-1", stream, seq
	return sealedIncoming(t, "gw-1", wire.EvtLoad, ev), ev.ID
}

// An event whose application keeps failing must not hold back its
// gateway's later events for ever: after poisonAfter attempts it becomes an
// event-failed alert and the stream moves on; events of the same batch
// that are fine are applied meanwhile.
func TestEventThatKeepsFailingIsSetAsideAsAnAlert(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), zerolog.Nop())
	require.NoError(t, err)
	defer st.Close()
	a, err := New(Config{Site: testSite, Keys: keys}, st, zerolog.Nop())
	require.NoError(t, err)
	stream := wire.NewID()
	announce(t, a, "gw-1", stream)
	e1, _ := loadEvent(t, stream, 1)
	e2, badID := loadEvent(t, stream, 2)
	e3, _ := loadEvent(t, stream, 3)
	a.dispatchFn = func(tx store.Tx, env wire.Envelope, in Incoming) error {
		if env.ID == badID {
			return errors.New("workflow bug")
		}
		return a.dispatch(tx, env, in)
	}

	acks, err := a.Apply([]Incoming{e1, e2, e3})
	require.Error(t, err)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(1), acks[0].Seq, "the event before the bad one is applied")

	// The gateway re-sends 2 and 3 after its timeout.
	for attempt := 2; attempt < poisonAfter; attempt++ {
		acks, err = a.Apply([]Incoming{e2, e3})
		require.Error(t, err, "attempt %d still fails", attempt)
		require.Len(t, acks, 1)
		assert.Equal(t, uint64(1), acks[0].Seq)
		assert.True(t, acks[0].Resend, "event 3 came after a gap")
	}
	acks, err = a.Apply([]Incoming{e2, e3})
	require.NoError(t, err)
	require.Len(t, acks, 1)
	assert.Equal(t, uint64(3), acks[0].Seq, "after the last attempt the stream moves on")
	assert.Equal(t, uint64(1), a.Metrics.SetAside.Load())

	out, err := st.Outgoing(context.Background(), 0, 100)
	require.NoError(t, err)
	var alerts []wire.Alert
	for _, m := range out {
		var al wire.Alert
		require.NoError(t, json.Unmarshal(m.Payload, &al))
		if al.Type == wire.OpsAlert {
			alerts = append(alerts, al)
		}
	}
	require.Len(t, alerts, 1)
	assert.Equal(t, "event-failed", alerts[0].Kind)
	assert.Contains(t, alerts[0].Message, "workflow bug")
	assert.Contains(t, alerts[0].Details["event"], badID, "the event itself is kept in the alert")

	// Nothing is applied twice when the gateway re-sends once more.
	acks, err = a.Apply([]Incoming{e1, e2, e3})
	require.NoError(t, err)
	assert.Equal(t, uint64(3), acks[0].Seq)
	assert.Equal(t, uint64(1), a.Metrics.SetAside.Load())
}
