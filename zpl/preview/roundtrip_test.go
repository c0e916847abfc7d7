package preview_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dockhand/dockhand/zpl"
	"github.com/dockhand/dockhand/zpl/preview"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The round trip: every built-in template, filled with a spread of data,
// rendered to ZPL by package zpl, drawn by the preview and scanned back
// with gozxing. Each bar code must scan as exactly the data that went in
// (GS1 symbols: each AI's value, with FNC1 where GS1 requires it). The
// check does not know the templates' layout, so templates can change.

// dataset is one way of filling a template's fields.
type dataset struct {
	name     string
	text     string // value for text fields
	code     string // value for code fields (bar code identifiers)
	lot      string // value for GS1 lot fields (AI 10 characters only)
	count    string
	required bool // fill only required fields
	wholeLot bool // a GS1 lot field must take lot as it is, not shortened
}

var datasets = []dataset{
	{name: "plain", text: "Widget 10 pcs", code: "A-03-2-05", lot: "LOT42", count: "12"},
	{name: "long", text: "Bartholomew Featherstonehaugh-Cholmondeley Logistics International",
		code: "LPN-2024-000000000000123456789", lot: "L2024-0000000000000X", count: "99999999"},
	// Code fields are printable ASCII by design (zpl.KindCode), so Chinese
	// goes into the text fields only.
	{name: "chinese", text: "张伟 冷冻水饺 上海市浦东新区张江路88号", code: "CN-SH-0001", lot: "LOT-CN-1", count: "3"},
	{name: "special", text: `^~"<>&_\ 5% off`, code: `Q\<>&_"/1`, lot: `L<>&_"/-.1`, count: "7"},
	// The longest lot GS1 allows (20), no digit pairs: the widest Code 128.
	{name: "longest lot", text: "Widget", code: "A-03-2-05", lot: "BATCH-A/B.C_D-E/F.GX", count: "99999999", wholeLot: true},
	{name: "required only", text: "Z", code: "B1", lot: "L1", count: "1", required: true},
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

// fill returns the data for a template's fields.
func (ds dataset) fill(fields []zpl.Field) map[string]string {
	data := map[string]string{}
	for _, f := range fields {
		if ds.required && !f.Required {
			continue
		}
		var v string
		switch f.Kind {
		case zpl.KindSSCC:
			v = gs1Check("37612345000000001")
		case zpl.KindGTIN:
			v = gs1Check("400638133393")
		case zpl.KindCount:
			v = ds.count
		case zpl.KindDate:
			v = "2026-03-31"
		case zpl.KindCode:
			v = ds.code
			if f.Name == "lot" {
				v = ds.lot
			}
		default:
			v = ds.text
		}
		if f.Max > 0 && utf8.RuneCountInString(v) > f.Max {
			v = string([]rune(v)[:f.Max])
		}
		data[f.Name] = v
	}
	return data
}

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

// checkScan asserts that a scanned symbol carries exactly input data: a
// GS1 element string is split by AI and each value compared with its
// field (a missing FNC1 after a variable-length value shows as a wrong
// value); any other symbol must equal one field's value.
func checkScan(t *testing.T, got scanned, d map[string]string) {
	t.Helper()
	if !got.gs1 {
		for _, v := range d {
			if v == got.text {
				return
			}
		}
		t.Errorf("scanned %q, which is no field's value", got.text)
		return
	}
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
	}
}

// renderFitting renders a template, shortening each value the template
// refuses for its length until it fits: the "long" data set then is as
// long as each field of each template allows. Any other refusal fails.
func renderFitting(t *testing.T, reg *zpl.Registry, name string, data map[string]string, dpi int) []byte {
	t.Helper()
	for {
		label, err := reg.Render(name, data, zpl.Options{DPI: dpi})
		if err == nil {
			return label
		}
		errs := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		}
		for _, e := range errs {
			var fe *zpl.FieldError
			require.ErrorAs(t, e, &fe)
			tooLong := strings.Contains(fe.Reason, "too long") || strings.Contains(fe.Reason, "falls off") ||
				strings.Contains(fe.Reason, "does not fit")
			require.True(t, tooLong && fe.Field != "", "data %q refused: %v", data, e)
			v := []rune(data[fe.Field])
			require.Greater(t, len(v), 1, "field %s cannot be shortened further: %v", fe.Field, e)
			data[fe.Field] = strings.TrimSpace(string(v[:len(v)*3/4]))
		}
	}
}

func TestRoundTripBuiltinTemplates(t *testing.T) {
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	names := reg.Names()
	require.NotEmpty(t, names)
	for _, name := range names {
		fields, err := reg.Fields(name)
		require.NoError(t, err)
		for _, ds := range datasets {
			for _, dpi := range []int{203, 300} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, ds.name, dpi), func(t *testing.T) {
					data := ds.fill(fields)
					label := renderFitting(t, reg, name, data, dpi)
					for _, f := range fields {
						if ds.wholeLot && f.Name == "lot" && f.Kind == zpl.KindCode {
							require.Equal(t, ds.lot, data["lot"], "a %d-character GS1 lot must fit as it is", len(ds.lot))
						}
					}
					res, err := preview.Render(label, preview.Options{DPI: dpi})
					require.NoError(t, err)
					for _, w := range res.Warnings {
						if !strings.HasPrefix(w.Reason, "no font has glyphs") { // no CJK font installed
							t.Errorf("preview warning %s\nZPL:\n%s", w, label)
						}
					}
					require.NotEmpty(t, res.Barcodes, "ZPL:\n%s", label)
					for i := range res.Barcodes {
						checkScan(t, scan(t, res, i), data)
					}
					if t.Failed() {
						t.Logf("ZPL:\n%s", label)
					}
				})
			}
		}
	}
}
