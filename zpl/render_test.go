package zpl

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestRegistry(t testing.TB) *Registry {
	t.Helper()
	r, err := NewRegistry("")
	require.NoError(t, err)
	return r
}

// with returns a copy of the sample data for name with changes applied
// ("" deletes a key).
func with(name string, changes map[string]string) map[string]string {
	d := maps.Clone(sampleData[name])
	for k, v := range changes {
		if v == "" {
			delete(d, k)
		} else {
			d[k] = v
		}
	}
	return d
}

// fieldErrors unpacks the *FieldError values of a Render error.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	require.Error(t, err)
	var out []*FieldError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			var fe *FieldError
			require.ErrorAs(t, e, &fe)
			out = append(out, fe)
		}
		return out
	}
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	return []*FieldError{fe}
}

func TestRenderValidationErrors(t *testing.T) {
	r := newTestRegistry(t)
	cases := []struct {
		name, template string
		data           map[string]string
		field, reason  string
	}{
		{"missing required field", "sscc-pallet", with("sscc-pallet", map[string]string{"sscc": ""}), "sscc", "required field is missing"},
		{"unknown field", "sscc-pallet", with("sscc-pallet", map[string]string{"colour": "red"}), "colour", "unknown field"},
		{"bad SSCC check digit", "sscc-pallet", with("sscc-pallet", map[string]string{"sscc": "340065441234567890"}), "sscc", "not a valid SSCC"},
		{"SSCC too short", "sscc-pallet", with("sscc-pallet", map[string]string{"sscc": "34006544123456789"}), "sscc", "not a valid SSCC"},
		{"bad GTIN check digit", "sscc-pallet", with("sscc-pallet", map[string]string{"gtin": "04006544000015"}), "gtin", "not a valid GTIN"},
		{"bad date", "sscc-pallet", with("sscc-pallet", map[string]string{"expiry": "2026-02-30"}), "expiry", "not a date"},
		{"count not a number", "sscc-pallet", with("sscc-pallet", map[string]string{"quantity": "12 CS"}), "quantity", "not a count"},
		{"lot outside GS1 character set", "sscc-pallet", with("sscc-pallet", map[string]string{"lot": "L 2024"}), "lot", "not allowed in GS1 character set 82"},
		{"item too long for two lines at the smallest size", "sscc-pallet", with("sscc-pallet", map[string]string{"item": strings.Repeat("可口可乐 ", 24)}), "item", "too long for the label"},
		{"location longer than declared", "putaway", with("putaway", map[string]string{"location": "AISLE-03-BAY-2-LEVEL5"}), "location", "longer than 20"},
		{"GS1 lot whose symbol is wider than the 4-inch logistic label", "sscc-pallet", with("sscc-pallet", map[string]string{"lot": "20240117-0001-000042"}), "lot", "GS1-128 symbol needs 121.1 mm"},
		{"GS1 lot longer than AI (10) takes", "sscc-pallet", with("sscc-pallet", map[string]string{"lot": "012345678901234567890"}), "lot", "longer than 20"},
		{"code with control character", "putaway", with("putaway", map[string]string{"lpn": "LPN\x01"}), "lpn", "cannot be encoded"},
		{"code with GS, which would be an FNC1", "putaway", with("putaway", map[string]string{"lpn": "LPN\x1d10X"}), "lpn", "cannot be encoded"},
		{"DEL in a code field", "pick-ticket", with("pick-ticket", map[string]string{"sku": "A\x7f"}), "sku", "cannot be encoded"},
		{"Chinese in a Code 128 field", "bin-location", with("bin-location", map[string]string{"location": "仓库A"}), "location", "cannot be encoded"},
		{"invalid UTF-8 text", "bin-location", with("bin-location", map[string]string{"description": "bad \xff byte"}), "description", "not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.template, tc.data, Options{})
			assert.Empty(t, string(out), "no ZPL when the data is refused")
			errs := fieldErrors(t, err)
			require.Len(t, errs, 1, "%v", err)
			assert.Equal(t, tc.template, errs[0].Template)
			assert.Equal(t, tc.field, errs[0].Field)
			assert.Contains(t, errs[0].Reason, tc.reason)
		})
	}
}

func TestRenderReportsAllProblemsAtOnce(t *testing.T) {
	r := newTestRegistry(t)
	_, err := r.Render("putaway", map[string]string{"sku": "X", "shelf": "3"}, Options{})
	errs := fieldErrors(t, err)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field+": "+e.Reason)
	}
	assert.Equal(t, []string{
		"location: required field is missing",
		"lpn: required field is missing",
		"shelf: unknown field (see the template's field list)",
	}, got)
}

func TestRenderOptions(t *testing.T) {
	r := newTestRegistry(t)
	data := sampleData["bin-location"]

	out, err := r.Render("bin-location", data, Options{Copies: 3})
	require.NoError(t, err)
	assert.Contains(t, string(out), "\n^PQ3\n")
	assert.Contains(t, string(out), "^PW812\n^LL406\n", "203 dpi is the default")

	out, err = r.Render("bin-location", data, Options{DPI: 600})
	require.NoError(t, err)
	assert.Contains(t, string(out), "^PW2400\n^LL1200\n")

	_, err = r.Render("bin-location", data, Options{DPI: 150})
	assert.ErrorContains(t, err, "150 dpi not supported")
	_, err = r.Render("bin-location", data, Options{Copies: -1})
	assert.ErrorContains(t, err, "copies")
	_, err = r.Render("no-such-label", data, Options{})
	assert.ErrorIs(t, err, ErrUnknownTemplate)
}

func TestChineseTextPrintsAsUTF8(t *testing.T) {
	r := newTestRegistry(t)
	out, err := r.Render("shipping", sampleData["shipping"], Options{})
	require.NoError(t, err)
	s := string(out)
	assert.Contains(t, s, "^XA\n^CI28\n", "UTF-8 is selected before any field")
	assert.Contains(t, s, "^FH^FD张伟^FS")
	assert.Contains(t, s, "^FH^FD上海市浦东新区 世纪大道 100号 20楼 200120^FS")
}

func TestTextDataCannotInjectZPL(t *testing.T) {
	r := newTestRegistry(t)
	evil := "Bad^XZ^XA^FO0,0^GB800,800,800^FS~JA_41\\&x\r\n"
	out, err := r.Render("bin-location", with("bin-location", map[string]string{"description": evil}), Options{})
	require.NoError(t, err)
	fields := checkLabel(t, out)
	var found bool
	for _, f := range fields {
		if got, err := unescapeFH(f.content, f.block); err == nil && got == strings.Map(controlToSpace, evil) {
			found = true
		}
	}
	assert.True(t, found, "the description field prints exactly the given text:\n%s", out)
}

// code128Data reads back the data of the Code 128 fields of a label
// through the reference reading of the ZPL II and ISO/IEC 15417 tables,
// with the human-readable text printed under each (the next line).
func code128Data(t *testing.T, out []byte) (data, hri []string) {
	t.Helper()
	lines := strings.Split(string(out), "\n")
	for i, line := range lines {
		if !strings.Contains(line, "^BC") {
			continue
		}
		require.Contains(t, line, ",N,N,N^FD", "no printer interpretation line, mode N")
		fd := line[strings.Index(line, "^FD")+3 : strings.LastIndex(line, "^FS")]
		d, _, err := decodeCode128FD(fd)
		require.NoError(t, err)
		data = append(data, d)
		if strings.Contains(lines[i+1], "^A0") {
			f := checkLabel(t, []byte("^XA\n"+lines[i+1]+"\n^XZ\n"))
			h, err := unescapeFH(f[0].content, true)
			require.NoError(t, err)
			hri = append(hri, h)
		}
	}
	return data, hri
}

func TestSSCCPalletBarcodes(t *testing.T) {
	r := newTestRegistry(t)
	cases := []struct {
		name     string
		data     map[string]string
		elements []string // expected element strings, GS = FNC1
		hri      []string
	}{
		{
			name:     "content with best-before; expiry with the count; the lot alone",
			data:     sampleData["sscc-pallet"],
			elements: []string{"020400654400001415260131", "172603313748", "10L2024-117", "00340065441234567893"},
			hri:      []string{"(02)04006544000014(15)260131", "(17)260331(37)48", "(10)L2024-117", "(00)340065441234567893"},
		},
		{
			name: "expiry without best-before goes with the content",
			data: map[string]string{"sscc": "340065441234567893", "gtin": "04006544000014", "quantity": "12345678",
				"lot": longLot, "expiry": "2026-03-31"},
			elements: []string{"020400654400001417260331", "3712345678", "10" + longLot, "00340065441234567893"},
			hri:      []string{"(02)04006544000014(17)260331", "(37)12345678", "(10)" + longLot, "(00)340065441234567893"},
		},
		{
			name:     "GTIN without count: AI 01",
			data:     map[string]string{"sscc": "340065441234567893", "gtin": "4006544000014", "lot": "A1"},
			elements: []string{"0104006544000014", "10A1", "00340065441234567893"},
			hri:      []string{"(01)04006544000014", "(10)A1", "(00)340065441234567893"},
		},
		{
			name:     "lot without GTIN stays text only (GS1 requires a GTIN with AI 10)",
			data:     map[string]string{"sscc": "340065441234567893", "lot": "A1", "expiry": "2026-03-31"},
			elements: []string{"00340065441234567893"},
			hri:      []string{"(00)340065441234567893"},
		},
		{
			name:     "SSCC only",
			data:     map[string]string{"sscc": "340065441234567893"},
			elements: []string{"00340065441234567893"},
			hri:      []string{"(00)340065441234567893"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render("sscc-pallet", tc.data, Options{})
			require.NoError(t, err)
			assert.Contains(t, string(out), "^BCN,", "normal orientation")
			data, hri := code128Data(t, out)
			var got []string
			for _, d := range data {
				require.Equal(t, byte(gs), d[0], "FNC1 first: GS1-128")
				got = append(got, d[1:])
			}
			assert.Equal(t, tc.elements, got)
			assert.Equal(t, tc.hri, hri)
		})
	}
}

// Code fields take every printable ASCII character, those ZPL reserves
// included, and the bar code carries exactly the value.
func TestCodeFieldsTakeReservedCharacters(t *testing.T) {
	r := newTestRegistry(t)
	for _, v := range []string{"A^XZ", "~JA>", "a>b<c", `_\%^~>`} {
		out, err := r.Render("bin-location", with("bin-location", map[string]string{"location": v}), Options{})
		require.NoError(t, err)
		checkLabel(t, out)
		data, _ := code128Data(t, out)
		assert.Equal(t, []string{v}, data)
	}
}

func TestFieldsOfBuiltins(t *testing.T) {
	r := newTestRegistry(t)
	byName := func(fs []Field) map[string]Field {
		m := map[string]Field{}
		for _, f := range fs {
			m[f.Name] = f
		}
		return m
	}
	fs, err := r.Fields("sscc-pallet")
	require.NoError(t, err)
	m := byName(fs)
	for _, n := range []string{"sscc", "gtin", "sku", "item", "quantity", "lot", "expiry", "best_before", "putaway", "from", "to"} {
		require.Contains(t, m, n)
		assert.NotEmpty(t, m[n].Help, n)
		assert.Equal(t, n == "sscc", m[n].Required, n)
	}
	assert.Equal(t, KindSSCC, m["sscc"].Kind)

	fs, err = r.Fields("putaway")
	require.NoError(t, err)
	m = byName(fs)
	for _, n := range []string{"lpn", "location", "sku", "item", "quantity", "lot", "expiry"} {
		require.Contains(t, m, n)
		assert.Equal(t, n == "lpn" || n == "location", m[n].Required, n)
	}

	_, err = r.Fields("nope")
	assert.True(t, errors.Is(err, ErrUnknownTemplate))
}

func TestGS1PairingRulesAreEnforced(t *testing.T) {
	src := `width: 101.6
height: 50
fields: [{name: lot, kind: code}]
elements:
  - gs1-128: [{ai: "10", value: "{lot}"}]
    y: 5
    height: 32
    module: 0.5
`
	tpl, err := parseTemplate("batch-only", "batch-only.yaml", []byte(src))
	require.NoError(t, err)
	r := &Registry{templates: map[string]*template{"batch-only": tpl}}
	_, err = r.Render("batch-only", map[string]string{"lot": "A1"}, Options{})
	errs := fieldErrors(t, err)
	require.Len(t, errs, 1)
	assert.Equal(t, "lot", errs[0].Field)
	assert.Contains(t, errs[0].Reason, "AI (10): requires one of AI (01), (02)")
}

// longLot is the longest lot the GS1 logistic label takes (10), with no
// digit pairs: the widest Code 128 it can make.
const longLot = "BATCH-A/BX"

// Every valid sscc-pallet fits its label with the longest lot and both
// dates: the content and batch data split over more symbols instead of
// narrower bars.
func TestSSCCPalletTakesLongestLot(t *testing.T) {
	r := newTestRegistry(t)
	base := map[string]string{"sscc": "340065441234567893", "gtin": "04006544000014", "quantity": "99999999", "lot": longLot}
	for _, dates := range []map[string]string{
		{"expiry": "2026-03-31"},
		{"best_before": "2026-01-31"},
		{"expiry": "2026-03-31", "best_before": "2026-01-31"},
	} {
		for _, dpi := range []int{203, 300, 600} {
			data := maps.Clone(base)
			maps.Copy(data, dates)
			out, err := r.Render("sscc-pallet", data, Options{DPI: dpi})
			require.NoError(t, err, "%v at %d dpi", dates, dpi)
			checkLabel(t, out)
			assert.Contains(t, string(out), ">6"+longLot+"^FS", "the whole lot is encoded, last in its symbol")
			_, problems := gs1LogisticProblems(t, out, dpi)
			assert.Empty(t, problems)
		}
	}
}

// Text too wide for its size shrinks to the largest font that fits, never
// below min-size.
func TestTextShrinksToFit(t *testing.T) {
	r := newTestRegistry(t)
	fontOf := func(out []byte, content string) int {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(line, "^FD"+content+"^FS") && strings.Contains(line, "^A0N,") {
				var font int
				_, err := fmt.Sscanf(line[strings.Index(line, "^A0N,")+5:], "%d", &font)
				require.NoError(t, err)
				return font
			}
		}
		t.Fatalf("no text %q in\n%s", content, out)
		return 0
	}
	out, err := r.Render("bin-location", with("bin-location", map[string]string{"location": "A-03-2-05"}), Options{})
	require.NoError(t, err)
	assert.Equal(t, 96, fontOf(out, "A-03-2-05"), "12 mm at 203 dpi when it fits")

	long := strings.Repeat("W", 20)
	out, err = r.Render("bin-location", with("bin-location", map[string]string{"location": long}), Options{})
	require.NoError(t, err)
	font := fontOf(out, long)
	width := 764 // the block: 95.6 mm at 203 dpi
	assert.Less(t, font, 96)
	assert.GreaterOrEqual(t, font, 32, "not below min-size 4 mm")
	assert.Equal(t, 1, linesNeeded(long, float64(width)/float64(font)), "fits at this size")
	assert.Equal(t, 2, linesNeeded(long, float64(width)/float64(font+1)), "the largest size that fits")
}
