package wire

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Message types. Events flow gateway → central, commands central → gateway,
// ops central → operations.
const (
	EvtScan   MessageType = "scan"
	EvtRFID   MessageType = "rfid"
	EvtPrint  MessageType = "print"
	EvtDevice MessageType = "device"
	EvtCount  MessageType = "count"
	// EvtRefused reports a message the gateway refused: a command whose
	// seal does not match, an oversized or malformed command, an ack for
	// events it never issued. Central turns it into a (collapsed) alert.
	EvtRefused MessageType = "refused"
	// EvtLoad is a synthetic event of the load tool and fault tests: it
	// travels the whole outbox → broker → central path and changes nothing.
	EvtLoad MessageType = "load"

	CmdAck   MessageType = "ack"
	CmdPrint MessageType = "print"
	CmdLight MessageType = "light"

	OpsStock   MessageType = "stock"
	OpsAlert   MessageType = "alert"
	OpsReceipt MessageType = "receipt"
	OpsOrder   MessageType = "order"
	// OpsShipment reports what left a warehouse for an order.
	OpsShipment MessageType = "shipment"
	// OpsLayers publishes an item's three stock layers (seed 002).
	OpsLayers MessageType = "layers"

	TypeState MessageType = "state"
)

// Envelope is carried by every message. Gateway events also fill Gateway,
// Device, Stream and Seq: Seq is monotonic within Stream, and Stream names one
// life of a gateway's outbox (a new one after the disk is wiped), so central's
// per-stream watermark can never mistake a fresh gateway for a replay.
type Envelope struct {
	ID      string      `json:"id"`
	TS      time.Time   `json:"ts"`
	Type    MessageType `json:"type"`
	Gateway string      `json:"gateway,omitempty"`
	Device  string      `json:"device,omitempty"`
	Stream  string      `json:"stream,omitempty"`
	Seq     uint64      `json:"seq,omitempty"`
	// Lane is "" for events that must never be lost (scans, counts,
	// device and print results) and LaneBulk for high-volume events that
	// may be shed under pressure (raw RFID reads): a bulk stream may have
	// gaps, and central applies its events in order without waiting.
	Lane string `json:"lane,omitempty"`
}

// Lanes of a stream. LaneBulk marks events as sheddable.
const (
	LaneMust = "must"
	LaneBulk = "bulk"
)

// NewEnvelope stamps a fresh id and the current time.
func NewEnvelope(typ MessageType) Envelope {
	return Envelope{ID: NewID(), TS: time.Now().UTC(), Type: typ}
}

// Element is one GS1 Application Identifier and its data.
type Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// Scan is a barcode read at a station. A scan that failed validation still
// travels, in the same shape (Error set, Elements empty), so that central
// and operations see it. Symbology is the AIM identifier ("" when the
// scanner sent none), GS1 what the scan announced, Data the data after the
// identifier; ErrorAt, when set, is the byte offset in Data of the
// offending character (docs/mqtt.md).
type Scan struct {
	Envelope
	Station   string    `json:"station"`
	Role      Role      `json:"role"`
	Symbology string    `json:"symbology"`
	Data      string    `json:"data"`
	GS1       bool      `json:"gs1"`
	Elements  []Element `json:"elements,omitempty"`
	HRI       string    `json:"hri,omitempty"`
	Error     string    `json:"error,omitempty"`
	ErrorAt   *int      `json:"error_at,omitempty"`
}

// Get returns the value of an AI in the scan.
func (s *Scan) Get(ai string) (string, bool) {
	for _, e := range s.Elements {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// Device reports a device status change (connected, disconnected, error,
// fault, refused).
type Device struct {
	Envelope
	Station string `json:"station,omitempty"`
	Kind    string `json:"kind"`
	State   string `json:"state"`
	Error   string `json:"error,omitempty"`
	// Printer is a printer's condition from its ~HS answer.
	Printer *PrinterStatus `json:"printer,omitempty"`
}

// PrinterStatus is the part of a printer's ~HS answer that stops it.
type PrinterStatus struct {
	PaperOut   bool `json:"paper_out"`
	RibbonOut  bool `json:"ribbon_out"`
	HeadOpen   bool `json:"head_open"`
	Paused     bool `json:"paused"`
	BufferFull bool `json:"buffer_full"`
}

// Refused reports messages a gateway refused (event type refused). Count
// is how many such messages the gateway collapsed into this event since its
// previous one of the same topic and reason.
type Refused struct {
	Envelope
	Topic  string  `json:"topic"`
	Reason Refusal `json:"reason"`
	Count  int     `json:"count"`
}

// PrintResult reports what happened to a print command.
type PrintResult struct {
	Envelope
	Command  string `json:"command"`
	Station  string `json:"station"`
	Printed  bool   `json:"printed"`
	Reason   string `json:"reason,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
}

// Ack tells a gateway that central has applied every event of Stream up to
// and including Seq. Resend asks for everything after Seq again at once
// (central saw a gap) instead of after the gateway's timeout.
type Ack struct {
	Envelope
	Resend bool `json:"resend,omitempty"`
}

// Print asks a station's printer to print a label: either a template with
// data, or raw ZPL.
type Print struct {
	Envelope
	Station  string            `json:"station"`
	Template Template          `json:"template,omitempty"`
	Data     map[string]string `json:"data,omitempty"`
	ZPL      string            `json:"zpl,omitempty"`
	Copies   int               `json:"copies,omitempty"`
}

// Light asks a station's stack light to show a pattern (ok, reject, ...).
type Light struct {
	Envelope
	Station string       `json:"station"`
	Pattern LightPattern `json:"pattern"`
	Reason  string       `json:"reason,omitempty"`
}

// State is a gateway's retained birth ("online") or death ("offline") message.
type State struct {
	Envelope
	State    string   `json:"state"`
	Version  string   `json:"version,omitempty"`
	Stations []string `json:"stations,omitempty"`
	// Roles is each station's role (a station may change role while the
	// gateway runs; it then publishes its birth again).
	Roles map[string]Role `json:"roles,omitempty"`
	// Streams announces the gateway's event streams (birth only).
	Streams []StreamInfo `json:"streams,omitempty"`
}

// StreamInfo announces one of a gateway's event streams in its birth
// message. Central applies events only on streams their gateway announced
// and takes each stream's lane from here, never from a field of the event.
type StreamInfo struct {
	ID   string `json:"id"`
	Lane string `json:"lane"` // LaneMust or LaneBulk
}

// Alert is an operations alert.
type Alert struct {
	Envelope
	Kind     AlertKind         `json:"kind"`
	Severity string            `json:"severity"`
	Message  string            `json:"message"`
	Station  string            `json:"station,omitempty"`
	Ref      string            `json:"ref,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
	// Count, First and Last are set on a summary of repeated alerts that
	// central held back: how many, the first and the last time raised.
	Count int64      `json:"count,omitempty"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}

// Receipt reports goods received at a dock.
type Receipt struct {
	Envelope
	Receipt  string `json:"receipt"`
	ASN      string `json:"asn,omitempty"`
	SSCC     string `json:"sscc,omitempty"`
	SKU      string `json:"sku"`
	GTIN     string `json:"gtin,omitempty"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Location string `json:"location"`
	Putaway  string `json:"putaway,omitempty"`
	Station  string `json:"station,omitempty"`
	Event    string `json:"event,omitempty"`
}

// Stock reports one ledger movement and the balances it left behind.
type Stock struct {
	Envelope
	Movement    uint64 `json:"movement"`
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	LPN         string `json:"lpn,omitempty"`
	Lot         string `json:"lot,omitempty"`
	Expiry      string `json:"expiry,omitempty"`
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	Doc         string `json:"doc,omitempty"`
	FromBalance *int64 `json:"from_balance,omitempty"`
	ToBalance   *int64 `json:"to_balance,omitempty"`
}

// Load is the payload of a synthetic load event.
type Load struct {
	Envelope
	// Made is when the generator created the event (for latency).
	Made time.Time `json:"made"`
	Pad  string    `json:"pad,omitempty"`
}

// Decode reads a message's envelope and checks the fields every message
// must have, so handlers can trust them.
func Decode(payload []byte, into any) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return env, fmt.Errorf("decode envelope: %w", err)
	}
	if env.ID == "" || env.Type == "" || env.TS.IsZero() {
		return env, fmt.Errorf("decode envelope: id, ts and type are required")
	}
	if into != nil {
		if err := json.Unmarshal(payload, into); err != nil {
			return env, fmt.Errorf("decode %s message: %w", env.Type, err)
		}
	}
	return env, nil
}

var (
	idMu      sync.Mutex
	idEntropy = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns a ULID: unique, and sortable by creation time.
func NewID() string {
	idMu.Lock()
	defer idMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(time.Now()), idEntropy).String()
}

// Env gives access to the envelope of any message that embeds it.
func (e *Envelope) Env() *Envelope { return e }

// RFIDRead is one pass of tags through an RFID portal at a station: the
// EPCs (upper-case hex, as rfid.Read.EPCHex gives them) of every tag seen.
// Central decodes SSCC-96 (pallets) and SGTIN-96 (cases) and counts the
// cases of each pallet against its ASN.
type RFIDRead struct {
	Envelope
	Station string   `json:"station"`
	Role    Role     `json:"role"`
	EPCs    []string `json:"epcs"`
	// Tags gives each tag's decoded identity and direction, for
	// operations subscribers.
	Tags []PassTag `json:"tags,omitempty"`
}

// EvtRFIDRaw is a raw (de-duplicated, rate-limited) tag read. It travels
// in the bulk lane; central accepts it and applies nothing.
const EvtRFIDRaw MessageType = "rfid-raw"

// TagIdentity is a tag's EPC and, for the GS1 schemes the gateway decodes
// (SSCC-96, SGTIN-96, SGLN-96, GRAI-96), the GS1 key it encodes.
type TagIdentity struct {
	EPC    string `json:"epc"`              // upper-case hex
	Scheme string `json:"scheme,omitempty"` // sscc-96, sgtin-96, ...
	URI    string `json:"uri,omitempty"`    // urn:epc:id:sscc:0614141.1234567890
	AI     string `json:"ai,omitempty"`     // 00 (SSCC), 01 (GTIN), 414, 8003
	Key    string `json:"key,omitempty"`    // SSCC-18, GTIN-14, GLN-13, GRAI
	Serial string `json:"serial,omitempty"` // SGTIN/GRAI serial, SGLN extension
	HRI    string `json:"hri,omitempty"`    // (01)80614141123458(21)6789
}

// PassTag is one tag of a portal pass.
type PassTag struct {
	TagIdentity
	Direction string    `json:"direction,omitempty"` // in, out, or empty (one side only)
	Reads     int       `json:"reads"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// RFIDRaw is one raw read (event type rfid-raw, bulk lane).
type RFIDRaw struct {
	Envelope
	Station string `json:"station"`
	TagIdentity
	Antenna int     `json:"antenna"`
	Side    string  `json:"side,omitempty"`
	RSSI    float64 `json:"rssi,omitempty"`
}

// Order reports a change of a sales order: what happened (Event), where
// it stands and where each line's units stand.
type Order struct {
	Envelope
	Order        string      `json:"order"`
	Channel      string      `json:"channel"`
	ChannelOrder string      `json:"channel_order"`
	Event        OrderEvent  `json:"event"`
	Status       OrderStatus `json:"status"`
	Payment      string      `json:"payment"`
	Region       string      `json:"region"`
	Lines        []OrderLine `json:"lines"`
	Note         string      `json:"note,omitempty"`
}

// OrderLine is where one order line's units stand.
type OrderLine struct {
	Line        int    `json:"line"`
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	Promised    int64  `json:"promised"`
	Backordered int64  `json:"backordered"`
	Presold     int64  `json:"presold,omitempty"`
	Refused     int64  `json:"refused,omitempty"`
	Shipped     int64  `json:"shipped,omitempty"`
	Cancelled   int64  `json:"cancelled,omitempty"`
	// Warehouses says how much is promised from each warehouse ("" is
	// the main one).
	Warehouses map[string]int64 `json:"warehouses,omitempty"`
}

// Shipment reports units of an order that left a warehouse, with the
// carrier's tracking number.
type Shipment struct {
	Envelope
	Shipment     string         `json:"shipment"`
	Order        string         `json:"order"`
	Channel      string         `json:"channel"`
	ChannelOrder string         `json:"channel_order"`
	Warehouse    string         `json:"warehouse,omitempty"`
	Carrier      string         `json:"carrier,omitempty"`
	Service      string         `json:"service,omitempty"`
	Tracking     string         `json:"tracking"`
	Lines        []ShipmentLine `json:"lines"`
}

// ShipmentLine is units of one order line from one lot and location.
type ShipmentLine struct {
	Line     int    `json:"line"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Location string `json:"location"`
}

// Layers is an item's three layers of stock (docs/mqtt.md, seed 002).
type Layers struct {
	Envelope
	SKU        string          `json:"sku"`
	Sales      []SalesLayer    `json:"sales"`
	Warehouses []DispatchLayer `json:"warehouses"`
	Regions    []DispatchLayer `json:"regions"`
	Total      DispatchLayer   `json:"total"`
	Bins       []BinLayer      `json:"bins"`
}

// SalesLayer is one channel's sales layer of an item.
type SalesLayer struct {
	Channel   string `json:"channel"`
	Sellable  int64  `json:"sellable"`
	Locked    int64  `json:"locked"`
	Sold      int64  `json:"sold"`
	Promotion int64  `json:"promotion"`
	Presale   int64  `json:"presale"`
}

// DispatchLayer is the dispatch layer of an item in a warehouse, a region
// or the whole site.
type DispatchLayer struct {
	Warehouse  string `json:"warehouse,omitempty"`
	Region     string `json:"region,omitempty"`
	OnHand     int64  `json:"on_hand"`
	Available  int64  `json:"available"`
	InTransit  int64  `json:"in_transit"`
	Inbound    int64  `json:"inbound"`
	Unsellable int64  `json:"unsellable"`
	Allocated  int64  `json:"allocated"`
	SetAside   int64  `json:"set_aside"`
}

// BinLayer is the warehouse layer of an item at one location.
type BinLayer struct {
	Location    string `json:"location"`
	Warehouse   string `json:"warehouse,omitempty"`
	Available   int64  `json:"available"`
	Locked      int64  `json:"locked"`
	Shipped     int64  `json:"shipped"`
	Unavailable int64  `json:"unavailable"`
}
