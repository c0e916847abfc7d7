package mercury

import (
	"encoding/binary"
	"fmt"
)

// Metadata flags: which per-tag fields a read record carries, in this order
// (Mercury API TMR_TRD_METADATA_FLAG).
const (
	MetaReadCount  = 0x0001 // 1 byte
	MetaRSSI       = 0x0002 // 1 byte, signed dBm
	MetaAntenna    = 0x0004 // 1 byte: TX port high nibble, RX port low nibble
	MetaFrequency  = 0x0008 // 3 bytes, kHz
	MetaTimestamp  = 0x0010 // 4 bytes, ms since the search started
	MetaPhase      = 0x0020 // 2 bytes
	MetaProtocol   = 0x0040 // 1 byte
	MetaData       = 0x0080 // 2 bytes bit count + embedded read data
	MetaGPIO       = 0x0100 // 1 byte
	MetaGen2Q      = 0x0200 // 1 byte
	MetaGen2LF     = 0x0400 // 1 byte
	MetaGen2Target = 0x0800 // 1 byte
)

// metaRequested is what the driver asks for.
const metaRequested = MetaReadCount | MetaRSSI | MetaAntenna | MetaTimestamp

// Continuous reading is one Multi-Protocol Tag Operation (0x2F) that
// embeds a Read Tag ID Multiple (0x22). The layout and the option and search
// flag values are those the Universal Reader Assistant sends to M6e and M6e
// Nano modules (as seen in its transport logs).
const (
	tagOpContinuous = 0x01 // 0x2F option: start continuous reading
	tagOpStop       = 0x02 // 0x2F option: stop continuous reading
	protocolGen2    = 0x05
	readOption      = 0x10   // 0x22 option: continuous mode, metadata follows
	searchFlags     = 0x001B // 0x22 search flags as sent by URA
	cycleMillis     = 1000   // read cycle; the module reports "no tags" per empty cycle
)

// StartContinuous returns the command that starts continuous Gen2 reading.
func StartContinuous() []byte {
	embedded := []byte{OpReadTagMultiple, readOption}
	embedded = binary.BigEndian.AppendUint16(embedded, searchFlags)
	embedded = binary.BigEndian.AppendUint16(embedded, cycleMillis)
	embedded = binary.BigEndian.AppendUint16(embedded, metaRequested)
	// The length byte counts the embedded command after its opcode.
	data := []byte{0, 0, tagOpContinuous, OpReadTagMultiple, 0, 0, protocolGen2, byte(len(embedded) - 1)}
	return Command(OpMultiProtocolTag, append(data, embedded...))
}

// StopContinuous returns the command that stops continuous reading.
func StopContinuous() []byte {
	return Command(OpMultiProtocolTag, []byte{0, 0, tagOpStop})
}

// TagRecord is one tag in a read record.
type TagRecord struct {
	EPC       []byte // without PC and CRC
	ReadCount int
	RSSI      int    // dBm
	Antenna   int    // TX port, 0 if not reported
	Timestamp uint32 // ms, module-relative
	HasRSSI   bool
}

// metaSizes lists the fixed-size metadata fields in wire order; MetaData is
// variable-sized and handled separately.
var metaSizes = []struct {
	flag uint16
	size int
}{
	{MetaReadCount, 1}, {MetaRSSI, 1}, {MetaAntenna, 1}, {MetaFrequency, 3}, {MetaTimestamp, 4},
	{MetaPhase, 2}, {MetaProtocol, 1}, {MetaData, 0}, {MetaGPIO, 1}, {MetaGen2Q, 1}, {MetaGen2LF, 1},
	{MetaGen2Target, 1},
}

const metaKnown = 0x0FFF

// ParseRecords parses the data of a continuous-read frame (opcode 0x22,
// status OK): option, search flags, metadata flags, tag count, then one
// record per tag. ok is false for other 0x22 frames of the stream (e.g.
// statistics), which carry no tags.
func ParseRecords(data []byte) (tags []TagRecord, ok bool, err error) {
	if len(data) < 6 || data[0] != readOption {
		return nil, false, nil
	}
	meta := binary.BigEndian.Uint16(data[3:])
	if meta&^metaKnown != 0 {
		return nil, true, fmt.Errorf("read record: unsupported metadata flags 0x%04X", meta)
	}
	count := int(data[5])
	p := data[6:]
	for i := range count {
		t, rest, err := parseRecord(p, meta)
		if err != nil {
			return tags, true, fmt.Errorf("read record %d of %d: %w", i+1, count, err)
		}
		tags = append(tags, t)
		p = rest
	}
	return tags, true, nil
}

func parseRecord(p []byte, meta uint16) (TagRecord, []byte, error) {
	var t TagRecord
	for _, m := range metaSizes {
		if meta&m.flag == 0 {
			continue
		}
		size := m.size
		if m.flag == MetaData {
			if len(p) < 2 {
				return t, nil, errShort
			}
			size = 2 + (int(binary.BigEndian.Uint16(p))+7)/8
		}
		if len(p) < size {
			return t, nil, errShort
		}
		switch m.flag {
		case MetaReadCount:
			t.ReadCount = int(p[0])
		case MetaRSSI:
			t.RSSI, t.HasRSSI = int(int8(p[0])), true
		case MetaAntenna:
			t.Antenna = int(p[0] >> 4)
		case MetaTimestamp:
			t.Timestamp = binary.BigEndian.Uint32(p)
		}
		p = p[size:]
	}
	// EPC length in bits covers PC word(s), EPC and the tag's CRC.
	if len(p) < 2 {
		return t, nil, errShort
	}
	n := int(binary.BigEndian.Uint16(p)) / 8
	p = p[2:]
	if n < 4 || len(p) < n {
		return t, nil, fmt.Errorf("EPC field of %d bytes with %d left", n, len(p))
	}
	pc := 2
	if p[0]&0x02 != 0 { // XI bit: an XPC_W1 word follows the PC
		pc = 4
	}
	if n < pc+2 {
		return t, nil, fmt.Errorf("EPC field of %d bytes too short for PC and CRC", n)
	}
	t.EPC = append([]byte(nil), p[pc:n-2]...)
	return t, p[n:], nil
}

var errShort = fmt.Errorf("record truncated")

// StartMetadata returns the metadata flags a StartContinuous command's data
// asks for (used by the simulator to answer in kind).
func StartMetadata(data []byte) (uint16, error) {
	// timeout(2) option(1) opcode(1) search flags(2) protocol(1) length(1),
	// then the embedded 0x22: opcode, option, search flags(2), timeout(2), metadata(2).
	if len(data) < 16 || data[2] != tagOpContinuous || data[8] != OpReadTagMultiple {
		return 0, fmt.Errorf("not a start-continuous-read command: % X", data)
	}
	return binary.BigEndian.Uint16(data[14:]), nil
}

// IsStopContinuous reports whether a Multi-Protocol Tag Operation's data
// stops continuous reading.
func IsStopContinuous(data []byte) bool { return len(data) >= 3 && data[2] == tagOpStop }

// RecordsData encodes the data of a continuous-read frame carrying tags with
// the given metadata (the inverse of ParseRecords, for simulators and tests;
// fields TagRecord does not hold are sent as zero, protocol as Gen2).
func RecordsData(meta uint16, tags []TagRecord) []byte {
	b := []byte{readOption}
	b = binary.BigEndian.AppendUint16(b, searchFlags)
	b = binary.BigEndian.AppendUint16(b, meta)
	b = append(b, byte(len(tags)))
	for _, t := range tags {
		for _, m := range metaSizes {
			if meta&m.flag == 0 {
				continue
			}
			switch m.flag {
			case MetaReadCount:
				b = append(b, byte(t.ReadCount))
			case MetaRSSI:
				b = append(b, byte(int8(t.RSSI)))
			case MetaAntenna:
				b = append(b, byte(t.Antenna<<4|t.Antenna))
			case MetaTimestamp:
				b = binary.BigEndian.AppendUint32(b, t.Timestamp)
			case MetaProtocol:
				b = append(b, protocolGen2)
			case MetaData:
				b = append(b, 0, 0) // no embedded read data
			default:
				b = append(b, make([]byte, m.size)...)
			}
		}
		n := 2 + len(t.EPC) + 2
		b = binary.BigEndian.AppendUint16(b, uint16(n*8))
		b = binary.BigEndian.AppendUint16(b, uint16(len(t.EPC)/2)<<11) // PC: EPC length in words
		b = append(b, t.EPC...)
		b = binary.BigEndian.AppendUint16(b, 0) // tag CRC (not checked by hosts)
	}
	return b
}
