package health

import (
	"fmt"
	"time"
)

// Reason is one thing that keeps the gateway from being fully ready.
type Reason struct {
	Component string `json:"component"` // "device", "mqtt", ...
	ID        string `json:"id,omitempty"`
	Reason    string `json:"reason"`
}

// Link is the state of the gateway's MQTT link.
type Link struct {
	Connected bool      `json:"connected"`
	Since     time.Time `json:"since,omitzero"`
	LastError string    `json:"last_error,omitempty"`
}

// Unready lists why the gateway is degraded: every configured device that
// is not working, and the link when it is down. Empty means ready.
func Unready(devs []Device, link Link) []Reason {
	var out []Reason
	if !link.Connected {
		r := "not connected to the broker"
		if !link.Since.IsZero() {
			r += " since " + link.Since.UTC().Format(time.RFC3339)
		}
		if link.LastError != "" {
			r += ": " + link.LastError
		}
		out = append(out, Reason{Component: "mqtt", Reason: r})
	}
	for _, d := range devs {
		if d.Working() {
			continue
		}
		r := fmt.Sprintf("%s %s is %s", d.Kind, d.ID, d.State)
		if d.State != Starting && d.LastError != "" {
			r += ": " + d.LastError
		}
		out = append(out, Reason{Component: "device", ID: d.ID, Reason: r})
	}
	return out
}
