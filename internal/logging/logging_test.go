package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topKeys returns the keys of a JSON object line in order and fails on a
// key that appears twice: what a strict JSON log shipper refuses.
func topKeys(line []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %q", line)
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("key %q appears twice in %s", key, line)
		}
		fields[key] = v
	}
	return fields, nil
}

// checkLines asserts that every line of out is a JSON object without a
// repeated key and with exactly one component, and returns how many lines
// each component wrote.
func checkLines(t *testing.T, out string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields, err := topKeys([]byte(line))
		require.NoError(t, err)
		var c string
		require.NoError(t, json.Unmarshal(fields["component"], &c), "a component on %s", line)
		seen[c]++
	}
	return seen
}

func TestEveryLineHasOneComponent(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "debug", "gatewayd")
	require.NoError(t, err)
	log.Info().Msg("root")
	link := log.With().Str("component", "link").Logger()
	link.Warn().Str("broker", "tcp://x").Msg("sub")
	dev := link.With().Str("device", "scanner-1").Logger()
	dev.Debug().Msg("sub of sub")
	printer := log.With().Str("device", "printer-1").Logger()
	printer.Info().Msg("device")
	log.Log().Msg("no level")
	assert.Equal(t, map[string]int{"gatewayd": 3, "link": 2}, checkLines(t, buf.String()))
}

func TestDuplicateKeyIsCaught(t *testing.T) {
	_, err := topKeys([]byte(`{"component":"gatewayd","level":"info","component":"link"}`))
	assert.ErrorContains(t, err, `key "component" appears twice`)
}

func TestBadLevel(t *testing.T) {
	_, err := New(&bytes.Buffer{}, "loud", "x")
	assert.ErrorContains(t, err, "use trace, debug")
}
