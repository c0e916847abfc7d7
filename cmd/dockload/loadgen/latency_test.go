package loadgen_test

import (
	"testing"

	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
)

// The floors under a gateway's commit, back to back; the load tool runs
// the same probes paced like its load.

// BenchmarkFsync is the disk's own floor: append 200 bytes and fsync.
func BenchmarkFsync(b *testing.B) {
	reportLatency(b, loadgen.ProbeFsync)
}

// BenchmarkCommit is one durable Badger commit of one 200-byte event with
// the gateway's options: what a lone scan costs before its green light.
func BenchmarkCommit(b *testing.B) {
	reportLatency(b, loadgen.ProbeBadger)
}

// reportLatency runs probe b.N times back to back and adds its p50/p99
// (milliseconds) to the benchmark's output.
func reportLatency(b *testing.B, probe func(dir string, n, rate int) (loadgen.Latency, error)) {
	lat, err := probe(b.TempDir(), b.N, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(lat.P50)/1e6, "p50-ms")
	b.ReportMetric(float64(lat.P99)/1e6, "p99-ms")
}
