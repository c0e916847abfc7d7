// Package e2e holds Dockhand's end-to-end fault-injection tests: real
// gateway and central processes killed with SIGKILL, real brokers stopped
// and restarted, a broker that never acknowledges, and a broker that drops
// queued messages — and after all of it, every event applied exactly once,
// in order. The package has no code of its own besides test helpers.
package e2e
