package zpl

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// bind checks the data against the template's fields and returns the
// normalised values in field order ("" = not given).
func (t *template) bind(data map[string]string) ([]string, error) {
	vals := make([]string, len(t.fields))
	var errs []*FieldError
	for k, v := range data {
		i, ok := t.index[k]
		if !ok {
			errs = append(errs, &FieldError{Template: t.name, Field: k, Reason: "unknown field (see the template's field list)"})
			continue
		}
		if v == "" {
			continue
		}
		nv, reason := t.fields[i].normalize(v)
		if reason != "" {
			errs = append(errs, &FieldError{Template: t.name, Field: k, Reason: reason})
			continue
		}
		vals[i] = nv
	}
	for _, f := range t.fields {
		if f.Required && data[f.Name] == "" {
			errs = append(errs, &FieldError{Template: t.name, Field: f.Name, Reason: "required field is missing"})
		}
	}
	return vals, joinFieldErrors(errs)
}

// joinFieldErrors orders errors by field so messages are stable.
func joinFieldErrors(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return errors.Join(all...)
}

// layout is one render in progress: the label at one resolution.
type layout struct {
	t              *template
	vals           []string
	dpi            int
	scale          float64 // dots per template unit
	labelW, labelH int
	out            []byte
	errs           []*FieldError
	logistic       logisticState // GS1-128 symbols of a logistic label
}

func (t *template) newLayout(dst []byte, vals []string, dpi int) *layout {
	l := &layout{t: t, vals: vals, dpi: dpi, out: dst, logistic: logisticState{ssccTop: -1, otherTop: -1}}
	if t.designDPI > 0 {
		l.scale = float64(dpi) / float64(t.designDPI)
	} else {
		l.scale = float64(dpi) / 25.4
	}
	l.labelW, l.labelH = l.dots(t.width), l.dots(t.height)
	return l
}

// render appends the label's ZPL to dst.
func (t *template) render(dst []byte, vals []string, dpi, copies int) ([]byte, error) {
	l := t.newLayout(dst, vals, dpi)
	l.raw("^XA\n^CI28\n^PW")
	l.num(l.labelW)
	l.raw("\n^LL")
	l.num(l.labelH)
	l.raw("\n^LH0,0\n")
	syms := l.gs1Symbols()
	for i := range t.elements {
		e := &t.elements[i]
		if !l.present(e.when, e.unless) {
			continue
		}
		switch e.kind {
		case elemGS1128, elemGS1DataMatrix:
			if syms != nil {
				l.gs1(e, syms[i])
			}
		default:
			l.element(e)
		}
	}
	l.checkSSCCLowest()
	l.raw("^PQ")
	l.num(copies)
	l.raw("\n^XZ\n")
	if err := joinFieldErrors(l.errs); err != nil {
		return nil, err
	}
	return l.out, nil
}

func (l *layout) dots(v float64) int { return int(math.Round(v * l.scale)) }

// moduleDots converts a bar or cell width to whole dots, rounding up so a
// symbol is never narrower than designed (within 1/20 dot).
func (l *layout) moduleDots(v float64) int {
	return max(1, int(math.Ceil(v*l.scale-0.05)))
}

func (l *layout) toMM(dots int) float64 { return float64(dots) * 25.4 / float64(l.dpi) }

func (l *layout) present(when, unless []int) bool {
	for _, i := range when {
		if l.vals[i] == "" {
			return false
		}
	}
	for _, i := range unless {
		if l.vals[i] != "" {
			return false
		}
	}
	return true
}

func (l *layout) fail(field, format string, args ...any) {
	l.errs = append(l.errs, &FieldError{Template: l.t.name, Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (l *layout) raw(s string) { l.out = append(l.out, s...) }
func (l *layout) num(n int)    { l.out = strconv.AppendInt(l.out, int64(n), 10) }

// fo writes "^FOx,y".
func (l *layout) fo(x, y int) {
	l.raw("^FO")
	l.num(x)
	l.out = append(l.out, ',')
	l.num(y)
}

func (l *layout) element(e *element) {
	if e.kind == elemBox {
		l.box(e)
		return
	}
	data, ok := e.content.expand(l.vals)
	if !ok {
		return // a placeholder's field is empty: the element is left off
	}
	field := e.content.firstField(l.t.fields) // names the data's origin in errors
	switch e.kind {
	case elemText:
		l.text(e, data, field)
	case elemCode128:
		l.code128(e, data, field)
	case elemDataMatrix:
		l.dataMatrix(e, data, field)
	case elemQR:
		l.qr(e, data, field)
	}
}

func (l *layout) box(e *element) {
	t := max(1, l.dots(e.thickness))
	x, y := l.dots(e.x), l.dots(e.y)
	w, h := max(l.dots(e.width), t), max(l.dots(e.height), t)
	if x+w > l.labelW || y+h > l.labelH {
		l.fail("", "box at line %d falls off the label", e.line)
		return
	}
	l.fo(x, y)
	l.raw("^GB")
	l.num(w)
	l.out = append(l.out, ',')
	l.num(h)
	l.out = append(l.out, ',')
	l.num(t)
	l.raw("^FS\n")
}

// text writes s in a ^FB block of e.lines lines, in e.size or smaller down
// to e.minSize; field names the data's origin for errors.
func (l *layout) text(e *element, s, field string) {
	font := max(1, l.dots(e.size))
	minFont := font
	if e.minSize > 0 {
		minFont = max(1, l.dots(e.minSize))
	}
	l.textBlock(s, field, l.dots(e.x), l.dots(e.y), l.dots(e.width), font, minFont, e.lines, e.align)
}

// textBlock writes s at x,y in a block w dots wide of lines lines, in the
// largest font from font down to minFont (dots) in which it fits.
func (l *layout) textBlock(s, field string, x, y, w, font, minFont, lines int, align byte) {
	if x < 0 || x+w > l.labelW || y+lines*font > l.labelH {
		l.fail(field, "text block at %.1f,%.1f mm (%.1f mm wide, %d line(s)) falls off the label", l.toMM(x), l.toMM(y), l.toMM(w), lines)
		return
	}
	fits := func(f int) bool { return linesNeeded(s, float64(w)/float64(f)) <= lines }
	if !fits(font) {
		if !fits(minFont) {
			l.fail(field, "text %q is too long for the label: needs about %d line(s) at %.1f mm, room for %d",
				s, linesNeeded(s, float64(w)/float64(minFont)), l.toMM(minFont), lines)
			return
		}
		// Binary search for the largest size that fits; minFont fits.
		lo, hi := minFont, font-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(mid) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		font = lo
	}
	l.fo(x, y)
	l.raw("^A0N,")
	l.num(font)
	l.out = append(l.out, ',')
	l.num(font)
	l.raw("^FB")
	l.num(w)
	l.out = append(l.out, ',')
	l.num(lines)
	l.raw(",0,")
	l.out = append(l.out, align)
	l.raw(",0^FH^FD")
	l.out = appendEscaped(l.out, s, true)
	l.raw("^FS\n")
}
