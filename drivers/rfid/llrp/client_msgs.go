package llrp

import (
	"fmt"
	"time"
)

// Messages a client sends, and their parsers (which the simulator uses).

// NewMessage returns a message without body: KEEPALIVE, KEEPALIVE_ACK,
// CLOSE_CONNECTION.
func NewMessage(t MessageType, id uint32) Message {
	return Message{Version: Version101, Type: t, ID: id}
}

// NewGetReaderCapabilities asks for all capabilities (RequestedData = 0,
// §16.1 GET_READER_CAPABILITIES).
func NewGetReaderCapabilities(id uint32) Message {
	return Message{Version: Version101, Type: GetReaderCapabilities, ID: id, Body: []byte{0}}
}

// Reader event types that the client enables (§16.2 EventNotificationState).
const (
	eventGPI             = 1
	eventReaderException = 4
)

// NewSetReaderConfig keeps the reader's settings (ResetToFactoryDefault = 0),
// enables GPI and reader-exception events, and asks for a KEEPALIVE every
// keepalive (§16.1 SET_READER_CONFIG, §16.2 ReaderEventNotificationSpec,
// KeepaliveSpec).
func NewSetReaderConfig(id uint32, keepalive time.Duration) Message {
	var e enc
	e.u8(0) // ResetToFactoryDefault:1, reserved:7
	e.tlv(pReaderEventNotifSpec, func() {
		for _, ev := range []uint16{eventGPI, eventReaderException} {
			e.tlv(pEventNotifState, func() {
				e.u16(ev)
				e.u8(0x80) // NotificationState = 1 (on), reserved:7
			})
		}
	})
	e.tlv(pKeepaliveSpec, func() {
		e.u8(1) // KeepaliveTriggerType: periodic
		e.u32(uint32(keepalive.Milliseconds()))
	})
	return Message{Version: Version101, Type: SetReaderConfig, ID: id, Body: e.b}
}

// ParseSetReaderConfig returns the keepalive period of a SET_READER_CONFIG (0
// when it sets none).
func ParseSetReaderConfig(body []byte) (time.Duration, error) {
	d := dec{b: body}
	d.u8()
	ps, err := d.rest()
	if err != nil {
		return 0, fmt.Errorf("parse SET_READER_CONFIG: %w", err)
	}
	for _, p := range ps {
		if p.typ != pKeepaliveSpec {
			continue
		}
		kd := dec{b: p.body}
		trigger, ms := kd.u8(), kd.u32()
		if kd.err != nil {
			return 0, fmt.Errorf("parse KeepaliveSpec: %w", kd.err)
		}
		if trigger == 1 {
			return time.Duration(ms) * time.Millisecond, nil
		}
	}
	return 0, nil
}

// ROSpec is the reader operation Reader installs: inventory on Antennas (all
// when empty) until stopped, reporting every tag as soon as it is seen.
type ROSpec struct {
	ID       uint32
	Antennas []uint16
}

// Report content: AntennaID, PeakRSSI, FirstSeenTimestamp, TagSeenCount
// (§16.2 TagReportContentSelector, bits from the most significant:
// ROSpecID, SpecIndex, InventoryParameterSpecID, AntennaID, ChannelIndex,
// PeakRSSI, FirstSeenTimestamp, LastSeenTimestamp, TagSeenCount,
// AccessSpecID).
const reportContent = 1<<12 | 1<<10 | 1<<9 | 1<<7

// NewAddROSpec builds ADD_ROSPEC (§16.1 ADD_ROSPEC, §16.2 ROSpec): state
// disabled, Null start trigger (START_ROSPEC starts it), Null stop trigger,
// one AISpec with a Null stop trigger and one EPCglobal C1G2 inventory, and
// an ROReportSpec "upon N tags or end of ROSpec" with N = 1.
func NewAddROSpec(id uint32, s ROSpec) Message {
	var e enc
	e.tlv(pROSpec, func() {
		e.u32(s.ID)
		e.u8(0) // Priority
		e.u8(0) // CurrentState: disabled
		e.tlv(pROBoundarySpec, func() {
			e.tlv(pROSpecStartTrigger, func() { e.u8(0) })
			e.tlv(pROSpecStopTrigger, func() {
				e.u8(0)  // Null
				e.u32(0) // DurationTriggerValue
			})
		})
		e.tlv(pAISpec, func() {
			ants := s.Antennas
			if len(ants) == 0 {
				ants = []uint16{0} // 0 = all antennas
			}
			e.u16(uint16(len(ants)))
			for _, a := range ants {
				e.u16(a)
			}
			e.tlv(pAISpecStopTrigger, func() {
				e.u8(0)  // Null
				e.u32(0) // DurationTrigger
			})
			e.tlv(pInventoryParamSpec, func() {
				e.u16(1) // InventoryParameterSpecID
				e.u8(1)  // ProtocolID: EPCGlobal Class 1 Gen 2
			})
		})
		e.tlv(pROReportSpec, func() {
			e.u8(2)  // ROReportTrigger: upon N tags or end of ROSpec
			e.u16(1) // N
			e.tlv(pTagReportContentSel, func() { e.u16(reportContent) })
		})
	})
	return Message{Version: Version101, Type: AddROSpec, ID: id, Body: e.b}
}

// ParseAddROSpec returns the ROSpec ID and antennas of an ADD_ROSPEC.
func ParseAddROSpec(body []byte) (ROSpec, error) {
	ps, err := params(body)
	if err != nil || len(ps) == 0 || ps[0].typ != pROSpec {
		return ROSpec{}, fmt.Errorf("parse ADD_ROSPEC: want an ROSpec parameter: %v", err)
	}
	d := dec{b: ps[0].body}
	s := ROSpec{ID: d.u32()}
	d.u8()
	d.u8()
	inner, err := d.rest()
	if err != nil {
		return s, fmt.Errorf("parse ROSpec: %w", err)
	}
	for _, p := range inner {
		if p.typ != pAISpec {
			continue
		}
		ad := dec{b: p.body}
		n := ad.u16()
		for range n {
			if a := ad.u16(); a != 0 {
				s.Antennas = append(s.Antennas, a)
			}
		}
		if ad.err != nil {
			return s, fmt.Errorf("parse AISpec: %w", ad.err)
		}
	}
	return s, nil
}

// NewROSpecCommand builds DELETE_, ENABLE_, START_ or STOP_ROSPEC, whose body
// is just the ROSpecID (0 = all ROSpecs).
func NewROSpecCommand(t MessageType, id, rospecID uint32) Message {
	var e enc
	e.u32(rospecID)
	return Message{Version: Version101, Type: t, ID: id, Body: e.b}
}

// ParseROSpecID returns the ROSpecID of a DELETE/ENABLE/START/STOP_ROSPEC.
func ParseROSpecID(body []byte) (uint32, error) {
	d := dec{b: body}
	v := d.u32()
	if d.err != nil {
		return 0, fmt.Errorf("parse ROSpecID: %w", d.err)
	}
	return v, nil
}
