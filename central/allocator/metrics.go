package allocator

import "sync/atomic"

// Metrics count what the allocator did; the daemon exports them.
type Metrics struct {
	Applied    atomic.Uint64
	Duplicates atomic.Uint64
	Gaps       atomic.Uint64
	Shed       atomic.Uint64
	Malformed  atomic.Uint64
	SetAside   atomic.Uint64
	Failures   atomic.Uint64
	Alerts     atomic.Uint64
	// AlertsHeldBack counts repeats collapsed into a summary.
	AlertsHeldBack atomic.Uint64
}
