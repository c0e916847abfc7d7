package gs1

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckDigit(t *testing.T) {
	// GS1 General Specifications 7.9.1, check digit calculation example.
	cd, err := CheckDigit("629104150021")
	require.NoError(t, err)
	assert.Equal(t, byte('3'), cd)
	cd, err = CheckDigit("0950110153000")
	require.NoError(t, err)
	assert.Equal(t, byte('3'), cd)
	cd, err = CheckDigit("10614141123456789") // SSCC without check digit
	require.NoError(t, err)
	assert.Equal(t, byte('7'), cd)
	cd, err = CheckDigit("0000000")
	require.NoError(t, err)
	assert.Equal(t, byte('0'), cd)

	_, err = CheckDigit("")
	assert.Error(t, err)
	_, err = CheckDigit("12a4")
	assert.EqualError(t, err, "non-digit 'a' at position 2")

	assert.True(t, ValidCheckDigit("6291041500213"))
	assert.False(t, ValidCheckDigit("6291041500212"))
	assert.False(t, ValidCheckDigit("3"))
	assert.False(t, ValidCheckDigit("62910415002x3"))
}

func TestValidGTINAndSSCC(t *testing.T) {
	for _, g := range []string{"96385074", "036000291452", "6291041500213", exGTIN} { // GTIN-8, -12, -13, -14
		assert.NoError(t, ValidGTIN(g), g)
	}
	assert.EqualError(t, ValidGTIN("6291041500212"), `GTIN "6291041500212": check digit is 2, expected 3`)
	assert.EqualError(t, ValidGTIN("629104150021"), `GTIN "629104150021": check digit is 1, expected 4`)
	assert.EqualError(t, ValidGTIN("12345"), `GTIN "12345": 5 digits, want 8, 12, 13 or 14`)
	assert.EqualError(t, ValidGTIN("6291O41500213"), `GTIN "6291O41500213": non-digit 'O' at position 4`)

	assert.NoError(t, ValidSSCC(exSSCC))
	assert.EqualError(t, ValidSSCC("106141411234567890"), `SSCC "106141411234567890": check digit is 0, expected 7`)
	assert.EqualError(t, ValidSSCC(exGTIN), `SSCC "09501101530003": 14 digits, want 18`)
}

func TestParseDate(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, loc)
	tests := []struct {
		in   string
		now  time.Time
		want time.Time
	}{
		{"250630", now, time.Date(2025, 6, 30, 0, 0, 0, 0, loc)},
		{"760101", now, time.Date(2076, 1, 1, 0, 0, 0, 0, loc)},  // 50 years ahead: same century
		{"770101", now, time.Date(1977, 1, 1, 0, 0, 0, 0, loc)},  // 51 years ahead: previous century
		{"250200", now, time.Date(2025, 2, 28, 0, 0, 0, 0, loc)}, // DD=00: last day of the month
		{"240200", now, time.Date(2024, 2, 29, 0, 0, 0, 0, loc)},
		{"251200", now, time.Date(2025, 12, 31, 0, 0, 0, 0, loc)},
		{"010101", time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)}, // 59 years behind: next century
		{"110101", time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)}, // 49 years behind: same century
		{"990101", time.Date(2048, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}, // 51 years ahead
		{"990101", time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}, // 50 years ahead
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.now)
		require.NoError(t, err, tt.in)
		assert.True(t, tt.want.Equal(got), "%s: got %v, want %v", tt.in, got, tt.want)
	}
	for in, reason := range map[string]string{
		"2506":    `date "2506": want 6 digits YYMMDD`,
		"25063a":  `date "25063a": want 6 digits YYMMDD`,
		"251301":  `date "251301": invalid date 251301: month 13 does not exist`,
		"250230":  `date "250230": invalid date 250230: month 02 has no day 30`,
		"0002029": `date "0002029": want 6 digits YYMMDD`,
	} {
		_, err := ParseDate(in, now)
		assert.EqualError(t, err, reason, in)
	}
	// 29 February 2100 does not exist although YY=00 is divisible by 4.
	_, err := ParseDate("000229", time.Date(2080, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.EqualError(t, err, `date "000229": 2100 has no 29 February`)
}

// Check character pair vectors from the GS1 Syntax Engine's csumalpha unit
// tests (github.com/gs1/gs1-syntax-engine), which follow GS1 General
// Specifications 7.9.5.
func TestCsumAlpha(t *testing.T) {
	for _, good := range []string{
		"22", "!22", "1987654Ad4X4bL5ttr2310c2K", "12345678901234567890123NT", "12345_ABCDEFGHIJKLMCP",
		"12345_abcdefghijklmN3", "12345_!\"%&'()*+,-./LC", "12345_0123456789:;<=>?62", "7907665Bm8v2AB",
		"00000!HV", "99999zzzzzzzzzzzzzzzzzzT2",
	} {
		assert.Nil(t, lintCsumAlpha(good), good)
	}
	assert.Equal(t, &lintFail{off: 23, reason: "check characters are XK, expected 2K"}, lintCsumAlpha("1987654Ad4X4bL5ttr2310cXK"))
	assert.Equal(t, &lintFail{off: 0, reason: "check characters are 33, expected 22"}, lintCsumAlpha("33"))
	assert.Equal(t, &lintFail{off: 0, reason: "too short to carry a check character pair"}, lintCsumAlpha("2"))
	assert.Equal(t, &lintFail{off: 24, reason: "check character '1' is not one of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ"}, lintCsumAlpha("12345678901234567890123N1"))
}

func TestLinters(t *testing.T) {
	tests := []struct {
		linter string
		good   []string
		bad    map[string]string // value -> reason
	}{
		{"csum", []string{"6291041500213"}, map[string]string{"6291041500214": "check digit is 4, expected 3"}},
		{"gcppos1", []string{"0950ABC"}, map[string]string{"095": "too short to start with a GS1 Company Prefix", "09A0": "GS1 Company Prefix must be digits, found 'A'"}},
		{"gcppos2", []string{"10950"}, map[string]string{"1095": "too short to start with a GS1 Company Prefix"}},
		{"yymmdd", []string{"250101", "240229"}, map[string]string{"250100": "invalid date 250100: day 00 is not allowed for this AI"}},
		{"yymmd0", []string{"250100"}, map[string]string{"250132": "invalid date 250132: month 01 has no day 32"}},
		{"yyyymmdd", []string{"20000229"}, map[string]string{"19000229": "invalid date 19000229: month 02 has no day 29"}},
		{"hh", []string{"00", "23"}, map[string]string{"24": "invalid hour 24 (00-23)"}},
		{"mi", []string{"59"}, map[string]string{"60": "invalid minute 60 (00-59)"}},
		{"ss", []string{"00"}, map[string]string{"61": "invalid second 61 (00-59)"}},
		{"hhmi", []string{"2359"}, map[string]string{"2400": "invalid hour 24 (00-23)"}},
		{"iso3166", []string{"276", "840", "156"}, map[string]string{"999": "999 is not a valid ISO 3166 numeric country code", "000": "000 is not a valid ISO 3166 numeric country code"}},
		{"iso3166999", []string{"999", "250"}, map[string]string{"998": "998 is not a valid ISO 3166 numeric country code (or 999)"}},
		{"iso3166alpha2", []string{"DE", "CN"}, map[string]string{"XX": "XX is not a valid ISO 3166 alpha-2 country code"}},
		{"iso4217", []string{"978", "840", "156"}, map[string]string{"000": "000 is not a valid ISO 4217 numeric currency code"}},
		{"iso5218", []string{"0", "9"}, map[string]string{"3": "3 is not a valid ISO 5218 sex code (0, 1, 2 or 9)"}},
		{"mediatype", []string{"01", "10", "80"}, map[string]string{"11": "11 is not a valid AIDC media type (01-10, 80-99)"}},
		{"yesno", []string{"0", "1"}, map[string]string{"2": "2 is not a valid yes/no flag (0 or 1)"}},
		{"winding", []string{"9"}, map[string]string{"2": "2 is not a valid winding direction (0, 1 or 9)"}},
		{"zero", []string{"0"}, map[string]string{"1": "1 is not a valid required digit 0"}},
		{"nonzero", []string{"0001"}, map[string]string{"0000": "must not be zero"}},
		{"nozeroprefix", []string{"0", "10"}, map[string]string{"01": "must not start with 0"}},
		{"hasnondigit", []string{"12A"}, map[string]string{"123": "must contain at least one non-digit character"}},
		{"hyphen", []string{"-"}, map[string]string{"+": "only '-' is allowed here, found '+'"}},
		{"pieceoftotal", []string{"0102", "0202", "0101"}, map[string]string{"0302": "piece number 03 exceeds total 02", "0002": "piece number must not be zero", "0100": "total count must not be zero"}},
		{"posinseqslash", []string{"1/1", "9/10", "100/100"}, map[string]string{"0/1": "position and total must not be zero or start with 0", "10/9": "position 10 exceeds total 9", "1-2": "1-2 is not of the form position/total"}},
		{"importeridx", []string{"-", "a", "Z", "_"}, map[string]string{"!": "importer index must be one of - 0-9 A-Z _ a-z"}},
		{"pcenc", []string{"A%20B", "plain"}, map[string]string{"A%2": "'%' must be followed by two hex digits", "%G0": "'%' must be followed by two hex digits"}},
		// ISO 13616 example IBANs.
		{"iban", []string{"GB82WEST12345698765432", "DE89370400440532013000"}, map[string]string{"GB82WEST12345698765433": "IBAN check digits do not match", "XX82WEST12345698765432": "XX is not a valid ISO 3166 alpha-2 country code", "gb82": "IBAN too short"}},
		{"latitude", []string{"0000000000", "1800000000"}, map[string]string{"1800000001": "latitude 1800000001 out of range (at most 1800000000)"}},
		{"longitude", []string{"3600000000"}, map[string]string{"3600000001": "longitude 3600000001 out of range (at most 3600000000)"}},
	}
	for _, tt := range tests {
		t.Run(tt.linter, func(t *testing.T) {
			lint := linters[tt.linter]
			require.NotNil(t, lint)
			for _, v := range tt.good {
				assert.Nil(t, lint(v), v)
			}
			for v, reason := range tt.bad {
				f := lint(v)
				if assert.NotNil(t, f, v) {
					assert.Equal(t, reason, f.reason, v)
				}
			}
		})
	}
}

// Linters must survive any component content: the parser only calls them on
// data of the right length and character set, but they are not trusted to.
func TestLintersNeverPanic(t *testing.T) {
	for name, lint := range linters {
		for _, v := range []string{"", "0", "/", "%", "00", "0/", "/0", "\xff\xfe", "99999999999999999999"} {
			assert.NotPanics(t, func() { lint(v) }, "%s(%q)", name, v)
		}
	}
}
