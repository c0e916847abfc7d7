package zpl

import (
	"fmt"
	"slices"

	"github.com/dockhand/dockhand/drivers/gs1"
)

// GS1-128 symbols on a GS1 logistic label (GS1 General Specifications,
// symbol specification table for GS1-128 on logistic units, 5.4.4 and
// 6.6.4; GS1 Logistic Label Guideline): X from 0.495 to 1.016 mm, bars at
// least 31.75 mm high, quiet zones of 10X, at most 48 data characters and
// 165.10 mm including quiet zones per symbol, picket fence orientation, and
// the SSCC alone in the lowest symbol. Every GS1-128 element of a template
// must meet them unless the template says internal-only: true. The limit of
// 48 data characters needs no check of its own: 49 take at least 28 symbol
// characters, over 165.10 mm at X 0.495 mm (the conformance test measures
// it anyway).
const (
	gs1MinX      = 0.495  // mm
	gs1MaxX      = 1.016  // mm
	gs1MinHeight = 31.75  // mm
	gs1MaxLength = 165.10 // mm, quiet zones included
)

// logisticState follows the GS1-128 symbols of a logistic label as they
// are placed, for the rule across symbols: the SSCC's top edge and field,
// and the lowest top edge of any other symbol with its first AI (-1: none).
type logisticState struct {
	ssccTop, otherTop  int
	ssccField, otherAI string
}

// isLogistic reports whether a GS1-128 symbol of element e must meet the
// logistic label specification.
func (l *layout) isLogistic(e *element) bool {
	return e.kind == elemGS1128 && !l.t.internalOnly
}

// checkLogisticSymbol checks a placed symbol's printed size: module m and
// bar height h in dots.
func (l *layout) checkLogisticSymbol(m, h int, field string) bool {
	x := l.toMM(m)
	switch {
	case x < gs1MinX || x > gs1MaxX:
		l.fail(field, "GS1-128 X-dimension would be %.3f mm at %d dpi; a GS1 logistic label needs %.3f to %.3f mm", x, l.dpi, gs1MinX, gs1MaxX)
	case l.toMM(h) < gs1MinHeight:
		l.fail(field, "GS1-128 bars would be %.2f mm high at %d dpi; a GS1 logistic label needs at least %.2f mm", l.toMM(h), l.dpi, gs1MinHeight)
	default:
		return true
	}
	return false
}

// notePlaced records a placed GS1-128 symbol of a logistic label whose
// top edge is at y; an SSCC symbol with other AIs is refused at once.
func (l *layout) notePlaced(sym *gs1Symbol, y int) bool {
	st := &l.logistic
	i := slices.IndexFunc(sym.elems, func(e gs1.Element) bool { return e.AI == "00" })
	switch {
	case i < 0:
		if y >= st.otherTop {
			st.otherTop, st.otherAI = y, sym.elems[0].AI
		}
	case len(sym.elems) > 1:
		l.fail(sym.owners[i], "GS1 logistic label: the SSCC (00) must be alone in its GS1-128 symbol")
		return false
	default:
		st.ssccTop, st.ssccField = y, sym.owners[i]
	}
	return true
}

// checkSSCCLowest applies GS1 General Specifications 6.6.4.1.1: the SSCC
// is in the lowest GS1-128 symbol of the label.
func (l *layout) checkSSCCLowest() {
	if st := l.logistic; st.ssccTop >= 0 && st.otherTop >= st.ssccTop {
		l.fail(st.ssccField, "GS1 logistic label: the SSCC symbol must be the lowest GS1-128 symbol; AI (%s) is printed at or below it", st.otherAI)
	}
}

// logisticTooWide explains a GS1-128 symbol of a logistic label that does
// not fit at module m, the smallest whole-dot X the specification allows:
// the width the symbol needs with its quiet zones, and the width there is
// (the label's, or the 165.10 mm a symbol may take at most).
func (l *layout) logisticTooWide(c code128, m int) string {
	need := l.toMM((c.modules() + 2*code128QuietModules) * m)
	room := fmt.Sprintf("%.1f mm are available (the label's width)", l.toMM(l.labelW))
	if l.toMM(l.labelW) > gs1MaxLength {
		room = fmt.Sprintf("%.2f mm are allowed", gs1MaxLength)
	}
	return fmt.Sprintf("GS1-128 symbol needs %.1f mm with its quiet zones at X %.3f mm (%d dots at %d dpi), but only %s "+
		"(GS1 logistic label: X at least %.3f mm, quiet zones 10X, at most %.2f mm per symbol); shorten the data",
		need, l.toMM(m), m, l.dpi, room, gs1MinX, gs1MaxLength)
}
