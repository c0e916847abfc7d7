package preview

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Options sizes the preview.
type Options struct {
	// DPI is the printer's resolution in dots per inch: 203 (8 dots/mm,
	// the default when 0), 300 (12 dots/mm) or 600 (24 dots/mm).
	DPI int
	// WidthDots and HeightDots fix the label size. 0 takes it from the
	// label's ^PW / ^LL, else 4×6 in at DPI.
	WidthDots, HeightDots int
	// FallbackFonts are font files tried for characters the bundled Go
	// fonts lack (Chinese, Japanese, Korean). nil uses
	// DefaultFallbackFonts; missing files are skipped.
	FallbackFonts []string
}

// Warning is something in the ZPL the preview could not show as the
// printer would: an unsupported command, a field off the label, a
// character no font has. Command is the ZPL command (like "^BC").
type Warning struct {
	Command string
	Reason  string
}

func (w Warning) String() string { return w.Command + ": " + w.Reason }

// Result is a rendered label.
type Result struct {
	// Image is the label, black on white, one pixel per printer dot. When
	// there are warnings they are printed in a band below the label.
	Image *image.Gray
	// Label is the label's area of Image (the top WidthDots×HeightDots).
	Label    image.Rectangle
	Warnings []Warning
	// Labels is how many label formats (^XA…^XZ) the data holds; only the
	// first is rendered.
	Labels int
	// Barcodes lists the bar codes drawn, in the order of the ZPL.
	Barcodes []Barcode
}

// ErrNoLabel is returned for data without a ^XA label format.
var ErrNoLabel = errors.New("no ^XA label format in the data")

// Render draws the first label format in zpl.
func Render(zpl []byte, opt Options) (*Result, error) {
	dpi := opt.DPI
	if dpi == 0 {
		dpi = 203
	}
	if dpi < 100 || dpi > 1200 {
		return nil, fmt.Errorf("preview: DPI %d out of range 100–1200", dpi)
	}
	if opt.WidthDots < 0 || opt.HeightDots < 0 {
		return nil, fmt.Errorf("preview: negative label size %d×%d", opt.WidthDots, opt.HeightDots)
	}
	cmds := lex(zpl)
	first, labels := -1, 0
	for i, c := range cmds {
		if c.name == "XA" {
			if first < 0 {
				first = i
			}
			labels++
		}
	}
	if first < 0 {
		return nil, ErrNoLabel
	}
	cmds = cmds[first:]

	fonts, err := goFonts()
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	fallbackPaths := opt.FallbackFonts
	if fallbackPaths == nil {
		fallbackPaths = DefaultFallbackFonts
	}
	warns := &warnings{}
	size := labelSize(cmds, opt, dpi, warns)
	img := image.NewGray(image.Rectangle{Max: size})
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	it := newInterp(img, dpi, newTextRenderer(fonts, loadFallbacks(fallbackPaths)), warns)
	it.run(cmds)

	res := &Result{Image: img, Label: img.Rect, Warnings: warns.list, Labels: labels, Barcodes: it.barcodes}
	if len(res.Warnings) > 0 {
		res.Image = withFooter(img, res.Warnings, it.text, dpi)
	}
	return res, nil
}

// PNG renders the first label format in zpl as a PNG.
func PNG(zpl []byte, opt Options) ([]byte, []Warning, error) {
	res, err := Render(zpl, opt)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, bilevel(res.Image)); err != nil {
		return nil, nil, fmt.Errorf("preview: encode PNG: %w", err)
	}
	return buf.Bytes(), res.Warnings, nil
}

// bilevel copies a black-and-white image into a two-colour palette, which
// the PNG encoder writes at one bit per dot: smaller and faster to encode
// than 8-bit grey.
func bilevel(g *image.Gray) *image.Paletted {
	p := image.NewPaletted(g.Rect, color.Palette{color.Black, color.White})
	for i, v := range g.Pix {
		if v >= 0x80 {
			p.Pix[i] = 1
		}
	}
	return p
}

// labelSize is the label in dots: the options, else the last ^PW / ^LL of
// the format, else 4×6 in.
func labelSize(cmds []command, opt Options, dpi int, warns *warnings) image.Point {
	w, h := 4*dpi, 6*dpi
	for _, c := range cmds {
		if c.name == "XZ" {
			break
		}
		p := params(c.args)
		switch c.name {
		case "PW":
			w = atoi(p, 0, w)
		case "LL":
			h = atoi(p, 0, h)
		}
	}
	if opt.WidthDots > 0 {
		w = opt.WidthDots
	}
	if opt.HeightDots > 0 {
		h = opt.HeightDots
	}
	if w < 1 || h < 1 || w > maxLabelDots || h > maxLabelDots {
		warns.add("^PW", fmt.Sprintf("label size %d×%d dots is outside 1–%d; clipped", w, h, maxLabelDots))
		w, h = clamp(w, 1, maxLabelDots), clamp(h, 1, maxLabelDots)
	}
	return image.Pt(w, h)
}

// warnings collects warnings once each, in the order first seen.
type warnings struct {
	list []Warning
	seen map[Warning]bool
}

func (w *warnings) add(cmd, reason string) {
	wn := Warning{Command: cmd, Reason: reason}
	if w.seen[wn] {
		return
	}
	if w.seen == nil {
		w.seen = map[Warning]bool{}
	}
	w.seen[wn] = true
	w.list = append(w.list, wn)
}

// withFooter returns label with the warnings printed below it, so that a
// technician looking only at the picture still sees them.
func withFooter(label *image.Gray, list []Warning, text *textRenderer, dpi int) *image.Gray {
	st := textStyle{face: text.fonts.regular, height: max(12, dpi/12), scaleX: 1}
	width := label.Rect.Dx()
	margin := st.height / 2
	var lines [][]rune
	for _, w := range list {
		lines = append(lines, text.wrap(st, []rune("⚠ "+w.String()), float64(width-2*margin), float64(st.height))...)
	}
	pitch := int(math.Round(1.2 * float64(st.height)))
	footer := margin + len(lines)*pitch + margin
	img := image.NewGray(image.Rect(0, 0, width, label.Rect.Dy()+footer))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	copy(img.Pix, label.Pix)
	top := label.Rect.Dy()
	fillRect(img, image.Rect(0, top, width, top+max(1, dpi/100)), paintBlack)
	s := &surface{img: img, orient: 'N', size: img.Rect.Size()}
	for i, line := range lines {
		text.draw(s, st, line, float64(margin), top+margin+i*pitch+st.ascent(), 0)
	}
	clear(text.missing) // boxes in the footer need no warning of their own
	return img
}
