package devsim

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type streamOut struct {
	formats []string
	tildes  []string
}

func feedAll(t *testing.T, chunks ...string) streamOut {
	t.Helper()
	var z zplStream
	var out streamOut
	for _, c := range chunks {
		require.NoError(t, z.feed([]byte(c),
			func(f []byte) { out.formats = append(out.formats, string(f)) },
			func(cmd string) { out.tildes = append(out.tildes, cmd) }))
	}
	return out
}

func TestZPLStreamSplitsFormatsAndTildes(t *testing.T) {
	out := feedAll(t, "~HS^XA^FDone^FS^XZ\r\n^xa^fdtwo^fs^xz~hs~PS junk ^XA^FD~x^FS^XZ")
	assert.Equal(t, []string{"^XA^FDone^FS^XZ", "^xa^fdtwo^fs^xz", "^XA^FD~x^FS^XZ"}, out.formats)
	assert.Equal(t, []string{"HS", "HS", "PS"}, out.tildes, "tilde commands inside formats are data")
}

func TestZPLStreamAcrossChunkBoundaries(t *testing.T) {
	label := "^XA^FO10,10^FDsplit^FS^XZ"
	for i := 1; i < len(label); i++ {
		out := feedAll(t, "~", "H", "S"+label[:i], label[i:])
		assert.Equal(t, []string{label}, out.formats, "split at %d", i)
		assert.Equal(t, []string{"HS"}, out.tildes)
	}
}

func TestZPLStreamPartial(t *testing.T) {
	var z zplStream
	require.NoError(t, z.feed([]byte("^XA^FDhalf"), func([]byte) { t.Fatal("no format yet") }, func(string) {}))
	assert.True(t, z.partial())
}

func TestHostStatusAnswerLayout(t *testing.T) {
	p := &Printer{paperOut: true, pending: [][]byte{nil, nil}, headOpen: true}
	assert.Equal(t,
		"\x02030,1,0,1218,002,0,0,0,000,0,0,0\x03\r\n\x02001,0,1,0,0,2,6,0,00000002,1,000\x03\r\n\x021234,0\x03\r\n",
		string(p.hostStatusLocked()))
}

// FuzzZPLStream checks that formats come out whole (^XA..^XZ) and that
// splitting the stream anywhere changes nothing.
func FuzzZPLStream(f *testing.F) {
	f.Add([]byte("~HS^XA^FDone^FS^XZ^xa^fdtwo^xz~PS"), 7)
	f.Add([]byte("^X^XA^XZ~~HS^^XA"), 3)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		if split < 0 || split > len(in) {
			split = len(in) / 2
		}
		whole := feedAll(t, string(in))
		parts := feedAll(t, string(in[:split]), string(in[split:]))
		assert.Equal(t, whole, parts)
		for _, format := range whole.formats {
			assert.True(t, strings.EqualFold(format[:3], "^XA") && strings.EqualFold(format[len(format)-3:], "^XZ"), "%q", format)
		}
	})
}
