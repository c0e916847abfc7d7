package devsim

import (
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// The simulator driven by a client that is not ours: every request below
// is a byte sequence written by hand from the LLRP 1.0.1 binary encoding
// (section in the comment), shaped like what a third-party inventory client
// sends (capabilities, configuration with factory reset, DELETE_ACCESSSPEC
// and DELETE_ROSPEC of everything, an ROSpec with an Immediate start
// trigger, ENABLE_EVENTS_AND_REPORTS), and every answer is checked against
// bytes or fields read off the standard's layouts by the small decoder in
// this file, which shares no code with drivers/rfid/llrp.

// specClient is a bare LLRP client: header framing (§16.1 "Message
// format") and a TLV walk, nothing more.
type specClient struct {
	t          *testing.T
	c          net.Conn
	keepalives int // KEEPALIVEs answered
	reports    [][]byte
	events     [][]byte
}

func dialSpec(t *testing.T, addr string) *specClient {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &specClient{t: t, c: c}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

func (c *specClient) send(frame string) {
	c.t.Helper()
	_, err := c.c.Write(unhex(c.t, frame))
	require.NoError(c.t, err)
}

// frame reads one message: the 10-byte header says its length.
func (c *specClient) frame() []byte {
	c.t.Helper()
	require.NoError(c.t, c.c.SetReadDeadline(time.Now().Add(5*time.Second)))
	h := make([]byte, 10)
	_, err := io.ReadFull(c.c, h)
	require.NoError(c.t, err)
	n := binary.BigEndian.Uint32(h[2:])
	require.GreaterOrEqual(c.t, n, uint32(10))
	b := make([]byte, n)
	copy(b, h)
	_, err = io.ReadFull(c.c, b[10:])
	require.NoError(c.t, err)
	return b
}

func msgType(b []byte) uint16 { return binary.BigEndian.Uint16(b) & 0x3ff }
func msgID(b []byte) uint32   { return binary.BigEndian.Uint32(b[6:]) }
func msgVer(b []byte) int     { return int(b[0]>>2) & 7 }

// next returns the next message that is not a KEEPALIVE (answered with
// KEEPALIVE_ACK as §16.1.32 requires); reports and events are kept aside
// unless keep says to return them.
func (c *specClient) next(keep ...uint16) []byte {
	c.t.Helper()
	for {
		if b := c.take(c.frame(), keep); b != nil {
			return b
		}
	}
}

// take answers or sets aside b, or returns it.
func (c *specClient) take(b []byte, keep []uint16) []byte {
	switch typ := msgType(b); {
	case typ == 62: // KEEPALIVE
		ack := make([]byte, 10)
		binary.BigEndian.PutUint16(ack, uint16(msgVer(b))<<10|72)
		binary.BigEndian.PutUint32(ack[2:], 10)
		copy(ack[6:], b[6:10])
		_, err := c.c.Write(ack)
		require.NoError(c.t, err)
		c.keepalives++
	case contains(keep, typ):
		return b
	case typ == 61:
		c.reports = append(c.reports, b)
	case typ == 63:
		c.events = append(c.events, b)
	default:
		return b
	}
	return nil
}

// keepalive reads until a KEEPALIVE came and was answered.
func (c *specClient) keepalive() {
	c.t.Helper()
	for n := c.keepalives; c.keepalives == n; {
		require.Nil(c.t, c.take(c.frame(), nil), "unexpected message")
	}
}

func contains(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// expect checks the next message against a hex pattern; "??" matches any
// byte (message IDs of reader-initiated messages, timestamps).
func (c *specClient) expect(pattern string, keep ...uint16) []byte {
	c.t.Helper()
	b := c.next(keep...)
	want := strings.Fields(pattern)
	got := strings.Fields(strings.ToUpper(strings.TrimSpace(spaced(b))))
	require.Len(c.t, got, len(want), "message %X", b)
	for i := range want {
		if want[i] != "??" && !strings.EqualFold(want[i], got[i]) {
			c.t.Fatalf("byte %d: got %s, want %s\n got  %s\n want %s", i, got[i], want[i], spaced(b), pattern)
		}
	}
	return b
}

func spaced(b []byte) string {
	var s strings.Builder
	for _, x := range b {
		s.WriteString(hex.EncodeToString([]byte{x}) + " ")
	}
	return s.String()
}

// tlv is one parameter: type and value.
type tlv struct {
	typ  uint16
	body []byte
}

// tvSize: value sizes of the TV parameters a reader sends in reports
// (§16.2.7.3.2-§16.2.7.3.15, §16.3.1.5.2-3).
var tvSize = map[byte]int{1: 2, 2: 8, 3: 8, 4: 8, 5: 8, 6: 1, 7: 2, 8: 2, 9: 4, 10: 2, 11: 2, 12: 2, 13: 12, 14: 2, 16: 4}

// params walks a run of parameters (§16.2: TV if the top bit is set,
// else TLV with a 16-bit length that includes the 4-byte header).
func params(t *testing.T, b []byte) []tlv {
	t.Helper()
	var out []tlv
	for len(b) > 0 {
		if b[0]&0x80 != 0 {
			n, ok := tvSize[b[0]&0x7f]
			require.True(t, ok, "TV type %d", b[0]&0x7f)
			out = append(out, tlv{uint16(b[0] & 0x7f), b[1 : 1+n]})
			b = b[1+n:]
			continue
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		require.True(t, n >= 4 && n <= len(b))
		out = append(out, tlv{binary.BigEndian.Uint16(b) & 0x3ff, b[4:n]})
		b = b[n:]
	}
	return out
}

func find(ps []tlv, typ uint16) []tlv {
	var out []tlv
	for _, p := range ps {
		if p.typ == typ {
			out = append(out, p)
		}
	}
	return out
}

// status returns the StatusCode of the message's LLRPStatus (TLV 287,
// §16.2.8.1: StatusCode u16, ErrorDescription utf8v, then FieldError 288
// and ParameterError 289) and its sub-parameters.
func status(t *testing.T, msg []byte) (uint16, []tlv) {
	t.Helper()
	st := find(params(t, msg[10:]), 287)
	require.Len(t, st, 1)
	b := st[0].body
	desc := int(binary.BigEndian.Uint16(b[2:]))
	return binary.BigEndian.Uint16(b), params(t, b[4+desc:])
}

// Field layouts written out for the checks below.
const (
	success = "01 1F 00 08  00 00  00 00" // LLRPStatus: M_Success, no description
	epc     = "30 74 25 7B F7 19 4E 40 00 00 1A 85"
)

func TestThirdPartyClientSession(t *testing.T) {
	sim, err := NewLLRPReader(LLRPReaderOptions{ReadPeriod: 20 * time.Millisecond, GPIs: 2})
	require.NoError(t, err)
	defer sim.Close()
	sim.PutTag(rfid.Read{EPC: unhex(t, epc), Antenna: 1, RSSI: -60})
	sim.PutTag(rfid.Read{EPC: unhex(t, "E2801160600002084C5A3C7B"), Antenna: 2, RSSI: -50}) // not on the ROSpec's antenna
	c := dialSpec(t, sim.Addr())

	// READER_EVENT_NOTIFICATION (§16.1.33) with ReaderEventNotificationData
	// (TLV 246): UTCTimestamp (TLV 128, 8 bytes) and ConnectionAttemptEvent
	// (TLV 256) Status 0 = Success: the first message on every connection.
	c.expect("04 3F 00 00 00 20 ?? ?? ?? ??  00 F6 00 16  00 80 00 0C ?? ?? ?? ?? ?? ?? ?? ??  01 00 00 06 00 00", 63)

	// GET_READER_CAPABILITIES (§16.1.1), RequestedData 0 = all.
	c.send("04 01 00 00 00 0B 00 00 10 01  00")
	b := c.next()
	assert.Equal(t, uint16(11), msgType(b))
	assert.Equal(t, uint32(0x1001), msgID(b))
	code, _ := status(t, b)
	assert.Zero(t, code)
	top := params(t, b[10:])
	for _, typ := range []uint16{137, 142, 143, 327} { // General, LLRP, Regulatory, C1G2LLRP capabilities (§16.1.2)
		assert.Len(t, find(top, typ), 1, "capability parameter %d", typ)
	}
	reg := find(top, 143)[0].body // RegulatoryCapabilities: CountryCode, CommunicationsStandard, UHFBandCapabilities
	assert.Equal(t, "0348 0001", hex.EncodeToString(reg[:2])+" "+hex.EncodeToString(reg[2:4]), "USA (840), US_FCC_Part_15")
	band := find(params(t, reg[4:]), 144)
	require.Len(t, band, 1)
	bandParams := params(t, band[0].body)
	power := find(bandParams, 145) // TransmitPowerLevelTableEntry: Index u16, TransmitPowerValue s16 (dBm*100)
	require.NotEmpty(t, power)
	assert.Equal(t, "0015 0bb8", hex.EncodeToString(power[len(power)-1].body[:2])+" "+hex.EncodeToString(power[len(power)-1].body[2:]), "index 21 = 30.00 dBm")
	assert.Len(t, find(bandParams, 146), 1, "FrequencyInformation")
	assert.Len(t, find(bandParams, 328), 1, "C1G2UHFRFModeTable")

	// GET_READER_CONFIG (§16.1.36): antenna 0 (all), RequestedData 0 (all), GPI 0, GPO 0.
	c.send("04 02 00 00 00 11 00 00 10 02  00 00  00  00 00  00 00")
	b = c.next()
	assert.Equal(t, uint16(12), msgType(b))
	code, _ = status(t, b)
	assert.Zero(t, code)
	top = params(t, b[10:])
	// §16.1.37: one AntennaProperties/AntennaConfiguration per antenna and
	// GPIPortCurrentState/GPOWriteData per port when asked for all.
	for typ, n := range map[uint16]int{218: 1, 221: 4, 222: 4, 244: 1, 237: 1, 239: 1, 217: 1, 220: 1, 225: 2, 219: 4, 226: 1} {
		assert.Len(t, find(top, typ), n, "parameter %d", typ)
	}

	// SET_READER_CONFIG (§16.1.38): ResetToFactoryDefault 1; ROSpec events
	// on (EventNotificationState, EventType 2); KeepaliveSpec periodic
	// 300 ms; EventsAndReports HoldEventsAndReportsUponReconnect 0.
	c.send("04 03 00 00 00 24 00 00 10 03  80" +
		"  00 F4 00 0B  00 F5 00 07 00 02 80" +
		"  00 DC 00 09  01 00 00 01 2C" +
		"  00 E2 00 05  00")
	c.expect("04 0D 00 00 00 12 00 00 10 03  " + success)

	// DELETE_ACCESSSPEC (§16.1.19) and DELETE_ROSPEC (§16.1.5) of ID 0 =
	// all: succeed on an empty reader.
	c.send("04 29 00 00 00 0E 00 00 10 04  00 00 00 00")
	c.expect("04 33 00 00 00 12 00 00 10 04  " + success)
	c.send("04 15 00 00 00 0E 00 00 10 05  00 00 00 00")
	c.expect("04 1F 00 00 00 12 00 00 10 05  " + success)

	// ADD_ROSPEC (§16.1.3): ROSpec 1, Immediate start, Null stop; AISpec on
	// antenna 1 with a Null stop and one C1G2 inventory whose
	// AntennaConfiguration sets transmit power index 21, RF mode 0 and
	// session 1; report upon N = 1 tags or end of ROSpec with ROSpecID,
	// AntennaID, PeakRSSI and TagSeenCount (selector 1001 0100 1000 0000).
	c.send("04 14 00 00 00 73 00 00 10 06" +
		"  00 B1 00 69  00 00 00 01  00  00" +
		"    00 B2 00 12  00 B3 00 05 01  00 B6 00 09 00 00 00 00 00" +
		"    00 B7 00 40  00 01 00 01" +
		"      00 B8 00 09  00 00 00 00 00" +
		"      00 BA 00 2F  00 01  01" +
		"        00 DE 00 28  00 01" +
		"          00 E0 00 0A  00 01 00 00 00 15" +
		"          01 4A 00 18  00  01 4F 00 08 00 00 00 00  01 50 00 0B 40 00 20 00 00 00 00" +
		"    00 ED 00 0D  02 00 01  00 EE 00 06 94 80")
	c.expect("04 1E 00 00 00 12 00 00 10 06  " + success)

	// ENABLE_ROSPEC (§16.1.11): the Immediate trigger starts it at once:
	// the response, then ROSpecEvent (TLV 249) Start_Of_ROSpec for ROSpec
	// 1, then the first RO_ACCESS_REPORT: TagReportData (TLV 240) with
	// EPC-96 (TV 13), ROSpecID (TV 9), AntennaID (TV 1) 1, PeakRSSI (TV 6)
	// -60 = C4, TagSeenCount (TV 8) 1. The tag on antenna 2 is not read.
	c.send("04 18 00 00 00 0E 00 00 10 07  00 00 00 01")
	c.expect("04 22 00 00 00 12 00 00 10 07  " + success)
	c.expect("04 3F 00 00 00 27 ?? ?? ?? ??  00 F6 00 1D  00 80 00 0C ?? ?? ?? ?? ?? ?? ?? ??  00 F9 00 0D 00 00 00 00 01 00 00 00 00", 63)
	report := "04 3D 00 00 00 28 ?? ?? ?? ??  00 F0 00 1E  8D " + epc + "  89 00 00 00 01  81 00 01  86 C4  88 00 01"
	c.expect(report, 61)
	c.expect(report, 61) // and again every round: N = 1 sends each tag at once

	// ENABLE_EVENTS_AND_REPORTS (§16.1.34) has no response: the next
	// answer is the one to GET_READER_CONFIG (RequestedData 8 =
	// KeepaliveSpec), with no ERROR_MESSAGE before it.
	c.send("04 40 00 00 00 0A 00 00 10 08")
	c.send("04 02 00 00 00 11 00 00 10 09  00 00  08  00 00  00 00")
	c.expect("04 0C 00 00 00 1B 00 00 10 09  " + success + "  00 DC 00 09 01 00 00 01 2C")

	// Faults answered with the standard's codes (§14.2.1):
	// DELETE_ACCESSSPEC 7, which does not exist: M_FieldError (101) with
	// FieldError (TLV 288) field 0, A_Invalid (300).
	c.send("04 29 00 00 00 0E 00 00 10 0A  00 00 00 07")
	b = c.next()
	require.Equal(t, uint16(51), msgType(b))
	code, sub := status(t, b)
	assert.Equal(t, uint16(101), code)
	assert.Equal(t, []tlv{{288, unhex(t, "0000 012C")}}, sub)
	// START_ROSPEC 0: "Zero is disallowed" (§10.1.5): M_FieldError, A_Invalid.
	c.send("04 16 00 00 00 0E 00 00 10 0B  00 00 00 00")
	b = c.next()
	require.Equal(t, uint16(32), msgType(b))
	code, sub = status(t, b)
	assert.Equal(t, uint16(101), code)
	assert.Equal(t, []tlv{{288, unhex(t, "0000 012C")}}, sub)
	// ADD_ROSPEC with CurrentState 2 (Active): "an error SHALL be returned
	// (e.g. P_FieldError)" (§10.1.1): M_ParameterError (100) with
	// ParameterError (TLV 289) ROSpec (177), P_FieldError (201), FieldError
	// field 2, A_Invalid.
	c.send("04 14 00 00 00 3E 00 00 10 0C" +
		"  00 B1 00 34  00 00 00 02  00  02" +
		"    00 B2 00 12  00 B3 00 05 00  00 B6 00 09 00 00 00 00 00" +
		"    00 B7 00 18  00 01 00 00  00 B8 00 09 00 00 00 00 00  00 BA 00 07 00 01 01")
	b = c.next()
	require.Equal(t, uint16(30), msgType(b))
	code, sub = status(t, b)
	assert.Equal(t, uint16(100), code)
	assert.Equal(t, []tlv{{289, unhex(t, "00B1 00C9  0120 0008 0002 012C")}}, sub)
	// A vendor parameter this reader does not support (§16.2.9: "Readers
	// SHALL ... return an error"): M_UnsupportedParameter (111) with
	// ParameterError Custom (1023), P_UnsupportedParameter (209).
	c.send("04 01 00 00 00 17 00 00 10 0D  00  03 FF 00 0C 00 00 65 1A 00 00 00 01")
	b = c.next()
	require.Equal(t, uint16(11), msgType(b))
	code, sub = status(t, b)
	assert.Equal(t, uint16(111), code)
	assert.Equal(t, []tlv{{289, unhex(t, "03FF 00D1")}}, sub)
	// CUSTOM_MESSAGE (§16.1.42, type 1023) it does not support:
	// ERROR_MESSAGE (type 100) M_UnsupportedMessage (109).
	c.send("07 FF 00 00 00 0F 00 00 10 0E  00 00 65 1A  01")
	b = c.next()
	require.Equal(t, uint16(100), msgType(b))
	assert.Equal(t, uint32(0x100E), msgID(b))
	code, _ = status(t, b)
	assert.Equal(t, uint16(109), code)
	// A message in protocol version 3: ERROR_MESSAGE in version 3 with the
	// same ID, M_UnsupportedVersion (110) and no sub-parameters (§16.1.35).
	c.send("0C 48 00 00 00 0A 00 00 10 0F")
	b = c.next()
	require.Equal(t, uint16(100), msgType(b))
	assert.Equal(t, 3, msgVer(b))
	assert.Equal(t, uint32(0x100F), msgID(b))
	code, sub = status(t, b)
	assert.Equal(t, uint16(110), code)
	assert.Empty(t, sub)

	// DISABLE_ROSPEC 0 (§16.1.13, 0 = all) stops the inventory:
	// ROSpecEvent End_Of_ROSpec follows the response.
	c.send("04 19 00 00 00 0E 00 00 10 10  00 00 00 00")
	c.expect("04 23 00 00 00 12 00 00 10 10  " + success)
	c.expect("04 3F 00 00 00 27 ?? ?? ?? ??  00 F6 00 1D  00 80 00 0C ?? ?? ?? ?? ?? ?? ?? ??  00 F9 00 0D 01 00 00 00 01 00 00 00 00", 63)

	// LLRP 1.1 version negotiation (1.1 §17.1.1-§17.1.4): the connection is
	// in 1.0.1 (CurrentVersion 1), 1.1 is supported; after
	// SET_PROTOCOL_VERSION 2 the reader speaks version 2 and answers a
	// version-1 message with M_UnsupportedVersion.
	c.send("08 2E 00 00 00 0A 00 00 10 11")
	c.expect("04 38 00 00 00 14 00 00 10 11  01 02  " + success)
	c.send("08 2F 00 00 00 0B 00 00 10 12  02")
	c.expect("08 39 00 00 00 12 00 00 10 12  " + success)
	c.send("04 02 00 00 00 11 00 00 10 13  00 00  08  00 00  00 00")
	b = c.next()
	assert.Equal(t, []int{1, 100}, []int{msgVer(b), int(msgType(b))})
	code, _ = status(t, b)
	assert.Equal(t, uint16(110), code)
	c.send("08 02 00 00 00 11 00 00 10 14  00 00  08  00 00  00 00")
	c.expect("08 0C 00 00 00 1B 00 00 10 14  " + success + "  00 DC 00 09 01 00 00 01 2C")

	// A KEEPALIVE (§16.1.31) comes within the 300 ms set, in version 2 now,
	// and the reader counts the KEEPALIVE_ACK.
	c.keepalive()
	require.Eventually(t, func() bool { return sim.KeepaliveAcks() >= 1 }, 5*time.Second, 5*time.Millisecond)

	// CLOSE_CONNECTION (§16.1.40): the response, then the reader closes.
	c.send("08 0E 00 00 00 0A 00 00 10 15")
	c.expect("08 04 00 00 00 12 00 00 10 15  " + success)
	require.NoError(t, c.c.SetReadDeadline(time.Now().Add(5*time.Second)))
	for {
		_, err := c.c.Read(make([]byte, 64))
		if err != nil {
			assert.ErrorIs(t, err, io.EOF)
			break
		}
	}
}
