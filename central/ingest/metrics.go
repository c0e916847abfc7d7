package ingest

import "sync/atomic"

// Metrics count what ingest did; the daemon exports them.
type Metrics struct {
	Applied    atomic.Uint64
	Duplicates atomic.Uint64
	Gaps       atomic.Uint64
	Shed       atomic.Uint64
	Malformed  atomic.Uint64
	SetAside   atomic.Uint64
	Failures   atomic.Uint64
	// Refused counts gateway messages refused before use (size, sender,
	// seal, stream); Conflicts events claiming an applied seq with another id.
	Refused   atomic.Uint64
	Conflicts atomic.Uint64
	// Unannounced counts events held back because their stream was not
	// (yet) announced.
	Unannounced atomic.Uint64
}
