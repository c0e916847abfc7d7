package wire_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dockhand/dockhand/internal/wire"
)

// The JSON examples in the docs are the contract as people read it: each
// must be a message the code would send or accept. These tests decode every
// example strictly into its internal/wire type and encode it back.

// docMessage says which type documents a message.
type docMessage struct {
	typ    string // the envelope's type
	new    func() any
	sealed bool // events, state and commands end with "sig"; ops messages do not
}

// docExamples maps a doc section to the message its JSON examples show.
// A section of docs/mqtt.md is keyed by its topic (the heading's backquoted
// name), others by file and heading.
var docExamples = map[string]docMessage{
	"evt/scan":     {string(wire.EvtScan), func() any { return new(wire.Scan) }, true},
	"evt/rfid":     {string(wire.EvtRFID), func() any { return new(wire.RFIDRead) }, true},
	"evt/rfid-raw": {string(wire.EvtRFIDRaw), func() any { return new(wire.RFIDRaw) }, true},
	"evt/device":   {string(wire.EvtDevice), func() any { return new(wire.Device) }, true},
	"evt/refused":  {string(wire.EvtRefused), func() any { return new(wire.Refused) }, true},
	"evt/print":    {string(wire.EvtPrint), func() any { return new(wire.PrintResult) }, true},
	"state":        {string(wire.TypeState), func() any { return new(wire.State) }, true},
	"cmd/ack":      {string(wire.CmdAck), func() any { return new(wire.Ack) }, true},
	"cmd/print":    {string(wire.CmdPrint), func() any { return new(wire.Print) }, true},
	"cmd/light":    {string(wire.CmdLight), func() any { return new(wire.Light) }, true},
	"ops/stock":    {string(wire.OpsStock), func() any { return new(wire.Stock) }, false},
	"ops/receipt":  {string(wire.OpsReceipt), func() any { return new(wire.Receipt) }, false},
	"ops/alert":    {string(wire.OpsAlert), func() any { return new(wire.Alert) }, false},
	"ops/order":    {string(wire.OpsOrder), func() any { return new(wire.Order) }, false},
	"ops/shipment": {string(wire.OpsShipment), func() any { return new(wire.Shipment) }, false},
	"ops/layers":   {string(wire.OpsLayers), func() any { return new(wire.Layers) }, false},

	"rfid.md#Gateway": {string(wire.EvtRFID), func() any { return new(wire.RFIDRead) }, true},
}

// example is one JSON code block of a doc, or (text empty) one row of a
// table: fields names what its first column holds in backquotes.
type example struct {
	file, heading string
	line          int
	text          string
	fields        []string
}

func (e example) String() string { return fmt.Sprintf("%s:%d (%s)", e.file, e.line, e.heading) }

// key is the docExamples key of the section e stands in.
func (e example) key() string {
	if e.file == "mqtt.md" {
		if e.heading == "Gateway state (birth and Last Will)" {
			return "state"
		}
		if _, topic, ok := strings.Cut(e.heading, "`"); ok {
			topic, _, _ = strings.Cut(topic, "`")
			return topic
		}
	}
	return e.file + "#" + e.heading
}

// jsonExamples returns the ```json blocks of docs/file under their heading,
// and the rows of its tables whose first column is "field" or "topic".
func jsonExamples(t *testing.T, file string) (blocks, rows []example) {
	t.Helper()
	f, err := os.Open("../../docs/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var heading string
	var cur *example
	inFence, inTable := false, false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.HasPrefix(line, "```"):
			blocks = append(blocks, *cur)
			cur, inFence = nil, false
		case cur != nil:
			cur.text += line + "\n"
		case strings.HasPrefix(line, "```json"):
			cur = &example{file: file, heading: heading, line: n + 1}
		case strings.HasPrefix(line, "```"):
			inFence = !inFence
		case !inFence && strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		case !inFence && (strings.HasPrefix(line, "| field |") || strings.HasPrefix(line, "| topic |")):
			inTable = true
		case inTable && strings.HasPrefix(line, "|---"):
		case inTable && strings.HasPrefix(line, "|"):
			cells := strings.Split(line, "|")
			rows = append(rows, example{file: file, heading: heading, line: n, fields: backquoted(cells[1]), text: ""})
			if len(cells) > 4 && strings.TrimSpace(cells[4]) == "reserved" {
				rows[len(rows)-1].fields = nil
			}
		default:
			inTable = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks, rows
}

// backquoted returns the `names` in s.
func backquoted(s string) []string {
	var out []string
	for i, part := range strings.Split(s, "`") {
		if i%2 == 1 {
			out = append(out, part)
		}
	}
	return out
}

// placeholderTime stands in for a time the doc elides as "…".
const placeholderTime = "2026-11-23T09:14:03.512Z"

func TestMQTTDocExamplesMatchTheWireTypes(t *testing.T) {
	seen := map[string]int{}
	for _, file := range []string{"mqtt.md", "rfid.md"} {
		blocks, _ := jsonExamples(t, file)
		for _, ex := range blocks {
			msg, ok := docExamples[ex.key()]
			if !ok {
				t.Errorf("%s: a JSON example in a section no test knows (%q): add it to docExamples", ex, ex.key())
				continue
			}
			seen[ex.key()]++
			for _, p := range problems(ex, msg) {
				t.Errorf("%s: %s", ex, p)
			}
		}
	}
	for key, msg := range docExamples {
		if seen[key] == 0 {
			t.Errorf("no JSON example documents %s any more", key)
		}
		if !strings.Contains(key, "#") && path.Base(key) != msg.typ {
			t.Errorf("%s carries messages of type %q: a topic's last level is its type", key, msg.typ)
		}
	}
}

// TestMQTTDocSummaryAndFieldTables checks docs/mqtt.md's other promises:
// every topic of the summary table that is not reserved has its section
// with an example (and no section documents a topic the summary lacks),
// and every field a "field" table names is a field of its message.
func TestMQTTDocSummaryAndFieldTables(t *testing.T) {
	_, rows := jsonExamples(t, "mqtt.md")
	summary := map[string]bool{}
	for _, r := range rows {
		switch r.heading {
		case "Summary":
			if len(r.fields) == 0 {
				continue // reserved
			}
			// dockhand/v1/{site}/gw/{gateway}/evt/scan → evt/scan
			topic := r.fields[0]
			if i := strings.LastIndex(topic, "}/"); i >= 0 {
				topic = topic[i+2:]
			}
			summary[topic] = true
			if _, ok := docExamples[topic]; !ok {
				t.Errorf("mqtt.md:%d: the summary lists %s, which has no section with an example", r.line, topic)
			}
		case "MQTT topics and payloads": // the envelope
			for _, f := range r.fields {
				if !jsonFields(reflect.TypeFor[wire.Envelope]())[f] && f != "sig" {
					t.Errorf("mqtt.md:%d: the envelope table names %q, which wire.Envelope lacks", r.line, f)
				}
			}
		default:
			msg, ok := docExamples[example{file: "mqtt.md", heading: r.heading}.key()]
			if !ok {
				t.Errorf("mqtt.md:%d: a field table in a section no test knows (%s)", r.line, r.heading)
				continue
			}
			have := jsonFields(reflect.TypeOf(msg.new()))
			for _, f := range r.fields {
				if !have[f] {
					t.Errorf("mqtt.md:%d: the table names %q, which %T lacks", r.line, f, msg.new())
				}
			}
		}
	}
	for key := range docExamples {
		if !strings.Contains(key, "#") && !summary[key] {
			t.Errorf("mqtt.md documents %s, which its summary table lacks", key)
		}
	}
}

// jsonFields lists the JSON names of t's fields, those of embedded
// structs included.
func jsonFields(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			maps.Copy(out, jsonFields(f.Type))
			continue
		}
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// problems decodes ex strictly into msg's type (a field the type lacks
// fails), encodes it again and compares: a field the type always sends that
// the example lacks, or a value that does not survive, fails too.
func problems(ex example, msg docMessage) []string {
	text := strings.TrimSpace(ex.text)
	fragment := strings.HasPrefix(text, `"`) // a member shown alone: "tags":[…]
	if fragment {
		text = "{" + text + "}"
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	v := msg.new()
	fillElidedTimes(doc, timeFields(reflect.TypeOf(v)))
	var out []string
	if _, ok := doc["sig"]; ok {
		if !msg.sealed {
			out = append(out, `shows a seal ("sig") on a message that is not sealed`)
		}
		delete(doc, "sig") // wire.Open strips the seal before decoding
	} else if msg.sealed && msg.typ == string(wire.TypeState) {
		out = append(out, `the state message is sealed: show its "sig"`)
	}
	if !fragment && doc["type"] != msg.typ {
		out = append(out, fmt.Sprintf("type is %v, want %q", doc["type"], msg.typ))
	}

	in, _ := json.Marshal(doc)
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return append(out, fmt.Sprintf("does not decode into %T: %v", v, err))
	}
	encoded, err := json.Marshal(v)
	if err != nil {
		return append(out, fmt.Sprintf("%T does not encode: %v", v, err))
	}
	var back map[string]any
	if err := json.Unmarshal(encoded, &back); err != nil {
		return append(out, err.Error())
	}
	if fragment {
		for k := range back {
			if _, ok := doc[k]; !ok {
				delete(back, k)
			}
		}
	}
	for _, d := range diff("", doc, back) {
		out = append(out, fmt.Sprintf("%T encoded again differs: %s", v, d))
	}
	return out
}

// timeFields lists the JSON names of the time fields in t and the types
// it holds, so that a time the doc elides as "…" can be filled in.
func timeFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	var walk func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft == reflect.TypeFor[time.Time]() && name != "" {
				out[name] = true
				continue
			}
			walk(f.Type)
		}
	}
	walk(t)
	return out
}

// fillElidedTimes replaces "…" by a time wherever a time field holds it.
func fillElidedTimes(v any, times map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == "…" && times[k] {
				v[k] = placeholderTime
				continue
			}
			fillElidedTimes(x, times)
		}
	case []any:
		for _, x := range v {
			fillElidedTimes(x, times)
		}
	}
}

// diff lists where two decoded JSON values differ, by path.
func diff(path string, want, got any) []string {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		var out []string
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			w, inW := wm[k]
			g, inG := gm[k]
			switch {
			case !inG:
				out = append(out, fmt.Sprintf("%s%s is in the doc but not sent (omitempty with the value %v?)", path, k, w))
			case !inW:
				out = append(out, fmt.Sprintf("%s%s is always sent (%v) but missing from the doc", path, k, g))
			default:
				out = append(out, diff(path+k+".", w, g)...)
			}
		}
		return out
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		var out []string
		for i := range wl {
			out = append(out, diff(fmt.Sprintf("%s%d.", path, i), wl[i], gl[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: the doc has %v, encoded again %v", strings.TrimSuffix(path, "."), want, got)}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestExampleCheckCatchesDrift makes sure the check can fail: a field the
// type lacks, a field the type always sends, a changed value, a wrong type,
// a seal where there is none and none where there is one.
func TestExampleCheckCatchesDrift(t *testing.T) {
	for _, c := range []struct {
		name, key, body, want string
	}{
		{"unknown field", "cmd/light", `{"id":"x","ts":"…","type":"light","station":"dock-1","pattern":"ok","colour":"green"}`, `unknown field "colour"`},
		{"required field", "cmd/light", `{"id":"x","ts":"…","type":"light","station":"dock-1"}`, "pattern is always sent"},
		{"omitted value", "cmd/ack", `{"id":"x","ts":"…","type":"ack","stream":"s","seq":1,"resend":false}`, "resend is in the doc but not sent"},
		{"changed value", "cmd/light", `{"id":"x","ts":"2026-11-23T09:14:03.500Z","type":"light","station":"dock-1","pattern":"ok"}`, "ts: the doc has"},
		{"wrong type", "cmd/light", `{"id":"x","ts":"…","type":"print","station":"dock-1","pattern":"ok"}`, `type is print, want "light"`},
		{"unsealed state", "state", `{"id":"x","ts":"…","type":"state","state":"online"}`, `show its "sig"`},
		{"sealed ops", "ops/alert", `{"id":"x","ts":"…","type":"alert","kind":"k","severity":"info","message":"m","sig":"00"}`, "not sealed"},
		{"fragment", "evt/rfid", `"tags":[{"epc":"30","reads":1,"first_seen":"…"}]`, "tags.0.last_seen is always sent"},
	} {
		got := problems(example{text: c.body}, docExamples[c.key])
		if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, c.want) }) {
			t.Errorf("%s: problems %q, want one saying %q", c.name, got, c.want)
		}
	}
	ok := `{"id":"x","ts":"…","type":"light","station":"dock-1","pattern":"ok"}`
	if got := problems(example{text: ok}, docExamples["cmd/light"]); len(got) != 0 {
		t.Errorf("a good example has problems: %q", got)
	}
}
