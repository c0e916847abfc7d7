package gs1

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Example data. 0950110153000 + check digit 3 is the example GTIN GS1 uses
// throughout its guidelines (GS1 DataMatrix Guideline, GS1 Digital Link);
// 0614141 is the GS1 US example company prefix of the General Specifications.
const (
	exGTIN = "09501101530003"
	exSSCC = "106141411234567897"
)

func TestParseScanAIMIdentifiers(t *testing.T) {
	tests := []struct {
		frame    string
		sym      string
		name     string
		gs1      bool
		data     string
		elements []Element
	}{
		{"]C101" + exGTIN + "10LOT1", "]C1", "GS1-128", true, "01" + exGTIN + "10LOT1",
			[]Element{{"01", exGTIN}, {"10", "LOT1"}}},
		{"]d201" + exGTIN + "21SER\x1d10LOT", "]d2", "GS1 DataMatrix", true, "01" + exGTIN + "21SER\x1d10LOT",
			[]Element{{"01", exGTIN}, {"21", "SER"}, {"10", "LOT"}}},
		{"]Q301" + exGTIN, "]Q3", "GS1 QR Code", true, "01" + exGTIN, []Element{{"01", exGTIN}}},
		{"]e001" + exGTIN + "17250630", "]e0", "GS1 DataBar", true, "01" + exGTIN + "17250630",
			[]Element{{"01", exGTIN}, {"17", "250630"}}},
		{"]C0ABC-123", "]C0", "Code 128", false, "ABC-123", nil},
		{"]C00109501101530003", "]C0", "Code 128", false, "0109501101530003", nil}, // digits, but not GS1
		{"]A0A-03-2-05", "]A0", "Code 39", false, "A-03-2-05", nil},
		{"]E05012345678900", "]E0", "EAN-13/UPC-A", false, "5012345678900", nil},
		{"]d1hello", "]d1", "Data Matrix", false, "hello", nil},
		{"]C3xyz", "]C3", "Code 128", false, "xyz", nil}, // unknown modifier: family name
		{"]X5xyz", "]X5", "AIM ]X5", false, "xyz", nil},  // unknown symbology
		{"A-03-2-05", "", "", false, "A-03-2-05", nil},   // no AIM identifier, not GS1
		{"00" + exSSCC, "", "", true, "00" + exSSCC, []Element{{"00", exSSCC}}},
		{"]x", "", "", false, "]x", nil}, // too short for an AIM identifier
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			sc, err := ParseScan([]byte(tt.frame), Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.sym, sc.Symbology)
			assert.Equal(t, tt.name, sc.SymbologyName)
			assert.Equal(t, tt.gs1, sc.GS1)
			assert.Equal(t, tt.data, sc.Data)
			assert.Equal(t, tt.elements, sc.Elements)
		})
	}
}

func TestParseScanBadScanKeepsFrame(t *testing.T) {
	sc, err := ParseScan([]byte("]C100106141411234567890"), Options{})
	require.Error(t, err)
	var gerr *Error
	require.True(t, errors.As(err, &gerr))
	assert.Equal(t, "AI (00) at byte 19: check digit is 0, expected 7", err.Error())
	assert.Equal(t, Error{AI: "00", Pos: 19, Reason: "check digit is 0, expected 7"}, *gerr)
	require.NotNil(t, sc)
	assert.Equal(t, "]C1", sc.Symbology)
	assert.Equal(t, "00106141411234567890", sc.Data)
	assert.True(t, sc.GS1)
	assert.Empty(t, sc.Elements)

	sc, err = ParseScan(nil, Options{})
	require.EqualError(t, err, "at byte 0: empty scan")
	assert.NotNil(t, sc)
}

func TestParseScanUntaggedModes(t *testing.T) {
	valid := "01" + exGTIN + "10LOT"
	badCheck := "0109501101530004"
	tests := []struct {
		mode    string
		frame   string
		gs1     bool
		wantErr string
	}{
		{"", valid, true, ""},
		{UntaggedAuto, valid, true, ""},
		{UntaggedAuto, badCheck, false, ""}, // not a valid element string: plain code
		{UntaggedAuto, "\x1d" + badCheck, true, "AI (01) at byte 16: check digit is 4, expected 3"}, // leading FNC1 marks GS1
		{UntaggedAuto, "(01)" + exGTIN, true, ""},
		{UntaggedAuto, "(01)09501101530004", true, "AI (01) at byte 17: check digit is 4, expected 3"}, // typed HRI: report, don't guess
		{UntaggedGS1, valid, true, ""},
		{UntaggedGS1, badCheck, true, "AI (01) at byte 15: check digit is 4, expected 3"},
		{UntaggedGS1, "BIN-A-03", true, "at byte 0: expected an Application Identifier (digits), found 'B'"},
		{UntaggedPlain, valid, false, ""},
		{"sometimes", valid, false, `unknown Untagged mode "sometimes" (want auto, gs1 or plain)`},
		{"sometimes", "]C0A-03", false, `unknown Untagged mode "sometimes" (want auto, gs1 or plain)`}, // reported on tagged scans too
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.frame, func(t *testing.T) {
			sc, err := ParseScan([]byte(tt.frame), Options{Untagged: tt.mode})
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.gs1, sc.GS1)
				assert.Equal(t, tt.gs1, len(sc.Elements) > 0)
			}
			assert.Equal(t, tt.gs1, sc.GS1)
		})
	}
}

func TestParseScanFNC1Substitute(t *testing.T) {
	opt := Options{FNC1: '|'}
	sc, err := ParseScan([]byte("]C101"+exGTIN+"10LOT|21SER"), opt)
	require.NoError(t, err)
	assert.Equal(t, "01"+exGTIN+"10LOT\x1d21SER", sc.Data)
	assert.Equal(t, []Element{{"01", exGTIN}, {"10", "LOT"}, {"21", "SER"}}, sc.Elements)

	// GS keeps working next to the substitute.
	sc, err = ParseScan([]byte("]C101"+exGTIN+"10LOT\x1d21SER"), opt)
	require.NoError(t, err)
	assert.Len(t, sc.Elements, 3)

	// Without the option the substitute is data, and '|' is not in CSET 82.
	_, err = ParseScan([]byte("]C101"+exGTIN+"10LOT|21SER"), Options{})
	require.EqualError(t, err, "AI (10) at byte 21: character '|' is not allowed in GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)")

	// Plain barcodes are never rewritten.
	sc, err = ParseScan([]byte("]C0A|B"), opt)
	require.NoError(t, err)
	assert.Equal(t, "A|B", sc.Data)

	// A substitute above 0x7F (some scanners send 0xE8 for FNC1) is a byte, not a rune.
	sc, err = ParseScan([]byte("]d201"+exGTIN+"10LOT\xe821SER"), Options{FNC1: 0xE8})
	require.NoError(t, err)
	assert.Equal(t, []Element{{"01", exGTIN}, {"10", "LOT"}, {"21", "SER"}}, sc.Elements)

	elems, err := ParseElementString("01"+exGTIN+"10LOT|21SER", opt)
	require.NoError(t, err)
	assert.Len(t, elems, 3)
}

func TestScanHelpers(t *testing.T) {
	sc, err := ParseScan([]byte("]C102"+exGTIN+"3712\x1d00"+exSSCC), Options{})
	require.NoError(t, err)
	v, ok := sc.Get("37")
	assert.True(t, ok)
	assert.Equal(t, "12", v)
	_, ok = sc.Get("10")
	assert.False(t, ok)
	key, ok := sc.Key() // (02) is not a key, (00) is
	assert.True(t, ok)
	assert.Equal(t, Element{"00", exSSCC}, key)
	_, ok = sc.GTIN() // content GTIN (02) is not the unit's GTIN
	assert.False(t, ok)

	sc, err = ParseScan([]byte("]C101"+exGTIN), Options{})
	require.NoError(t, err)
	gtin, ok := sc.GTIN()
	assert.True(t, ok)
	assert.Equal(t, exGTIN, gtin)

	sc, err = ParseScan([]byte("]E06291041500213"), Options{})
	require.NoError(t, err)
	gtin, ok = sc.GTIN()
	assert.True(t, ok)
	assert.Equal(t, "06291041500213", gtin)

	sc, err = ParseScan([]byte("]E06291041500214"), Options{}) // misread EAN-13
	require.NoError(t, err)
	_, ok = sc.GTIN()
	assert.False(t, ok)
	_, ok = sc.Key()
	assert.False(t, ok)
}

// A bad scan's Pos is an offset into Scan.Data — after the AIM identifier,
// the same data a valid scan reports — and points at the offending
// character (or at the end of the data when the data ends too early).
func TestErrorPosPointsIntoData(t *testing.T) {
	cases := []struct {
		frame string
		at    string // the data from the offending character on ("" = the end)
	}{
		{"]C100106141411234567890", "0"},                                                              // wrong check digit
		{"]C10109501101530003" + "17251301", "1301"},                                                  // month 13
		{"]C10109501101530003" + "10LO T", " T"},                                                      // space not in set 82
		{"]C10109501101530003" + "10LOT1" + "21SERIAL12345678901234", "901234"},                       // 21st character of AI 10 (GS forgotten)
		{"]C101" + "0950110153", ""},                                                                  // GTIN ends after 10 digits
		{"]C101" + "0950110153\x1d10A", "\x1d10A"},                                                    // ... at a GS
		{"]C10209501101530003" + "00106141411234567897", "0209501101530003" + "00106141411234567897"}, // (02) lacks (37)
		{"]C10109501101530003" + "0209501101530003", "0209501101530003"},                              // (02) excluded by (01)
		{"]C10109501101530003" + "3106001250", "3106001250"},                                          // unknown AI
		{"]C1\x1d00106141411234567890", "0"},                                                          // tolerated leading FNC1 counts
		{"]d201" + exGTIN + "10A\x1d\x1d21X", "\x1d21X"},                                              // empty element
		{"]C1(00)106141411234567890", "0"},                                                            // HRI: offset in the typed text
		{"]C1(10)A\\(B C(01)" + exGTIN, " C(01)" + exGTIN},                                            // ... after an escape
	}
	for _, tc := range cases {
		t.Run(tc.frame, func(t *testing.T) {
			sc, err := ParseScan([]byte(tc.frame), Options{})
			var gerr *Error
			require.ErrorAs(t, err, &gerr)
			assert.Equal(t, tc.frame[3:], sc.Data, "data without the AIM identifier")
			require.GreaterOrEqual(t, gerr.Pos, 0)
			require.LessOrEqual(t, gerr.Pos, len(sc.Data))
			assert.Equal(t, tc.at, sc.Data[gerr.Pos:], "%v", err)
			assert.True(t, sc.GS1, "the identifier announced GS1")
			assert.Empty(t, sc.Elements)
		})
	}
}

// Identify reports what a frame announces without checking its data, for
// frames that cannot be parsed; ParseScan reports the same.
func TestIdentify(t *testing.T) {
	cases := []struct {
		frame string
		opt   Options
		sym   string
		gs1   bool
		data  string
	}{
		{"]C101\x01X", Options{}, "]C1", true, "01\x01X"},
		{"]C0AB\x01", Options{}, "]C0", false, "AB\x01"},
		{"]d201|21X", Options{FNC1: '|'}, "]d2", true, "01\x1d21X"},
		{"|0109501101530003", Options{FNC1: '|'}, "", true, "\x1d0109501101530003"},
		{"AB|C", Options{FNC1: '|'}, "", false, "AB|C"},
		{"0109501101530003", Options{Untagged: UntaggedGS1}, "", true, "0109501101530003"},
		{"(01)X", Options{Untagged: UntaggedPlain}, "", true, "(01)X"},
	}
	for _, tc := range cases {
		sc := Identify([]byte(tc.frame), tc.opt)
		assert.Equal(t, tc.sym, sc.Symbology, tc.frame)
		assert.Equal(t, tc.gs1, sc.GS1, tc.frame)
		assert.Equal(t, tc.data, sc.Data, tc.frame)
		parsed, _ := ParseScan([]byte(tc.frame), tc.opt)
		if !tc.gs1 {
			continue // untagged auto may still find a valid element string
		}
		assert.Equal(t, sc.Symbology, parsed.Symbology, tc.frame)
		assert.Equal(t, sc.GS1, parsed.GS1, tc.frame)
		assert.Equal(t, sc.Data, parsed.Data, tc.frame)
	}
}
