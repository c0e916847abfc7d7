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
//   - LLRPReader: a fixed RFID reader speaking LLRP on TCP (like an Impinj
//     or Zebra reader on port 5084): the reader side of an LLRP 1.0.1
//     inventory session (capabilities, reader configuration, ROSpecs and
//     AccessSpecs with their triggers, reports, events, keepalives, event
//     holding, version negotiation of 1.1), faults answered with the
//     standard's status codes, ROSpecs kept across connections, a second
//     client refused; optionally with commercial readers' habits (vendor
//     parameters, unasked events, omitted values, a link monitor). It can
//     send garbage, be slow, cut a message mid-frame, drop the connection
//     or be unplugged.
//   - MercuryReader: a ThingMagic/JADAK Mercury module (M6e Nano) on a
//     pseudo-terminal behind a stable symlink. It answers the configuration
//     commands, reports the tags in its field every read cycle while
//     continuous reading is on, and can send garbage, be slow, cut a frame
//     mid-way (and unplug) or be unplugged and replugged.
//
// The serial devices share one model of a USB serial line (ptylink.go): a
// raw pseudo-terminal whose stable name is swapped atomically on replug, as
// udev does. The RFID readers share the tag field (field.go), and all
// simulators but the printer share the line faults (faults.go).
//
// The drivers under test cannot tell these from real devices: the scanner
// and Mercury drivers open the pty through go.bug.st/serial, the printer and
// LLRP drivers dial TCP. `devsim run` (cmd/devsim) puts the scanner and the
// printer in front of a human; docs/devices.md describes them and
// docs/rfid.md the readers.
package devsim
