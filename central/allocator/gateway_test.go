package allocator

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/wire"
)

// testKeys is the accounts of the test gateways: each key is derived from
// a secret as central's accounts derive it (wire.MessageKey).
type testKeys map[string][]byte

func (k testKeys) GatewayKey(gateway string) ([]byte, bool) {
	key, ok := k[gateway]
	return key, ok
}

const testSite = "t"

var keys = testKeys{"gw1": wire.MessageKey("secret of gw1"), "gw-1": wire.MessageKey("secret of gw-1")}

// sealedIncoming is msg as its gateway publishes it on its topic: sealed
// with the gateway's key.
func sealedIncoming(t *testing.T, gateway, typ string, msg any) Incoming {
	t.Helper()
	b, err := json.Marshal(msg)
	require.NoError(t, err)
	p, err := wire.Seal(keys[gateway], wire.EventTopic(testSite, gateway, typ), b)
	require.NoError(t, err)
	return Incoming{Gateway: gateway, Type: typ, Payload: p}
}

// birth is a gateway's sealed birth message announcing streams.
func birth(t *testing.T, gateway string, streams ...wire.StreamInfo) Incoming {
	t.Helper()
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: "online", Streams: streams}
	st.Gateway = gateway
	b, err := json.Marshal(st)
	require.NoError(t, err)
	p, err := wire.Seal(keys[gateway], wire.StateTopic(testSite, gateway), b)
	require.NoError(t, err)
	return Incoming{Gateway: gateway, State: true, Payload: p}
}

// announce applies a gateway's birth message announcing one must stream.
func announce(t *testing.T, a *Allocator, gateway, stream string) {
	t.Helper()
	acks, err := a.Apply([]Incoming{birth(t, gateway, wire.StreamInfo{ID: stream, Lane: wire.LaneMust})})
	require.NoError(t, err)
	require.Empty(t, acks)
}
