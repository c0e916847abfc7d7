package zpl

import (
	"errors"
	"slices"
	"strings"

	"github.com/dockhand/dockhand/drivers/gs1"

	"github.com/boombuler/barcode/qr"
)

func (l *layout) code128(e *element, data, field string) {
	if reason := checkCode128Data(data); reason != "" {
		l.fail(field, "%s", reason)
		return
	}
	l.linear(e, encodeCode128(data, false), data, field, nil)
}

// gs1Symbol is the data of one GS1 bar code element of the label, with the
// field each AI's value came from.
type gs1Symbol struct {
	elems  []gs1.Element
	owners []string
}

// gs1Symbols collects the AIs of every GS1 element whose conditions hold
// and whose values are given, and checks them together as GS1 asks for
// the symbols of one label (values, check digits, required AI pairs).
// The result is indexed like t.elements.
func (l *layout) gs1Symbols() []gs1Symbol {
	var syms []gs1Symbol
	var all []gs1.Element
	var owners []string
	for i := range l.t.elements {
		e := &l.t.elements[i]
		if e.kind != elemGS1128 && e.kind != elemGS1DataMatrix || !l.present(e.when, e.unless) {
			continue
		}
		if syms == nil {
			syms = make([]gs1Symbol, len(l.t.elements))
		}
		for _, a := range e.ais {
			if !l.present(a.when, a.unless) {
				continue
			}
			if v, ok := a.value.expand(l.vals); ok {
				owner := a.value.firstField(l.t.fields)
				syms[i].elems = append(syms[i].elems, gs1.Element{AI: a.ai, Value: v})
				syms[i].owners = append(syms[i].owners, owner)
				all = append(all, gs1.Element{AI: a.ai, Value: v})
				owners = append(owners, owner)
			}
		}
	}
	if err := gs1.Validate(all); err != nil {
		field := ""
		var ge *gs1.Error
		if errors.As(err, &ge) {
			if i := slices.IndexFunc(all, func(e gs1.Element) bool { return e.AI == ge.AI }); i >= 0 {
				field = owners[i]
			}
		}
		l.fail(field, "GS1 data cannot be encoded: %v", err)
		return nil
	}
	return syms
}

// gs1 writes a GS1-128 or GS1 DataMatrix symbol.
func (l *layout) gs1(e *element, sym gs1Symbol) {
	if len(sym.elems) == 0 {
		return
	}
	es := gs1.ElementString(sym.elems)
	hri := gs1.HRI(sym.elems)
	// A symbol that does not fit is blamed on its longest value.
	owner, longest := sym.owners[0], 0
	for i, el := range sym.elems {
		if len(el.Value) > longest {
			owner, longest = sym.owners[i], len(el.Value)
		}
	}
	if e.kind == elemGS1DataMatrix {
		l.matrix(e, "^BXN,", ",200,,,,_^FD_1"+dataMatrixEscape(es)+"^FS\n", dataMatrixSize(es, true), 1, hri, owner)
		return
	}
	var logistic *gs1Symbol
	if l.isLogistic(e) {
		logistic = &sym
	}
	l.linear(e, encodeCode128(es, true), hri, owner, logistic)
}

// linear places a Code 128 symbol, using the widest module between
// e.module and e.minModule that keeps it and its quiet zones on the label.
// logistic is set for a GS1-128 symbol of a GS1 logistic label, which must
// also meet that specification; it is recorded for the checks across
// symbols.
func (l *layout) linear(e *element, c code128, hri, field string, logistic *gs1Symbol) {
	lo, hi := l.moduleDots(e.minModule), l.moduleDots(e.module)
	y, h := l.dots(e.y), l.dots(e.height)
	for m := hi; m >= lo; m-- {
		w, quiet := c.modules()*m, code128QuietModules*m
		x, ok := l.place(e, w, quiet)
		if !ok || logistic != nil && l.toMM(w+2*quiet) > gs1MaxLength {
			continue
		}
		if logistic != nil && (!l.checkLogisticSymbol(m, h, field) || !l.notePlaced(logistic, y)) {
			return
		}
		l.raw("^BY")
		l.num(m)
		l.fo(x, y)
		l.raw("^BCN,")
		l.num(h)
		l.raw(",N,N,N^FD")
		l.raw(c.fd)
		l.raw("^FS\n")
		l.hri(e, hri, field, x+w/2, y+h)
		return
	}
	if logistic != nil {
		l.fail(field, "%s", l.logisticTooWide(c, lo))
		l.errs[len(l.errs)-1].tooWide = true
		return
	}
	w := (c.modules() + 2*code128QuietModules) * lo
	l.fail(field, "bar code would be %.1f mm wide with its quiet zones and falls off the %.1f mm label; shorten the data", l.toMM(w), l.toMM(l.labelW))
}

// place finds the left edge of a symbol w dots wide that needs quiet dots
// of space on both sides: centred on the label, or at e.x.
func (l *layout) place(e *element, w, quiet int) (int, bool) {
	x := l.dots(e.x)
	if e.align == 'C' {
		x = (l.labelW - w) / 2
	}
	return x, x-quiet >= 0 && x+w+quiet <= l.labelW
}

// hri prints the human-readable text under a symbol: centred on it (cx),
// in a block as wide as the label allows on both sides, e.lines lines (1 if
// not set), in e.hri or smaller down to e.minHRI; top is the symbol's
// bottom edge.
func (l *layout) hri(e *element, s, field string, cx, top int) {
	if e.hri <= 0 {
		return
	}
	font := max(1, l.dots(e.hri))
	minFont := font
	if e.minHRI > 0 {
		minFont = max(1, l.dots(e.minHRI))
	}
	half := min(cx, l.labelW-cx)
	l.textBlock(s, field, cx-half, top+font/4, 2*half, font, minFont, max(1, e.lines), 'C')
}

func (l *layout) dataMatrix(e *element, data, field string) {
	if reason := checkCode128Data(data); reason != "" {
		l.fail(field, "%s", reason)
		return
	}
	l.matrix(e, "^BXN,", ",200,,,,_^FD"+dataMatrixEscape(data)+"^FS\n", dataMatrixSize(data, false), 1, data, field)
}

func (l *layout) qr(e *element, data, field string) {
	level := map[byte]qr.ErrorCorrectionLevel{'L': qr.L, 'M': qr.M, 'Q': qr.Q, 'H': qr.H}[e.ecc]
	// Byte mode is the largest the printer's automatic mode can choose, so
	// this size is an upper bound of what it prints.
	sym, err := qr.Encode(data, level, qr.Unicode)
	if err != nil {
		l.fail(field, "too much data for a QR code: %d bytes", len(data))
		return
	}
	rest := make([]byte, 0, len(data)+16)
	rest = append(rest, "^FH^FD"...)
	rest = append(rest, e.ecc, 'A', ',')
	rest = appendEscaped(rest, data, false)
	rest = append(rest, "^FS\n"...)
	l.matrix(e, "^BQN,2,", string(rest), sym.Bounds().Dx(), 4, data, field)
}

// matrix places a square 2D symbol of size modules with quiet modules of
// margin; cmd and rest are the ZPL before and after the module size.
func (l *layout) matrix(e *element, cmd, rest string, size, quiet int, hri, field string) {
	if size == 0 {
		l.fail(field, "too much data for a DataMatrix symbol")
		return
	}
	lo, hi := l.moduleDots(e.minModule), l.moduleDots(e.module)
	if e.kind == elemQR {
		hi = min(hi, 10) // ^BQ magnification is 1 to 10
	}
	y := l.dots(e.y)
	for m := hi; m >= lo; m-- {
		w := size * m
		x, ok := l.place(e, w, quiet*m)
		if !ok || y+w > l.labelH {
			continue
		}
		l.fo(x, y)
		l.raw(cmd)
		l.num(m)
		l.raw(rest)
		l.hri(e, hri, field, x+w/2, y+w)
		return
	}
	l.fail(field, "%s symbol of %d×%d modules does not fit on the label; shorten the data", map[bool]string{true: "QR", false: "DataMatrix"}[e.kind == elemQR], size, size)
}

// dataMatrixEscape writes data for ^BX with '_' as escape character: '_'
// itself is "__", FNC1 (GS) is "_1", and '^' and '~', which would start ZPL
// commands, are "_d094" and "_d126" (the byte by its decimal value) (ZPL II
// Programming Guide, ^BX escape sequences).
func dataMatrixEscape(s string) string {
	if !strings.ContainsAny(s, "_^~\x1d") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '_':
			b.WriteString("__")
		case gs:
			b.WriteString("_1")
		case '^':
			b.WriteString("_d094")
		case '~':
			b.WriteString("_d126")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// dmCapacity: data codewords of the square ECC 200 symbols, by side in
// modules (ISO/IEC 16022:2006, table 7).
var dmCapacity = []struct{ side, words int }{
	{10, 3}, {12, 5}, {14, 8}, {16, 12}, {18, 18}, {20, 22}, {22, 30}, {24, 36},
	{26, 44}, {32, 62}, {36, 86}, {40, 114}, {44, 144}, {48, 174}, {52, 204},
	{64, 280}, {72, 368}, {80, 456}, {88, 576}, {96, 696}, {104, 816},
	{120, 1050}, {132, 1304}, {144, 1558},
}

// dataMatrixSize is the side of the smallest square symbol holding data
// (ASCII; gs = FNC1) in ASCII encodation, or 0 if none does. Printers may
// pack tighter (C40, Text), never looser, so this is an upper bound.
func dataMatrixSize(data string, fnc1Start bool) int {
	words := 0
	if fnc1Start {
		words++
	}
	for i := 0; i < len(data); i++ {
		if i+1 < len(data) && isDigit(data[i]) && isDigit(data[i+1]) {
			i++
		}
		words++
	}
	for _, c := range dmCapacity {
		if words <= c.words {
			return c.side
		}
	}
	return 0
}
