package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/internal/wire"
)

// streamQueue is how many events wait for a browser before it loses some.
const streamQueue = 256

// keepAlive is how often an idle stream sends a comment, so proxies and
// the browser know it is alive.
const keepAlive = 15 * time.Second

// events streams live events as Server-Sent Events: "scan", "tag",
// "pass", "device", and "dropped" (how many events this browser missed
// because it read too slowly). A browser that stops reading is dropped
// after StreamWriteTimeout; nothing else waits for it.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		writeError(w, http.StatusServiceUnavailable, "too many live views open; close one")
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	sub := s.b.Live().Subscribe(streamQueue)
	defer s.b.Live().Unsubscribe(sub)
	write := func(event string, v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			return true
		}
		_ = rc.SetWriteDeadline(time.Now().Add(s.opt.StreamWriteTimeout))
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The current state first, so the page needs no second request.
	if !write("devices", nonNil(s.b.Devices())) {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		case <-tick.C:
			_ = rc.SetWriteDeadline(time.Now().Add(s.opt.StreamWriteTimeout))
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case ev := <-sub.C():
			if n := sub.Dropped(); n > 0 && !write("dropped", map[string]uint64{"events": n}) {
				return
			}
			if v, ok := view(ev); ok && !write(ev.Type, v) {
				return
			}
		}
	}
}

// view is what the page is sent for a live event.
func view(ev live.Event) (any, bool) {
	switch d := ev.Data.(type) {
	case live.Scan:
		return scanOf(d), true
	case live.Tag:
		return d, true
	case *wire.RFIDRead:
		return d, true
	case health.Device:
		return d, true
	}
	return nil, false
}

// scanView is a scan with the GS1 interpretation spelled out.
type scanView struct {
	ID        string        `json:"id"`
	At        time.Time     `json:"at"`
	Device    string        `json:"device"`
	Station   string        `json:"station"`
	Role      wire.Role     `json:"role"`
	Symbology string        `json:"symbology,omitempty"`
	Data      string        `json:"data"`
	GS1       bool          `json:"gs1"`
	Elements  []elementView `json:"elements,omitempty"`
	HRI       string        `json:"hri,omitempty"`
	Error     string        `json:"error,omitempty"`
	// ErrorAt is the byte offset in Data of the character the error is
	// about (as in the evt/scan event); absent when no one character is.
	ErrorAt *int `json:"error_at,omitempty"`
	Stored  bool `json:"stored"`
}

type elementView struct {
	AI    string `json:"ai"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

func scanOf(s live.Scan) scanView {
	v := scanView{ID: s.Scan.ID, At: s.Scan.TS, Device: s.Scan.Device, Station: s.Scan.Station, Role: s.Scan.Role, Symbology: s.Scan.Symbology,
		Data: s.Scan.Data, GS1: s.Scan.GS1, HRI: s.Scan.HRI, Error: s.Scan.Error, ErrorAt: s.Scan.ErrorAt, Stored: s.Stored}
	for _, e := range s.Scan.Elements {
		name, _ := gs1.Describe(e.AI)
		v.Elements = append(v.Elements, elementView{AI: e.AI, Name: name, Value: e.Value})
	}
	return v
}
