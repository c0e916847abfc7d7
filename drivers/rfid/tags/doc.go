// Package tags turns the raw read stream of RFID readers into dock-door
// events.
//
// A fixed reader reports the same tag tens of times a second on several
// antennas. The Pipeline filters and condenses that stream:
//
//   - RSSI threshold: reads weaker than MinRSSI (tags far away, behind the
//     door, on the next dock) are dropped.
//   - Photo-eye gate: when Gated, reads only count while the gate input is
//     open, or within GateHold after it closed.
//   - Presence: a tag Arrives after ArriveReads reads and Departs once it has
//     not been read for DepartAfter. The side of the door (antenna → Side) where
//     a tag was first and last seen gives the Direction of a departed tag:
//     outside → inside is "in", inside → outside is "out".
//   - Raw lane: at most one Raw event per tag (EPC, or EPC+TID) per
//     DedupWindow, and at most RawRate of them per second in total.
//
// All timing uses the pipeline's clock (host time when the read is
// processed), not reader timestamps, so readers with drifting clocks behave
// the same. The pipeline is safe for concurrent use.
package tags
