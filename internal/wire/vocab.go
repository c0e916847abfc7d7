package wire

// The words of the contract: each a type, each value defined here once
// (docs/mqtt.md says what they mean). JSON carries them as strings.

// MessageType is a message's type: its envelope's "type" and the last
// level of its topic.
type MessageType string

// Role is what a scan at a station means to central (gateway.yaml
// stations[].role, the scan's "role").
type Role string

// Station roles.
const (
	RoleInboundDock  Role = "inbound-dock"
	RolePutaway      Role = "putaway"
	RolePack         Role = "pack"
	RoleOutboundDock Role = "outbound-dock"
	RoleCount        Role = "count"
)

// Roles lists every station role.
var Roles = []Role{RoleInboundDock, RolePutaway, RolePack, RoleOutboundDock, RoleCount}

// LightPattern is what a station light shows (cmd/light "pattern";
// docs/gpio.md has the timings).
type LightPattern string

// Light patterns.
const (
	LightOff       LightPattern = "off"
	LightOK        LightPattern = "ok"
	LightReject    LightPattern = "reject"
	LightBusy      LightPattern = "busy"
	LightWait      LightPattern = "wait"
	LightFault     LightPattern = "fault"
	LightAttention LightPattern = "attention"
	LightTest      LightPattern = "test"
)

// Template names a built-in label template (cmd/print "template";
// docs/labels.md).
type Template string

// Built-in label templates.
const (
	TemplateSSCCPallet  Template = "sscc-pallet"
	TemplatePutaway     Template = "putaway"
	TemplatePickTicket  Template = "pick-ticket"
	TemplateShipping    Template = "shipping"
	TemplateBinLocation Template = "bin-location"
)

// AlertKind is what an operations alert is about (ops/alert "kind").
type AlertKind string

// Alert kinds.
const (
	AlertUnknownPallet     AlertKind = "unknown-pallet"
	AlertDuplicatePallet   AlertKind = "duplicate-pallet"
	AlertBadScan           AlertKind = "bad-scan"
	AlertUnexpectedScan    AlertKind = "unexpected-scan"
	AlertDevice            AlertKind = "device"
	AlertPrintFailed       AlertKind = "print-failed"
	AlertMalformedEvent    AlertKind = "malformed-event"
	AlertEventFailed       AlertKind = "event-failed"
	AlertUnknownItem       AlertKind = "unknown-item"
	AlertIncompleteScan    AlertKind = "incomplete-scan"
	AlertUnexpectedItem    AlertKind = "unexpected-item"
	AlertOverReceipt       AlertKind = "over-receipt"
	AlertShortReceipt      AlertKind = "short-receipt"
	AlertRFIDCountMismatch AlertKind = "rfid-count-mismatch"
	AlertUnknownLPN        AlertKind = "unknown-lpn"
	AlertUnknownLocation   AlertKind = "unknown-location"
	AlertWrongLocation     AlertKind = "wrong-location"
	AlertPutawayDeviation  AlertKind = "putaway-deviation"
	AlertCountRecount      AlertKind = "count-recount"
	AlertCountAdjusted     AlertKind = "count-adjusted"
	AlertQCFailed          AlertKind = "qc-failed"
	AlertRefusedMessage    AlertKind = "refused-message"
	AlertConflictingEvent  AlertKind = "conflicting-event"
	AlertGatewayRefused    AlertKind = "gateway-refused"
	AlertBadQuantity       AlertKind = "bad-quantity"
	AlertBackorder         AlertKind = "backorder"
	AlertOrderRefused      AlertKind = "order-refused"
	AlertPromiseWithdrawn  AlertKind = "promise-withdrawn"
)

// AlertKinds lists every alert kind, in docs/mqtt.md's order.
var AlertKinds = []AlertKind{AlertUnknownPallet, AlertDuplicatePallet, AlertBadScan, AlertUnexpectedScan, AlertDevice,
	AlertPrintFailed, AlertMalformedEvent, AlertEventFailed, AlertUnknownItem, AlertIncompleteScan, AlertUnexpectedItem,
	AlertOverReceipt, AlertShortReceipt, AlertRFIDCountMismatch, AlertUnknownLPN, AlertUnknownLocation, AlertWrongLocation,
	AlertPutawayDeviation, AlertCountRecount, AlertCountAdjusted, AlertQCFailed, AlertRefusedMessage, AlertConflictingEvent,
	AlertGatewayRefused, AlertBadQuantity, AlertBackorder, AlertOrderRefused, AlertPromiseWithdrawn}

// OrderEvent is what happened to a sales order (ops/order "event").
type OrderEvent string

// Order events.
const (
	OrderCreated   OrderEvent = "created"
	OrderChanged   OrderEvent = "changed"
	OrderPaid      OrderEvent = "paid"
	OrderServed    OrderEvent = "served"
	OrderWithdrawn OrderEvent = "withdrawn"
	OrderCancelled OrderEvent = "cancelled"
	OrderExpired   OrderEvent = "expired"
	OrderShipped   OrderEvent = "shipped"
)

// OrderEvents lists every order event, in docs/mqtt.md's order.
var OrderEvents = []OrderEvent{OrderCreated, OrderChanged, OrderPaid, OrderServed, OrderWithdrawn, OrderCancelled, OrderExpired, OrderShipped}

// OrderStatus is where a sales order stands (ops/order "status").
type OrderStatus string

// Order states.
const (
	OrderPromised          OrderStatus = "promised"
	OrderPartlyBackordered OrderStatus = "partly-backordered"
	OrderBackordered       OrderStatus = "backordered"
	OrderRefused           OrderStatus = "refused"
	OrderPartlyShipped     OrderStatus = "partly-shipped"
	OrderShippedStatus     OrderStatus = "shipped"
	OrderCancelledStatus   OrderStatus = "cancelled"
	OrderExpiredStatus     OrderStatus = "expired"
)

// OrderStatuses lists every order status, in docs/mqtt.md's order.
var OrderStatuses = []OrderStatus{OrderPromised, OrderPartlyBackordered, OrderBackordered, OrderRefused, OrderPartlyShipped,
	OrderShippedStatus, OrderCancelledStatus, OrderExpiredStatus}

// Refusal is why a message was refused: the "reason" of evt/refused (the
// gateway refusing a command or an ack) and the details.reason of a
// refused-message alert (central refusing a gateway's message).
type Refusal string

// Refusal reasons.
const (
	RefusedOversized         Refusal = "oversized"
	RefusedUnsealed          Refusal = "unsealed"
	RefusedBadSeal           Refusal = "bad-seal"
	RefusedMalformed         Refusal = "malformed"
	RefusedAckOtherStream    Refusal = "ack-other-stream"
	RefusedAckBeyondIssued   Refusal = "ack-beyond-issued"
	RefusedUnknownGateway    Refusal = "unknown-gateway"
	RefusedGatewayMismatch   Refusal = "gateway-mismatch"
	RefusedUnannouncedStream Refusal = "unannounced-stream"
	RefusedBadAnnouncement   Refusal = "bad-announcement"
)

// GatewayRefusals lists the reasons of evt/refused, in docs/mqtt.md's order.
var GatewayRefusals = []Refusal{RefusedOversized, RefusedUnsealed, RefusedBadSeal, RefusedMalformed,
	RefusedAckOtherStream, RefusedAckBeyondIssued}

// CentralRefusals lists the reasons of a refused-message alert, in
// docs/mqtt.md's order.
var CentralRefusals = []Refusal{RefusedOversized, RefusedUnknownGateway, RefusedUnsealed, RefusedBadSeal,
	RefusedGatewayMismatch, RefusedUnannouncedStream, RefusedBadAnnouncement}
