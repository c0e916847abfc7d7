package preview

import (
	"fmt"
	"image"
	"math"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// textStyle is a font at a size in printer dots.
type textStyle struct {
	face   *sfnt.Font
	height int     // cell height in dots (the ZPL h parameter)
	scaleX float64 // horizontal stretch: ZPL fonts have their own width
}

// ascent places the baseline in the cell: Zebra's scalable font puts
// about four fifths of the cell above the baseline.
func (s textStyle) ascent() int { return int(math.Round(0.8 * float64(s.height))) }

// glyphKey identifies a glyph at a size. face nil is the box drawn for
// runes no font has (index 1 for a space, which stays blank).
type glyphKey struct {
	face   *sfnt.Font
	index  sfnt.GlyphIndex
	height int
	scaleX float64
}

// glyph is a glyph at a size. Its outline is rasterised only when it is
// drawn on the label: mask's top-left then sits at offset from the pen
// position on the baseline.
type glyph struct {
	key        glyphKey
	advance    float64
	rasterised bool
	mask       *image.Alpha
	offset     image.Point
}

// textRenderer lays out and draws text for one label. It is not safe for
// concurrent use (it owns an sfnt.Buffer and a glyph cache).
type textRenderer struct {
	fonts     *bundled
	fallbacks []*sfnt.Font
	buf       sfnt.Buffer
	cache     map[glyphKey]*glyph
	missing   map[rune]bool // runes no font could draw
}

func newTextRenderer(fonts *bundled, fallbacks []*sfnt.Font) *textRenderer {
	return &textRenderer{fonts: fonts, fallbacks: fallbacks, cache: map[glyphKey]*glyph{}, missing: map[rune]bool{}}
}

// lookup finds the font and glyph index for r: the style's face first,
// then the fallbacks. ok is false if no font has it.
func (t *textRenderer) lookup(face *sfnt.Font, r rune) (*sfnt.Font, sfnt.GlyphIndex, bool) {
	for _, f := range append([]*sfnt.Font{face}, t.fallbacks...) {
		if idx, err := f.GlyphIndex(&t.buf, r); err == nil && idx != 0 {
			return f, idx, true
		}
	}
	return nil, 0, false
}

// glyph returns r in style s (cached). A rune no font has becomes an
// outlined box the size of a wide character, so the technician sees that
// something is there.
func (t *textRenderer) glyph(s textStyle, r rune) *glyph {
	key := glyphKey{height: s.height, scaleX: s.scaleX}
	if f, idx, ok := t.lookup(s.face, r); ok {
		key.face, key.index = f, idx
	} else if unicode.IsSpace(r) || !unicode.IsPrint(r) {
		key.index = 1
	} else {
		t.missing[r] = true
	}
	if g, hit := t.cache[key]; hit {
		return g
	}
	g := &glyph{key: key}
	if key.face == nil {
		g.advance = missingAdvance(s)
	} else if adv, err := key.face.GlyphAdvance(&t.buf, key.index, fixed.I(s.height), font.HintingNone); err == nil {
		g.advance = float64(adv) / 64 * s.scaleX
	}
	t.cache[key] = g
	return g
}

// shape rasterises g on first use.
func (t *textRenderer) shape(g *glyph) {
	if g.rasterised {
		return
	}
	g.rasterised = true
	st := textStyle{face: g.key.face, height: g.key.height, scaleX: g.key.scaleX}
	switch {
	case g.key.face != nil:
		g.mask, g.offset = t.rasterise(g.key.face, g.key.index, st)
	case g.key.index == 0:
		g.mask, g.offset = missingBox(st)
	}
}

func (t *textRenderer) rasterise(f *sfnt.Font, idx sfnt.GlyphIndex, s textStyle) (*image.Alpha, image.Point) {
	segs, err := f.LoadGlyph(&t.buf, idx, fixed.I(s.height), nil)
	if err != nil || len(segs) == 0 {
		return nil, image.Point{} // a space, or an outline sfnt cannot read
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	pt := func(p fixed.Point26_6) (float64, float64) {
		return float64(p.X) / 64 * s.scaleX, float64(p.Y) / 64
	}
	for _, seg := range segs {
		for _, a := range seg.Args[:argCount(seg.Op)] {
			x, y := pt(a)
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
	}
	x0, y0 := math.Floor(minX), math.Floor(minY)
	w, h := int(math.Ceil(maxX)-x0), int(math.Ceil(maxY)-y0)
	if w <= 0 || h <= 0 {
		return nil, image.Point{}
	}
	ras := vector.NewRasterizer(w, h)
	at := func(p fixed.Point26_6) (float32, float32) {
		x, y := pt(p)
		return float32(x - x0), float32(y - y0)
	}
	for _, seg := range segs {
		a := seg.Args
		switch seg.Op {
		case sfnt.SegmentOpMoveTo:
			ras.MoveTo(at(a[0]))
		case sfnt.SegmentOpLineTo:
			ras.LineTo(at(a[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := at(a[0])
			x2, y2 := at(a[1])
			ras.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := at(a[0])
			x2, y2 := at(a[1])
			x3, y3 := at(a[2])
			ras.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	ras.ClosePath()
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	ras.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	return mask, image.Pt(int(x0), int(y0))
}

func argCount(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}

func missingAdvance(s textStyle) float64 {
	return math.Round(0.8*float64(s.height)*s.scaleX) + float64(s.height)/10
}

// missingBox is the outlined box drawn for a rune no font has.
func missingBox(s textStyle) (*image.Alpha, image.Point) {
	w := int(math.Round(0.8 * float64(s.height) * s.scaleX))
	h := s.ascent()
	if w < 3 || h < 3 {
		return nil, image.Point{}
	}
	m := image.NewAlpha(image.Rect(0, 0, w, h))
	stroke := max(1, s.height/15)
	for y := range h {
		for x := range w {
			if x < stroke || y < stroke || x >= w-stroke || y >= h-stroke {
				m.Pix[y*m.Stride+x] = 0xff
			}
		}
	}
	return m, image.Pt(0, -h)
}

// width is the advance of s in dots.
func (t *textRenderer) width(st textStyle, s []rune) float64 {
	var w float64
	for _, r := range s {
		w += t.glyph(st, r).advance
	}
	return w
}

// draw paints s with its pen starting at x on the baseline y of the field.
// extraSpace widens each space (for justified ^FB lines).
func (t *textRenderer) draw(sf *surface, st textStyle, s []rune, x float64, y int, extraSpace float64) {
	for _, r := range s {
		g := t.glyph(st, r)
		pen := int(math.Round(x))
		// Glyphs off the label are not rasterised: a huge font on a small
		// label would otherwise cost seconds.
		reach := image.Rect(pen-st.height, y-2*st.height, pen+int(g.advance)+st.height, y+st.height)
		if sf.visible(reach) {
			t.shape(g)
			if g.mask != nil {
				sf.fillMask(g.mask, image.Pt(pen+g.offset.X, y+g.offset.Y))
			}
		}
		x += g.advance
		if r == ' ' {
			x += extraSpace
		}
	}
}

// missingWarning describes the runes no font could draw, then forgets them.
func (t *textRenderer) missingWarning() (string, bool) {
	if len(t.missing) == 0 {
		return "", false
	}
	var b strings.Builder
	n := 0
	for r := range t.missing {
		if n == 8 {
			b.WriteString("…")
			break
		}
		fmt.Fprintf(&b, "%c", r)
		n++
	}
	clear(t.missing)
	return fmt.Sprintf("no font has glyphs for %q; drawn as boxes (install fonts-wqy-microhei or fonts-noto-cjk)", b.String()), true
}

// block is the ^FB field block.
type block struct {
	width      int
	maxLines   int
	spacing    int
	justify    byte // L, C, R or J
	hangIndent int
}

// wrap breaks text into lines no wider than width: at spaces, at \& (see
// blockParagraphs), and inside a word too long for a line by itself, which
// gets a hyphen at the right edge as the printer does. Lines after the
// first are narrower by indent (^FB hanging indent).
func (t *textRenderer) wrap(st textStyle, text []rune, width, indent float64) [][]rune {
	var lines [][]rune
	space := t.glyph(st, ' ').advance
	for _, para := range blockParagraphs(text) {
		var line []rune
		var lineW float64
		avail := width
		if len(lines) > 0 {
			avail = width - indent
		}
		flush := func() {
			lines = append(lines, line)
			line, lineW, avail = nil, 0, width-indent
		}
		for _, word := range strings.Fields(para) {
			w := []rune(word)
			ww := t.width(st, w)
			if len(line) > 0 && lineW+space+ww <= avail {
				line = append(append(line, ' '), w...)
				lineW += space + ww
				continue
			}
			if len(line) > 0 {
				flush()
			}
			for ww > avail && len(w) > 1 {
				cut := t.fitHyphenated(st, w, avail)
				line = append(append([]rune{}, w[:cut]...), '-')
				flush()
				w = w[cut:]
				ww = t.width(st, w)
			}
			line, lineW = w, ww
		}
		flush()
	}
	return lines
}

// fitHyphenated is how many runes of w fit in avail with a hyphen after
// them; at least one, so wrapping always progresses.
func (t *textRenderer) fitHyphenated(st textStyle, w []rune, avail float64) int {
	used := t.glyph(st, '-').advance
	for i, r := range w {
		used += t.glyph(st, r).advance
		if used > avail {
			return max(1, i)
		}
	}
	return len(w)
}

// blockParagraphs splits ^FB text at its line breaks \& and turns \\ into
// a backslash (ZPL II guide, ^FB "Comments").
func blockParagraphs(text []rune) []string {
	var paras []string
	var cur []rune
	for i := 0; i < len(text); i++ {
		if text[i] == '\\' && i+1 < len(text) {
			switch text[i+1] {
			case '&':
				paras = append(paras, string(cur))
				cur = nil
				i++
				continue
			case '\\':
				cur = append(cur, '\\')
				i++
				continue
			}
		}
		cur = append(cur, text[i])
	}
	return append(paras, string(cur))
}
