package logging

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRingKeepsTheLastLinesAndFilters(t *testing.T) {
	r := NewRing(4)
	log := zerolog.New(r).With().Timestamp().Logger()
	log.Info().Str("device", "scanner-1").Msg("one")
	log.Warn().Str("device", "printer-1").Str("reason", "paper out").Msg("two")
	log.Info().Msg("three")
	log.Error().Str("device", "scanner-1").Int("n", 3).Msg("four")
	log.Debug().Str("device", "scanner-1").Msg("five")

	all := r.Lines(Filter{MinLevel: zerolog.NoLevel})
	require.Len(t, all, 4, "the oldest line is gone")
	assert.Equal(t, "two", all[0].Message)
	assert.Equal(t, "paper out", all[0].Fields["reason"])
	assert.False(t, all[0].Time.IsZero())
	assert.Equal(t, "3", all[2].Fields["n"])

	warn := r.Lines(Filter{MinLevel: zerolog.WarnLevel})
	assert.Equal(t, []string{"two", "four"}, messages(warn))
	dev := r.Lines(Filter{MinLevel: zerolog.NoLevel, Device: "scanner-1"})
	assert.Equal(t, []string{"four", "five"}, messages(dev))
	assert.Equal(t, []string{"five"}, messages(r.Lines(Filter{MinLevel: zerolog.NoLevel, Max: 1})))
}

func TestRingBoundsAndKeepsOddLines(t *testing.T) {
	r := NewRing(2)
	_, err := r.Write([]byte(strings.Repeat("x", 10000)))
	require.NoError(t, err)
	lines := r.Lines(Filter{MinLevel: zerolog.NoLevel})
	require.Len(t, lines, 1)
	assert.Len(t, lines[0].Raw, maxLineBytes)
	assert.Empty(t, r.Lines(Filter{MinLevel: zerolog.InfoLevel}), "a line without a level is not at info")
}

func messages(ls []Line) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Message)
	}
	return out
}

// The ring behind New keeps the lines Writer has de-duplicated: one
// component each, the most specific one (strict JSON, as on stderr).
func TestRingKeepsLinesWithOneComponent(t *testing.T) {
	r := NewRing(10)
	log, err := New(io.Discard, "info", "gatewayd", r)
	require.NoError(t, err)
	log.Info().Msg("root")
	web := log.With().Str("component", "web").Logger()
	web.Warn().Msg("sub")
	require.Equal(t, 2, r.next)
	for i, want := range []string{`"component":"gatewayd"`, `"component":"web"`} {
		assert.Equal(t, 1, bytes.Count(r.lines[i], []byte(`"component":`)), "%s", r.lines[i])
		assert.Contains(t, string(r.lines[i]), want)
	}
}
