package live

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/wire"
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

// The page and scripts read a tag event by the same snake_case names as
// every other JSON the gateway sends.
func TestTagEventJSONNames(t *testing.T) {
	b, err := json.Marshal(Tag{Device: "rfid-1", Station: "dock-1", Tag: wire.TagIdentity{EPC: "3034"}, Antenna: 2, RSSI: -51.5,
		At: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"device":"rfid-1","station":"dock-1","tag":{"epc":"3034"},"antenna":2,"rssi":-51.5,"at":"2026-11-29T12:00:00Z"}`, string(b))
}
