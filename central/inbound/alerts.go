package inbound

// The alerts receiving raises, by kind. Domain packages do not import the
// MQTT contract (internal/wire); each kind here is one of its alert kinds
// (wire.AlertKinds), which central/app's tests check.
const (
	AlertUnknownPallet     = "unknown-pallet"
	AlertDuplicatePallet   = "duplicate-pallet"
	AlertUnknownItem       = "unknown-item"
	AlertBadQuantity       = "bad-quantity"
	AlertIncompleteScan    = "incomplete-scan"
	AlertUnexpectedItem    = "unexpected-item"
	AlertOverReceipt       = "over-receipt"
	AlertShortReceipt      = "short-receipt"
	AlertRFIDCountMismatch = "rfid-count-mismatch"
)

// AlertKinds lists every kind receiving raises.
var AlertKinds = []string{AlertUnknownPallet, AlertDuplicatePallet, AlertUnknownItem, AlertBadQuantity, AlertIncompleteScan,
	AlertUnexpectedItem, AlertOverReceipt, AlertShortReceipt, AlertRFIDCountMismatch}
