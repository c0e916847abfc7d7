package scanner

import (
	"bytes"
	"testing"
)

// BenchmarkFramer measures framing throughput on typical GS1-128 scans
// arriving in 512-byte reads.
func BenchmarkFramer(b *testing.B) {
	stream := bytes.Repeat([]byte("]C1010950123456789217250101\x1d10LOT42\r\n"), 64)
	f := newFramer(Config{}.withDefaults())
	frames := 0
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for off := 0; off < len(stream); off += 512 {
			f.feed(stream[off:min(off+512, len(stream))], func([]byte, error) { frames++ })
		}
	}
	if frames == 0 {
		b.Fatal("no frames")
	}
}
