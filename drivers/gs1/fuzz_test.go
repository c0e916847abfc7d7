package gs1

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fuzzSeeds = []string{
	"]C101" + exGTIN + "17250630" + "10LOT1\x1d21SER",
	"]C100" + exSSCC,
	"]C102" + exGTIN + "3712\x1d00" + exSSCC,
	"]d2\x1d01" + exGTIN + "21abc\x1d8003" + "09501101530003" + "X",
	"]Q301" + exGTIN + "8200https://example.com",
	"]e001" + exGTIN + "3103001250",
	"]C0plain", "]E06291041500213", "]A0A-03-2-05",
	"(01)" + exGTIN + "(10)A\\(B", "(00)" + exSSCC,
	"01" + exGTIN + "|10X", "\x1d\x1d", "]C1", "]", "(", "((01)", "(0", "8030AbC=",
	"8008" + "2506301", "7040" + "1A-_", "4309" + "18000000003600000000",
}

// FuzzParseScan: no input panics, and whatever parses as GS1 re-parses from
// its element string to the same elements.
func FuzzParseScan(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), byte(0), false)
		f.Add([]byte(s), byte('|'), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, fnc1 byte, skipReq bool) {
		opt := Options{FNC1: fnc1, SkipRequired: skipReq}
		sc, err := ParseScan(data, opt)
		require.NotNil(t, sc)
		if err != nil {
			assert.Empty(t, sc.Elements)
			return
		}
		if !sc.GS1 {
			return
		}
		require.NotEmpty(t, sc.Elements)
		again, err := ParseElementString(ElementString(sc.Elements), Options{SkipRequired: skipReq})
		require.NoError(t, err, "re-parse of %q", ElementString(sc.Elements))
		assert.Equal(t, sc.Elements, again)
		hri, err := ParseHRI(HRI(sc.Elements))
		if err == nil { // values may legitimately contain "(AI)" look-alikes
			assert.Len(t, hri, len(sc.Elements))
		}
	})
}

// TestNoPanicOnMutatedScans is a deterministic stand-in for the fuzzer in
// ordinary test runs: truncations and byte flips of valid frames.
func TestNoPanicOnMutatedScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("0123456789()]\x1d|AZaz-/%=\\ \xff")
	for _, seed := range fuzzSeeds {
		for n := 0; n <= len(seed); n++ {
			assert.NotPanics(t, func() { _, _ = ParseScan([]byte(seed[:n]), Options{}) })
		}
		for range 200 {
			b := []byte(seed)
			if len(b) == 0 {
				continue
			}
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
			assert.NotPanics(t, func() {
				_, _ = ParseScan(b, Options{FNC1: '|'})
				_, _ = ParseHRI(string(b))
			})
		}
	}
}

func BenchmarkParseScan(b *testing.B) {
	frame := []byte("]C101" + exGTIN + "17250630" + "10LOT12345\x1d21SERIAL987")
	table() // exclude the one-time dictionary parse
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseScan(frame, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
