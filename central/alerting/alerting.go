// Package alerting collapses floods of identical alerts, so that a
// scanner spitting garbage or a printer flapping on and off tells
// operations once, not thousands of times.
//
// Alerts are the same when their Key is: kind, gateway, station, device
// and message class (stock.Alert.Class, else the message itself). What
// operations see for one key: the first alert at once; while repeats
// follow, nothing more until the window (default one minute) that the
// first alert opened has passed; then one summary alert — the last
// repeat's kind, severity and details, with Count (how many were held
// back) and First/Last (when the first and last of them were raised).
// Each further window with repeats ends in one summary; a window without
// any closes the key, and the next alert is again sent at once.
//
// The package is pure logic on a clock: the state of each key is a
// Window value the caller keeps in its own transaction, next to the
// alert it publishes, so a repeat that is held back is counted exactly
// once even when the transaction aborts and is retried, and survives a
// restart.
package alerting

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// DefaultWindow is how long repeats are collapsed into one summary.
const DefaultWindow = time.Minute

// Key identifies alerts that are the same.
type Key struct {
	Kind    string `json:"kind"`
	Gateway string `json:"gateway,omitempty"`
	Station string `json:"station,omitempty"`
	Device  string `json:"device,omitempty"`
	Class   string `json:"class"`
}

// KeyOf is the key of an alert raised at a gateway's station.
func KeyOf(gateway, station string, al stock.Alert) Key {
	class := al.Class
	if class == "" {
		class = al.Message
	}
	return Key{Kind: al.Kind, Gateway: gateway, Station: station, Device: al.Device, Class: class}
}

// Window is the state of one key: the window that is open and the
// repeats it has held back (Count; First and Last raised; Sample, the
// last of them).
type Window struct {
	Key    Key         `json:"key"`
	Start  time.Time   `json:"start"`
	Count  int64       `json:"count,omitempty"`
	First  time.Time   `json:"first,omitzero"`
	Last   time.Time   `json:"last,omitzero"`
	Sample stock.Alert `json:"sample,omitzero"`
}

// Collapser decides, on its clock, what to publish.
type Collapser struct {
	Window time.Duration    // 0 means DefaultWindow
	Now    func() time.Time // nil means time.Now
}

func (c Collapser) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c Collapser) window() time.Duration {
	if c.Window <= 0 {
		return DefaultWindow
	}
	return c.Window
}

// Decision is what to do about one raised alert.
type Decision struct {
	// Summary, when not nil, ends a window that is over: publish it first.
	Summary *stock.Alert
	// Alert, when not nil, is published now; nil means held back.
	Alert *stock.Alert
	// Next is the key's new state; nil forgets the key.
	Next *Window
}

// Raise decides about alert al of key k, raised now; w is the key's
// state (nil when none).
func (c Collapser) Raise(w *Window, k Key, al stock.Alert) Decision {
	now := c.now()
	summary, w := c.flush(w, now)
	if w == nil {
		return Decision{Summary: summary, Alert: &al, Next: &Window{Key: k, Start: now}}
	}
	next := *w
	next.Count++
	if next.Count == 1 {
		next.First = now
	}
	next.Last, next.Sample = now, al
	return Decision{Summary: summary, Next: &next}
}

// Due reports whether w's window is over, so Flush has something to do.
func (c Collapser) Due(w Window) bool { return !c.now().Before(w.Start.Add(c.window())) }

// Flush ends w's window if it is over: the summary to publish (nil when
// it held nothing back) and the key's new state (nil: forget the key).
func (c Collapser) Flush(w Window) (*stock.Alert, *Window) { return c.flush(&w, c.now()) }

func (c Collapser) flush(w *Window, now time.Time) (*stock.Alert, *Window) {
	var summary *stock.Alert
	for w != nil && !now.Before(w.Start.Add(c.window())) {
		if w.Count == 0 {
			return summary, nil
		}
		summary = summarise(*w)
		// Repeats went on: the next window opens where this one ended.
		w = &Window{Key: w.Key, Start: w.Start.Add(c.window())}
	}
	return summary, w
}

// summarise is the alert that tells of a window's held-back repeats.
func summarise(w Window) *stock.Alert {
	s := w.Sample
	first, last := w.First, w.Last
	s.Count, s.First, s.Last = w.Count, &first, &last
	noun := "alerts"
	if w.Count == 1 {
		noun = "alert"
	}
	s.Message = fmt.Sprintf("%d more %s %s like this from %s to %s; the last: %s", w.Count, s.Kind, noun,
		first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339), w.Sample.Message)
	return &s
}
