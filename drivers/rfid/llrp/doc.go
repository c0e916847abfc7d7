// Package llrp drives fixed UHF readers (Impinj Speedway/R700, Zebra FX
// series and others) over EPCglobal LLRP 1.0.1 on TCP port 5084.
//
// Reader implements rfid.Reader: it connects, waits for the reader's
// ConnectionAttemptEvent, reads the capabilities, sets a keepalive and GPI
// event notification, replaces any ROSpec with its own (all or the configured
// antennas, report every tag with antenna, peak RSSI, first-seen time and
// seen count), enables and starts it, then turns RO_ACCESS_REPORTs into
// rfid.Read events. It answers KEEPALIVEs, treats three missed keepalives as
// a dead link and reconnects with back-off.
//
// The codec part (Message, ReadMessage, the message builders and parsers)
// covers just the messages and parameters that session needs, in both
// directions, so the reader simulator in drivers/devsim and the tests can use
// it too. Section numbers in comments refer to the LLRP 1.0.1 standard
// (§16.1 binary encoding of messages, §16.2 of parameters).
package llrp
