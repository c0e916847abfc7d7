package llrp

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// golden loads testdata/name.hex: hex bytes with '#' comments naming each
// field, written by hand from the LLRP 1.0.1 binary encoding (§16.1, §16.2).
func golden(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	require.NoError(t, err)
	var digits strings.Builder
	for line := range strings.Lines(string(raw)) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	require.NoError(t, err, name)
	return b
}

var (
	t0     = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	sgtin  = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}
	epc128 = []byte{0xE2, 0x80, 0x11, 0x60, 0x60, 0x00, 0x02, 0x08, 0x4C, 0x5A, 0x3C, 0x7B, 0, 0, 0, 1}
)

// TestGoldenEncode: the builders produce exactly the fixture bytes.
func TestGoldenEncode(t *testing.T) {
	withID := func(m Message, id uint32) Message { m.ID = id; return m }
	cases := map[string]Message{
		"keepalive":               NewMessage(Keepalive, 0x2A),
		"keepalive_ack":           NewMessage(KeepaliveAck, 0x2A),
		"get_reader_capabilities": NewGetReaderCapabilities(1),
		"set_reader_config":       NewSetReaderConfig(2, 5*time.Second),
		"add_rospec":              NewAddROSpec(3, ROSpec{ID: 1, Antennas: []uint16{1, 2}}),
		"enable_rospec":           NewROSpecCommand(EnableROSpec, 4, 1),
		"start_rospec":            NewROSpecCommand(StartROSpec, 5, 1),
		"delete_rospec_all":       NewROSpecCommand(DeleteROSpec, 6, 0),
		"add_rospec_response":     NewStatusResponse(AddROSpecResponse, 3, Status{}),
		"error_message":           NewStatusResponse(ErrorMessage, 9, Status{Code: 109, Description: "no GET_REPORT"}),
		"reader_event_connection": NewReaderEventNotification(1, ReaderEvent{Time: t0, HasConnection: true}),
		"reader_event_gpi":        NewReaderEventNotification(7, ReaderEvent{Time: t0, HasGPI: true, GPIPort: 1, GPIHigh: true}),
		"ro_access_report": withID(NewROAccessReport(0, []TagReport{
			{EPC: sgtin, Antenna: 2, PeakRSSI: -60, HasRSSI: true, FirstSeen: t0.Add(250 * time.Millisecond), SeenCount: 3},
			{EPC: epc128, Antenna: 1},
		}), 8),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, hex.EncodeToString(golden(t, name)), hex.EncodeToString(m.Marshal()))
		})
	}
}

// TestGoldenDecode: the parsers read the fixtures back into the values.
func TestGoldenDecode(t *testing.T) {
	read := func(t *testing.T, name string, want MessageType, id uint32) Message {
		m, err := ReadMessage(bytes.NewReader(golden(t, name)))
		require.NoError(t, err)
		assert.Equal(t, want, m.Type)
		assert.Equal(t, id, m.ID)
		assert.Equal(t, uint8(Version101), m.Version)
		return m
	}
	t.Run("keepalive", func(t *testing.T) {
		m := read(t, "keepalive", Keepalive, 0x2A)
		assert.Empty(t, m.Body)
	})
	t.Run("set_reader_config", func(t *testing.T) {
		ka, err := ParseSetReaderConfig(read(t, "set_reader_config", SetReaderConfig, 2).Body)
		require.NoError(t, err)
		assert.Equal(t, 5*time.Second, ka)
	})
	t.Run("add_rospec", func(t *testing.T) {
		spec, err := ParseAddROSpec(read(t, "add_rospec", AddROSpec, 3).Body)
		require.NoError(t, err)
		assert.Equal(t, ROSpec{ID: 1, Antennas: []uint16{1, 2}}, spec)
	})
	t.Run("start_rospec", func(t *testing.T) {
		id, err := ParseROSpecID(read(t, "start_rospec", StartROSpec, 5).Body)
		require.NoError(t, err)
		assert.Equal(t, uint32(1), id)
	})
	t.Run("add_rospec_response", func(t *testing.T) {
		st, err := ParseStatus(read(t, "add_rospec_response", AddROSpecResponse, 3).Body)
		require.NoError(t, err)
		assert.NoError(t, st.Err())
	})
	t.Run("error_message", func(t *testing.T) {
		st, err := ParseStatus(read(t, "error_message", ErrorMessage, 9).Body)
		require.NoError(t, err)
		assert.EqualError(t, st.Err(), "LLRP status 109: no GET_REPORT")
	})
	t.Run("reader_event_connection", func(t *testing.T) {
		ev, err := ParseReaderEvent(read(t, "reader_event_connection", ReaderEventNotification, 1).Body)
		require.NoError(t, err)
		assert.Equal(t, ReaderEvent{Time: t0, HasConnection: true}, ev)
	})
	t.Run("reader_event_gpi", func(t *testing.T) {
		ev, err := ParseReaderEvent(read(t, "reader_event_gpi", ReaderEventNotification, 7).Body)
		require.NoError(t, err)
		assert.Equal(t, ReaderEvent{Time: t0, HasGPI: true, GPIPort: 1, GPIHigh: true}, ev)
	})
	t.Run("ro_access_report", func(t *testing.T) {
		reports, err := ParseROAccessReport(read(t, "ro_access_report", ROAccessReport, 8).Body)
		require.NoError(t, err)
		assert.Equal(t, []TagReport{
			{EPC: sgtin, Antenna: 2, PeakRSSI: -60, HasRSSI: true, FirstSeen: t0.Add(250 * time.Millisecond), SeenCount: 3},
			{EPC: epc128, Antenna: 1},
		}, reports)
	})
}

func TestCapabilitiesRoundTrip(t *testing.T) {
	caps := Capabilities{MaxAntennas: 4, Manufacturer: 25882, Model: 2001002, Firmware: "7.1.0", GPIs: 4, GPOs: 4}
	m, err := ReadMessage(bytes.NewReader(NewCapabilitiesResponse(11, caps).Marshal()))
	require.NoError(t, err)
	st, got, err := ParseCapabilities(m.Body)
	require.NoError(t, err)
	assert.NoError(t, st.Err())
	assert.Equal(t, caps, got)
}

func TestReadMessageRejectsBadHeaders(t *testing.T) {
	cases := map[string]string{
		"reserved bits": "E43E0000000A0000002A",
		"version 0":     "003E0000000A0000002A",
		"short length":  "043E000000090000002A",
		"huge length":   "043E7FFFFFFF0000002A",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := hex.DecodeString(h)
			require.NoError(t, err)
			_, err = ReadMessage(bytes.NewReader(b))
			assert.ErrorIs(t, err, ErrFraming)
		})
	}
	t.Run("truncated body", func(t *testing.T) {
		b := golden(t, "add_rospec")
		_, err := ReadMessage(bytes.NewReader(b[:len(b)-3]))
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrFraming)
	})
}

func TestParseRejectsMalformedParameters(t *testing.T) {
	cases := map[string][]byte{
		"unknown TV":         {0xFF, 0x00},
		"truncated TV":       {0x8D, 0x30, 0x74},
		"TLV length over":    {0x00, 0xF0, 0x00, 0x40, 0x8D},
		"TLV length under 4": {0x00, 0xF0, 0x00, 0x02},
		"no EPC":             {0x00, 0xF0, 0x00, 0x07, 0x81, 0x00, 0x01},
		"EPCData too short":  {0x00, 0xF0, 0x00, 0x0A, 0x00, 0xF1, 0x00, 0x06, 0x00, 0x60},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseROAccessReport(body)
			assert.Error(t, err)
		})
	}
}

// FuzzParse: no input makes the parsers panic, and a report that parses
// re-encodes to something that parses to the same reports.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"ro_access_report", "reader_event_gpi", "add_rospec", "set_reader_config", "error_message"} {
		f.Add(golden(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadMessage(bytes.NewReader(b))
		if err != nil {
			return
		}
		_, _ = ParseReaderEvent(m.Body)
		_, _ = ParseAddROSpec(m.Body)
		_, _ = ParseSetReaderConfig(m.Body)
		_, _, _ = ParseCapabilities(m.Body)
		reports, err := ParseROAccessReport(m.Body)
		if err != nil || len(reports) == 0 {
			return
		}
		again, err := ParseROAccessReport(NewROAccessReport(0, reports).Body)
		require.NoError(t, err)
		for i := range reports {
			// EPCData bit lengths are rounded up to whole bytes on re-encoding.
			assert.Equal(t, reports[i].EPC, again[i].EPC)
			assert.Equal(t, reports[i].Antenna, again[i].Antenna)
		}
	})
}
