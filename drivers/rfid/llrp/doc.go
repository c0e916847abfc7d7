// Package llrp drives fixed UHF readers (Impinj Speedway/R700, Zebra FX
// series, ThingMagic and others) over EPCglobal LLRP 1.0.1 on TCP port 5084.
//
// Reader implements rfid.Reader: it connects, waits for the reader's
// ConnectionAttemptEvent (a refusal, usually because another client holds
// the reader, ends the session with ErrRefused), reads the capabilities,
// lifts any event hold a previous client set (ENABLE_EVENTS_AND_REPORTS),
// sets a keepalive, GPI and reader-exception events and enables the GPI
// ports, deletes every AccessSpec and ROSpec on the reader and installs its
// own ROSpec (all or the configured antennas, report every tag with ROSpec
// ID, antenna, peak RSSI, first-seen time and seen count), enables and
// starts it, then turns RO_ACCESS_REPORTs into rfid.Read events. It answers
// KEEPALIVEs, treats three missed keepalives as a dead link and reconnects
// with back-off. What real readers add is skipped: vendor (Custom) and
// unknown parameters by their length, events it did not enable, reports
// from ROSpecs that are not its own; report values a reader leaves out
// because they did not change are taken from the previous report, as the
// standard says.
//
// The codec (schema.go, codec.go, status.go) holds every message and
// parameter of LLRP 1.0.1 and the version negotiation of 1.1 as tables of
// type numbers, field layouts and sub-parameter rules, and encodes, decodes
// (Message.Decode, lenient, for clients) and validates (Validate, the
// checks a reader makes, with faults located as LLRPStatus reports them)
// against them. messages.go has Go values for the messages of an inventory
// session. The reader simulator in drivers/devsim builds on the same
// codec. Section numbers in comments refer to the LLRP 1.0.1 standard
// (§16.1 binary encoding of messages, §16.2 of parameters, §14 errors)
// unless they say 1.1.
package llrp
