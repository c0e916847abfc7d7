package scanner

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type frame struct {
	data string
	err  error
}

// run feeds the chunks and returns what came out.
func run(c Config, chunks ...string) []frame {
	f := newFramer(c.withDefaults())
	var out []frame
	for _, ch := range chunks {
		f.feed([]byte(ch), func(d []byte, err error) { out = append(out, frame{string(d), err}) })
	}
	return out
}

func reads(ss ...string) []frame {
	out := make([]frame, len(ss))
	for i, s := range ss {
		out[i] = frame{data: s}
	}
	return out
}

func TestFramerSuffixes(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		chunks []string
		want   []frame
	}{
		{"CR", Config{}, []string{"A\rB\r"}, reads("A", "B")},
		{"CRLF on CR", Config{}, []string{"A\r\nB\r\n"}, reads("A", "B")},
		{"CRLF split across reads", Config{}, []string{"A\r", "\nB\r", "\n"}, reads("A", "B")},
		{"LF after CR frame only swallowed once", Config{}, []string{"A\r\n\nB\r"}, reads("A", "\n"+"B")},
		{"LF", Config{Suffix: []byte("\n")}, []string{"A\nB\r\n"}, reads("A", "B")},
		{"CRLF exact", Config{Suffix: []byte("\r\n")}, []string{"A\rX\r\nB\r", "\n"}, reads("A\rX", "B")},
		{"custom ETX", Config{Suffix: []byte{0x03}}, []string{"A\x03B", "\x03"}, reads("A", "B")},
		{"prefix stripped", Config{Prefix: []byte("]C1")}, []string{"]C1010\r", "010\r"}, reads("010", "010")},
		{"byte by byte", Config{}, []string{"1", "2", "3", "\r"}, reads("123")},
		{"empty frames ignored", Config{}, []string{"\r\r\n\rA\r"}, reads("A")},
		{"GS1 separators allowed", Config{}, []string{"]d2010950123456789210ABC\x1d17250101\r"}, reads("]d2010950123456789210ABC\x1d17250101")},
		{"ISO 15434 envelope allowed", Config{}, []string{"[)>\x1e06\x1dP123\x1e\x04\r"}, reads("[)>\x1e06\x1dP123\x1e\x04")},
		{"UTF-8 allowed", Config{}, []string{"仓库-A\r"}, reads("仓库-A")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, run(tc.cfg, tc.chunks...))
		})
	}
}

func TestFramerOverlongResyncs(t *testing.T) {
	out := run(Config{MaxFrame: 4}, "0123456789", "ABC\r", "\nOK\r")
	require.Len(t, out, 2)
	assert.ErrorIs(t, out[0].err, ErrFrameTooLong)
	assert.Equal(t, "0123", out[0].data)
	assert.Equal(t, frame{data: "OK"}, out[1], "resynced at the suffix; its LF was swallowed")
}

func TestFramerOverlongAtLimitBoundary(t *testing.T) {
	assert.Equal(t, reads("1234"), run(Config{MaxFrame: 4}, "1234\r"), "exactly MaxFrame is fine")
	out := run(Config{MaxFrame: 4}, "12345\r")
	require.Len(t, out, 1)
	assert.ErrorIs(t, out[0].err, ErrFrameTooLong)
	// With a prefix the limit applies to the data after it.
	assert.Equal(t, reads("1234"), run(Config{MaxFrame: 4, Prefix: []byte("##")}, "##1234\r"))
}

func TestFramerOverlongMultiByteSuffixResync(t *testing.T) {
	out := run(Config{MaxFrame: 3, Suffix: []byte("\r\n")}, "ABCDEFG\r", "X\r", "\nOK\r\n")
	require.Len(t, out, 2)
	assert.ErrorIs(t, out[0].err, ErrFrameTooLong)
	assert.Equal(t, frame{data: "OK"}, out[1])
}

func TestFramerBinary(t *testing.T) {
	out := run(Config{}, "AB\x00\xffCD\r", "OK\r")
	require.Len(t, out, 2)
	assert.ErrorIs(t, out[0].err, ErrBinaryFrame)
	assert.ErrorContains(t, out[0].err, "byte 0x00 at offset 2")
	var be *ByteError
	require.ErrorAs(t, out[0].err, &be)
	assert.Equal(t, ByteError{Offset: 2, Byte: 0}, *be, "the offset into the frame's data")
	assert.Equal(t, frame{data: "OK"}, out[1])

	// With a prefix, the offset counts in the data after it.
	out = run(Config{Prefix: []byte("@@")}, "@@A\x01\r")
	require.Len(t, out, 1)
	require.ErrorAs(t, out[0].err, &be)
	assert.Equal(t, "A\x01", out[0].data)
	assert.Equal(t, 1, be.Offset)

	assert.Equal(t, reads("AB\x00\xffCD"), run(Config{AllowBinary: true}, "AB\x00\xffCD\r"))
}

func TestFramerFlushReportsPartial(t *testing.T) {
	f := newFramer(Config{}.withDefaults())
	var out []frame
	collect := func(d []byte, err error) { out = append(out, frame{string(d), err}) }
	f.feed([]byte("PART"), collect)
	f.flush(collect)
	f.feed([]byte("WHOLE\r"), collect)
	require.Len(t, out, 2)
	assert.ErrorIs(t, out[0].err, ErrPartialFrame)
	assert.Equal(t, "PART", out[0].data)
	assert.Equal(t, frame{data: "WHOLE"}, out[1])

	out = nil
	f.flush(collect)
	assert.Empty(t, out, "nothing pending, nothing reported")
}

// FuzzFramer checks the framer's invariants on arbitrary input split at an
// arbitrary point: frames never exceed MaxFrame, never contain the suffix,
// and good frames never contain garbage bytes.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("]C1010950123456789217\r\nA-03-2-05\r"), 5, []byte("\r"))
	f.Add([]byte("\x00\xff\x01garbage\rOK\r"), 3, []byte("\n"))
	f.Add([]byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ\x03OK\x03"), 20, []byte{0x03})
	f.Fuzz(func(t *testing.T, in []byte, split int, suffix []byte) {
		if len(suffix) == 0 || len(suffix) > 4 {
			return
		}
		c := Config{Suffix: suffix, MaxFrame: 16}.withDefaults()
		fr := newFramer(c)
		check := func(d []byte, err error) {
			assert.LessOrEqual(t, len(d), c.MaxFrame+len(c.Prefix)+len(c.Suffix))
			if err == nil {
				assert.NotEmpty(t, d)
				assert.LessOrEqual(t, len(d), c.MaxFrame)
				assert.False(t, bytes.Contains(d, suffix), "frame %q contains suffix %q", d, suffix)
				for _, b := range d {
					require.False(t, isGarbage(b), "garbage 0x%02x in good frame %q", b, d)
				}
			}
		}
		if split < 0 || split > len(in) {
			split = len(in) / 2
		}
		fr.feed(in[:split], check)
		fr.feed(in[split:], check)
		fr.flush(check)
	})
}
