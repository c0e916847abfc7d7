package mercury

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// Whole frames captured from M6e / M6e Nano modules with ThingMagic's
// Universal Reader Assistant transport log, as published in the comments of
// the SparkFun Simultaneous RFID Tag Reader library: Get Version, two Set
// Reader Optional Parameters (read filter, unique-by-data), and a
// continuous-read tag record with metadata 0x01FF.
const (
	capGetVersion   = "FF 00 03 1D 0C"
	capFilterOff    = "FF 03 9A 01 0C 00 A3 5D"
	capUniqueByData = "FF 03 9A 01 08 00 A7 5D"
	capTagRecord    = "FF 28 22 00 00 10 00 1B 01 FF 01 01 C4 11 0E 16 40 00 00 01 27 00 00 05 00 00 0F 00 80 30 00 " +
		"00 00 00 00 00 00 00 00 00 00 15 45 E9 4A 56 1D"
)

func TestCRCVectors(t *testing.T) {
	for _, frame := range []string{capGetVersion, capFilterOff, capUniqueByData, capTagRecord} {
		b := unhex(t, frame)
		n := len(b)
		assert.Equal(t, uint16(b[n-2])<<8|uint16(b[n-1]), CRC(b[1:n-2]), frame)
	}
	// It is not CRC-16/CCITT-FALSE, whose check value for "123456789" is
	// 0x29B1; shifting the message in unaugmented gives a different value.
	assert.NotEqual(t, uint16(0x29B1), CRC([]byte("123456789")))
}

func TestCommandEncoding(t *testing.T) {
	assert.Equal(t, unhex(t, capGetVersion), Command(OpGetVersion, nil))
	assert.Equal(t, unhex(t, capFilterOff), Command(OpSetReaderOptional, []byte{0x01, 0x0C, 0x00}))
	// Stop continuous reading: 0x2F with timeout 0 and option 2.
	assert.Equal(t, unhex(t, "FF 03 2F 00 00 02"), StopContinuous()[:6])
	// Start continuous reading, same layout as URA (which asks for metadata 0x01FF).
	start := StartContinuous()
	assert.Equal(t, unhex(t, "FF 10 2F 00 00 01 22 00 00 05 07 22 10 00 1B 03 E8 00 17"), start[:len(start)-2])
	meta, err := StartMetadata(start[3 : len(start)-2])
	require.NoError(t, err)
	assert.Equal(t, uint16(metaRequested), meta)
}

func TestDecoderReplyAndRecord(t *testing.T) {
	d := Decoder{Replies: true}
	d.Write(unhex(t, capTagRecord))
	f, ok, skipped, err := d.Next()
	require.True(t, ok)
	require.NoError(t, err)
	assert.Zero(t, skipped)
	assert.Equal(t, byte(OpReadTagMultiple), f.Op)
	assert.Equal(t, uint16(StatusOK), f.Status)
	tags, isTags, err := ParseRecords(f.Data)
	require.NoError(t, err)
	require.True(t, isTags)
	require.Len(t, tags, 1)
	assert.Equal(t, TagRecord{EPC: unhex(t, "00 00 00 00 00 00 00 00 00 00 15 45"), ReadCount: 1, RSSI: -60,
		HasRSSI: true, Antenna: 1, Timestamp: 0x127}, tags[0])
}

func TestParseRecordsAllMetadata(t *testing.T) {
	// Record data of a capture with metadata 0x0FFF and 144 bits of embedded
	// TID data (same source; the capture's frame CRC was cut off, so only
	// the data is used).
	data := unhex(t, "10 01 1F 0F FF 01 01 DD 11 0D 37 FC 00 00 00 B3 00 AE 05 00 90 "+
		"FF 00 06 2F 80 29 01 0E 01 54 00 0D 5F FB FF FF DC 00 80 02 00 00 00 80 34 00 "+
		"E2 00 00 15 86 0E 02 88 15 40 80 29 3B 72")
	tags, _, err := ParseRecords(data)
	require.NoError(t, err)
	require.Len(t, tags, 1)
	assert.Equal(t, unhex(t, "E2 00 00 15 86 0E 02 88 15 40 80 29"), tags[0].EPC)
	assert.Equal(t, -35, tags[0].RSSI)
	assert.Equal(t, uint32(0xB3), tags[0].Timestamp)
}

func TestRecordsRoundTrip(t *testing.T) {
	in := []TagRecord{
		{EPC: unhex(t, "3074257BF7194E4000001A85"), ReadCount: 3, RSSI: -48, HasRSSI: true, Antenna: 2, Timestamp: 77},
		{EPC: unhex(t, "E28011606000020A"), ReadCount: 1, RSSI: -70, HasRSSI: true, Antenna: 1},
	}
	for _, meta := range []uint16{metaRequested, 0x01FF, 0x0FFF} {
		out, ok, err := ParseRecords(RecordsData(meta, in))
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, in, out, "metadata 0x%04X", meta)
	}
}

func TestParseRecordsErrors(t *testing.T) {
	good := RecordsData(metaRequested, []TagRecord{{EPC: unhex(t, "3074257BF7194E4000001A85"), Antenna: 1}})
	_, _, err := ParseRecords(good[:len(good)-3])
	assert.Error(t, err, "truncated record")
	bad := append([]byte(nil), good...)
	bad[3] = 0x10 // metadata flag 0x1000 is unknown
	_, _, err = ParseRecords(bad)
	assert.ErrorContains(t, err, "unsupported metadata")
	_, ok, err := ParseRecords(unhex(t, "00 01 1F 02 82 00 82 00 01 1A")) // statistics frame
	assert.False(t, ok)
	assert.NoError(t, err)
}

func TestDecoderResynchronises(t *testing.T) {
	d := Decoder{Replies: true}
	heartbeat := Reply(OpReadTagMultiple, StatusNoTagsFound, nil)
	corrupt := append([]byte(nil), heartbeat...)
	corrupt[len(corrupt)-1] ^= 0x55
	var stream []byte
	stream = append(stream, 0x13, 0x37, 0x00) // garbage
	stream = append(stream, corrupt...)       // a frame with a bad CRC
	stream = append(stream, 0xFF, 0xFF)       // stray headers
	stream = append(stream, heartbeat...)
	stream = append(stream, unhex(t, capTagRecord)...)

	// Fed one byte at a time, as a slow line delivers it.
	var frames []Frame
	var skippedTotal int
	var errs []error
	for _, c := range stream {
		d.Write([]byte{c})
		for {
			f, ok, skipped, err := d.Next()
			skippedTotal += skipped
			if err != nil {
				errs = append(errs, err)
			}
			if !ok {
				break
			}
			frames = append(frames, f)
		}
	}
	require.Len(t, frames, 2)
	assert.Equal(t, uint16(StatusNoTagsFound), frames[0].Status)
	assert.Equal(t, byte(OpReadTagMultiple), frames[1].Op)
	assert.Equal(t, 3+len(corrupt)+2, skippedTotal)
	assert.NotEmpty(t, errs)
}

func TestDecoderCommands(t *testing.T) {
	d := Decoder{}
	d.Write(unhex(t, capFilterOff))
	f, ok, _, err := d.Next()
	require.True(t, ok)
	require.NoError(t, err)
	assert.Equal(t, Frame{Op: OpSetReaderOptional, Data: []byte{0x01, 0x0C, 0x00}}, f)
}

// FuzzDecoder: arbitrary bytes, fed in chunks as a port delivers them,
// never panic, every frame returned re-encodes to itself (so its CRC was
// valid), and the record parser survives any frame data.
func FuzzDecoder(f *testing.F) {
	f.Add(unhex(f, capTagRecord))
	f.Add(append(unhex(f, "FF FF 00"), Reply(OpReadTagMultiple, StatusNoTagsFound, nil)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := Decoder{Replies: true}
		for len(b) > 0 {
			n := min(len(b), 64)
			d.Write(b[:n])
			b = b[n:]
			for {
				fr, ok, _, _ := d.Next()
				if !ok {
					break
				}
				re := Reply(fr.Op, fr.Status, fr.Data)
				d2 := Decoder{Replies: true}
				d2.Write(re)
				again, ok, _, err := d2.Next()
				require.True(t, ok)
				require.NoError(t, err)
				assert.Equal(t, fr, again)
				_, _, _ = ParseRecords(fr.Data)
			}
		}
	})
}
