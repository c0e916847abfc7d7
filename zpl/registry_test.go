package zpl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserTemplatesAddAndOverride(t *testing.T) {
	r, err := NewRegistry(filepath.Join("testdata", "user"))
	require.NoError(t, err)
	assert.Equal(t, []string{"bin-location", "carton", "pick-ticket", "putaway", "shipping", "sscc-pallet"}, r.Names())

	fields, err := r.Fields("bin-location")
	require.NoError(t, err)
	require.Len(t, fields, 1, "the user file replaced the built-in")
	out, err := r.Render("bin-location", map[string]string{"location": "A-03-2-05"}, Options{})
	require.NoError(t, err)
	assert.Contains(t, string(out), "^PW406\n^LL203\n")
}

func TestUserTemplateMatrixCodes(t *testing.T) {
	r, err := NewRegistry(filepath.Join("testdata", "user"))
	require.NoError(t, err)
	data := map[string]string{"gtin": "4006544000014", "serial": "SN_42", "expiry": "2026-12-31", "url": "https://example.com/c?sn=SN_42&x=~1"}

	out, err := r.Render("carton", data, Options{DPI: 300})
	require.NoError(t, err)
	fields := checkLabel(t, out)
	s := string(out)
	// Dots templates scale with the printer: 406 dots at 203 dpi = 600 at 300.
	assert.Contains(t, s, "^PW600\n^LL600\n")
	// GS1 DataMatrix: FNC1 first, none after the fixed-length AI 01, FNC1
	// after the variable-length serial, '_' doubled.
	assert.Contains(t, s, "^BXN,9,200,,,,_^FD_1010400654400001421SN__42_117261231^FS")
	assert.Contains(t, s, "^FH^FD(01)04006544000014(21)SN_5F42(17)261231^FS", "HRI in GS1 brackets")
	assert.Contains(t, s, ",200,,,,_^FDSN__42^FS", "plain DataMatrix")
	var qr string
	for _, f := range fields {
		if strings.Contains(f.line, "^BQN,2,") {
			qr, err = unescapeFH(f.content, f.block)
			require.NoError(t, err)
		}
	}
	assert.Equal(t, "QA,"+data["url"], qr, "QR with ECC Q, automatic mode, data escaped by ^FH")
}

func TestBadUserTemplatesAreRefused(t *testing.T) {
	cases := map[string]struct{ src, reason string }{
		"typo-key.yaml":     {"width: 50\nheight: 25\nelemnts: []\n", "field elemnts not found"},
		"unknown-kind.yaml": {"width: 50\nheight: 25\nfields: [{name: a, kind: colour}]\nelements: [{text: '{a}', size: 3}]\n", "unknown kind"},
		"unused-field.yaml": {"width: 50\nheight: 25\nfields: [{name: a}, {name: b}]\nelements: [{text: '{a}', size: 3}]\n", "field b is declared but no element uses it"},
		"unknown-ref.yaml":  {"width: 50\nheight: 25\nelements: [{text: '{nope}', size: 3}]\n", "placeholder {nope} names no declared field"},
		"off-label.yaml":    {"width: 50\nheight: 25\nelements: [{text: HELLO, x: 2, y: 20, size: 6}]\n", "falls off the label"},
		"literal-long.yaml": {"width: 50\nheight: 25\nelements: [{text: THIS TEXT IS FAR TOO LONG FOR THE LABEL, size: 6}]\n", "too long for the label"},
		"two-kinds.yaml":    {"width: 50\nheight: 25\nelements: [{text: A, box: 1, size: 3}]\n", "exactly one of"},
		"no-module.yaml":    {"width: 50\nheight: 25\nfields: [{name: a, kind: code}]\nelements: [{code128: '{a}', height: 10}]\n", "needs module"},
		"dots-no-dpi.yaml":  {"units: dots\nwidth: 400\nheight: 200\nelements: [{text: A, size: 30}]\n", "needs dpi"},
		"bad-filter.yaml":   {"width: 50\nheight: 25\nfields: [{name: a}]\nelements: [{text: '{a|upper}', size: 3}]\n", "filter"},
		"Bad Name.yaml":     {"width: 50\nheight: 25\nelements: [{text: A, size: 3}]\n", "file name must be"},
		"not-yaml.yaml":     {"width: [\n", "yaml"},
		"min-size-box.yaml": {"width: 50\nheight: 25\nelements: [{box: 1, min-size: 2}]\n", "min-size is for text"},
		"min-size-big.yaml": {"width: 50\nheight: 25\nelements: [{text: A, size: 3, min-size: 4}]\n", "at most size"},
		"min-hri-text.yaml": {"width: 50\nheight: 25\nelements: [{text: A, size: 3, min-hri: 2}]\n", "min-hri is for bar codes"},
	}
	dir := t.TempDir()
	for name, c := range cases {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(c.src), 0o644))
	}
	good := "width: 50\nheight: 25\nfields: [{name: a, required: true}]\nelements: [{text: '{a}', x: 2, y: 2, size: 5, width: 46}]\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.yml"), []byte(good), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a template"), 0o644))

	r, err := NewRegistry(dir)
	require.Error(t, err)
	require.NotNil(t, r, "built-ins and good user templates stay usable")
	assert.Contains(t, r.Names(), "good")
	assert.Contains(t, r.Names(), "sscc-pallet")
	_, err2 := r.Render("good", map[string]string{"a": "ok"}, Options{})
	assert.NoError(t, err2)

	refused := map[string]string{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var te *TemplateError
		require.ErrorAs(t, e, &te)
		refused[filepath.Base(te.File)] = te.Error()
	}
	require.Len(t, refused, len(cases))
	for name, c := range cases {
		assert.Contains(t, refused[name], c.reason, name)
		assert.Contains(t, refused[name], name, "the error names the file")
	}
}

func TestTemplateErrorGivesLine(t *testing.T) {
	src := "width: 50\nheight: 25\nelements:\n  - {text: A, size: 3}\n  - {box: 0}\n"
	_, err := parseTemplate("x", "x.yaml", []byte(src))
	var te *TemplateError
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 5, te.Line)
	assert.Equal(t, "template x.yaml:5: box: give the line thickness, e.g. box: 0.5", te.Error())
}

func TestMissingUserDir(t *testing.T) {
	r, err := NewRegistry(filepath.Join(t.TempDir(), "nope"))
	assert.ErrorContains(t, err, "read label template directory")
	require.NotNil(t, r)
	assert.Len(t, r.Names(), 5)
}

// A template may have a layout of its own for a printer profile
// (<name>.<profile>.yaml, same fields): Render picks it for printers with
// that profile, the default layout for the others, and refuses a label
// larger than the printer's media.
func TestLayoutsForPrinterProfiles(t *testing.T) {
	dir := t.TempDir()
	bin := func(w, h float64, fields string) string {
		return fmt.Sprintf("width: %g\nheight: %g\nfields: [%s]\nelements: [{text: '{location}', x: 2, y: 2, size: 5, width: 40}]\n", w, h, fields)
	}
	files := map[string]string{
		"bin.yaml":           bin(50, 25, "{name: location, required: true, max: 8}"),
		"bin.4x8.yaml":       bin(101.6, 50, "{name: location, required: true, max: 8, help: other help is fine}"),
		"bin.6.5x8.yaml":     bin(101.6, 50, "{name: location, max: 8}"),
		"lonely.4x8.yaml":    bin(101.6, 50, "{name: location}"),
		"bin.a5.yaml":        bin(148, 210, "{name: location, required: true, max: 8}"),
		"sscc-pallet.yaml":   "width: 101.6\nheight: 203.2\nfields: [{name: sscc, kind: sscc}]\nelements: [{text: '{sscc}', size: 5}]\n",
		"putaway.6.5x8.yaml": bin(165.1, 203.2, "{name: location, required: true, max: 8}"),
	}
	for name, src := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	r, err := NewRegistry(dir)
	require.Error(t, err)
	refused := map[string]string{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var te *TemplateError
		require.ErrorAs(t, e, &te)
		refused[filepath.Base(te.File)] = te.Reason
	}
	assert.Contains(t, refused["bin.6.5x8.yaml"], "must declare the same fields")
	assert.Contains(t, refused["lonely.4x8.yaml"], "there is no lonely.yaml")
	assert.Contains(t, refused["bin.a5.yaml"], `"a5" is not a printer profile`)
	assert.Contains(t, refused["putaway.6.5x8.yaml"], "must declare the same fields", "a layout of a built-in keeps its fields")
	assert.Len(t, refused, 4)
	assert.NotContains(t, r.Names(), "lonely")

	layouts, err := r.Layouts("bin")
	require.NoError(t, err)
	assert.Equal(t, []Layout{{Width: 50, Height: 25}, {Profile: "4x8", Width: 101.6, Height: 50}}, layouts)
	data := map[string]string{"location": "A-03"}
	for profile, want := range map[string]string{"": "^PW400\n^LL200\n", "4x6": "^PW400\n^LL200\n", "4x8": "^PW812\n^LL400\n"} {
		out, err := r.Render("bin", data, Options{Profile: profile})
		require.NoError(t, err, profile)
		assert.Contains(t, string(out), want, "profile %q", profile)
	}

	layouts, err = r.Layouts("sscc-pallet")
	require.NoError(t, err)
	assert.Len(t, layouts, 1, "a user template replaces the built-in with its layouts")

	_, err = r.Render("bin", data, Options{Profile: "a5"})
	assert.ErrorContains(t, err, `unknown printer profile "a5" (4x6, 4x8, 6.5x8)`)
	builtin := newTestRegistry(t)
	_, err = builtin.Render("sscc-pallet", sampleData["sscc-pallet"], Options{Profile: "4x6"})
	require.ErrorIs(t, err, ErrMedia)
	assert.ErrorContains(t, err, "template sscc-pallet is 101.6 × 203.2 mm and printer profile 4x6 is 101.6 × 152.4 mm; load larger labels and set the printer's profile to 4x8 or 6.5x8")
	for _, p := range ProfileNames() {
		_, err = builtin.Render("putaway", sampleData["putaway"], Options{Profile: p})
		assert.NoError(t, err, "a 4 x 6 in label prints on %s media", p)
	}
}
