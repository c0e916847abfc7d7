package preview

import (
	"fmt"
	"image"
	"math"
	"strconv"
	"unicode/utf8"
)

// Limits that keep a hostile or mistaken label from exhausting memory.
const (
	maxLabelDots = 8000 // per side: 26 in at 300 dpi
	maxFontDots  = 3000
)

// fontSpec is a ZPL font selection (^A, ^CF): a font letter or digit, or
// '@' for a font called by file name.
type fontSpec struct {
	name          byte
	height, width int
}

// fieldKind is what a field draws at ^FS.
type fieldKind int

const (
	kindText fieldKind = iota
	kindBox
	kindCode128
	kindDataMatrix
	kindQR
)

// field collects the commands between ^FO/^FT and ^FS.
type field struct {
	at      image.Point
	typeset bool // ^FT: at is the typesetting origin, not the top left
	font    *fontSpec
	block   *block
	reverse bool
	hexChar byte // ^FH indicator, 0 when off
	kind    fieldKind
	shape   command // the ^B or ^GB command that makes it
	data    []byte
	hasData bool
	orient  *orientation // from ^A, for text fields
}

// interp runs the commands of one label format onto an image.
type interp struct {
	img   *image.Gray
	dpi   int
	text  *textRenderer
	warns *warnings

	home      image.Point
	defFont   fontSpec
	fw        orientation
	module    int
	ratio     float64
	barHeight int
	utf8      bool
	fontFiles map[byte]bool // letters bound to font files by ^CW

	f        field
	barcodes []Barcode
}

func newInterp(img *image.Gray, dpi int, text *textRenderer, w *warnings) *interp {
	return &interp{
		img: img, dpi: dpi, text: text, warns: w,
		defFont: fontSpec{name: 'A', height: 9, width: 5}, // printer default
		fw:      'N', module: 2, ratio: 3, barHeight: 10,
		fontFiles: map[byte]bool{},
	}
}

// setupCommands change how the printer handles media, not what the label
// looks like, so the preview accepts them without a warning.
var setupCommands = map[string]bool{
	"PQ": true, "MM": true, "MN": true, "MT": true, "MD": true, "PR": true, "JU": true,
	"MF": true, "~SD": true, "~TA": true, "~JA": true, "XB": true,
}

// run interprets cmds up to ^XZ.
func (it *interp) run(cmds []command) {
	for _, c := range cmds {
		if c.name == "XZ" {
			break
		}
		it.exec(c)
	}
}

func (it *interp) exec(c command) {
	p := params(c.args)
	switch c.name {
	case "XA", "FX", "PW", "LL": // PW and LL size the image before the run
	case "FO", "FT":
		it.f.at = image.Pt(atoi(p, 0, 0), atoi(p, 1, 0)).Add(it.home)
		it.f.typeset = c.name == "FT"
	case "LH":
		it.home = image.Pt(atoi(p, 0, 0), atoi(p, 1, 0))
	case "CF":
		it.defFont, _ = fontParams(p[0], p[1:], it.defFont)
	case "FW":
		it.fw = it.orientation(c, param(p, 0), it.fw)
	case "A", "A@":
		it.execFont(c, p)
	case "CW":
		if n := param(p, 0); n != "" {
			it.fontFiles[n[0]] = true
		}
	case "FB":
		it.f.block = &block{
			width: atoi(p, 0, 0), maxLines: max(1, atoi(p, 1, 1)), spacing: atoi(p, 2, 0),
			justify: firstByte(param(p, 3), 'L'), hangIndent: atoi(p, 4, 0),
		}
	case "FR":
		it.f.reverse = true
	case "FH":
		it.f.hexChar = '_'
		if len(c.args) > 0 {
			it.f.hexChar = c.args[0]
		}
	case "CI":
		it.execCharset(c, p)
	case "BY":
		it.module = clamp(atoi(p, 0, it.module), 1, 10)
		if r, err := strconv.ParseFloat(param(p, 1), 64); err == nil {
			it.ratio = r
		}
		it.barHeight = clamp(atoi(p, 2, it.barHeight), 1, 32000)
	case "BC":
		it.f.kind, it.f.shape = kindCode128, c
	case "BX":
		it.f.kind, it.f.shape = kindDataMatrix, c
	case "BQ":
		it.f.kind, it.f.shape = kindQR, c
	case "GB":
		it.f.kind, it.f.shape = kindBox, c
	case "FD":
		it.f.data, it.f.hasData = c.args, true
	case "FS":
		it.finishField()
		it.f = field{}
	case "PO", "PM", "LR":
		if v := param(p, 0); v != "" && v != "N" {
			it.warns.add(c.String(), fmt.Sprintf("value %s is not supported by the preview; ignored", v))
		}
	case "LS":
		if atoi(p, 0, 0) != 0 {
			it.warns.add(c.String(), "label shift is not supported by the preview; ignored")
		}
	default:
		if !setupCommands[c.name] {
			it.warns.add(c.String(), "not supported by the preview; ignored")
		}
	}
}

// execFont handles ^Afo,h,w and ^A@o,h,w,d:f.x.
func (it *interp) execFont(c command, p []string) {
	fo := param(p, 0)
	if c.name == "A@" {
		fo = "@" + fo
	}
	spec, o := fontParams(fo, p[1:], it.defFont)
	it.f.font = &spec
	if o != "" {
		or := it.orientation(c, o, it.fw)
		it.f.orient = &or
	}
}

// fontParams reads "fo" (font letter, then orientation letter if any) and
// h, w; missing sizes come from def.
func fontParams(fo string, hw []string, def fontSpec) (fontSpec, string) {
	spec := fontSpec{name: firstByte(fo, def.name), height: atoi(hw, 0, 0), width: atoi(hw, 1, 0)}
	if spec.height == 0 && spec.width == 0 {
		spec.height, spec.width = def.height, def.width
	}
	if len(fo) > 1 {
		return spec, fo[1:]
	}
	return spec, ""
}

// orientation parses a field orientation; the preview draws all four, so
// this only rejects letters that are none of N, R, I, B.
func (it *interp) orientation(c command, s string, def orientation) orientation {
	o, ok := parseOrientation(s, def)
	if !ok {
		it.warns.add(c.String(), fmt.Sprintf("orientation %q is not N, R, I or B; using %c", s, def))
	}
	return o
}

func (it *interp) execCharset(c command, p []string) {
	switch n := atoi(p, 0, 0); n {
	case 28:
		it.utf8 = true
	case 0, 27:
		it.utf8 = false
	default:
		it.utf8 = false
		it.warns.add(c.String(), fmt.Sprintf("character set %d previewed as Latin-1", n))
	}
}

// fieldData is the field's data with ^FH hex escapes resolved.
func (it *interp) fieldData() []byte {
	if it.f.hexChar == 0 {
		return it.f.data
	}
	out, ok := unhex(it.f.data, it.f.hexChar)
	if !ok {
		it.warns.add("^FH", fmt.Sprintf("%c not followed by two hex digits; kept as is", it.f.hexChar))
	}
	return out
}

// unhex resolves ^FH escapes: indicator + two hex digits is that byte.
func unhex(data []byte, ind byte) ([]byte, bool) {
	out := make([]byte, 0, len(data))
	ok := true
	for i := 0; i < len(data); i++ {
		if data[i] == ind {
			if i+2 < len(data) && isHex(data[i+1]) && isHex(data[i+2]) {
				v, _ := strconv.ParseUint(string(data[i+1:i+3]), 16, 8)
				out = append(out, byte(v))
				i += 2
				continue
			}
			ok = false
		}
		out = append(out, data[i])
	}
	return out, ok
}

func isHex(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// runes decodes field bytes for drawing: UTF-8 after ^CI28, else Latin-1.
func (it *interp) runes(b []byte) []rune {
	if it.utf8 {
		if !utf8.Valid(b) {
			it.warns.add("^CI28", "field data is not valid UTF-8")
		}
		return []rune(string(b))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return r
}

// finishField draws the field collected since the last ^FS.
func (it *interp) finishField() {
	switch it.f.kind {
	case kindBox:
		it.drawBox()
		return
	}
	if !it.f.hasData {
		return
	}
	data := it.fieldData()
	switch it.f.kind {
	case kindCode128:
		it.drawCode128(data)
	case kindDataMatrix:
		it.drawDataMatrix(data)
	case kindQR:
		it.drawQR(data)
	default:
		it.drawText(data)
	}
}

// newSurface places a field of the given nominal size and ^FT anchor.
func (it *interp) newSurface(cmd string, o orientation, size, anchor image.Point) *surface {
	s := &surface{img: it.img, orient: o, size: size}
	if it.f.reverse {
		s.mode = paintReverse
	}
	s.place(it.f.at, it.f.typeset, anchor)
	if b := s.bounds(); !b.Empty() && !b.In(it.img.Rect) {
		it.warns.add(cmd, fmt.Sprintf("field at %d,%d runs past the edge of the label", it.f.at.X, it.f.at.Y))
	}
	return s
}

// style turns a font selection into a drawable style. Zebra's font 0 and
// fonts called by file are scalable: h is the cell height and w stretches
// it. The bitmap fonts A–H magnify a base cell by whole multiples; Go
// Mono stands in for them.
func (it *interp) style(fs fontSpec) textStyle {
	h, w := clamp(fs.height, 0, maxFontDots), clamp(fs.width, 0, maxFontDots)
	if fs.name == '0' || fs.name == '@' || it.fontFiles[fs.name] {
		switch {
		case h == 0 && w == 0:
			h, w = 9, 9
		case h == 0:
			h = w
		case w == 0:
			w = h
		}
		face, scaleX := it.text.fonts.regular, float64(w)/float64(h)
		if fs.name == '0' {
			face, scaleX = it.text.fonts.bold, scaleX*font0Condense
		}
		return textStyle{face: face, height: h, scaleX: scaleX}
	}
	base, ok := bitmapFonts[fs.name]
	if !ok {
		it.warns.add(fmt.Sprintf("^A%c", fs.name), "font not known to the preview; drawn like font A")
		base = bitmapFonts['A']
	}
	bh := max(1, base.X*it.dpi/203)
	bw := max(1, base.Y*it.dpi/203)
	mh := max(1, int(math.Round(float64(h)/float64(bh))))
	mw := max(1, int(math.Round(float64(w)/float64(bw))))
	switch {
	case h == 0 && w == 0:
		mh, mw = 1, 1
	case h == 0:
		mh = mw
	case w == 0:
		mw = mh
	}
	h, w = mh*bh, mw*bw
	const monoAdvance = 0.6 // Go Mono's advance is 0.6 em
	return textStyle{face: it.text.fonts.mono, height: h, scaleX: float64(w) / (monoAdvance * float64(h))}
}

// font0Condense narrows Go Bold towards the printer's font 0, CG
// Triumvirate Bold Condensed, whose letters are about this much narrower
// at the same size. Widths are close, not exact.
const font0Condense = 0.85

// bitmapFonts are the base cells (height, width in dots at 203 dpi) of
// Zebra's resident bitmap fonts (ZPL II guide, "Fonts and Bar Codes").
var bitmapFonts = map[byte]image.Point{
	'A': {9, 5}, 'B': {11, 7}, 'C': {18, 10}, 'D': {18, 10}, 'E': {28, 15},
	'F': {26, 13}, 'G': {60, 40}, 'H': {21, 13},
}

// fieldFont is the font in force for the current field.
func (it *interp) fieldFont() fontSpec {
	if it.f.font != nil {
		return *it.f.font
	}
	return it.defFont
}

func (it *interp) drawText(data []byte) {
	st := it.style(it.fieldFont())
	text := it.runes(data)
	o := it.fw
	if it.f.orient != nil {
		o = *it.f.orient
	}
	if b := it.f.block; b != nil {
		it.drawBlock(st, text, *b, o)
		return
	}
	w := int(math.Ceil(it.text.width(st, text)))
	s := it.newSurface("^FD", o, image.Pt(w, st.height), image.Pt(0, st.ascent()))
	it.text.draw(s, st, text, 0, st.ascent(), 0)
	it.noteMissingGlyphs()
}

// drawBlock lays text out in a ^FB block. With ^FT the anchor is the
// baseline of the last possible line, so the block grows upwards.
func (it *interp) drawBlock(st textStyle, text []rune, b block, o orientation) {
	if b.width < st.height/2 {
		it.warns.add("^FB", fmt.Sprintf("block width %d is narrower than the font; the printer prints nothing", b.width))
		return
	}
	lines := it.text.wrap(st, text, float64(b.width), float64(b.hangIndent))
	if len(lines) > b.maxLines {
		it.warns.add("^FB", fmt.Sprintf("text needs %d lines but the block has %d; the rest overprints the last line", len(lines), b.maxLines))
	}
	pitch := st.height + b.spacing
	size := image.Pt(b.width, max(1, (b.maxLines-1)*pitch+st.height))
	s := it.newSurface("^FB", o, size, image.Pt(0, (b.maxLines-1)*pitch+st.ascent()))
	for n, line := range lines {
		row := min(n, b.maxLines-1)
		indent := 0.0
		if n > 0 {
			indent = float64(b.hangIndent)
		}
		lw := it.text.width(st, line)
		free := float64(b.width) - indent - lw
		x, extra := indent, 0.0
		switch b.justify {
		case 'C':
			x += free / 2
		case 'R':
			x += free
		case 'J':
			if spaces := countRune(line, ' '); spaces > 0 && n < len(lines)-1 {
				extra = free / float64(spaces)
			}
		}
		it.text.draw(s, st, line, x, row*pitch+st.ascent(), extra)
	}
	it.noteMissingGlyphs()
}

func (it *interp) noteMissingGlyphs() {
	if msg, ok := it.text.missingWarning(); ok {
		it.warns.add("^FD", msg)
	}
}

// drawBox draws ^GBw,h,t,c,r: a box, a line when one side equals the
// border, rounded corners by r eighths of the shorter half side.
func (it *interp) drawBox() {
	p := params(it.f.shape.args)
	t := clamp(atoi(p, 2, 1), 1, 32000)
	w := clamp(max(atoi(p, 0, t), t), 1, 32000)
	h := clamp(max(atoi(p, 1, t), t), 1, 32000)
	round := clamp(atoi(p, 4, 0), 0, 8)
	s := it.newSurface("^GB", 'N', image.Pt(w, h), image.Pt(0, h))
	if firstByte(param(p, 3), 'B') == 'W' && s.mode != paintReverse {
		s.mode = paintWhite
	}
	radius := float64(round) * float64(min(w, h)) / 16
	inner := image.Rectangle{Min: image.Pt(t, t), Max: image.Pt(w-t, h-t)} // Rect would reorder an empty one
	for y := range h {
		ol, or := roundedSpan(y, w, h, radius)
		if y < inner.Min.Y || y >= inner.Max.Y || inner.Empty() {
			s.fill(image.Rect(ol, y, or, y+1))
			continue
		}
		il, ir := roundedSpan(y-t, inner.Dx(), inner.Dy(), math.Max(0, radius-float64(t)))
		s.fill(image.Rect(ol, y, il+t, y+1))
		s.fill(image.Rect(ir+t, y, or, y+1))
	}
}

// roundedSpan is the x range covered by row y of a w×h rectangle with
// corners of radius r.
func roundedSpan(y, w, h int, r float64) (int, int) {
	if r <= 0 {
		return 0, w
	}
	dy := 0.0
	switch fy := float64(y) + 0.5; {
	case fy < r:
		dy = r - fy
	case fy > float64(h)-r:
		dy = fy - (float64(h) - r)
	}
	inset := int(math.Round(r - math.Sqrt(math.Max(0, r*r-dy*dy))))
	return inset, max(inset, w-inset)
}

func countRune(s []rune, r rune) int {
	n := 0
	for _, c := range s {
		if c == r {
			n++
		}
	}
	return n
}

// param returns parameter i or "".
func param(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return ""
}

// atoi returns parameter i as an integer, or def if absent or not a number.
func atoi(p []string, i, def int) int {
	n, err := strconv.Atoi(param(p, i))
	if err != nil {
		return def
	}
	return n
}

func firstByte(s string, def byte) byte {
	if s == "" {
		return def
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
