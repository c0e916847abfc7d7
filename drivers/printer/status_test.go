package printer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/printer"
)

// Fixtures follow the ~HS field layout of the ZPL II Programming Guide
// (Zebra P/N 45541L-004 Rev. A, "~HS Host Status Return"):
//
//	<STX>aaa,b,c,dddd,eee,f,g,h,iii,j,k,l<ETX><CR><LF>
//	<STX>mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www<ETX><CR><LF>
//	<STX>xxxx,y<ETX><CR><LF>
//
// The values are those of a ready ZD/ZT-class printer: 9600 8N1 (030),
// 6 in labels at 203 dpi (1218 dots), tear-off mode, thermal transfer.
var ready1 = []string{"030", "0", "0", "1218", "000", "0", "0", "0", "000", "0", "0", "0"}
var ready2 = []string{"001", "0", "0", "0", "1", "2", "6", "0", "00000000", "1", "000"}
var ready3 = []string{"1234", "0"}

func answer(s1, s2, s3 []string) []byte {
	return fmt.Appendf(nil, "\x02%s\x03\r\n\x02%s\x03\r\n\x02%s\x03\r\n",
		strings.Join(s1, ","), strings.Join(s2, ","), strings.Join(s3, ","))
}

// with returns a copy of fields with field i set to v.
func with(fields []string, i int, v string) []string {
	out := append([]string(nil), fields...)
	out[i] = v
	return out
}

func TestParseHostStatusReady(t *testing.T) {
	h, err := printer.ParseHostStatus(answer(ready1, ready2, ready3))
	require.NoError(t, err)
	assert.Equal(t, printer.HostStatus{
		InterfaceSettings: 30, LabelLength: 1218, FunctionSettings: 1, ThermalTransfer: true,
		PrintMode: '2', PrintWidthMode: 6, Password: "1234",
	}, h)
	assert.Equal(t, "", h.Problem())
	assert.True(t, h.Idle())
}

func TestParseHostStatusEachFlag(t *testing.T) {
	cases := []struct {
		name    string
		s1, s2  []string
		s3      []string
		check   func(printer.HostStatus) bool
		problem string
	}{
		{"paper out", with(ready1, 1, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.PaperOut }, "paper out"},
		{"paused", with(ready1, 2, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.Paused }, "paused"},
		{"formats in buffer", with(ready1, 4, "012"), ready2, ready3, func(h printer.HostStatus) bool { return h.FormatsInBuffer == 12 }, ""},
		{"buffer full", with(ready1, 5, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.BufferFull }, "buffer full"},
		{"diagnostic mode", with(ready1, 6, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.DiagnosticMode }, "diagnostic mode"},
		{"partial format", with(ready1, 7, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.PartialFormat }, ""},
		{"corrupt RAM", with(ready1, 9, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.CorruptRAM }, "configuration lost (corrupt RAM)"},
		{"under temperature", with(ready1, 10, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.UnderTemperature }, "head too cold"},
		{"over temperature", with(ready1, 11, "1"), ready2, ready3, func(h printer.HostStatus) bool { return h.HeadTooHot }, "head too hot"},
		{"head open", ready1, with(ready2, 2, "1"), ready3, func(h printer.HostStatus) bool { return h.HeadOpen }, "head open"},
		{"ribbon out", ready1, with(ready2, 3, "1"), ready3, func(h printer.HostStatus) bool { return h.RibbonOut }, "ribbon out"},
		{"direct thermal", ready1, with(ready2, 4, "0"), ready3, func(h printer.HostStatus) bool { return !h.ThermalTransfer }, ""},
		{"peel-off mode", ready1, with(ready2, 5, "1"), ready3, func(h printer.HostStatus) bool { return h.PrintMode == '1' }, ""},
		{"label waiting", ready1, with(ready2, 7, "1"), ready3, func(h printer.HostStatus) bool { return h.LabelWaiting }, ""},
		{"labels remaining", ready1, with(ready2, 8, "00000025"), ready3, func(h printer.HostStatus) bool { return h.LabelsRemaining == 25 }, ""},
		{"graphics stored", ready1, with(ready2, 10, "003"), ready3, func(h printer.HostStatus) bool { return h.GraphicsStored == 3 }, ""},
		{"static RAM", ready1, ready2, with(ready3, 1, "1"), func(h printer.HostStatus) bool { return h.StaticRAM }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := printer.ParseHostStatus(answer(tc.s1, tc.s2, tc.s3))
			require.NoError(t, err)
			assert.True(t, tc.check(h), "%+v", h)
			assert.Equal(t, tc.problem, h.Problem())
		})
	}
}

func TestProblemOrderPaperOutFirst(t *testing.T) {
	// An empty, paused printer with its head open: the operator must load
	// paper first, so that is what is reported.
	h, err := printer.ParseHostStatus(answer(with(with(ready1, 1, "1"), 2, "1"), with(ready2, 2, "1"), ready3))
	require.NoError(t, err)
	assert.Equal(t, "paper out", h.Problem())
	assert.False(t, h.Idle())
}

func TestParseHostStatusToleratesNoiseAndExtraFields(t *testing.T) {
	b := append([]byte("\r\nstale"), answer(ready1, append(ready2, "99"), ready3)...)
	h, err := printer.ParseHostStatus(b)
	require.NoError(t, err)
	assert.Equal(t, 1218, h.LabelLength)
}

func TestParseHostStatusMalformed(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "got 0 of 3"},
		{"two strings", twoStrings(), "got 2 of 3"},
		{"no ETX", []byte("\x02030,0,0"), "string 1 has no <ETX>"},
		{"STX inside", []byte("\x02030\x02,0\x03\x02\x03\x02\x03"), "<STX> before its <ETX>"},
		{"short string 1", answer(ready1[:11], ready2, ready3), "string 1: 11 fields, want 12"},
		{"short string 2", answer(ready1, ready2[:10], ready3), "string 2: 10 fields, want 11"},
		{"short string 3", answer(ready1, ready2, ready3[:1]), "string 3: 1 fields, want 2"},
		{"bad flag", answer(with(ready1, 1, "2"), ready2, ready3), "field b paper out: \"2\" is not 0 or 1"},
		{"bad number", answer(with(ready1, 4, "x1"), ready2, ready3), "field eee formats in buffer: \"x1\" is not a number"},
		{"negative number", answer(ready1, with(ready2, 8, "-1"), ready3), "uuuuuuuu labels remaining"},
		{"bad print mode", answer(ready1, with(ready2, 5, "12"), ready3), "r print mode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := printer.ParseHostStatus(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func twoStrings() []byte {
	b := answer(ready1, ready2, ready3)
	return b[:bytes.LastIndexByte(b, 0x02)]
}

func FuzzParseHostStatus(f *testing.F) {
	f.Add(answer(ready1, ready2, ready3))
	f.Add(answer(with(ready1, 1, "1"), with(ready2, 2, "1"), ready3))
	f.Add([]byte("\x02\x03\x02\x03\x02\x03"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := printer.ParseHostStatus(b)
		if err != nil {
			assert.Equal(t, printer.HostStatus{}, h, "no half-parsed status on error")
			return
		}
		_ = h.Problem()
	})
}

func BenchmarkParseHostStatus(b *testing.B) {
	in := answer(ready1, ready2, ready3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := printer.ParseHostStatus(in); err != nil {
			b.Fatal(err)
		}
	}
}
