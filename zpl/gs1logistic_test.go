package zpl

import (
	"fmt"
	"image"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The GS1 logistic label specification, as the GS1 General Specifications
// (5.4.4 dimensional requirements of GS1-128, the symbol specification
// table for GS1-128 on logistic units, 6.6.4.1.1 placement) and the GS1
// Logistic Label Guideline give it. Written here again, not taken from the
// package, so that a change there cannot move the goal posts.
const (
	specMinX        = 0.495  // mm
	specMaxX        = 1.016  // mm
	specMinHeight   = 31.75  // mm
	specQuietX      = 10     // quiet zone, in X, each side
	specMaxLength   = 165.10 // mm, quiet zones included
	specMaxDataChar = 48     // AIs, data and FNC1 separators
)

// zplField is one field of a label as the printer would place it, read
// back from the ZPL text alone.
type zplField struct {
	cmd    string          // "text", "box", "code128", "datamatrix", "qr"
	rect   image.Rectangle // dots
	module int             // ^BY module width, for Code 128
	fd     string          // field data
}

var zplCmdRE = regexp.MustCompile(`\^([A-Z][A-Z0-9@])([^\^]*)`)

// measureLabel reads a label rendered by Render: ^PW, and every field's
// position and size from ^FO, ^A0/^FB, ^GB, ^BY and ^BC (the width of a
// Code 128 symbol from its symbol values: 11 modules per character, 11 for
// the check character, 13 for the stop, ISO/IEC 15417).
func measureLabel(t *testing.T, out []byte) (width int, fields []zplField) {
	t.Helper()
	by := 0
	for _, line := range strings.Split(string(out), "\n") {
		var f zplField
		var x, y, font, blockW, lines, h int
		for _, m := range zplCmdRE.FindAllStringSubmatch(line, -1) {
			args := strings.Split(m[2], ",")
			num := func(i int) int {
				require.Less(t, i, len(args), "%s", line)
				n, err := strconv.Atoi(args[i])
				require.NoError(t, err, "%s", line)
				return n
			}
			switch m[1] {
			case "PW":
				width = num(0)
			case "BY":
				by = num(0)
			case "FO":
				x, y = num(0), num(1)
			case "A0":
				font = num(1)
			case "FB":
				f.cmd, blockW, lines = "text", num(0), num(1)
			case "GB":
				f.cmd = "box"
				f.rect = image.Rect(x, y, x+num(0), y+num(1))
			case "BC":
				require.Equal(t, "N", args[0], "picket fence: no rotation: %s", line)
				f.cmd, f.module, h = "code128", by, num(1)
			case "BX":
				f.cmd = "datamatrix"
			case "BQ":
				f.cmd = "qr"
			case "FD":
				f.fd = m[2]
			}
		}
		switch f.cmd {
		case "text":
			f.rect = image.Rect(x, y, x+blockW, y+lines*font)
		case "code128":
			values, err := refFDValues(f.fd)
			require.NoError(t, err, "%s", line)
			f.rect = image.Rect(x, y, x+(11*(len(values)+1)+13)*f.module, y+h)
		case "":
			continue
		}
		fields = append(fields, f)
	}
	return width, fields
}

// gs1LogisticProblems measures every GS1-128 symbol of a label (a Code 128
// whose first symbol after the start code is FNC1) against the
// specification: the element strings found, and what is out of it.
func gs1LogisticProblems(t *testing.T, out []byte, dpi int) (found, problems []string) {
	t.Helper()
	mm := func(dots int) float64 { return float64(dots) * 25.4 / float64(dpi) }
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	width, fields := measureLabel(t, out)
	ssccTop, lowestOther := -1, -1
	for i, f := range fields {
		if f.cmd != "code128" {
			continue
		}
		values, err := refFDValues(f.fd)
		require.NoError(t, err)
		if len(values) < 2 || values[1] != refFNC1 {
			continue // plain Code 128
		}
		data, err := refData(values)
		require.NoError(t, err)
		es := data[1:] // without the leading FNC1
		found = append(found, es)
		x, quiet := mm(f.module), specQuietX*f.module
		check(x >= specMinX && x <= specMaxX, "%q: X %.3f mm", es, x)
		check(mm(f.rect.Dy()) >= specMinHeight, "%q: bars %.2f mm high", es, mm(f.rect.Dy()))
		check(f.rect.Min.X-quiet >= 0, "%q: left quiet zone off the label", es)
		check(f.rect.Max.X+quiet <= width, "%q: right quiet zone off the label", es)
		check(mm(f.rect.Dx()+2*quiet) <= specMaxLength, "%q: %.1f mm long", es, mm(f.rect.Dx()+2*quiet))
		check(len(es) <= specMaxDataChar, "%q: %d data characters", es, len(es))
		left := image.Rect(f.rect.Min.X-quiet, f.rect.Min.Y, f.rect.Min.X, f.rect.Max.Y)
		right := image.Rect(f.rect.Max.X, f.rect.Min.Y, f.rect.Max.X+quiet, f.rect.Max.Y)
		for j, g := range fields {
			check(j == i || !g.rect.Overlaps(left) && !g.rect.Overlaps(right), "%q: %s field at %v in the quiet zone", es, g.cmd, g.rect)
		}
		if strings.HasPrefix(es, "00") {
			check(len(es) == 20, "%q: the SSCC is not alone in its symbol", es)
			ssccTop = f.rect.Min.Y
		} else {
			lowestOther = max(lowestOther, f.rect.Min.Y)
		}
	}
	check(ssccTop < 0 || ssccTop > lowestOther, "the SSCC symbol is not the lowest GS1-128 symbol")
	return found, problems
}

// Lots for the conformance test: one character, ten letters (what any
// 4-inch label takes), 15 and 20 digits (packed in pairs, they fit 4
// inches), and 20 letters (the longest AI (10) takes; wider than 4 inches
// at X 0.495 mm).
var conformanceLots = []string{"A", "WWWWWWWWWW", "012345678901234", "01234567890123456789", "WWWWWWWWWWWWWWWWWWWW"}

// Every GS1-128 symbol of the built-in GS1 logistic label, on each of its
// layouts, for every combination of the optional GS1 data and the lots
// above, meets the specification at 203, 300 and 600 dpi. The only label
// refused is the 20-letter lot on a 4-inch layout, for the lot's width.
func TestGS1LogisticLabelConformance(t *testing.T) {
	r := newTestRegistry(t)
	optional := map[string]string{"gtin": "04006544000014", "quantity": "99999999", "best_before": "2026-01-31",
		"expiry": "2026-03-31"}
	keys := []string{"gtin", "quantity", "best_before", "expiry", "lot"}
	symbols := 0
	for _, name := range r.Names() {
		layouts, err := r.Layouts(name)
		require.NoError(t, err)
		for _, l := range layouts {
			for combo := range 1 << len(keys) {
				for _, lot := range conformanceLots {
					data := maps.Clone(sampleData[name])
					if name != "sscc-pallet" {
						if combo > 0 || lot != conformanceLots[0] {
							break
						}
					} else {
						optional["lot"] = lot
						for i, k := range keys {
							if combo&(1<<i) != 0 {
								data[k] = optional[k]
							} else {
								delete(data, k)
							}
						}
						if data["lot"] == "" && lot != conformanceLots[0] {
							continue
						}
					}
					for _, dpi := range []int{203, 300, 600} {
						out, err := r.Render(name, data, Options{DPI: dpi, Profile: l.Profile})
						if len(lot) == 20 && lot[0] == 'W' && data["lot"] != "" && data["gtin"] != "" && l.Width < 110 {
							errs := fieldErrors(t, err)
							require.Len(t, errs, 1, "%v", err)
							assert.Equal(t, "lot", errs[0].Field)
							assert.True(t, errs[0].tooWide, "%v", errs[0])
							continue
						}
						require.NoError(t, err, "%s %s %v at %d dpi", name, l.Profile, data, dpi)
						found, problems := gs1LogisticProblems(t, out, dpi)
						assert.Empty(t, problems, "%s %s %v at %d dpi:\n%s", name, l.Profile, data, dpi, out)
						symbols += len(found)
						if name == "sscc-pallet" {
							require.NotEmpty(t, found, "the SSCC is always encoded")
						}
						if data["lot"] != "" && data["gtin"] != "" {
							assert.Contains(t, found, "10"+lot, "the lot is in a symbol of its own")
						}
					}
				}
			}
		}
	}
	t.Logf("%d GS1-128 symbols measured", symbols)
}

// A lot whose symbol is wider than the label is refused with the field,
// the rule, the width the symbol needs and the width there is, and the
// layout it fits is named; measured here from ISO/IEC 15417 (11 modules a
// symbol character, 11 the check character, 13 the stop, 10X quiet
// zones) and the whole-dot X closest above 0.495 mm.
func TestGS1LogisticRefusalSaysWhy(t *testing.T) {
	r := newTestRegistry(t)
	data := with("sscc-pallet", map[string]string{"lot": "WWWWWWWWWWWWWWWWWWWW"})
	// Start B, FNC1, "1", "0" and 20 letters: 24 symbol characters.
	const modules = 11*24 + 11 + 13 + 2*specQuietX
	for dpi, x := range map[int]int{203: 4, 300: 6, 600: 12} {
		_, err := r.Render("sscc-pallet", data, Options{DPI: dpi, Profile: "4x8"})
		errs := fieldErrors(t, err)
		require.Len(t, errs, 1)
		need := float64(modules*x) * 25.4 / float64(dpi)
		assert.Equal(t, "lot", errs[0].Field)
		for _, part := range []string{
			fmt.Sprintf("GS1-128 symbol needs %.1f mm with its quiet zones at X %.3f mm (%d dots at %d dpi)", need, float64(x)*25.4/float64(dpi), x, dpi),
			"but only 101.6 mm are available (the label's width)",
			"GS1 logistic label: X at least 0.495 mm, quiet zones 10X, at most 165.10 mm per symbol",
			"print it on a printer with profile 6.5x8",
		} {
			assert.Contains(t, errs[0].Reason, part, "at %d dpi", dpi)
		}
		out, err := r.Render("sscc-pallet", data, Options{DPI: dpi, Profile: "6.5x8"})
		require.NoError(t, err, "the wide layout takes it")
		found, problems := gs1LogisticProblems(t, out, dpi)
		assert.Empty(t, problems)
		assert.Contains(t, found, "10WWWWWWWWWWWWWWWWWWWW")
	}
}

// The checker finds what it is meant to find: symbols of the old layout
// (X 0.25 mm, 12 mm bars, the SSCC with no quiet zone and above another
// symbol) fail it.
func TestGS1LogisticCheckerCatchesViolations(t *testing.T) {
	old := "^XA\n^PW812\n^LL1218\n^BY2^FO100,100^BCN,96,N,N,N^FD>;>81726033110>6L2024-117^FS\n" +
		"^BY4^FO10,300^BCN,256,N,N,N^FD>;>800340065441234567893^FS\n" +
		"^BY4^FO10,600^BCN,256,N,N,N^FD>;>80204006544000014^FS\n^XZ\n"
	_, problems := gs1LogisticProblems(t, []byte(old), 203)
	assert.Equal(t, []string{
		`"1726033110L2024-117": X 0.250 mm`,
		`"1726033110L2024-117": bars 12.01 mm high`,
		`"00340065441234567893": left quiet zone off the label`,
		`"0204006544000014": left quiet zone off the label`,
		"the SSCC symbol is not the lowest GS1-128 symbol",
	}, problems)
}

// A template with GS1-128 symbols that cannot meet the specification is
// refused when loaded, unless it is marked internal-only.
func TestGS1LogisticTemplateChecks(t *testing.T) {
	head := "width: 101.6\nheight: 60\nfields: [{name: gtin, kind: gtin}]\nelements:\n  - gs1-128: [{ai: \"01\", value: \"{gtin}\"}]\n    y: 2\n"
	cases := map[string]string{
		"    height: 32\n    module: 0.5\n    min-module: 0.25\n": "GS1-128 module (X) must be 0.495 to 1.016 mm",
		"    height: 32\n    module: 1.2\n":                       "GS1-128 module (X) must be 0.495 to 1.016 mm",
		"    height: 12\n    module: 0.5\n":                       "GS1-128 bar height must be at least 31.75 mm",
	}
	for rest, reason := range cases {
		_, err := parseTemplate("t", "t.yaml", []byte(head+rest))
		require.Error(t, err, rest)
		assert.Contains(t, err.Error(), reason)
		assert.Contains(t, err.Error(), "internal-only: true", "the error names the opt-in")
		_, err = parseTemplate("t", "t.yaml", []byte("internal-only: true\n"+head+rest))
		assert.NoError(t, err, "internal-only labels may use any size")
	}
}

// Data that would make a GS1-128 symbol of a logistic label out of
// specification is refused with the field and the rule, never printed
// narrower.
func TestGS1LogisticRenderRefuses(t *testing.T) {
	load := func(src string) *Registry {
		tpl, err := parseTemplate("t", "t.yaml", []byte(src))
		require.NoError(t, err)
		return &Registry{templates: map[string]*template{"t": tpl}}
	}
	fields := func(serial bool) string {
		f := "fields: [{name: sscc, kind: sscc}, {name: gtin, kind: gtin}, {name: lot, kind: code}"
		if serial {
			f += ", {name: serial, kind: code}"
		}
		return f + "]\n"
	}
	sym := func(y float64, ais string) string {
		return fmt.Sprintf("  - gs1-128: [%s]\n    y: %g\n    height: 32\n    module: 0.5\n    align: center\n", ais, y)
	}
	gtinLot := `{ai: "01", value: "{gtin}"}, {ai: "10", value: "{lot}"}`
	gtinSerial := `{ai: "01", value: "{gtin}"}, {ai: "10", value: "{lot}"}, {ai: "21", value: "{serial}"}`
	sscc := `{ai: "00", value: "{sscc}"}`
	data := map[string]string{"sscc": "340065441234567893", "gtin": "04006544000014", "lot": "LOT-WWWWWWWWWWWWWWWW"}
	withSerial := map[string]string{"sscc": "340065441234567893", "gtin": "04006544000014", "lot": "LOT-WWWWWWWWWWWWWWWW", "serial": "A"}
	short := map[string]string{"sscc": "340065441234567893", "gtin": "04006544000014", "lot": "12"}
	cases := []struct {
		name, src     string
		data          map[string]string
		field, reason string
	}{
		{"a 20-character lot is too wide for 4 inches at X 0.495 mm",
			"width: 101.6\nheight: 80\n" + fields(false) + "elements:\n" + sym(2, gtinLot) + sym(40, sscc), data,
			"lot", "GS1 logistic label: X at least 0.495 mm, quiet zones 10X"},
		{"no symbol longer than 165.10 mm, however wide the label",
			"width: 300\nheight: 80\n" + fields(true) + "elements:\n" + sym(2, gtinSerial) + sym(40, sscc), withSerial,
			"lot", "at most 165.10 mm"},
		{"the SSCC below every other GS1-128 symbol",
			"width: 101.6\nheight: 80\n" + fields(false) + "elements:\n" + sym(2, sscc) + sym(40, gtinLot), short,
			"sscc", "the SSCC symbol must be the lowest GS1-128 symbol"},
		{"the SSCC alone in its symbol",
			"width: 101.6\nheight: 80\n" + fields(false) + "elements:\n" + sym(2, `{ai: "01", value: "{gtin}"}`) + sym(40, `{ai: "00", value: "{sscc}"}, {ai: "10", value: "{lot}"}`), short,
			"sscc", "must be alone in its GS1-128 symbol"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := load(tc.src)
			for _, dpi := range []int{203, 300} {
				out, err := r.Render("t", tc.data, Options{DPI: dpi})
				assert.Empty(t, out)
				errs := fieldErrors(t, err)
				require.Len(t, errs, 1, "%v", err)
				assert.Equal(t, tc.field, errs[0].Field)
				assert.Contains(t, errs[0].Reason, tc.reason)
			}
		})
	}
}
