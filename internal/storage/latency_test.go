package storage

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
)

// reportLatency adds p50/p99 of ds (milliseconds) to the benchmark's output.
func reportLatency(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(p float64) float64 { return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))]) / 1e6 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkFsync is the disk's own floor: append 200 bytes and fsync.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 200)
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatency(b, ds)
}

// BenchmarkCommit is one durable Badger commit of one 200-byte event with
// the gateway's options: what a lone scan costs before its green light.
func BenchmarkCommit(b *testing.B) {
	db, err := Open(b.TempDir(), Gateway, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	val := make([]byte, 200)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		key := []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		t0 := time.Now()
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set(key, val) }); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatency(b, ds)
}
