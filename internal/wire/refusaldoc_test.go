package wire_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dockhand/dockhand/internal/wire"
)

// words lists the backquoted words of text that are not in skip, in order.
func words(text string, skip func(string) bool) []wire.Refusal {
	var out []wire.Refusal
	for _, w := range backquoted(text) {
		if !skip(w) {
			out = append(out, wire.Refusal(w))
		}
	}
	return out
}

// The refusal reasons docs/mqtt.md names are the ones the code sends: the
// prose under evt/refused (beside its fields and the alert it raises) and
// the refused-message alert's row.
func TestMQTTDocNamesEveryRefusalReason(t *testing.T) {
	b, err := os.ReadFile("../../docs/mqtt.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, section, ok := strings.Cut(doc, "### `evt/refused`")
	if !ok {
		t.Fatal("mqtt.md has no evt/refused section")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	if _, after, ok := strings.Cut(section, "```json"); ok { // the prose after the example
		_, section, _ = strings.Cut(after, "```")
	}
	fields := jsonFields(reflect.TypeFor[wire.Refused]())
	got := words(section, func(w string) bool { return fields[w] || slices.Contains(wire.AlertKinds, wire.AlertKind(w)) })
	if !slices.Equal(got, wire.GatewayRefusals) {
		t.Errorf("mqtt.md, evt/refused names the reasons %q; the gateway sends %q", got, wire.GatewayRefusals)
	}

	var row string
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| `"+string(wire.AlertRefusedMessage)+"` |") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("mqtt.md has no refused-message row in the alert kinds")
	}
	got = words(row, func(w string) bool {
		return w == string(wire.AlertRefusedMessage) || strings.HasPrefix(w, "details.")
	})
	if !slices.Equal(got, wire.CentralRefusals) {
		t.Errorf("mqtt.md, the refused-message alert names the reasons %q; central raises %q", got, wire.CentralRefusals)
	}
}
