package daemon

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/drivers/scanner"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/wire"
)

// Good and bad reads are events of one shape: symbology always, gs1 as the
// scan announced it, data without the AIM identifier, and for a bad read
// error plus error_at, the offset in data of the offending character.
func TestScanEventsHaveOneShape(t *testing.T) {
	const sscc = "106141411234567897"
	cases := []struct {
		name     string
		frame    string
		frameErr error
		opt      gs1.Options
		sym      string
		gs1      bool
		data     string
		errAt    string // data from the offending character on; "-" = no error
		elements int
	}{
		{"valid GS1-128", "]C100" + sscc, nil, gs1.Options{}, "]C1", true, "00" + sscc, "-", 1},
		{"GS1-128 with a wrong check digit", "]C100106141411234567890", nil, gs1.Options{}, "]C1", true, "00106141411234567890", "0", 0},
		{"tolerated leading FNC1", "]C1\x1d00" + sscc, nil, gs1.Options{}, "]C1", true, "\x1d00" + sscc, "-", 1},
		{"leading FNC1, then a bad date", "]C1\x1d0109501101530003" + "17251301", nil, gs1.Options{}, "]C1", true, "\x1d0109501101530003" + "17251301", "1301", 0},
		{"GS1 DataMatrix, GS forgotten", "]d20109501101530003" + "10LOT1" + "21SERIAL12345678901234", nil, gs1.Options{}, "]d2", true, "0109501101530003" + "10LOT1" + "21SERIAL12345678901234", "901234", 0},
		{"FNC1 substitute counts one byte", "]C110A|17251301", nil, gs1.Options{FNC1: '|'}, "]C1", true, "10A\x1d17251301", "1301", 0},
		{"plain Code 128", "]C0A-03-2-05", nil, gs1.Options{}, "]C0", false, "A-03-2-05", "-", 0},
		{"no AIM identifier, not GS1", "A-03-2-05", nil, gs1.Options{}, "", false, "A-03-2-05", "-", 0},
		{"binary garbage in a GS1-128 frame", "]C100106\x01141411234567897", &scanner.ByteError{Offset: 8, Byte: 1}, gs1.Options{}, "]C1", true, "00106\x01141411234567897", "\x01141411234567897", 0},
		{"frame too long: no one character", "]C0AAAA", fmt.Errorf("%w: 4 bytes exceed the limit of 3", scanner.ErrFrameTooLong), gs1.Options{}, "]C0", false, "AAAA", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := newScanEvent("dock-1", "inbound-dock", tc.opt, []byte(tc.frame), tc.frameErr)
			b, jerr := json.Marshal(ev)
			require.NoError(t, jerr)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			assert.Equal(t, tc.sym, m["symbology"], "symbology is always there: %s", b)
			assert.Equal(t, tc.gs1, m["gs1"])
			assert.Equal(t, tc.data, m["data"])
			assert.Len(t, ev.Elements, tc.elements)
			switch tc.errAt {
			case "-":
				require.NoError(t, err)
				assert.NotContains(t, m, "error")
				assert.NotContains(t, m, "error_at")
			case "":
				require.Error(t, err)
				assert.Equal(t, err.Error(), m["error"])
				assert.NotContains(t, m, "error_at", "no single character is at fault")
			default:
				require.Error(t, err)
				assert.Equal(t, err.Error(), m["error"])
				require.NotNil(t, ev.ErrorAt)
				assert.Equal(t, tc.errAt, ev.Data[*ev.ErrorAt:], "error_at points into data: %s", b)
				assert.Contains(t, ev.Error, fmt.Sprintf("at byte %d", *ev.ErrorAt), "the message counts the same way")
				assert.Empty(t, ev.Elements)
			}
		})
	}
}

// Bytes that are not UTF-8 become U+FFFD in data, and error_at still points
// at the same character.
func TestScanEventDataIsUTF8(t *testing.T) {
	ev, err := newScanEvent("dock-1", "pick", gs1.Options{}, []byte("]C0\xe9t\xe9\x01x"), &scanner.ByteError{Offset: 6, Byte: 1})
	require.Error(t, err)
	assert.Equal(t, "\ufffdt\ufffd\x01x", ev.Data)
	require.NotNil(t, ev.ErrorAt)
	assert.Equal(t, "\x01x", ev.Data[*ev.ErrorAt:])
}

// Through a real pseudo-terminal: a GS1-128 with a wrong check digit is
// stored in the good scans' shape, with the reason and where it is, and
// the station shows red.
func TestBadScanFromSerialPortKeepsItsShape(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: log})
	require.NoError(t, err)
	defer sc.Close()
	g := startPortalGateway(t, fmt.Sprintf("  - {id: scanner-1, kind: scanner, station: door-1, port: %q}\n  - {id: light-1, kind: light, station: door-1}\n", sc.Path()))
	require.NoError(t, sc.Scan("]C100106141411234567890"))
	var scans []wire.Scan
	require.Eventually(t, func() bool {
		scans = stored[wire.Scan](t, g, outbox.Must, wire.EvtScan)
		return len(scans) == 1
	}, 10*time.Second, 10*time.Millisecond)
	s := scans[0]
	assert.Equal(t, "]C1", s.Symbology)
	assert.True(t, s.GS1, "the identifier announced GS1")
	assert.Equal(t, "00106141411234567890", s.Data)
	assert.Equal(t, "AI (00) at byte 19: check digit is 0, expected 7", s.Error)
	require.NotNil(t, s.ErrorAt)
	assert.Equal(t, 19, *s.ErrorAt)
	assert.Empty(t, s.Elements)
	light, ok := g.light("door-1")
	require.True(t, ok)
	assert.Eventually(t, func() bool { return light.Current() == gpio.PatternReject }, 5*time.Second, 10*time.Millisecond)
}
