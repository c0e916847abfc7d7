package preview_test

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dockhand/dockhand/zpl"
	"github.com/dockhand/dockhand/zpl/preview"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The round trip: every built-in template, filled with data sets that
// reach every printable ASCII character a field takes, every field's
// declared maximum (free text without one: 24 characters) and Chinese text, rendered to ZPL by package zpl, drawn
// by the preview and scanned back with gozxing, an independent reader. Each
// bar code must scan as exactly the data that went in (GS1 symbols: each
// AI's value), every field meant for a bar code must be found in one, and
// nothing may be refused or shortened. The check does not know the
// templates' layout.

// printableASCII is every printable ASCII character, space to '~'.
var printableASCII = func() string {
	var b strings.Builder
	for c := byte(0x20); c <= 0x7e; c++ {
		b.WriteByte(c)
	}
	return b.String()
}()

// cset82 is GS1 AI encodable character set 82 (GS1 General Specifications,
// figure 7.11-1), the characters of a batch/lot (AI 10).
const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

// gs1Fields maps the AIs our templates use to the field whose value they
// carry, and how long the AI's data is when the standard fixes it (GS1
// General Specifications, figure 7.8.5-2); 0 means variable length,
// ended by FNC1 or the end of the symbol.
var gs1Fields = map[string]struct {
	field  string
	length int
}{
	"00": {"sscc", 18}, "01": {"gtin", 14}, "02": {"gtin", 14},
	"15": {"best_before", 6}, "17": {"expiry", 6},
	"10": {"lot", 0}, "37": {"quantity", 0},
}

// gs1Lot reports a field that feeds AI (10): a code field named lot.
func gs1Lot(f zpl.Field) bool { return f.Name == "lot" && f.Kind == zpl.KindCode }

// barcoded lists the text fields a template puts into a bar code (its QR
// code); code fields and GS1 data always go into one.
var barcoded = map[string][]string{"shipping": {"qr"}}

// charset is what a field may hold, as the field kind's documentation
// says; "" for the fixed forms (count, date, GTIN, SSCC).
func charset(f zpl.Field) string {
	switch {
	case gs1Lot(f):
		return cset82
	case f.Kind == zpl.KindText, f.Kind == zpl.KindCode:
		return printableASCII
	}
	return ""
}

// gs1Check appends the GS1 mod-10 check digit (GS1 General Specifications
// 7.9.1) to digits.
func gs1Check(digits string) string {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return digits + fmt.Sprint((10-sum%10)%10)
}

// fixed is a valid value of a fixed-form field.
func fixed(f zpl.Field, count string) string {
	switch f.Kind {
	case zpl.KindSSCC:
		return gs1Check("37612345000000001")
	case zpl.KindGTIN:
		return gs1Check("400638133393")
	case zpl.KindCount:
		return count
	case zpl.KindDate:
		return "2026-03-31"
	}
	return ""
}

// window is the k-th run of max characters of cs, wrapping around: with
// enough windows every character of cs is used.
func window(cs string, k, n int) string {
	out := make([]byte, n)
	for j := range out {
		out[j] = cs[(k*n+j)%len(cs)]
	}
	return string(out)
}

// freeText is how long the data sets make text fields that declare no
// maximum (their limit is the label's room).
const freeText = 24

// length is the declared maximum of a field, or freeText.
func length(f zpl.Field) int {
	if f.Max == 0 {
		return freeText
	}
	return f.Max
}

// lotRoom is how many characters of any kind a GS1 lot may have on a GS1
// logistic label width mm wide, worked out from the standards rather than
// taken from package zpl: the smallest whole-dot X of at least 0.495 mm,
// quiet zones of 10X, at most 165.10 mm per symbol (GS1 General
// Specifications, GS1-128 on logistic units), and ISO/IEC 15417's module
// counts: 11 per symbol character, 11 for the check character, 13 for the
// stop. Start code, FNC1 and the AI "10" take 4 symbol characters when
// the lot is letters (as two characters of code set B, or one of code set
// C and a switch). Digits pack in pairs, so a lot of digits may be longer.
func lotRoom(width float64, dpis ...int) int {
	room := 1 << 30
	for _, dpi := range dpis {
		x := int(math.Ceil(0.495 * float64(dpi) / 25.4))
		dots := int(math.Round(math.Min(width, 165.10) * float64(dpi) / 25.4))
		symbols := (dots/x - 2*10 - 13 - 11) / 11
		room = min(room, symbols-4)
	}
	return room
}

// repeat is n characters of s repeated.
func repeat(s string, n int) string {
	r := []rune(strings.Repeat(s, n))
	return string(r[:n])
}

// dataset is one way of filling a template's fields.
type dataset struct {
	name string
	fill func(f zpl.Field) string // "" leaves the field out
}

// datasets for a template: windows over each field's characters (as many
// as the field with the most to cover needs), the declared maxima in the
// widest characters, all digits, Chinese text, a one-character lot, and
// only the required fields. A GS1 lot is at most lotMax characters long
// unless it is all digits.
func datasets(fields []zpl.Field, lotMax int) []dataset {
	size := func(f zpl.Field) int {
		if gs1Lot(f) {
			return min(length(f), lotMax)
		}
		return length(f)
	}
	windows := 1
	for _, f := range fields {
		if cs := charset(f); cs != "" {
			windows = max(windows, (len(cs)+size(f)-1)/size(f))
		}
	}
	var sets []dataset
	for k := range windows {
		sets = append(sets, dataset{fmt.Sprintf("ascii %d", k), func(f zpl.Field) string {
			if cs := charset(f); cs != "" {
				return window(cs, k, size(f))
			}
			return fixed(f, "12")
		}})
	}
	return append(sets,
		dataset{"maximum, widest", func(f zpl.Field) string {
			switch f.Kind {
			case zpl.KindText:
				return repeat("中", size(f))
			case zpl.KindCode:
				return repeat("W", size(f))
			}
			return fixed(f, "99999999")
		}},
		dataset{"maximum, digits", func(f zpl.Field) string {
			if charset(f) != "" {
				return repeat("0123456789", length(f))
			}
			return fixed(f, "10000000")
		}},
		dataset{"chinese", func(f zpl.Field) string {
			switch f.Kind {
			case zpl.KindText:
				return repeat("张伟 冷冻水饺 上海市浦东新区张江路88号 ", size(f))
			case zpl.KindCode:
				return repeat("CN-SH-0001", size(f))
			}
			return fixed(f, "3")
		}},
		dataset{"one-character lot", func(f zpl.Field) string {
			if charset(f) != "" {
				return "A"
			}
			return fixed(f, "1")
		}},
		dataset{"required only", func(f zpl.Field) string {
			if !f.Required {
				return ""
			}
			if charset(f) != "" {
				return "Z1"
			}
			return fixed(f, "1")
		}},
	)
}

// gs1Want is what AI ai must hold for data d.
func gs1Want(ai string, d map[string]string) string {
	v := d[gs1Fields[ai].field]
	switch ai {
	case "01", "02":
		return strings.Repeat("0", 14-len(v)) + v
	case "15", "17":
		return strings.ReplaceAll(v, "-", "")[2:]
	}
	return v
}

// checkScan asserts that a scanned symbol carries exactly input data and
// returns the fields it carried: a GS1 element string is split by AI and
// each value compared with its field (a missing FNC1 after a
// variable-length value shows as a wrong value); any other symbol must
// equal one field's value.
func checkScan(t *testing.T, got scanned, d map[string]string) []string {
	t.Helper()
	if !got.gs1 {
		var fields []string
		for k, v := range d {
			if v == got.text {
				fields = append(fields, k)
			}
		}
		assert.NotEmpty(t, fields, "scanned %q, which is no field's value", got.text)
		return fields
	}
	var fields []string
	rest := got.text
	for rest != "" {
		require.GreaterOrEqual(t, len(rest), 2, "element string %q", got.text)
		ai := rest[:2]
		spec, ok := gs1Fields[ai]
		require.True(t, ok, "AI %s in %q is not in gs1Fields: add it", ai, got.text)
		rest = rest[2:]
		var value string
		if spec.length > 0 {
			require.GreaterOrEqual(t, len(rest), spec.length, "AI %s in %q", ai, got.text)
			value, rest = rest[:spec.length], rest[spec.length:]
		} else {
			value, rest, _ = strings.Cut(rest, gs)
		}
		assert.Equal(t, gs1Want(ai, d), value, "AI %s in %q", ai, got.text)
		fields = append(fields, spec.field)
	}
	return fields
}

// roundTrip renders one label for a printer profile, draws it, scans
// every bar code and checks it; it returns the fields found in bar codes.
func roundTrip(t *testing.T, reg *zpl.Registry, name, profile string, data map[string]string, dpi int) map[string]bool {
	t.Helper()
	label, err := reg.Render(name, data, zpl.Options{DPI: dpi, Profile: profile})
	require.NoError(t, err, "the data is within every field's declared limits")
	res, err := preview.Render(label, preview.Options{DPI: dpi})
	require.NoError(t, err)
	for _, w := range res.Warnings {
		if !strings.HasPrefix(w.Reason, "no font has glyphs") { // no CJK font installed
			t.Errorf("preview warning %s", w)
		}
	}
	found := map[string]bool{}
	for i := range res.Barcodes {
		for _, f := range checkScan(t, scan(t, res, i), data) {
			found[f] = true
		}
	}
	if t.Failed() {
		t.Logf("ZPL:\n%s", label)
	}
	return found
}

func TestRoundTripBuiltinTemplates(t *testing.T) {
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	names := reg.Names()
	require.NotEmpty(t, names)
	for _, name := range names {
		fields, err := reg.Fields(name)
		require.NoError(t, err)
		layouts, err := reg.Layouts(name)
		require.NoError(t, err)
		for _, l := range layouts {
			for _, ds := range datasets(fields, lotRoom(l.Width, 203, 300)) {
				data := map[string]string{}
				for _, f := range fields {
					if v := ds.fill(f); v != "" {
						require.True(t, f.Max == 0 || utf8.RuneCountInString(v) <= f.Max, "%s.%s", name, f.Name)
						data[f.Name] = v
					}
				}
				for _, dpi := range []int{203, 300} {
					t.Run(fmt.Sprintf("%s/%s/%s/%d", name, l.Profile, ds.name, dpi), func(t *testing.T) {
						found := roundTrip(t, reg, name, l.Profile, data, dpi)
						for _, f := range fields {
							inBarcode := f.Kind == zpl.KindCode || f.Kind == zpl.KindSSCC || f.Kind == zpl.KindGTIN ||
								slices.Contains(barcoded[name], f.Name)
							if inBarcode && data[f.Name] != "" {
								assert.True(t, found[f.Name], "field %s = %q is in no bar code", f.Name, data[f.Name])
							}
						}
					})
				}
			}
		}
	}
}

// GS1 lots on the built-in GS1 logistic label, scanned back: 1 character,
// 10 letters, 15 and 20 digits on every layout; 20 letters (the longest
// AI (10) takes) and every 20-character run of GS1 character set 82 on
// the 6.5x8 layout. On the 4 x 8 in layout 20 letters are refused with the
// field, the rule, the width the symbol needs and the label's width,
// never printed out of specification.
func TestRoundTripGS1Lots(t *testing.T) {
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	everywhere := []string{"A", "9", repeat("W", 10), repeat("0123456789", 15), repeat("0123456789", 20)}
	wideOnly := []string{repeat("W", 20), "20240117-0001-000042"}
	for k := range (len(cset82) + 19) / 20 {
		wideOnly = append(wideOnly, window(cset82, k, 20))
	}
	base := map[string]string{"sscc": gs1Check("37612345000000001"), "gtin": gs1Check("400638133393")}
	for _, dpi := range []int{203, 300} {
		for _, profile := range []string{"4x8", "6.5x8"} {
			lots := everywhere
			if profile == "6.5x8" {
				lots = append(slices.Clone(everywhere), wideOnly...)
			}
			for _, lot := range lots {
				t.Run(fmt.Sprintf("%s/%d/%s", profile, dpi, lot), func(t *testing.T) {
					data := maps.Clone(base)
					data["lot"] = lot
					found := roundTrip(t, reg, "sscc-pallet", profile, data, dpi)
					assert.True(t, found["lot"] && found["gtin"] && found["sscc"])
				})
			}
		}
		t.Run(fmt.Sprintf("4x8/%d/20 letters refused", dpi), func(t *testing.T) {
			data := maps.Clone(base)
			data["lot"] = repeat("W", 20)
			out, err := reg.Render("sscc-pallet", data, zpl.Options{DPI: dpi, Profile: "4x8"})
			assert.Empty(t, out)
			var fe *zpl.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "lot", fe.Field)
			assert.Regexp(t, `GS1-128 symbol needs 15[0-9]\.[0-9] mm with its quiet zones .* but only 101\.6 mm are available .*GS1 logistic label: X at least 0\.495 mm`, fe.Reason)
		})
	}
}

// A GS1 lot of 1 and of 20 characters, over all of GS1 character set 82,
// on an internal-only label (narrow X by the template's explicit opt-in,
// so any lot fits 4 inches).
func TestRoundTripInternalOnlyLots(t *testing.T) {
	dir := t.TempDir()
	src := `description: internal case label (test)
internal-only: true
width: 101.6
height: 40
fields:
  - {name: gtin, kind: gtin, required: true}
  - {name: lot, kind: code, required: true, max: 20}
elements:
  - gs1-128:
      - {ai: "01", value: "{gtin}"}
      - {ai: "10", value: "{lot}"}
    y: 3
    height: 20
    module: 0.25
    hri: 3
    align: center
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "case-lot.yaml"), []byte(src), 0o644))
	reg, err := zpl.NewRegistry(dir)
	require.NoError(t, err)
	lots := []string{"A", "9", repeat("W", 20), repeat("0123456789", 20)}
	for k := range (len(cset82) + 19) / 20 {
		lots = append(lots, window(cset82, k, 20))
	}
	for _, lot := range lots {
		for _, dpi := range []int{203, 300} {
			t.Run(fmt.Sprintf("%s/%d", lot, dpi), func(t *testing.T) {
				data := map[string]string{"gtin": gs1Check("400638133393"), "lot": lot}
				found := roundTrip(t, reg, "case-lot", "", data, dpi)
				assert.True(t, found["lot"] && found["gtin"])
			})
		}
	}
}
