package preview

import "image"

// paint says what drawing a dot does to the label.
type paint uint8

const (
	paintBlack   paint = iota
	paintWhite         // ^GB with colour W
	paintReverse       // ^FR: the field inverts what lies below it
)

// orientation is a ZPL field rotation: N, R (90° clockwise), I (180°) or B
// (270°, read bottom up).
type orientation byte

func parseOrientation(s string, def orientation) (orientation, bool) {
	if s == "" {
		return def, true
	}
	switch o := orientation(s[0] &^ 0x20); o { // upper-case the letter
	case 'N', 'R', 'I', 'B':
		return o, true
	}
	return def, false
}

// surface draws one field onto the label. The field is laid out in its own
// unrotated coordinates (0,0 = top left of its nominal box of size size);
// the surface rotates and moves it into place and clips to the label.
type surface struct {
	img    *image.Gray
	mode   paint
	orient orientation
	size   image.Point
	origin image.Point // label position of the rotated box's top-left
}

// rotate maps a field point to its offset from origin after rotation.
func (s *surface) rotate(p image.Point) image.Point {
	w, h := s.size.X, s.size.Y
	switch s.orient {
	case 'R':
		return image.Pt(h-1-p.Y, p.X)
	case 'I':
		return image.Pt(w-1-p.X, h-1-p.Y)
	case 'B':
		return image.Pt(p.Y, w-1-p.X)
	}
	return p
}

// place positions the field: with typeset false the rotated nominal box's
// top-left lands on at (^FO); with typeset true the field's anchor point
// lands on at (^FT).
func (s *surface) place(at image.Point, typeset bool, anchor image.Point) {
	if !typeset {
		s.origin = at.Sub(s.boxMin())
		return
	}
	s.origin = at.Sub(s.rotate(anchor))
}

// boxMin is the rotated nominal box's top-left relative to origin.
func (s *surface) boxMin() image.Point {
	return s.rotatedRect(image.Rectangle{Max: s.size}).Min
}

// rotatedRect maps a field rectangle to origin-relative rotated coordinates.
func (s *surface) rotatedRect(r image.Rectangle) image.Rectangle {
	if r.Empty() {
		return image.Rectangle{}
	}
	a := s.rotate(r.Min)
	b := s.rotate(r.Max.Sub(image.Pt(1, 1)))
	return image.Rectangle{
		Min: image.Pt(min(a.X, b.X), min(a.Y, b.Y)),
		Max: image.Pt(max(a.X, b.X)+1, max(a.Y, b.Y)+1),
	}
}

// bounds is the field's nominal box on the label.
func (s *surface) bounds() image.Rectangle {
	return s.rotatedRect(image.Rectangle{Max: s.size}).Add(s.origin)
}

// fill paints a field rectangle.
func (s *surface) fill(r image.Rectangle) {
	fillRect(s.img, s.rotatedRect(r).Add(s.origin), s.mode)
}

// fillRect paints a label rectangle, clipped to the image.
func fillRect(img *image.Gray, r image.Rectangle, mode paint) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		switch mode {
		case paintBlack:
			clear(row)
		case paintWhite:
			for i := range row {
				row[i] = 0xff
			}
		case paintReverse:
			for i := range row {
				row[i] ^= 0xff
			}
		}
	}
}

// visible reports whether field rectangle r reaches the label.
func (s *surface) visible(r image.Rectangle) bool {
	return s.rotatedRect(r).Add(s.origin).Overlaps(s.img.Rect)
}

// fillMask paints the dots of an alpha mask whose top-left sits at field
// point at. Coverage of half or more counts as a dot: a thermal printer
// has no grey.
func (s *surface) fillMask(m *image.Alpha, at image.Point) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for y := range h {
		row := m.Pix[y*m.Stride : y*m.Stride+w]
		for x := 0; x < w; {
			if row[x] < 0x80 {
				x++
				continue
			}
			start := x
			for x < w && row[x] >= 0x80 {
				x++
			}
			s.fill(image.Rect(at.X+start, at.Y+y, at.X+x, at.Y+y+1))
		}
	}
}
