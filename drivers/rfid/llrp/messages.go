package llrp

import (
	"fmt"
	"time"
)

// The messages of an inventory session as Go values: builders for what a
// client sends (used by Reader) and for what a reader sends (used by the
// simulator in drivers/devsim), and parsers for both directions. Anything
// else is reachable through NewMsg, P and Message.Decode.

// NewMessage returns a message without body: KEEPALIVE, KEEPALIVE_ACK,
// CLOSE_CONNECTION, GET_REPORT, ENABLE_EVENTS_AND_REPORTS, GET_ROSPECS ...
func NewMessage(t MessageType, id uint32) Message {
	return Message{Version: Version101, Type: t, ID: id}
}

// NewGetReaderCapabilities asks for all capabilities (RequestedData = 0,
// §16.1.1).
func NewGetReaderCapabilities(id uint32) Message {
	return NewMsg(GetReaderCapabilities, id, 0)
}

// Reader event types (§16.2.7.5.1 EventNotificationState, NotificationEventType).
const (
	EventHopping         = 0
	EventGPI             = 1
	EventROSpec          = 2
	EventBufferFill      = 3
	EventReaderException = 4
	EventRFSurvey        = 5
	EventAISpec          = 6
	EventAISpecDetails   = 7
	EventAntenna         = 8
)

// NewSetReaderConfig keeps the reader's settings (ResetToFactoryDefault =
// 0), enables GPI and reader-exception events, asks for a KEEPALIVE every
// keepalive, and enables GPI ports 1..gpis, which a reader reports only
// once enabled (§16.1.38, §16.2.7.5 ReaderEventNotificationSpec, §16.2.6.4
// KeepaliveSpec, §16.2.6.9 GPIPortCurrentState).
func NewSetReaderConfig(id uint32, keepalive time.Duration, gpis uint16) Message {
	var ports []*Param
	for port := range gpis {
		ports = append(ports, P(PGPIPortCurrentState, port+1, true, 0)) // Config 1 = enabled; State ignored
	}
	return NewMsg(SetReaderConfig, id, false,
		P(PReaderEventNotificationSpec,
			P(PEventNotificationState, EventGPI, true),
			P(PEventNotificationState, EventReaderException, true)),
		P(PKeepaliveSpec, 1, uint32(keepalive.Milliseconds())), // trigger 1 = periodic
		ports)
}

// ROSpec is the reader operation Reader installs: inventory on Antennas (all
// when empty) until stopped, reporting every tag as soon as it is seen.
type ROSpec struct {
	ID       uint32
	Antennas []uint16
}

// NewAddROSpec builds ADD_ROSPEC (§16.1.3, §16.2.4.1 ROSpec): state
// disabled, Null start trigger (START_ROSPEC starts it), Null stop trigger,
// one AISpec with a Null stop trigger and one EPCglobal C1G2 inventory, and
// an ROReportSpec "upon N tags or end of ROSpec" with N = 1 reporting the
// ROSpecID, antenna, peak RSSI, first-seen time and seen count.
func NewAddROSpec(id uint32, s ROSpec) Message {
	ants := s.Antennas
	if len(ants) == 0 {
		ants = []uint16{0} // 0 = all antennas
	}
	return NewMsg(AddROSpec, id,
		P(PROSpec, s.ID, 0, 0, // priority 0, CurrentState 0 = disabled
			P(PROBoundarySpec,
				P(PROSpecStartTrigger, 0), // Null
				P(PROSpecStopTrigger, 0, 0)),
			P(PAISpec, ants,
				P(PAISpecStopTrigger, 0, 0),
				P(PInventoryParameterSpec, 1, 1)), // ID 1, ProtocolID 1 = EPCGlobal Class 1 Gen 2
			P(PROReportSpec, 2, 1, // upon N tags or end of ROSpec, N = 1
				P(PTagReportContentSelector,
					true, false, false, true, false, // ROSpecID, SpecIndex, InventoryParameterSpecID, AntennaID, ChannelIndex
					true, true, false, true, false)))) // PeakRSSI, FirstSeen, LastSeen, TagSeenCount, AccessSpecID
}

// NewROSpecCommand builds DELETE_, ENABLE_, DISABLE_, START_ or STOP_ROSPEC,
// or DELETE_, ENABLE_ or DISABLE_ACCESSSPEC, whose body is just the spec ID
// (0 = all, except for START and STOP where it is disallowed).
func NewROSpecCommand(t MessageType, id, specID uint32) Message {
	return NewMsg(t, id, specID)
}

// NewStatusResponse builds a response whose body is only an LLRPStatus:
// SET_READER_CONFIG_RESPONSE, the ROSpec and AccessSpec command responses,
// CLOSE_CONNECTION_RESPONSE, SET_PROTOCOL_VERSION_RESPONSE and
// ERROR_MESSAGE.
func NewStatusResponse(t MessageType, id uint32, s Status) Message {
	return NewMsg(t, id, s.Param())
}

// ParseStatus returns the LLRPStatus of a response or ERROR_MESSAGE.
func ParseStatus(m Message) (Status, error) {
	body, err := m.Decode()
	if err != nil {
		return Status{}, fmt.Errorf("parse %s: %w", m.Type, err)
	}
	st := body.Sub(PLLRPStatus)
	if st == nil || !st.Known() {
		return Status{}, fmt.Errorf("parse %s: no LLRPStatus parameter", m.Type)
	}
	return StatusOf(st), nil
}

// Capabilities is what Reader uses of GET_READER_CAPABILITIES_RESPONSE
// (§16.2.3.1 GeneralDeviceCapabilities, §16.2.3.1.4 GPIOCapabilities,
// §16.2.3.2 LLRPCapabilities).
type Capabilities struct {
	MaxAntennas  uint16
	Manufacturer uint32 // IANA enterprise number, e.g. 25882 Impinj, 10642 Zebra
	Model        uint32
	Firmware     string
	GPIs, GPOs   uint16
	// EventHolding: the reader can hold events and reports until
	// ENABLE_EVENTS_AND_REPORTS (SupportsEventAndReportHolding).
	EventHolding bool
}

// ParseCapabilities parses GET_READER_CAPABILITIES_RESPONSE; parameters it
// does not use (regulatory tables, vendor parameters) are skipped.
func ParseCapabilities(m Message) (Status, Capabilities, error) {
	var c Capabilities
	s, err := ParseStatus(m)
	if err != nil || s.Err() != nil {
		return s, c, err
	}
	body, _ := m.Decode() // ParseStatus decoded it already
	g := body.Sub(PGeneralDeviceCapabilities)
	if g == nil {
		return s, c, fmt.Errorf("parse %s: no GeneralDeviceCapabilities", m.Type)
	}
	c.MaxAntennas = uint16(g.U("MaxNumberOfAntennaSupported"))
	c.Manufacturer = uint32(g.U("DeviceManufacturerName"))
	c.Model = uint32(g.U("ModelName"))
	c.Firmware = g.Get("ReaderFirmwareVersion").S
	if io := g.Sub(PGPIOCapabilities); io != nil {
		c.GPIs, c.GPOs = uint16(io.U("NumGPIs")), uint16(io.U("NumGPOs"))
	}
	if l := body.Sub(PLLRPCapabilities); l != nil {
		c.EventHolding = l.Flag("SupportsEventAndReportHolding")
	}
	return s, c, nil
}

// TagReport is one TagReportData of an RO_ACCESS_REPORT (§16.2.7.3). Zero
// values mean "not reported" (IDs and indexes that may be reported start at
// 1).
type TagReport struct {
	EPC                      []byte
	ROSpecID                 uint32
	SpecIndex                uint16
	InventoryParameterSpecID uint16
	Antenna                  uint16
	PeakRSSI                 int8 // dBm, valid when HasRSSI
	HasRSSI                  bool
	ChannelIndex             uint16
	FirstSeen                time.Time // from FirstSeenTimestampUTC
	LastSeen                 time.Time // from LastSeenTimestampUTC
	SeenCount                uint16
	PC, CRC                  uint16 // C1G2_PC and C1G2_CRC, valid when HasPC, HasCRC
	HasPC, HasCRC            bool
	AccessSpecID             uint32
	OpResults                []*Param // C1G2 OpSpec results, as sent
	Custom                   []*Param // vendor parameters, as sent
}

// Param returns r as a TagReportData parameter: a 96-bit EPC as EPC-96,
// others as EPCData, then what is set, in the order of §16.2.7.3.
func (r TagReport) Param() *Param {
	var epc *Param
	if len(r.EPC) == 12 {
		epc = P(PEPC96, r.EPC)
	} else {
		epc = P(PEPCData, r.EPC)
	}
	opt := func(set bool, t ParamType, v any) *Param {
		if !set {
			return nil
		}
		return P(t, v)
	}
	return P(PTagReportData, epc,
		opt(r.ROSpecID != 0, PROSpecID, r.ROSpecID),
		opt(r.SpecIndex != 0, PSpecIndex, r.SpecIndex),
		opt(r.InventoryParameterSpecID != 0, PInventoryParameterSpecID, r.InventoryParameterSpecID),
		opt(r.Antenna != 0, PAntennaID, r.Antenna),
		opt(r.HasRSSI, PPeakRSSI, r.PeakRSSI),
		opt(r.ChannelIndex != 0, PChannelIndex, r.ChannelIndex),
		opt(!r.FirstSeen.IsZero(), PFirstSeenTimestampUTC, uint64(r.FirstSeen.UnixMicro())),
		opt(!r.LastSeen.IsZero(), PLastSeenTimestampUTC, uint64(r.LastSeen.UnixMicro())),
		opt(r.SeenCount != 0, PTagSeenCount, r.SeenCount),
		opt(r.HasPC, PC1G2PC, r.PC),
		opt(r.HasCRC, PC1G2CRC, r.CRC),
		opt(r.AccessSpecID != 0, PAccessSpecID, r.AccessSpecID),
		r.OpResults, r.Custom)
}

// NewROAccessReport builds RO_ACCESS_REPORT (§16.1.30).
func NewROAccessReport(id uint32, reports []TagReport) Message {
	ps := make([]*Param, len(reports))
	for i, r := range reports {
		ps[i] = r.Param()
	}
	return NewMsg(ROAccessReport, id, ps)
}

// ParseROAccessReport returns the tag reports of an RO_ACCESS_REPORT,
// skipping RF survey, vendor and unknown parameters.
func ParseROAccessReport(m Message) ([]TagReport, error) {
	body, err := m.Decode()
	if err != nil {
		return nil, fmt.Errorf("parse RO_ACCESS_REPORT: %w", err)
	}
	var out []TagReport
	for _, p := range body.All(PTagReportData) {
		r, err := tagReportOf(p)
		if err != nil {
			return out, fmt.Errorf("parse RO_ACCESS_REPORT: TagReportData %d: %w", len(out), err)
		}
		out = append(out, r)
	}
	return out, nil
}

func tagReportOf(p *Param) (TagReport, error) {
	var r TagReport
	for _, s := range p.Subs {
		if !s.Known() {
			continue
		}
		switch ParamType(s.Type) {
		case PEPC96:
			r.EPC = append([]byte(nil), s.Get("EPC").B...)
		case PEPCData:
			v := s.Get("EPC")
			r.EPC = append([]byte(nil), v.B...)
		case PROSpecID:
			r.ROSpecID = uint32(s.U("ROSpecID"))
		case PSpecIndex:
			r.SpecIndex = uint16(s.U("SpecIndex"))
		case PInventoryParameterSpecID:
			r.InventoryParameterSpecID = uint16(s.U("InventoryParameterSpecID"))
		case PAntennaID:
			r.Antenna = uint16(s.U("AntennaID"))
		case PPeakRSSI:
			r.PeakRSSI, r.HasRSSI = int8(s.I("PeakRSSI")), true
		case PChannelIndex:
			r.ChannelIndex = uint16(s.U("ChannelIndex"))
		case PFirstSeenTimestampUTC:
			r.FirstSeen = time.UnixMicro(int64(s.U("Microseconds"))).UTC()
		case PLastSeenTimestampUTC:
			r.LastSeen = time.UnixMicro(int64(s.U("Microseconds"))).UTC()
		case PTagSeenCount:
			r.SeenCount = uint16(s.U("TagCount"))
		case PC1G2PC:
			r.PC, r.HasPC = uint16(s.U("PC_Bits")), true
		case PC1G2CRC:
			r.CRC, r.HasCRC = uint16(s.U("CRC")), true
		case PAccessSpecID:
			r.AccessSpecID = uint32(s.U("AccessSpecID"))
		case PC1G2ReadOpSpecResult, PC1G2WriteOpSpecResult, PC1G2KillOpSpecResult, PC1G2LockOpSpecResult,
			PC1G2BlockEraseOpSpecResult, PC1G2BlockWriteOpSpecResult:
			r.OpResults = append(r.OpResults, s)
		case PCustom:
			r.Custom = append(r.Custom, s)
		}
	}
	if r.EPC == nil {
		return r, fmt.Errorf("no EPC parameter")
	}
	return r, nil
}

// ConnectionAttemptEvent statuses (§16.2.7.6.10, ConnectionAttemptStatusType).
const (
	ConnSuccess               = 0
	ConnReaderInitiatedExists = 1
	ConnClientInitiatedExists = 2
	ConnFailedOther           = 3
	ConnAnotherAttempted      = 4
)

var connStatusNames = [...]string{
	"Success", "Failed_A_Reader_Initiated_Connection_Already_Exists",
	"Failed_A_Client_Initiated_Connection_Already_Exists",
	"Failed_Reason_Other_Than_A_Connection_Already_Exists", "Another_Connection_Attempted",
}

// ConnStatusName is the standard's name of a ConnectionAttemptEvent status.
func ConnStatusName(s uint16) string {
	if int(s) < len(connStatusNames) {
		return connStatusNames[s]
	}
	return fmt.Sprintf("status %d", s)
}

// ROSpecEvent event types (§16.2.7.6.3).
const (
	ROSpecStarted   = 0
	ROSpecEnded     = 1
	ROSpecPreempted = 2
)

// ReaderEvent is the content of a READER_EVENT_NOTIFICATION (§16.2.7.6
// ReaderEventNotificationData). Nil and zero members are absent.
type ReaderEvent struct {
	Time           time.Time // UTCTimestamp; zero if the reader sent Uptime
	Hopping        *HoppingEvent
	GPI            *GPIEvent
	ROSpec         *ROSpecEvent
	BufferLevel    uint8 // ReportBufferLevelWarningEvent: percent full, 0 = none
	BufferOverflow bool  // ReportBufferOverflowErrorEvent
	Exception      string
	AISpec         *AISpecEvent // end of an AISpec
	Antenna        *AntennaEvent
	Connection     *ConnectionAttempt
	Closed         bool     // ConnectionCloseEvent: the reader is closing
	Custom         []*Param // vendor parameters
}

// HoppingEvent: the reader hops to NextChannel of hop table HopTableID.
type HoppingEvent struct{ HopTableID, NextChannel uint16 }

// GPIEvent is an edge on a general-purpose input.
type GPIEvent struct {
	Port uint16
	High bool
}

// ROSpecEvent is the start, end or preemption of a ROSpec.
type ROSpecEvent struct {
	Type             uint8
	ID, PreemptingID uint32
}

// AISpecEvent is the end of the AISpec SpecIndex of ROSpec ROSpecID.
type AISpecEvent struct {
	ROSpecID  uint32
	SpecIndex uint16
}

// AntennaEvent says an antenna was connected or disconnected.
type AntennaEvent struct {
	Antenna   uint16
	Connected bool
}

// ConnectionAttempt is the reader's verdict on a connection (statuses Conn...).
type ConnectionAttempt struct{ Status uint16 }

// NewReaderEventNotification builds READER_EVENT_NOTIFICATION (§16.1.33).
func NewReaderEventNotification(id uint32, ev ReaderEvent) Message {
	d := P(PReaderEventNotificationData, P(PUTCTimestamp, uint64(ev.Time.UnixMicro())))
	add := func(p *Param) { d.Subs = append(d.Subs, p) }
	if h := ev.Hopping; h != nil {
		add(P(PHoppingEvent, h.HopTableID, h.NextChannel))
	}
	if g := ev.GPI; g != nil {
		add(P(PGPIEvent, g.Port, g.High))
	}
	if r := ev.ROSpec; r != nil {
		add(P(PROSpecEvent, r.Type, r.ID, r.PreemptingID))
	}
	if ev.BufferLevel != 0 {
		add(P(PReportBufferLevelWarningEvent, ev.BufferLevel))
	}
	if ev.BufferOverflow {
		add(P(PReportBufferOverflowErrorEvent))
	}
	if ev.Exception != "" {
		add(P(PReaderExceptionEvent, ev.Exception))
	}
	if a := ev.AISpec; a != nil {
		add(P(PAISpecEvent, 0, a.ROSpecID, a.SpecIndex)) // EventType 0 = end of AISpec
	}
	if a := ev.Antenna; a != nil {
		add(P(PAntennaEvent, a.Connected, a.Antenna)) // EventType 0 disconnected, 1 connected
	}
	if c := ev.Connection; c != nil {
		add(P(PConnectionAttemptEvent, c.Status))
	}
	if ev.Closed {
		add(P(PConnectionCloseEvent))
	}
	d.Subs = append(d.Subs, ev.Custom...)
	return NewMsg(ReaderEventNotification, id, d)
}

// ParseReaderEvent parses READER_EVENT_NOTIFICATION.
func ParseReaderEvent(m Message) (ReaderEvent, error) {
	var ev ReaderEvent
	body, err := m.Decode()
	if err != nil {
		return ev, fmt.Errorf("parse READER_EVENT_NOTIFICATION: %w", err)
	}
	d := body.Sub(PReaderEventNotificationData)
	if d == nil {
		return ev, fmt.Errorf("parse READER_EVENT_NOTIFICATION: no ReaderEventNotificationData")
	}
	for _, p := range d.Subs {
		if !p.Known() {
			continue
		}
		switch ParamType(p.Type) {
		case PUTCTimestamp:
			ev.Time = time.UnixMicro(int64(p.U("Microseconds"))).UTC()
		case PHoppingEvent:
			ev.Hopping = &HoppingEvent{HopTableID: uint16(p.U("HopTableID")), NextChannel: uint16(p.U("NextChannelIndex"))}
		case PGPIEvent:
			ev.GPI = &GPIEvent{Port: uint16(p.U("GPIPortNumber")), High: p.Flag("GPIEvent")}
		case PROSpecEvent:
			ev.ROSpec = &ROSpecEvent{Type: uint8(p.U("EventType")), ID: uint32(p.U("ROSpecID")), PreemptingID: uint32(p.U("PreemptingROSpecID"))}
		case PReportBufferLevelWarningEvent:
			ev.BufferLevel = uint8(p.U("ReportBufferPercentageFull"))
		case PReportBufferOverflowErrorEvent:
			ev.BufferOverflow = true
		case PReaderExceptionEvent:
			ev.Exception = p.Get("Message").S
		case PAISpecEvent:
			ev.AISpec = &AISpecEvent{ROSpecID: uint32(p.U("ROSpecID")), SpecIndex: uint16(p.U("SpecIndex"))}
		case PAntennaEvent:
			ev.Antenna = &AntennaEvent{Antenna: uint16(p.U("AntennaID")), Connected: p.U("EventType") == 1}
		case PConnectionAttemptEvent:
			ev.Connection = &ConnectionAttempt{Status: uint16(p.U("Status"))}
		case PConnectionCloseEvent:
			ev.Closed = true
		case PCustom:
			ev.Custom = append(ev.Custom, p)
		}
	}
	return ev, nil
}
