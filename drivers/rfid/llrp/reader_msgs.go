package llrp

import (
	"fmt"
	"time"
)

// Messages a reader sends: parsers for the client, builders for the
// simulator and the golden tests.

// Status is an LLRPStatus parameter (§16.2 LLRPStatus): code 0 is success.
type Status struct {
	Code        uint16
	Description string
}

// Err returns nil for success and an error naming the code otherwise.
func (s Status) Err() error {
	if s.Code == 0 {
		return nil
	}
	return fmt.Errorf("LLRP status %d: %s", s.Code, s.Description)
}

func (e *enc) status(s Status) {
	e.tlv(pLLRPStatus, func() {
		e.u16(s.Code)
		e.utf8v(s.Description)
	})
}

// NewStatusResponse builds a response whose body is only an LLRPStatus:
// SET_READER_CONFIG_RESPONSE, ADD/DELETE/ENABLE/START/STOP_ROSPEC_RESPONSE,
// CLOSE_CONNECTION_RESPONSE and ERROR_MESSAGE.
func NewStatusResponse(t MessageType, id uint32, s Status) Message {
	var e enc
	e.status(s)
	return Message{Version: Version101, Type: t, ID: id, Body: e.b}
}

// ParseStatus returns the LLRPStatus of a response or ERROR_MESSAGE.
func ParseStatus(body []byte) (Status, error) {
	ps, err := params(body)
	if err != nil {
		return Status{}, fmt.Errorf("parse status: %w", err)
	}
	for _, p := range ps {
		if p.typ == pLLRPStatus {
			d := dec{b: p.body}
			s := Status{Code: d.u16(), Description: d.utf8v()}
			if d.err != nil {
				return s, fmt.Errorf("parse LLRPStatus: %w", d.err)
			}
			return s, nil
		}
	}
	return Status{}, fmt.Errorf("parse status: no LLRPStatus parameter")
}

// Capabilities is what Reader uses of GET_READER_CAPABILITIES_RESPONSE
// (§16.2 GeneralDeviceCapabilities, GPIOCapabilities).
type Capabilities struct {
	MaxAntennas  uint16
	Manufacturer uint32 // IANA enterprise number, e.g. 25882 Impinj, 10642 Zebra
	Model        uint32
	Firmware     string
	GPIs, GPOs   uint16
}

// NewCapabilitiesResponse builds GET_READER_CAPABILITIES_RESPONSE with a
// success status and the mandatory parts of GeneralDeviceCapabilities.
func NewCapabilitiesResponse(id uint32, c Capabilities) Message {
	var e enc
	e.status(Status{})
	e.tlv(pGeneralDeviceCaps, func() {
		e.u16(c.MaxAntennas)
		e.u16(0x4000) // CanSetAntennaProperties = 0, HasUTCClockCapability = 1
		e.u32(c.Manufacturer)
		e.u32(c.Model)
		e.utf8v(c.Firmware)
		e.tlv(pReceiveSensitivityEntry, func() {
			e.u16(1) // Index
			e.u16(0) // ReceiveSensitivityValue
		})
		e.tlv(pGPIOCapabilities, func() {
			e.u16(c.GPIs)
			e.u16(c.GPOs)
		})
		for a := range c.MaxAntennas {
			e.tlv(pPerAntennaAirProtocol, func() {
				e.u16(a + 1)
				e.u16(1) // one protocol:
				e.u8(1)  // EPCGlobal Class 1 Gen 2
			})
		}
	})
	return Message{Version: Version101, Type: GetReaderCapabilitiesResponse, ID: id, Body: e.b}
}

// ParseCapabilities parses GET_READER_CAPABILITIES_RESPONSE.
func ParseCapabilities(body []byte) (Status, Capabilities, error) {
	var c Capabilities
	s, err := ParseStatus(body)
	if err != nil {
		return s, c, err
	}
	ps, _ := params(body) // ParseStatus succeeded, so params did
	for _, p := range ps {
		if p.typ != pGeneralDeviceCaps {
			continue
		}
		d := dec{b: p.body}
		c.MaxAntennas = d.u16()
		d.u16()
		c.Manufacturer, c.Model, c.Firmware = d.u32(), d.u32(), d.utf8v()
		inner, err := d.rest()
		if err != nil {
			return s, c, fmt.Errorf("parse GeneralDeviceCapabilities: %w", err)
		}
		for _, q := range inner {
			if q.typ == pGPIOCapabilities {
				gd := dec{b: q.body}
				c.GPIs, c.GPOs = gd.u16(), gd.u16()
			}
		}
	}
	return s, c, nil
}

// TagReport is one TagReportData of an RO_ACCESS_REPORT.
type TagReport struct {
	EPC       []byte
	Antenna   uint16    // 0 when not reported
	PeakRSSI  int8      // dBm, valid when HasRSSI
	HasRSSI   bool      //
	FirstSeen time.Time // zero unless FirstSeenTimestampUTC was reported
	SeenCount uint16    // 0 when not reported
}

// NewROAccessReport builds RO_ACCESS_REPORT (§16.1, §16.2 TagReportData).
// 96-bit EPCs use the EPC-96 TV parameter, others EPCData.
func NewROAccessReport(id uint32, reports []TagReport) Message {
	var e enc
	for _, r := range reports {
		e.tlv(pTagReportData, func() {
			if len(r.EPC) == 12 {
				e.tv(pEPC96)
				e.b = append(e.b, r.EPC...)
			} else {
				e.tlv(pEPCData, func() {
					e.u16(uint16(len(r.EPC) * 8))
					e.b = append(e.b, r.EPC...)
				})
			}
			if r.Antenna != 0 {
				e.tv(pAntennaID)
				e.u16(r.Antenna)
			}
			if r.HasRSSI {
				e.tv(pPeakRSSI)
				e.u8(uint8(r.PeakRSSI))
			}
			if !r.FirstSeen.IsZero() {
				e.tv(pFirstSeenUTC)
				e.u64(uint64(r.FirstSeen.UnixMicro()))
			}
			if r.SeenCount != 0 {
				e.tv(pTagSeenCount)
				e.u16(r.SeenCount)
			}
		})
	}
	return Message{Version: Version101, Type: ROAccessReport, ID: id, Body: e.b}
}

// ParseROAccessReport returns the tag reports of an RO_ACCESS_REPORT,
// skipping RF survey and custom parameters.
func ParseROAccessReport(body []byte) ([]TagReport, error) {
	ps, err := params(body)
	if err != nil {
		return nil, fmt.Errorf("parse RO_ACCESS_REPORT: %w", err)
	}
	var out []TagReport
	for _, p := range ps {
		if p.typ != pTagReportData {
			continue
		}
		r, err := parseTagReportData(p.body)
		if err != nil {
			return out, fmt.Errorf("parse RO_ACCESS_REPORT: TagReportData %d: %w", len(out), err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseTagReportData(body []byte) (TagReport, error) {
	var r TagReport
	ps, err := params(body)
	if err != nil {
		return r, err
	}
	for _, p := range ps {
		d := dec{b: p.body}
		switch p.typ {
		case pEPC96:
			r.EPC = append([]byte(nil), p.body...)
		case pEPCData:
			bits := int(d.u16())
			r.EPC = append([]byte(nil), d.take((bits+7)/8)...)
		case pAntennaID:
			r.Antenna = d.u16()
		case pPeakRSSI:
			r.PeakRSSI, r.HasRSSI = int8(d.u8()), true
		case pFirstSeenUTC:
			r.FirstSeen = time.UnixMicro(int64(d.u64())).UTC()
		case pTagSeenCount:
			r.SeenCount = d.u16()
		}
		if d.err != nil {
			return r, fmt.Errorf("parameter %d: %w", p.typ, d.err)
		}
	}
	if r.EPC == nil {
		return r, fmt.Errorf("no EPC parameter")
	}
	return r, nil
}

// ReaderEvent is the part of READER_EVENT_NOTIFICATION a client acts on
// (§16.2 ReaderEventNotificationData).
type ReaderEvent struct {
	Time time.Time // UTCTimestamp; zero if the reader sent Uptime
	// ConnectionAttemptEvent: HasConnection set, status 0 = success, 1..4 =
	// refused (another connection exists, or other reasons).
	HasConnection    bool
	ConnectionStatus uint16
	Closed           bool // ConnectionCloseEvent: the reader is closing
	HasGPI           bool // GPIEvent on GPIPort
	GPIPort          uint16
	GPIHigh          bool
	Exception        string // ReaderExceptionEvent message
}

// NewReaderEventNotification builds READER_EVENT_NOTIFICATION.
func NewReaderEventNotification(id uint32, ev ReaderEvent) Message {
	var e enc
	e.tlv(pReaderEventNotifData, func() {
		e.tlv(pUTCTimestamp, func() { e.u64(uint64(ev.Time.UnixMicro())) })
		if ev.HasGPI {
			e.tlv(pGPIEvent, func() {
				e.u16(ev.GPIPort)
				if ev.GPIHigh {
					e.u8(0x80)
				} else {
					e.u8(0)
				}
			})
		}
		if ev.Exception != "" {
			e.tlv(pReaderExceptionEvent, func() { e.utf8v(ev.Exception) })
		}
		if ev.HasConnection {
			e.tlv(pConnectionAttempt, func() { e.u16(ev.ConnectionStatus) })
		}
		if ev.Closed {
			e.tlv(pConnectionCloseEvent, func() {})
		}
	})
	return Message{Version: Version101, Type: ReaderEventNotification, ID: id, Body: e.b}
}

// ParseReaderEvent parses READER_EVENT_NOTIFICATION.
func ParseReaderEvent(body []byte) (ReaderEvent, error) {
	var ev ReaderEvent
	ps, err := params(body)
	if err != nil || len(ps) != 1 || ps[0].typ != pReaderEventNotifData {
		return ev, fmt.Errorf("parse READER_EVENT_NOTIFICATION: want one ReaderEventNotificationData: %v", err)
	}
	inner, err := params(ps[0].body)
	if err != nil {
		return ev, fmt.Errorf("parse ReaderEventNotificationData: %w", err)
	}
	for _, p := range inner {
		d := dec{b: p.body}
		switch p.typ {
		case pUTCTimestamp:
			ev.Time = time.UnixMicro(int64(d.u64())).UTC()
		case pGPIEvent:
			ev.HasGPI, ev.GPIPort, ev.GPIHigh = true, d.u16(), d.u8()&0x80 != 0
		case pReaderExceptionEvent:
			ev.Exception = d.utf8v()
		case pConnectionAttempt:
			ev.HasConnection, ev.ConnectionStatus = true, d.u16()
		case pConnectionCloseEvent:
			ev.Closed = true
		}
		if d.err != nil {
			return ev, fmt.Errorf("parse ReaderEventNotificationData parameter %d: %w", p.typ, d.err)
		}
	}
	return ev, nil
}
