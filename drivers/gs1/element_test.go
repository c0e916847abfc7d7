package gs1

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseElementStringRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Element
		wantErr string
	}{
		// Fixed (pre-defined) length AIs need no separator; variable ones do unless last.
		{"fixed then variable", "01" + exGTIN + "10LOT1", []Element{{"01", exGTIN}, {"10", "LOT1"}}, ""},
		{"variable then GS", "10LOT1\x1d01" + exGTIN, []Element{{"10", "LOT1"}, {"01", exGTIN}}, ""},
		{"superfluous GS after fixed", "01" + exGTIN + "\x1d10LOT1", []Element{{"01", exGTIN}, {"10", "LOT1"}}, ""},
		{"trailing GS", "01" + exGTIN + "10LOT1\x1d", []Element{{"01", exGTIN}, {"10", "LOT1"}}, ""},
		{"leading FNC1", "\x1d00" + exSSCC, []Element{{"00", exSSCC}}, ""},
		{"four-digit AI with decimals", "01" + exGTIN + "3103001250", []Element{{"01", exGTIN}, {"3103", "001250"}}, ""},
		{"fixed-length AI that still needs GS", "01" + exGTIN + "422276\x1d10L", []Element{{"01", exGTIN}, {"422", "276"}, {"10", "L"}}, ""},
		{"max length variable", "01" + exGTIN + "10" + strings.Repeat("A", 20), []Element{{"01", exGTIN}, {"10", strings.Repeat("A", 20)}}, ""},
		{"optional component present", "253" + "9501101530003" + "ABC", []Element{{"253", "9501101530003ABC"}}, ""},
		{"optional component absent", "253" + "9501101530003", []Element{{"253", "9501101530003"}}, ""},
		{"CSET 39", "8010" + "0950110153#-/AZ", []Element{{"8010", "0950110153#-/AZ"}}, ""},
		{"CSET 64 with padding", "00" + exSSCC + "8030" + "AbC-_=", []Element{{"00", exSSCC}, {"8030", "AbC-_="}}, ""},
		{"same AI twice, same data", "10A\x1d10A\x1d01" + exGTIN, []Element{{"10", "A"}, {"10", "A"}, {"01", exGTIN}}, ""},

		{"empty", "", nil, "at byte 0: no GS1 data"},
		{"only FNC1", "\x1d", nil, "at byte 1: no GS1 data"},
		{"unknown AI", "23" + "123", nil, `at byte 0: unknown Application Identifier: data starts "2312"`},
		{"unknown four-digit AI", "01" + exGTIN + "3106001250", nil, `at byte 16: unknown Application Identifier: data starts "3106"`},
		{"not digits", "AB", nil, "at byte 0: expected an Application Identifier (digits), found 'A'"},
		{"truncated AI", "01" + exGTIN + "3", nil, `at byte 16: data ends inside an Application Identifier ("3")`},
		{"double GS", "10A\x1d\x1d01" + exGTIN, nil, "at byte 4: two GS separators in a row (empty element)"},
		{"fixed too short", "01" + "0950110153", nil, "AI (01) at byte 12: data is 10 characters, needs exactly 14"},        // where the data ended
		{"GS inside fixed", "01" + "0950110153\x1d10A", nil, "AI (01) at byte 12: data is 10 characters, needs exactly 14"}, // the GS
		{"missing GS makes variable too long", "01" + exGTIN + "10LOT1" + "21" + "SERIAL12345678901234", nil,
			"AI (10) at byte 38: data is 26 characters, at most 20 allowed (GS separator missing after this AI?)"}, // the 21st character
		{"empty variable", "10\x1d01" + exGTIN, nil, "AI (10) at byte 2: no data after the AI"},
		{"bad numeric character", "01" + "0950110153000A", nil, "AI (01) at byte 15: character 'A' is not allowed in numeric data (digits 0-9 only)"},
		{"control character", "01" + exGTIN + "10LO\rT", nil, "AI (10) at byte 20: character 0x0D is not allowed in GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)"},
		{"space", "01" + exGTIN + "10LO T", nil, "AI (10) at byte 20: character 0x20 is not allowed in GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)"},
		{"lowercase in CSET 39", "8010" + "0950110153abc", nil, "AI (8010) at byte 14: character 'a' is not allowed in GS1 character set 39 (0-9, A-Z, #, -, /)"},
		{"bad CSET 64 padding", "00" + exSSCC + "8030" + "AbC=", nil, "AI (8030) at byte 27: bad base64 padding"},
		{"GTIN check digit", "01" + "09501101530004", nil, "AI (01) at byte 15: check digit is 4, expected 3"},
		{"SSCC check digit", "00" + "106141411234567890", nil, "AI (00) at byte 19: check digit is 0, expected 7"},
		{"GLN check digit", "414" + "9501101530009", nil, "AI (414) at byte 15: check digit is 9, expected 3"},
		{"GRAI check digit after the zero", "8003" + "0" + "9501101530009" + "A1", nil, "AI (8003) at byte 17: check digit is 9, expected 3"},
		{"GRAI must start with zero", "8003" + "1" + "9501101530003", nil, "AI (8003) at byte 4: 1 is not a valid required digit 0"},
		{"optional component too short", "8008" + "250630" + "12" + "3", nil, "AI (8008) at byte 12: data ends after 9 characters inside a 2-character part"},
		{"country code", "01" + exGTIN + "422999", nil, "AI (422) at byte 19: 999 is not a valid ISO 3166 numeric country code"},
		{"same AI twice, different data", "10A\x1d10B\x1d01" + exGTIN, nil, `AI (10) at byte 4: AI appears twice with different data ("A" and "B")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseElementString(tt.in, Options{})
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				var gerr *Error
				assert.True(t, errors.As(err, &gerr), "error is an *Error")
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// parseCase is an element string and the error ParseElementString must
// return for it, "" when it must be accepted.
type parseCase struct{ name, in, wantErr string }

func checkParse(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseElementString(tt.in, Options{})
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

func TestDatesInElementStrings(t *testing.T) {
	checkParse(t, []parseCase{
		{"expiry", "01" + exGTIN + "17250630", ""},
		{"expiry DD=00 allowed (yymmd0)", "01" + exGTIN + "17250200", ""},
		{"best before DD=00 allowed", "01" + exGTIN + "15251100", ""},
		{"leap day", "01" + exGTIN + "17240229", ""},
		{"no leap day", "01" + exGTIN + "17250229", "AI (17) at byte 22: invalid date 250229: month 02 has no day 29"},
		{"month 13", "01" + exGTIN + "17251301", "AI (17) at byte 20: invalid date 251301: month 13 does not exist"},
		{"month 00", "01" + exGTIN + "17250001", "AI (17) at byte 20: invalid date 250001: month 00 does not exist"},
		{"day 31 in June", "01" + exGTIN + "17250631", "AI (17) at byte 22: invalid date 250631: month 06 has no day 31"},
		{"first freeze date DD=00 not allowed (yymmdd)", "01" + exGTIN + "7006250100", "AI (7006) at byte 24: invalid date 250100: day 00 is not allowed for this AI"},
		{"expiry time", "01" + exGTIN + "7003" + "2506301430", ""},
		{"expiry time hour 24", "01" + exGTIN + "7003" + "2506302430", "AI (7003) at byte 26: invalid hour 24 (00-23)"},
		{"expiry time minute 60", "01" + exGTIN + "7003" + "2506301460", "AI (7003) at byte 28: invalid minute 60 (00-59)"},
		{"four-digit year (DOB)", "8018" + "950110153000000007" + "\x1d7250" + "20240229", ""},
		{"four-digit year, no leap", "8018" + "950110153000000007" + "\x1d7250" + "21000229", "AI (7250) at byte 33: invalid date 21000229: month 02 has no day 29"},
	})
}

func TestPairingsAndExclusions(t *testing.T) {
	sscc := "00" + exSSCC
	checkParse(t, []parseCase{
		{"logistic unit content", "02" + exGTIN + "3712\x1d" + sscc, ""},
		{"02 without 37", "02" + exGTIN + sscc, "AI (02) at byte 0: requires AI (37) in the same data"},
		{"37 without 00", "02" + exGTIN + "3712", "AI (37) at byte 16: requires AI (00) in the same data"},
		{"batch without GTIN", "10LOT", "AI (10) at byte 0: requires one of AI (01), (02), (03), (8006) or (8026) in the same data"},
		{"serial without GTIN", "21SER", "AI (21) at byte 0: requires one of AI (01), (03) or (8006) in the same data"},
		{"IMEI needs GTIN and serial", "01" + exGTIN + "8040" + "123456789012345", "AI (8040) at byte 16: requires AI (01)+(21) in the same data"},
		{"IMEI with GTIN and serial", "01" + exGTIN + "21S\x1d8040" + "123456789012345", ""},
		{"price needs a count or measure (pattern 31nn)", "01" + exGTIN + "3922" + "123", "AI (3922) at byte 16: requires one of AI (30), (31nn), (32nn), (35nn) or (36nn) in the same data"},
		{"price with a measure", "01" + exGTIN + "3103001000" + "3922" + "123", ""},
		{"01 with 02", "01" + exGTIN + "02" + exGTIN, "AI (02) at byte 16: AI (01) and AI (02) must not appear together"},
		{"01 with 37", "01" + exGTIN + "3712", "AI (37) at byte 16: AI (01) and AI (37) must not appear together"},
		{"two net weights (ex=310n)", "01" + exGTIN + "3100000100" + "3102000150", "AI (3102) at byte 26: AI (3100) and AI (3102) must not appear together"},
		{"same net weight twice is not exclusive of itself", "01" + exGTIN + "3100000100" + "3100000100", ""},
		{"SHIP TO POST with country", "00" + exSSCC + "420" + "12345\x1d421" + "276" + "12345", "AI (421) at byte 29: AI (420) and AI (421) must not appear together"},
	})
}

func TestSkipRequiredForSplitLabels(t *testing.T) {
	// A GS1 logistic label: content and lot in one GS1-128, the SSCC in another.
	top := "02" + exGTIN + "3712\x1d10LOT1"
	_, err := ParseElementString(top, Options{})
	require.EqualError(t, err, "AI (37) at byte 16: requires AI (00) in the same data")

	a, err := ParseElementString(top, Options{SkipRequired: true})
	require.NoError(t, err)
	b, err := ParseElementString("00"+exSSCC, Options{SkipRequired: true})
	require.NoError(t, err)
	require.NoError(t, Validate(append(a, b...)))

	// Exclusions still apply to one barcode.
	_, err = ParseElementString("01"+exGTIN+"02"+exGTIN, Options{SkipRequired: true})
	require.EqualError(t, err, "AI (02) at byte 16: AI (01) and AI (02) must not appear together")
}

func TestValidate(t *testing.T) {
	require.NoError(t, Validate([]Element{{"01", exGTIN}, {"17", "250630"}, {"10", "A1"}}))
	assert.EqualError(t, Validate([]Element{{"01", "09501101530004"}}), "AI (01): check digit is 4, expected 3")
	assert.EqualError(t, Validate([]Element{{"10", "A"}}), "AI (10): requires one of AI (01), (02), (03), (8006) or (8026) in the same data")
	assert.EqualError(t, Validate([]Element{{"01", exGTIN}, {"999", "A"}}), "AI (999): unknown Application Identifier")
	assert.EqualError(t, Validate([]Element{{"01", exGTIN}, {"10", "A B"}}), "AI (10): character 0x20 is not allowed in GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)")
}

func TestElementStringEncoding(t *testing.T) {
	elems := []Element{{"01", exGTIN}, {"17", "250630"}, {"10", "LOT1"}, {"422", "276"}, {"21", "S1"}}
	s := ElementString(elems)
	// No GS after pre-defined length AIs (01, 17), one after 10 and 422
	// (422 is fixed length but not pre-defined), none at the end.
	assert.Equal(t, "01"+exGTIN+"17250630"+"10LOT1\x1d"+"422276\x1d"+"21S1", s)
	got, err := ParseElementString(s, Options{})
	require.NoError(t, err)
	assert.Equal(t, elems, got)

	assert.Equal(t, "", ElementString(nil))
	assert.Equal(t, "99X\x1d10Y", ElementString([]Element{{"99", "X"}, {"10", "Y"}}))
	assert.Equal(t, "7777X\x1d10Y", ElementString([]Element{{"7777", "X"}, {"10", "Y"}}), "unknown AI gets a GS")
}

// Examples in the style of the GS1 General Specifications and GS1 Logistic
// Label Guideline, built on GS1's example company prefixes.
func TestRealWorldExamples(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  []Element
	}{
		{"GS1 logistic label, SSCC barcode", "]C100" + exSSCC, []Element{{"00", exSSCC}}},
		{"GS1 logistic label, content barcode with SSCC", "]C102" + exGTIN + "15251231" + "3712\x1d10ABC123\x1d00" + exSSCC,
			[]Element{{"02", exGTIN}, {"15", "251231"}, {"37", "12"}, {"10", "ABC123"}, {"00", exSSCC}}},
		{"GS1 DataMatrix pharma pack", "]d201" + exGTIN + "17271231" + "10AB-123\x1d21XYZ12345",
			[]Element{{"01", exGTIN}, {"17", "271231"}, {"10", "AB-123"}, {"21", "XYZ12345"}}},
		{"GS1 DataBar Expanded variable-measure meat", "]e001" + "95012345678903" + "3103000452" + "3922" + "0599",
			[]Element{{"01", "95012345678903"}, {"3103", "000452"}, {"3922", "0599"}}},
		{"GS1 QR Code with product URL", "]Q301" + exGTIN + "8200" + "https://example.com/p",
			[]Element{{"01", exGTIN}, {"8200", "https://example.com/p"}}},
		{"returnable asset GRAI", "]C18003" + "0" + "9501101530003" + "TOTE42", []Element{{"8003", "09501101530003TOTE42"}}},
		{"global model number (GMN)", "]d201" + exGTIN + "8013" + "1987654Ad4X4bL5ttr2310c2K",
			[]Element{{"01", exGTIN}, {"8013", "1987654Ad4X4bL5ttr2310c2K"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScan([]byte(tt.frame), Options{})
			require.NoError(t, err)
			assert.True(t, sc.GS1)
			assert.Equal(t, tt.want, sc.Elements)
		})
	}
}

func TestErrorFormat(t *testing.T) {
	assert.Equal(t, "AI (00) at byte 2: check digit is 7, expected 3", (&Error{AI: "00", Pos: 2, Reason: "check digit is 7, expected 3"}).Error())
	assert.Equal(t, "AI (10): bad", (&Error{AI: "10", Pos: -1, Reason: "bad"}).Error())
	assert.Equal(t, "at byte 4: bad", (&Error{Pos: 4, Reason: "bad"}).Error())
	assert.Equal(t, "bad", (&Error{Pos: -1, Reason: "bad"}).Error())
}

func TestLongInputWithRepeats(t *testing.T) {
	// A 2D symbol can carry thousands of characters; repeats must not make
	// the cross-AI checks quadratic (and must parse correctly).
	s := strings.Repeat("10A\x1d", 10000) + "01" + exGTIN
	got, err := ParseElementString(s, Options{})
	require.NoError(t, err)
	assert.Len(t, got, 10001)
	assert.Equal(t, Element{"01", exGTIN}, got[10000])
}
