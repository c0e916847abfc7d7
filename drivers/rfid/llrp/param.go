package llrp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Parameter types (LLRP 1.0.1 §16.2). Types 1..127 are TV-encoded: one byte
// with the top bit set and the type, then a value whose size the type
// implies. Types 128..1023 are TLV-encoded: 6 reserved bits and a 10-bit
// type, a 16-bit length including this 4-byte header, then the value.
const (
	pAntennaID             = 1
	pFirstSeenUTC          = 2
	pFirstSeenUptime       = 3
	pLastSeenUTC           = 4
	pLastSeenUptime        = 5
	pPeakRSSI              = 6
	pChannelIndex          = 7
	pTagSeenCount          = 8
	pROSpecID              = 9
	pInventoryParamSpecID  = 10
	pC1G2CRC               = 11
	pC1G2PC                = 12
	pEPC96                 = 13
	pSpecIndex             = 14
	pClientRequestOpResult = 15
	pAccessSpecID          = 16
	pOpSpecID              = 17
	pC1G2SingulationDetail = 18
	pC1G2XPCW1             = 19
	pC1G2XPCW2             = 20

	pUTCTimestamp            = 128
	pGeneralDeviceCaps       = 137
	pReceiveSensitivityEntry = 139
	pPerAntennaAirProtocol   = 140
	pGPIOCapabilities        = 141
	pROSpec                  = 177
	pROBoundarySpec          = 178
	pROSpecStartTrigger      = 179
	pROSpecStopTrigger       = 182
	pAISpec                  = 183
	pAISpecStopTrigger       = 184
	pInventoryParamSpec      = 186
	pKeepaliveSpec           = 220
	pROReportSpec            = 237
	pTagReportContentSel     = 238
	pTagReportData           = 240
	pEPCData                 = 241
	pReaderEventNotifSpec    = 244
	pEventNotifState         = 245
	pReaderEventNotifData    = 246
	pGPIEvent                = 248
	pReaderExceptionEvent    = 252
	pConnectionAttempt       = 256
	pConnectionCloseEvent    = 257
	pLLRPStatus              = 287
)

// tvValueLen is the value size of each TV parameter (§16.2, TV table; 19 and
// 20 are the LLRP 1.1 XPC words). A TV parameter of unknown type cannot be
// skipped, so the decoder must know them all.
var tvValueLen = [128]int{
	pAntennaID: 2, pFirstSeenUTC: 8, pFirstSeenUptime: 8, pLastSeenUTC: 8, pLastSeenUptime: 8,
	pPeakRSSI: 1, pChannelIndex: 2, pTagSeenCount: 2, pROSpecID: 4, pInventoryParamSpecID: 2,
	pC1G2CRC: 2, pC1G2PC: 2, pEPC96: 12, pSpecIndex: 2, pClientRequestOpResult: 2, pAccessSpecID: 4,
	pOpSpecID: 2, pC1G2SingulationDetail: 4, pC1G2XPCW1: 2, pC1G2XPCW2: 2,
}

// enc builds message bodies.
type enc struct{ b []byte }

func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }

// utf8v is a 16-bit byte count followed by the bytes.
func (e *enc) utf8v(s string) {
	e.u16(uint16(len(s)))
	e.b = append(e.b, s...)
}

// tv starts a TV parameter; the caller appends the value.
func (e *enc) tv(typ uint8) { e.u8(0x80 | typ) }

// tlv writes a TLV parameter whose value body writes, patching the length.
func (e *enc) tlv(typ uint16, body func()) {
	start := len(e.b)
	e.u16(typ & 0x3ff)
	e.u16(0)
	body()
	binary.BigEndian.PutUint16(e.b[start+2:], uint16(len(e.b)-start))
}

// param is one decoded parameter.
type param struct {
	typ  uint16
	body []byte // value only, header stripped
}

var errTruncated = errors.New("truncated")

// params splits b into consecutive parameters.
func params(b []byte) ([]param, error) {
	var out []param
	for len(b) > 0 {
		if b[0]&0x80 != 0 {
			typ := b[0] & 0x7f
			n := tvValueLen[typ]
			if n == 0 {
				return out, fmt.Errorf("unknown TV parameter type %d", typ)
			}
			if len(b) < 1+n {
				return out, fmt.Errorf("TV parameter %d: %w", typ, errTruncated)
			}
			out = append(out, param{typ: uint16(typ), body: b[1 : 1+n]})
			b = b[1+n:]
			continue
		}
		if len(b) < 4 {
			return out, fmt.Errorf("TLV header: %w", errTruncated)
		}
		typ := binary.BigEndian.Uint16(b) & 0x3ff
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return out, fmt.Errorf("TLV parameter %d: length %d with %d bytes left", typ, n, len(b))
		}
		out = append(out, param{typ: typ, body: b[4:n]})
		b = b[n:]
	}
	return out, nil
}

// dec reads fixed fields; the first short read sticks in err.
type dec struct {
	b   []byte
	err error
}

func (d *dec) take(n int) []byte {
	if d.err != nil || len(d.b) < n {
		if d.err == nil {
			d.err = errTruncated
		}
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) u8() uint8   { return d.take(1)[0] }
func (d *dec) u16() uint16 { return binary.BigEndian.Uint16(d.take(2)) }
func (d *dec) u32() uint32 { return binary.BigEndian.Uint32(d.take(4)) }
func (d *dec) u64() uint64 { return binary.BigEndian.Uint64(d.take(8)) }

func (d *dec) utf8v() string {
	n := d.u16()
	return string(d.take(int(n)))
}

// rest returns the parameters after the fixed fields.
func (d *dec) rest() ([]param, error) {
	if d.err != nil {
		return nil, d.err
	}
	return params(d.b)
}
