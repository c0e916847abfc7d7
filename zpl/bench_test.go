package zpl

import (
	"testing"
)

// BenchmarkRenderSSCCPallet measures full SSCC pallet labels (validation,
// layout, three GS1-128 symbols, Chinese text) rendered to ZPL.
//
//	go test -run '^$' -bench BenchmarkRenderSSCCPallet -benchmem ./zpl
func BenchmarkRenderSSCCPallet(b *testing.B) {
	r, err := NewRegistry("")
	if err != nil {
		b.Fatal(err)
	}
	data := sampleData["sscc-pallet"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render("sscc-pallet", data, Options{DPI: 203}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "labels/s")
}
