package ingest_test

import (
	"testing"

	. "github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/sitetest"
	"github.com/dockhand/dockhand/internal/wire"
)

// BenchmarkApplyBatch is central's ingest as the load tool drives it:
// batches of 256 sealed load events of one announced stream, each batch
// one durable transaction (opening every seal, the stream check, the
// journal and its seq index, the watermark).
func BenchmarkApplyBatch(b *testing.B) {
	s := sitetest.New(b, sitetest.Options{Dir: b.TempDir()})
	stream := wire.NewID()
	s.Announce("gw-1", stream)
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
			in[i] = sealedIncoming(b, "gw-1", wire.EvtLoad, ev)
		}
		b.StartTimer()
		if _, err := s.Ingest.Apply(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
}
