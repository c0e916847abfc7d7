package gs1

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHRI(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Element
	}{
		{"GTIN, expiry, batch", "(01)" + exGTIN + "(17)250630(10)AB1", []Element{{"01", exGTIN}, {"17", "250630"}, {"10", "AB1"}}},
		{"spaces as printed under the barcode", " (00) " + exSSCC + " ", []Element{{"00", exSSCC}}},
		{"bracket in data that is not an AI", "(01)" + exGTIN + "(10)AB(C)", []Element{{"01", exGTIN}, {"10", "AB(C)"}}},
		{"escaped bracket before an AI-looking group", "(01)" + exGTIN + `(10)A\(21)B`, []Element{{"01", exGTIN}, {"10", "A(21)B"}}},
		{"unknown AI in brackets stays data", "(01)" + exGTIN + "(10)A(04)", []Element{{"01", exGTIN}, {"10", "A(04)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHRI(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseHRIErrors(t *testing.T) {
	tests := map[string]string{
		"":                             "at byte 0: no GS1 data",
		"   ":                          "at byte 3: no GS1 data",
		"01" + exGTIN:                  "at byte 0: expected \"(AI)\", found '0'",
		"(04)123":                      "AI (04) at byte 0: unknown Application Identifier",
		"(01)09501101530004":           "AI (01) at byte 17: check digit is 4, expected 3",
		"(01) 09501101530004":          "AI (01) at byte 18: check digit is 4, expected 3",
		"(01)" + exGTIN + "(17)251301": "AI (17) at byte 24: invalid date 251301: month 13 does not exist",
		"(02)" + exGTIN:                "AI (02) at byte 0: requires AI (37) in the same data",
		"(01)" + exGTIN + "(10)":       "AI (10) at byte 22: no data after the AI",
		"(01)" + exGTIN + "(10)A B":    "AI (10) at byte 23: character 0x20 is not allowed in GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)",
		"(01)" + exGTIN + "(01)" + "6291041500213": "AI (01) at byte 35: data is 13 characters, needs exactly 14", // where it ended
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			got, err := ParseHRI(in)
			require.EqualError(t, err, want)
			assert.Nil(t, got)
		})
	}
}

func TestHRIRoundTrip(t *testing.T) {
	for _, elems := range [][]Element{
		{{"00", exSSCC}},
		{{"01", exGTIN}, {"17", "250630"}, {"10", "LOT-1/A"}, {"21", "S(1)"}},
		{{"02", exGTIN}, {"37", "24"}, {"00", exSSCC}, {"3103", "001250"}},
	} {
		hri := HRI(elems)
		got, err := ParseHRI(hri)
		require.NoError(t, err, hri)
		assert.Equal(t, elems, got)

		// Element string and HRI describe the same data.
		fromES, err := ParseElementString(ElementString(elems), Options{})
		require.NoError(t, err)
		assert.Equal(t, hri, HRI(fromES))
	}
	assert.Equal(t, "(00)"+exSSCC+"(10)LOT1", HRI([]Element{{"00", exSSCC}, {"10", "LOT1"}}))
	assert.Equal(t, "", HRI(nil))
}

func TestParseScanAcceptsHRI(t *testing.T) {
	in := "(01)" + exGTIN + "(10)LOT1"
	for _, mode := range []string{UntaggedAuto, UntaggedGS1, UntaggedPlain} {
		sc, err := ParseScan([]byte(in), Options{Untagged: mode})
		require.NoError(t, err, mode)
		assert.True(t, sc.GS1)
		assert.Equal(t, "", sc.Symbology)
		assert.Equal(t, "GS1 HRI (manual entry)", sc.SymbologyName)
		assert.Equal(t, in, sc.Data)
		assert.Equal(t, []Element{{"01", exGTIN}, {"10", "LOT1"}}, sc.Elements)
	}
	// Scanners that reformat GS1 data as HRI keep the AIM identifier.
	sc, err := ParseScan([]byte("]d2"+in), Options{})
	require.NoError(t, err)
	assert.Equal(t, "GS1 DataMatrix", sc.SymbologyName)
	assert.Equal(t, []Element{{"01", exGTIN}, {"10", "LOT1"}}, sc.Elements)

	// Behind a non-GS1 AIM identifier the same text is plain data.
	sc, err = ParseScan([]byte("]C0"+in), Options{})
	require.NoError(t, err)
	assert.False(t, sc.GS1)
}
