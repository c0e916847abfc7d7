package preview

import (
	"fmt"
	"image"
	"math"

	"github.com/boombuler/barcode"
)

// Barcode is where the preview drew a bar code, so that a caller can crop
// it (the tests decode each one) or highlight it.
type Barcode struct {
	Symbology string          // "code128", "datamatrix" or "qr"
	Bounds    image.Rectangle // the symbol on the image, without quiet zone or text
}

// barcodeOrientation is the o parameter of a bar code command, ^FW's if
// absent.
func (it *interp) barcodeOrientation(p []string) orientation {
	return it.orientation(it.f.shape, param(p, 0), it.fw)
}

// yes reads a Y/N parameter.
func yes(p []string, i int, def bool) bool {
	switch firstByte(param(p, i), 0) {
	case 'Y':
		return true
	case 'N':
		return false
	}
	return def
}

// drawCode128 draws ^BCo,h,f,g,e,m.
func (it *interp) drawCode128(data []byte) {
	p := params(it.f.shape.args)
	cmd := it.f.shape.String()
	o := it.barcodeOrientation(p)
	height := clamp(atoi(p, 1, it.barHeight), 1, 32000)
	showText, textAbove := yes(p, 2, true), yes(p, 3, false)
	if yes(p, 4, false) {
		it.warns.add(cmd, "the UCC check digit (e=Y) is not drawn by the preview")
	}
	var sym *c128Symbol
	switch mode := firstByte(param(p, 5), 'N'); mode {
	case 'N':
		sym = encodeC128Manual(data)
	case 'A', 'D', 'U':
		if mode == 'U' {
			it.warns.add(cmd, "UCC case mode U is previewed as automatic mode A")
		}
		items, text, warns := c128Items(data, mode == 'D')
		sym = encodeC128Auto(items)
		sym.text = text
		sym.warns = append(warns, sym.warns...)
	default:
		it.warns.add(cmd, fmt.Sprintf("mode %c is not N, U, A or D; using N", mode))
		sym = encodeC128Manual(data)
	}
	for _, w := range sym.warns {
		it.warns.add(cmd, w)
	}
	if len(sym.values) < 2 {
		it.warns.add(cmd, "no data to encode; nothing drawn")
		return
	}
	mods := sym.modules()
	width := len(mods) * it.module

	var st textStyle
	textH, gap := 0, 0
	if showText {
		st = it.interpretationStyle()
		textH, gap = st.height, max(2, st.height/6)
	}
	barsTop := 0
	if showText && textAbove {
		barsTop = textH + gap
	}
	s := it.newSurface(cmd, o, image.Pt(width, height+textH+gap), image.Pt(0, barsTop+height))
	for i := 0; i < len(mods); {
		j := i
		for j < len(mods) && mods[j] == mods[i] {
			j++
		}
		if mods[i] {
			s.fill(image.Rect(i*it.module, barsTop, j*it.module, barsTop+height))
		}
		i = j
	}
	it.record("code128", s, image.Rect(0, barsTop, width, barsTop+height))
	if showText {
		runes := it.runes([]byte(sym.text))
		x := (float64(width) - it.text.width(st, runes)) / 2
		baseline := barsTop + height + gap + st.ascent()
		if textAbove {
			baseline = st.ascent()
		}
		it.text.draw(s, st, runes, x, baseline, 0)
		it.noteMissingGlyphs()
	}
}

// interpretationStyle is the font of a bar code's human-readable line: the
// field's ^A font if one was given before the bar code command, else a
// monospaced face sized from the module width as the printer does.
func (it *interp) interpretationStyle() textStyle {
	if it.f.font != nil {
		return it.style(*it.f.font)
	}
	h := max(12, 9*it.module+4)
	return textStyle{face: it.text.fonts.mono, height: h, scaleX: 1}
}

// c128Items reads ^BC data for the automatic modes A and D: invocation
// codes >8 (FNC1), >< ('^'), >0 ('>'), >= ('~'), the characters of the same
// symbol values as in mode N. In mode D (GS1-128) the
// symbol starts with FNC1, and parentheses and spaces are left out of the
// symbol but kept in the interpretation line.
func c128Items(data []byte, gs1 bool) ([]int, string, []string) {
	var items []int
	var text []byte
	var warns []string
	if gs1 {
		items = append(items, c128FNC1Item)
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '>' && i+1 < len(data):
			i++
			switch data[i] {
			case '8':
				items = append(items, c128FNC1Item)
			case '<':
				items, text = append(items, '^'), append(text, '^')
			case '0':
				items, text = append(items, '>'), append(text, '>')
			case '=':
				items, text = append(items, '~'), append(text, '~')
			default:
				warns = append(warns, fmt.Sprintf("invocation >%c is not used in automatic modes; ignored", data[i]))
			}
		case gs1 && (c == '(' || c == ')' || c == ' '):
			text = append(text, c)
		default:
			items, text = append(items, int(c)), append(text, c)
		}
	}
	return items, string(text), warns
}

// drawDataMatrix draws ^BXo,h,s,c,r,f,g,a.
func (it *interp) drawDataMatrix(data []byte) {
	p := params(it.f.shape.args)
	cmd := it.f.shape.String()
	o := it.barcodeOrientation(p)
	if q := atoi(p, 2, 0); q != 200 {
		it.warns.add(cmd, fmt.Sprintf("quality %d (ECC 000–140) is not supported by the preview; drawn as ECC 200, which the printer would not print", q))
	}
	if firstByte(param(p, 7), '1') == '2' {
		it.warns.add(cmd, "rectangular Data Matrix is previewed as square")
	}
	content, warns, ok := dataMatrixData(data, firstByte(param(p, 6), '~'))
	for _, w := range warns {
		it.warns.add(cmd, w)
	}
	if !ok {
		return
	}
	code, err := encodeDataMatrix(content)
	if err != nil {
		it.warns.add(cmd, err.Error())
		return
	}
	n := code.Bounds().Dx()
	if c, r := atoi(p, 3, 0), atoi(p, 4, 0); (c != 0 && c != n) || (r != 0 && r != n) {
		it.warns.add(cmd, fmt.Sprintf("requested %d×%d modules; the preview draws the smallest size, %d×%d", c, r, n, n))
	}
	module := atoi(p, 1, 0)
	if module <= 0 {
		module = max(1, int(math.Round(float64(it.barHeight)/float64(n))))
	}
	it.drawMatrix("datamatrix", cmd, o, code, clamp(module, 1, 1000))
}

// drawQR draws ^BQa,b,c,d,e with ^FD<level><mode>,<data>.
func (it *interp) drawQR(data []byte) {
	p := params(it.f.shape.args)
	cmd := it.f.shape.String()
	o := it.barcodeOrientation(p)
	if m := atoi(p, 1, 2); m != 2 {
		it.warns.add(cmd, fmt.Sprintf("QR model %d is previewed as model 2", m))
	}
	// The printer's default magnification is 1 at 150 dpi, 2 at 200 dpi,
	// 3 at 300 dpi and 6 at 600 dpi.
	mag := clamp(atoi(p, 2, max(1, it.dpi/100)), 1, 100)
	req, err := parseQRData(data)
	if err != nil {
		it.warns.add(cmd, err.Error()+"; nothing drawn")
		return
	}
	code, err := encodeQR(req)
	if err != nil {
		it.warns.add(cmd, err.Error())
		return
	}
	it.drawMatrix("qr", cmd, o, code, mag)
}

// drawMatrix paints a 2D symbol with square modules of the given size.
func (it *interp) drawMatrix(symbology, cmd string, o orientation, code barcode.Barcode, module int) {
	b := code.Bounds()
	size := image.Pt(b.Dx()*module, b.Dy()*module)
	s := it.newSurface(cmd, o, size, image.Pt(0, size.Y))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		x := b.Min.X
		for x < b.Max.X {
			if !dark(code, x, y) {
				x++
				continue
			}
			start := x
			for x < b.Max.X && dark(code, x, y) {
				x++
			}
			fy := (y - b.Min.Y) * module
			s.fill(image.Rect((start-b.Min.X)*module, fy, (x-b.Min.X)*module, fy+module))
		}
	}
	it.record(symbology, s, image.Rectangle{Max: size})
}

func dark(code barcode.Barcode, x, y int) bool {
	r, _, _, _ := code.At(x, y).RGBA()
	return r < 0x8000
}

// record notes a drawn symbol; r is in field coordinates.
func (it *interp) record(symbology string, s *surface, r image.Rectangle) {
	it.barcodes = append(it.barcodes, Barcode{Symbology: symbology, Bounds: s.rotatedRect(r).Add(s.origin)})
}
