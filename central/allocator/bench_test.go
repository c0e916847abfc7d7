package allocator

import (
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/wire"
)

// BenchmarkApplyBatch is central's ingest as the load tool drives it:
// batches of 256 sealed load events of one announced stream, each batch
// one durable transaction (opening every seal, the stream check, the
// journal and its seq index, the watermark).
func BenchmarkApplyBatch(b *testing.B) {
	st, err := badgerstore.Open(b.TempDir(), zerolog.Nop())
	require.NoError(b, err)
	defer st.Close()
	a, err := New(Config{Site: testSite, Keys: keys}, st, zerolog.Nop())
	require.NoError(b, err)
	t := &testing.T{}
	stream := wire.NewID()
	_, err = a.Apply([]Incoming{birth(t, "gw-1", wire.StreamInfo{ID: stream, Lane: wire.LaneMust})})
	require.NoError(b, err)
	const batch = 256
	var seq uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		in := make([]Incoming, batch)
		for i := range in {
			seq++
			ev := wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad)}
			ev.Gateway, ev.Device, ev.Stream, ev.Seq = "gw-1", "loadgen", stream, seq
			in[i] = sealedIncoming(t, "gw-1", wire.EvtLoad, ev)
		}
		b.StartTimer()
		if _, err := a.Apply(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
}
