package epc

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// Vectors: the SGTIN-96 binary and the GS1 element strings of all four
// schemes are the examples of the GS1 EPC Tag Data Standard (§7
// "Correspondence between EPCs and GS1 Keys", §14 / Annex E encoding
// example: 3074257BF7194E4000001A85 = urn:epc:tag:sgtin-96:3.0614141.812345.6789).
// The SSCC-96 binary is the TDS example too; the SGLN-96 and GRAI-96 binaries
// were packed by hand from the TDS coding tables (header, filter 3,
// partition 5 = 7-digit prefix) and cross-checked with an independent script.
var vectors = []struct {
	hex     string
	want    Decoded
	encode  func() ([]byte, error)
	comment string
}{
	{
		hex: "3074257BF7194E4000001A85",
		want: Decoded{Scheme: SGTIN96, URI: "urn:epc:id:sgtin:0614141.812345.6789",
			TagURI: "urn:epc:tag:sgtin-96:3.0614141.812345.6789", Filter: 3,
			CompanyPrefix: "0614141", Reference: "812345", Serial: "6789",
			AI: "01", GS1Key: "80614141123458", ElementString: "(01)80614141123458(21)6789"},
		encode: func() ([]byte, error) { return EncodeSGTIN96(3, "0614141", "812345", 6789) },
	},
	{
		hex: "3174257BF4499602D2000000",
		want: Decoded{Scheme: SSCC96, URI: "urn:epc:id:sscc:0614141.1234567890",
			TagURI: "urn:epc:tag:sscc-96:3.0614141.1234567890", Filter: 3,
			CompanyPrefix: "0614141", Reference: "1234567890",
			AI: "00", GS1Key: "106141412345678908", ElementString: "(00)106141412345678908"},
		encode: func() ([]byte, error) { return EncodeSSCC96(3, "0614141", "1234567890") },
	},
	{
		hex: "3274257BF46072000000162E",
		want: Decoded{Scheme: SGLN96, URI: "urn:epc:id:sgln:0614141.12345.5678",
			TagURI: "urn:epc:tag:sgln-96:3.0614141.12345.5678", Filter: 3,
			CompanyPrefix: "0614141", Reference: "12345", Serial: "5678",
			AI: "414", GS1Key: "0614141123452", ElementString: "(414)0614141123452(254)5678"},
		encode: func() ([]byte, error) { return EncodeSGLN96(3, "0614141", "12345", 5678) },
	},
	{
		hex: "3374257BF40C0E400000162E",
		want: Decoded{Scheme: GRAI96, URI: "urn:epc:id:grai:0614141.12345.5678",
			TagURI: "urn:epc:tag:grai-96:3.0614141.12345.5678", Filter: 3,
			CompanyPrefix: "0614141", Reference: "12345", Serial: "5678",
			AI: "8003", GS1Key: "006141411234525678", ElementString: "(8003)006141411234525678"},
		encode: func() ([]byte, error) { return EncodeGRAI96(3, "0614141", "12345", 5678) },
	},
	{
		// Third-party cross-check: the epctagcoder (Java) README example.
		hex: "31AC16465751CCD0C2000000",
		want: Decoded{Scheme: SSCC96, URI: "urn:epc:id:sscc:023356789.30200002",
			TagURI: "urn:epc:tag:sscc-96:5.023356789.30200002", Filter: 5,
			CompanyPrefix: "023356789", Reference: "30200002",
			AI: "00", GS1Key: "302335678902000022", ElementString: "(00)302335678902000022"},
		encode: func() ([]byte, error) { return EncodeSSCC96(5, "023356789", "30200002") },
	},
}

func TestDecodeTDSVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.want.Scheme+"/"+v.hex, func(t *testing.T) {
			d, err := Decode(mustHex(t, v.hex))
			require.NoError(t, err)
			assert.Equal(t, v.want, *d)
		})
	}
}

func TestEncodeTDSVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.want.TagURI, func(t *testing.T) {
			b, err := v.encode()
			require.NoError(t, err)
			assert.Equal(t, v.hex, strings.ToUpper(hex.EncodeToString(b)))
		})
	}
}

func TestSGLNWithoutExtensionOmitsAI254(t *testing.T) {
	b, err := EncodeSGLN96(0, "0614141", "12345", 0)
	require.NoError(t, err)
	d, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, "urn:epc:id:sgln:0614141.12345.0", d.URI)
	assert.Equal(t, "(414)0614141123452", d.ElementString)
}

func TestEveryPartitionRoundTrips(t *testing.T) {
	// A 12-digit prefix (partition 0) leaves SGLN/GRAI an empty reference.
	for p := 0; p <= 6; p++ {
		cp := strings.Repeat("9", 12-p)
		for _, s := range schemes {
			ref := strings.Repeat("7", s.keyDigits-len(cp))
			b, err := s.encode(1, cp, ref, 1<<s.lastBits-1)
			require.NoError(t, err, "%s p=%d", s.name, p)
			d, err := Decode(b)
			require.NoError(t, err, "%s p=%d", s.name, p)
			assert.Equal(t, cp, d.CompanyPrefix)
			assert.Equal(t, ref, d.Reference)
			if s.lastField {
				assert.Equal(t, strconv.FormatUint(1<<s.lastBits-1, 10), d.Serial)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]struct {
		hex string
		msg string
	}{
		"short":              {"3074257BF7194E4000001A", "88 bits"},
		"unknown header":     {"E2801160600002084C5A3C7B", "unsupported"},
		"partition 7":        {"307C257BF7194E4000001A85", "partition value 7"},
		"prefix over digits": {"3063FFFFFFFFFFFFFFFFFFFF", "company prefix"},
		"trailing data":      {"3074257BF7194E4000001A850001", "after bit 96"},
		// The TDS SSCC-96 example (3174257BF4499602D2000000) with reserved
		// bit 95 set: the TDS SSCC-96 coding table (§14.5) fixes the 24 reserved bits at zero and the
		// Tag Data Translation pattern matches only zeros there.
		"SSCC reserved bit":  {"3174257BF4499602D2000001", "reserved bits are 000001"},
		"SSCC reserved high": {"3174257BF4499602D2800000", "reserved bits are 800000"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(mustHex(t, c.hex))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
	_, err := Decode(mustHex(t, "E2801160600002084C5A3C7B"))
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = Decode(mustHex(t, "3174257BF4499602D2000001"))
	assert.ErrorIs(t, err, ErrReservedBits)
}

func TestDecodeIgnoresZeroPadding(t *testing.T) {
	d, err := Decode(mustHex(t, "3074257BF7194E4000001A850000"))
	require.NoError(t, err)
	assert.Equal(t, "urn:epc:id:sgtin:0614141.812345.6789", d.URI)
}

func TestEncodeRejectsBadInput(t *testing.T) {
	cases := map[string]func() ([]byte, error){
		"filter":         func() ([]byte, error) { return EncodeSGTIN96(8, "0614141", "812345", 1) },
		"short prefix":   func() ([]byte, error) { return EncodeSGTIN96(1, "06141", "81234567", 1) },
		"digit count":    func() ([]byte, error) { return EncodeSSCC96(1, "0614141", "123") },
		"non digit":      func() ([]byte, error) { return EncodeGRAI96(1, "06141A1", "12345", 1) },
		"serial too big": func() ([]byte, error) { return EncodeSGTIN96(1, "0614141", "812345", 1<<38) },
		"ext too big":    func() ([]byte, error) { return EncodeSGLN96(1, "0614141", "12345", 1<<41) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f()
			assert.Error(t, err)
		})
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes to the
// same 96 bits.
func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(mustHex(f, v.hex))
	}
	f.Add([]byte{0x30})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			return
		}
		s := schemes[b[0]]
		var last uint64
		if s.lastField {
			last, err = strconv.ParseUint(d.Serial, 10, 64)
			require.NoError(t, err)
		}
		again, err := s.encode(d.Filter, d.CompanyPrefix, d.Reference, last)
		require.NoError(t, err)
		assert.Equal(t, b[:12], again)
	})
}
