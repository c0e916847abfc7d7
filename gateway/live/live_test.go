package live

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A subscriber that never reads costs the publisher nothing: publishing
// far more than its queue holds returns at once and counts the losses,
// while a subscriber that reads gets everything.
func TestPublishNeverBlocksOnASlowSubscriber(t *testing.T) {
	var h Hub
	stuck := h.Subscribe(4)
	reader := h.Subscribe(1000)
	for i := range 1000 {
		h.Publish(Event{Type: "scan", Data: i})
	}
	assert.Len(t, stuck.C(), 4)
	assert.Equal(t, uint64(996), stuck.Dropped())
	assert.Zero(t, stuck.Dropped(), "Dropped resets")
	require.Len(t, reader.C(), 1000)
	assert.Equal(t, 0, (<-reader.C()).Data)

	h.Unsubscribe(stuck)
	assert.Equal(t, 1, h.Subscribers())
	h.Publish(Event{Type: "scan"})
	assert.Len(t, stuck.C(), 4, "an unsubscribed queue gets nothing more")
}

func TestPublishWithoutSubscribers(t *testing.T) {
	var h Hub
	h.Publish(Event{Type: "scan"})
	s := h.Subscribe(1)
	h.Unsubscribe(s)
	h.Unsubscribe(s)
	h.Publish(Event{Type: "scan"})
	assert.Zero(t, h.Subscribers())
}

func BenchmarkPublishNoSubscribers(b *testing.B) {
	var h Hub
	for b.Loop() {
		h.Publish(Event{Type: "scan"})
	}
}

func BenchmarkPublishStuckSubscriber(b *testing.B) {
	var h Hub
	h.Subscribe(1)
	for b.Loop() {
		h.Publish(Event{Type: "scan"})
	}
}
