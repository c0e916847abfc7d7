package logging

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// maxLineBytes bounds one kept line: a huge log line costs the ring no
// more than this.
const maxLineBytes = 4 << 10

// Ring keeps a daemon's last log lines in memory for its web page. It is a
// zerolog writer: add it beside the real output with zerolog.MultiLevelWriter.
type Ring struct {
	mu    sync.Mutex
	lines [][]byte
	next  int
	full  bool
}

// NewRing keeps the last n lines.
func NewRing(n int) *Ring { return &Ring{lines: make([][]byte, max(n, 1))} }

// Write keeps one JSON log line (zerolog writes one per call).
func (r *Ring) Write(p []byte) (int, error) {
	line := append([]byte(nil), p[:min(len(p), maxLineBytes)]...)
	r.mu.Lock()
	r.lines[r.next] = line
	r.next = (r.next + 1) % len(r.lines)
	r.full = r.full || r.next == 0
	r.mu.Unlock()
	return len(p), nil
}

// Line is one log line as the page shows it.
type Line struct {
	Time    time.Time         `json:"time,omitzero"`
	Level   string            `json:"level"`
	Message string            `json:"message"`
	Device  string            `json:"device,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"` // the other fields, as text
	Raw     string            `json:"raw,omitempty"`    // a line that is not JSON (cut off), as it was
}

// Filter selects lines: at least MinLevel (zerolog.NoLevel: all), of
// Device when set, the last Max of them (0: all kept).
type Filter struct {
	MinLevel zerolog.Level
	Device   string
	Max      int
}

// Lines returns the kept lines that pass f, oldest first.
func (r *Ring) Lines(f Filter) []Line {
	r.mu.Lock()
	var raw [][]byte
	if r.full {
		raw = append(raw, r.lines[r.next:]...)
	}
	raw = append(raw, r.lines[:r.next]...)
	r.mu.Unlock()
	var out []Line
	for _, b := range raw {
		l := parseLine(b)
		lvl, err := zerolog.ParseLevel(l.Level)
		if f.MinLevel != zerolog.NoLevel && (l.Level == "" || err != nil || lvl < f.MinLevel) {
			continue
		}
		if f.Device != "" && l.Device != f.Device {
			continue
		}
		out = append(out, l)
	}
	if f.Max > 0 && len(out) > f.Max {
		out = out[len(out)-f.Max:]
	}
	return out
}

func parseLine(b []byte) Line {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return Line{Level: "", Raw: string(b)}
	}
	l := Line{Fields: map[string]string{}}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			enc, _ := json.Marshal(v)
			s = string(enc)
		}
		switch k {
		case zerolog.TimestampFieldName:
			l.Time, _ = time.Parse(zerolog.TimeFieldFormat, s)
		case zerolog.LevelFieldName:
			l.Level = s
		case zerolog.MessageFieldName:
			l.Message = s
		case "device":
			l.Device = s
		default:
			l.Fields[k] = s
		}
	}
	return l
}
