// Package devsim provides virtual devices that speak the same wire protocols
// as Dockhand's real hardware, for tests, CI and demos, with faults on
// command:
//
//   - Scanner: a serial barcode scanner on a pseudo-terminal behind a stable
//     symlink (like /dev/serial/by-id/...), with garbage bytes, unplug/replug,
//     a slow device and a mid-frame disconnect.
//   - Printer: a Zebra-style ZPL printer on raw TCP (port 9100), optionally
//     also on a serial pseudo-terminal, that keeps every ^XA..^XZ label
//     format as a Job (and a file), answers ~HS host status, and can run out
//     of paper, pause, open its head, go offline or drop a connection
//     mid-job.
//   - RFID readers (LLRP, Mercury) live in llrp*.go and mercury*.go.
//
// The drivers under test cannot tell these from real devices: the scanner
// driver opens the pty through go.bug.st/serial, the printer driver dials TCP.
// `devsim run` (cmd/devsim) puts them in front of a human; docs/devices.md
// describes both.
package devsim
