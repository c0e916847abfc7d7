package zpl

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/dockhand/dockhand/internal/yamlx"
)

// fileSpec is a template file as written (YAML); see docs/labels.md.
type fileSpec struct {
	Description string `yaml:"description"`
	// InternalOnly: the label never leaves the site, so its GS1-128 symbols
	// need not meet the GS1 logistic label dimensions (gs1logistic.go).
	InternalOnly bool          `yaml:"internal-only"`
	Units        string        `yaml:"units"` // "mm" (default) or "dots"
	DPI          int           `yaml:"dpi"`   // with units: dots, the resolution the dots are meant for
	Width        float64       `yaml:"width"`
	Height       float64       `yaml:"height"`
	Fields       []fieldSpec   `yaml:"fields"`
	Elements     []elementSpec `yaml:"elements"`
}

type fieldSpec struct {
	Name     string `yaml:"name"`
	Kind     Kind   `yaml:"kind"`
	Required bool   `yaml:"required"`
	Max      int    `yaml:"max"`
	Help     string `yaml:"help"`
}

// elementSpec: exactly one of the type keys (text, box, code128, gs1-128,
// datamatrix, gs1-datamatrix, qr) plus the placement keys it uses.
type elementSpec struct {
	Text          *string  `yaml:"text"`
	Box           *float64 `yaml:"box"` // line thickness
	Code128       *string  `yaml:"code128"`
	GS1128        []aiSpec `yaml:"gs1-128"`
	DataMatrix    *string  `yaml:"datamatrix"`
	GS1DataMatrix []aiSpec `yaml:"gs1-datamatrix"`
	QR            *string  `yaml:"qr"`

	X         float64 `yaml:"x"`
	Y         float64 `yaml:"y"`
	Width     float64 `yaml:"width"`
	Height    float64 `yaml:"height"`
	Size      float64 `yaml:"size"`
	MinSize   float64 `yaml:"min-size"`
	Lines     int     `yaml:"lines"`
	Align     string  `yaml:"align"`
	Module    float64 `yaml:"module"`
	MinModule float64 `yaml:"min-module"`
	HRI       float64 `yaml:"hri"`
	MinHRI    float64 `yaml:"min-hri"`
	ECC       string  `yaml:"ecc"`
	When      names   `yaml:"when"`
	Unless    names   `yaml:"unless"`
}

type aiSpec struct {
	AI     string `yaml:"ai"`
	Value  string `yaml:"value"`
	When   names  `yaml:"when"`
	Unless names  `yaml:"unless"`
}

// names accepts a single field name or a list of them.
type names = yamlx.OneOrMany

type elemKind int

const (
	elemText elemKind = iota
	elemBox
	elemCode128
	elemGS1128
	elemDataMatrix
	elemGS1DataMatrix
	elemQR
)

// template is a compiled, checked template; immutable and shared by
// concurrent renders.
type template struct {
	name, description, file string
	designDPI               int // 0 = millimetres
	internalOnly            bool
	width, height           float64
	fields                  []Field
	index                   map[string]int
	elements                []element
}

// widthMM and heightMM are the label's size in mm.
func (t *template) widthMM() float64  { return t.mm(t.width) }
func (t *template) heightMM() float64 { return t.mm(t.height) }

func (t *template) mm(v float64) float64 {
	if t.designDPI > 0 {
		return v * 25.4 / float64(t.designDPI)
	}
	return v
}

type element struct {
	kind                   elemKind
	line                   int
	x, y, width, height    float64
	size, minSize          float64 // text font height; minSize > 0: may shrink to it
	module, minModule      float64
	hri, minHRI, thickness float64
	lines                  int
	align                  byte // 'L', 'C' or 'R'
	ecc                    byte // QR error correction: L, M, Q, H
	content                pattern
	ais                    []aiPart
	when, unless           []int
}

type aiPart struct {
	ai           string
	value        pattern
	when, unless []int
}

var (
	fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	aiRE        = regexp.MustCompile(`^[0-9]{2,4}$`)
)

// parseTemplate reads and checks a template file. file names the source in
// errors; name is the template name.
func parseTemplate(name, file string, src []byte) (*template, error) {
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		return nil, &TemplateError{File: file, Reason: err.Error()}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, &TemplateError{File: file, Reason: err.Error()}
	}
	c := compiler{file: file, lines: elementLines(&root)}
	t := c.compile(name, &spec)
	if c.err != nil {
		return nil, c.err
	}
	// Literal text, boxes and bar code heights must fit at every resolution.
	empty := make([]string, len(t.fields))
	for _, dpi := range []int{203, 300, 600} {
		if _, err := t.render(nil, empty, dpi, 1); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return nil, &TemplateError{File: file, Reason: fmt.Sprintf("at %d dpi: %s", dpi, fe.Reason)}
			}
			return nil, &TemplateError{File: file, Reason: err.Error()}
		}
	}
	return t, nil
}

// elementLines finds the source line of each entry of "elements".
func elementLines(root *yaml.Node) []int {
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		if m[i].Value == "elements" {
			lines := make([]int, len(m[i+1].Content))
			for j, e := range m[i+1].Content {
				lines[j] = e.Line
			}
			return lines
		}
	}
	return nil
}

// compiler keeps the first error with its line, so compile reads straight.
type compiler struct {
	file  string
	lines []int
	line  int
	err   error
}

func (c *compiler) fail(format string, args ...any) {
	if c.err == nil {
		c.err = &TemplateError{File: c.file, Line: c.line, Reason: fmt.Sprintf(format, args...)}
	}
}

func (c *compiler) compile(name string, s *fileSpec) *template {
	t := &template{name: name, description: s.Description, file: c.file, internalOnly: s.InternalOnly,
		width: s.Width, height: s.Height, index: map[string]int{}}
	switch s.Units {
	case "", "mm":
		if s.DPI != 0 {
			c.fail("dpi is only used with units: dots")
		}
	case "dots":
		if s.DPI != 203 && s.DPI != 300 && s.DPI != 600 {
			c.fail("units: dots needs dpi: 203, 300 or 600 (the resolution the dots are meant for)")
		}
		t.designDPI = s.DPI
	default:
		c.fail("units must be mm or dots, not %q", s.Units)
	}
	if s.Width <= 0 || s.Height <= 0 {
		c.fail("width and height of the label must be given and positive")
	}
	for _, f := range s.Fields {
		if f.Kind == "" {
			f.Kind = KindText
		}
		switch {
		case !fieldNameRE.MatchString(f.Name):
			c.fail("field name %q: use lower-case letters, digits and _", f.Name)
		case !f.Kind.valid():
			c.fail("field %s: unknown kind %q", f.Name, f.Kind)
		case f.Max < 0:
			c.fail("field %s: max must not be negative", f.Name)
		}
		if _, dup := t.index[f.Name]; dup {
			c.fail("field %s declared twice", f.Name)
		}
		t.index[f.Name] = len(t.fields)
		t.fields = append(t.fields, Field{Name: f.Name, Required: f.Required, Kind: f.Kind, Help: f.Help, Max: f.Max})
	}
	if len(s.Elements) == 0 {
		c.fail("no elements")
	}
	used := make([]bool, len(t.fields))
	for i := range s.Elements {
		if i < len(c.lines) {
			c.line = c.lines[i]
		}
		e := c.element(t, &s.Elements[i], used)
		t.elements = append(t.elements, e)
	}
	c.line = 0
	for i, u := range used {
		if !u {
			c.fail("field %s is declared but no element uses it", t.fields[i].Name)
		}
	}
	return t
}

func (c *compiler) element(t *template, s *elementSpec, used []bool) element {
	e := element{line: c.line, x: s.X, y: s.Y, width: s.Width, height: s.Height, size: s.Size, minSize: s.MinSize,
		lines: s.Lines, module: s.Module, minModule: s.MinModule, hri: s.HRI, minHRI: s.MinHRI}
	kinds := 0
	var content *string
	var ais []aiSpec
	for _, k := range []struct {
		set  bool
		kind elemKind
		text *string
		ais  []aiSpec
	}{
		{s.Text != nil, elemText, s.Text, nil},
		{s.Box != nil, elemBox, nil, nil},
		{s.Code128 != nil, elemCode128, s.Code128, nil},
		{s.GS1128 != nil, elemGS1128, nil, s.GS1128},
		{s.DataMatrix != nil, elemDataMatrix, s.DataMatrix, nil},
		{s.GS1DataMatrix != nil, elemGS1DataMatrix, nil, s.GS1DataMatrix},
		{s.QR != nil, elemQR, s.QR, nil},
	} {
		if k.set {
			kinds++
			e.kind, content, ais = k.kind, k.text, k.ais
		}
	}
	if kinds != 1 {
		c.fail("an element needs exactly one of text, box, code128, gs1-128, datamatrix, gs1-datamatrix, qr")
		return e
	}
	if s.X < 0 || s.Y < 0 || s.Width < 0 || s.Height < 0 || s.Size < 0 || s.HRI < 0 || s.MinModule < 0 || s.MinSize < 0 || s.MinHRI < 0 {
		c.fail("positions and sizes must not be negative")
	}
	if s.MinSize > 0 && (e.kind != elemText || s.MinSize > s.Size) {
		c.fail("min-size is for text, and at most size")
	}
	if s.MinHRI > 0 && (e.kind == elemText || e.kind == elemBox || s.MinHRI > s.HRI) {
		c.fail("min-hri is for bar codes with hri, and at most hri")
	}
	e.when = c.fieldRefs(t, s.When, used)
	e.unless = c.fieldRefs(t, s.Unless, used)
	if content != nil {
		e.content = c.pattern(t, *content, used)
	}
	for _, a := range ais {
		if !aiRE.MatchString(a.AI) {
			c.fail("AI %q: write the Application Identifier as 2 to 4 digits in quotes", a.AI)
		}
		e.ais = append(e.ais, aiPart{ai: a.AI, value: c.pattern(t, a.Value, used),
			when: c.fieldRefs(t, a.When, used), unless: c.fieldRefs(t, a.Unless, used)})
	}
	if ais != nil && len(ais) == 0 {
		c.fail("a GS1 bar code needs at least one AI")
	}
	e.align = 'L'
	switch s.Align {
	case "", "left":
	case "center":
		e.align = 'C'
	case "right":
		if e.kind != elemText {
			c.fail("align: right is for text only")
		}
		e.align = 'R'
	default:
		c.fail("align must be left, center or right, not %q", s.Align)
	}
	switch e.kind {
	case elemText:
		if e.size <= 0 {
			c.fail("text needs size (font height)")
		}
		if e.lines == 0 {
			e.lines = 1
		}
		if e.width == 0 {
			e.width = t.width - e.x
		}
	case elemBox:
		e.thickness = *s.Box
		if e.thickness <= 0 {
			c.fail("box: give the line thickness, e.g. box: 0.5")
		}
	case elemCode128, elemGS1128:
		if e.height <= 0 {
			c.fail("a Code 128 bar code needs height (bar height)")
		}
	}
	if e.kind != elemBox && e.kind != elemText {
		if e.module <= 0 {
			c.fail("a bar code needs module (narrowest bar or matrix cell)")
		}
		if e.minModule == 0 || e.minModule > e.module {
			e.minModule = e.module
		}
	}
	if e.kind == elemGS1128 && !t.internalOnly {
		c.checkLogistic(&e)
	}
	if e.kind == elemQR {
		switch s.ECC {
		case "":
			e.ecc = 'M'
		case "L", "M", "Q", "H":
			e.ecc = s.ECC[0]
		default:
			c.fail("ecc must be L, M, Q or H")
		}
	}
	return e
}

// checkLogistic refuses a GS1-128 element whose designed size cannot meet
// the GS1 logistic label specification; Render checks the printed size.
func (c *compiler) checkLogistic(e *element) {
	switch {
	case e.minModule < gs1MinX || e.module > gs1MaxX:
		c.fail("GS1-128 module (X) must be %.3f to %.3f mm on a GS1 logistic label (GS1 General Specifications, logistic label symbol specification); "+
			"for a label that never leaves the site set internal-only: true", gs1MinX, gs1MaxX)
	case e.height < gs1MinHeight:
		c.fail("GS1-128 bar height must be at least %.2f mm on a GS1 logistic label; for a label that never leaves the site set internal-only: true", gs1MinHeight)
	}
}

func (c *compiler) pattern(t *template, s string, used []bool) pattern {
	p, err := parsePattern(s, t.index, t.fields)
	if err != nil {
		c.fail("%v", err)
	}
	p.markUsed(used)
	return p
}

func (c *compiler) fieldRefs(t *template, ns names, used []bool) []int {
	var out []int
	for _, n := range ns {
		i, ok := t.index[n]
		if !ok {
			c.fail("when/unless names %q, which is not a declared field", n)
			continue
		}
		used[i] = true
		out = append(out, i)
	}
	return out
}
