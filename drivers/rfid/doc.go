// Package rfid holds the types shared by Dockhand's UHF RFID reader drivers.
//
// A driver (sub-packages llrp and mercury) implements Reader: Run connects to
// the hardware, keeps the connection alive, reconnects with back-off and hands
// every tag observation to emit as a Read, together with Status changes and
// general-purpose input edges (GPI, e.g. a photo-eye wired to the reader).
// The tags sub-package turns the raw stream of reads into dock-door events
// (de-duplication, RSSI threshold, direction, Arrived/Departed).
//
// Drivers know nothing of MQTT or storage; the gateway wires them up.
package rfid
