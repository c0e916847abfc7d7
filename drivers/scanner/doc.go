// Package scanner drives serial barcode scanners (RS-232, USB CDC/"USB COM
// port emulation") through go.bug.st/serial.
//
// A Scanner is push-driven: Run opens the port and emits one Event per frame
// as the scanner sends it. Frames end with a configurable suffix (CR by
// default; CR LF counts as one terminator, so CR, LF and CRLF scanners need
// no configuration) and may start with a prefix, which is stripped. Overlong
// input and binary garbage (line noise, a wrong baud rate) become FrameError
// events, and framing resynchronises at the next suffix.
//
// Run survives unplugging: it reports Disconnected, reopens the port with
// capped exponential backoff (reset after a good connection) and reports
// Connected again. Configure ports by their stable /dev/serial/by-id/ names,
// which udev recreates on replug. Modem-control calls (DTR, RTS, status bits)
// are optional, so the same driver runs on a pseudo-terminal; see the devsim
// package for a virtual scanner.
//
// The driver knows nothing of MQTT or storage; the gateway turns events into
// messages. User documentation: docs/devices.md.
package scanner
