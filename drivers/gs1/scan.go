package gs1

import (
	"fmt"
	"strings"
)

// How ParseScan reads a frame that has no AIM symbology identifier
// (Options.Untagged).
const (
	UntaggedAuto  = "auto"  // GS1 when the data is a valid element string (or starts with FNC1, or is bracketed HRI), else plain
	UntaggedGS1   = "gs1"   // always GS1: an invalid element string is an error
	UntaggedPlain = "plain" // never GS1 (bracketed HRI is still recognised)
)

// Options configures parsing for one scanner.
type Options struct {
	// FNC1 is the byte the scanner sends for FNC1 / group separator in
	// addition to GS (0x1D); 0 means GS only. It is replaced by GS in GS1
	// data only, never in plain (non-GS1) barcodes.
	FNC1 byte
	// Untagged says how to read data with no AIM identifier: UntaggedAuto
	// (the default, also for ""), UntaggedGS1 or UntaggedPlain.
	Untagged string
	// SkipRequired leaves out the req= pairing check, for labels that split
	// one item's data over several barcodes (e.g. (02)+(37) in one, (10)+(15)
	// in the next). Check the combined elements with Validate.
	SkipRequired bool
}

// normaliseFNC1 replaces the configured FNC1 substitute by GS.
func (o Options) normaliseFNC1(s string) string {
	if o.FNC1 == 0 || o.FNC1 == GS || strings.IndexByte(s, o.FNC1) < 0 {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == o.FNC1 {
			b[i] = GS
		}
	}
	return string(b)
}

// Scan is one decoded scanner frame. A bad scan has the same fields as a
// good one, only no Elements.
type Scan struct {
	Symbology     string // AIM identifier as sent, e.g. "]C1"; "" when the scanner sends none
	SymbologyName string // e.g. "GS1-128", "Code 128", "GS1 DataMatrix"; "" when unknown
	// GS1 is what the frame announced: a GS1 AIM identifier (]C1, ]d2, ]Q3,
	// ]e0, ]J1), bracketed HRI, or untagged data read as GS1 (see
	// Options.Untagged). A GS1 scan that fails validation keeps it, so that
	// a broken GS1 label is told from a plain bar code.
	GS1 bool
	// Data is the frame after the AIM identifier (FNC1 normalised to GS
	// 0x1D in GS1 data); error positions (Error.Pos) are offsets into it.
	Data     string
	Elements []Element // parsed AIs, in scan order (empty when !GS1 or on error)
}

// Get returns the data of the first element with the AI.
func (s *Scan) Get(ai string) (string, bool) {
	for _, e := range s.Elements {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// Key returns the first GS1 identification key of the scan (SSCC, GTIN, GLN,
// GRAI, GIAI...: the AIs the dictionary marks dlpkey).
func (s *Scan) Key() (Element, bool) {
	for _, e := range s.Elements {
		if IsKey(e.AI) {
			return e, true
		}
	}
	return Element{}, false
}

// GTIN returns the item's GTIN as 14 digits: AI (01) of a GS1 scan, or the
// number of an EAN-13 / UPC-A (]E0) or EAN-8 (]E4) symbol.
func (s *Scan) GTIN() (string, bool) {
	if s.GS1 {
		return s.Get("01")
	}
	if (s.Symbology == "]E0" || s.Symbology == "]E4") && ValidGTIN(s.Data) == nil {
		return strings.Repeat("0", 14-len(s.Data)) + s.Data, true
	}
	return "", false
}

// symbology is what an AIM identifier tells about the data.
type symbology struct {
	name string
	gs1  bool
}

// AIM identifiers with their own meaning (ISO/IEC 15424, GS1 General
// Specifications 5.1.2 "Symbology identifiers").
var aimIDs = map[string]symbology{
	"]C0": {"Code 128", false},
	"]C1": {"GS1-128", true},
	"]d1": {"Data Matrix", false},
	"]d2": {"GS1 DataMatrix", true},
	"]Q1": {"QR Code", false},
	"]Q3": {"GS1 QR Code", true},
	"]e0": {"GS1 DataBar", true},
	"]J1": {"GS1 DotCode", true},
	"]E0": {"EAN-13/UPC-A", false},
	"]E4": {"EAN-8", false},
	"]A0": {"Code 39", false},
	"]I0": {"Interleaved 2 of 5", false},
	"]I1": {"ITF (check digit verified)", false},
}

// aimFamilies names the symbology of other modifiers by its code letter.
var aimFamilies = map[byte]string{
	'A': "Code 39", 'C': "Code 128", 'd': "Data Matrix", 'E': "EAN/UPC",
	'e': "GS1 DataBar", 'F': "Codabar", 'G': "Code 93", 'I': "Interleaved 2 of 5",
	'J': "DotCode", 'L': "PDF417", 'Q': "QR Code", 'z': "Aztec",
}

// aimID splits off an AIM identifier: ']', a code letter, a modifier (digit
// or letter).
func aimID(s string) (symbology, bool) {
	if len(s) < 3 || s[0] != ']' || !isLetter(s[1]) || !isAlnum(s[2]) {
		return symbology{}, false
	}
	if sym, ok := aimIDs[s[:3]]; ok {
		return sym, true
	}
	name := aimFamilies[s[1]]
	if name == "" {
		name = "AIM " + s[:3]
	}
	return symbology{name: name}, true
}

func isLetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

// Identify splits a frame into AIM identifier and data and says whether
// it announces GS1 data, without checking the data: what a scan event
// reports about a frame that cannot be parsed (a framing error).
func Identify(frame []byte, opt Options) *Scan {
	s := string(frame)
	sc := &Scan{Data: s}
	switch sym, ok := aimID(s); {
	case ok:
		sc.Symbology, sc.SymbologyName, sc.Data, sc.GS1 = s[:3], sym.name, s[3:], sym.gs1
	case looksHRI(s):
		sc.SymbologyName, sc.GS1 = "GS1 HRI (manual entry)", true
	case opt.Untagged == UntaggedGS1:
		sc.GS1 = true
	case opt.Untagged != UntaggedPlain && s != "":
		sc.GS1 = s[0] == GS || opt.FNC1 != 0 && s[0] == opt.FNC1 // a leading FNC1 marks GS1 data
	}
	if sc.GS1 && !looksHRI(sc.Data) {
		sc.Data = opt.normaliseFNC1(sc.Data)
	}
	return sc
}

// ParseScan decodes one scanner frame (without the CR/LF suffix): the AIM
// identifier, then GS1 data for GS1 symbologies, untagged data according to
// opt.Untagged, and bracketed HRI "(01)...(17)..." typed by hand (or sent by
// a scanner that reformats GS1 data as HRI, with or without a GS1 AIM
// identifier). One GS right after the identifier (some scanners send the
// symbol's leading FNC1) is skipped; it stays in Data.
//
// The Scan is never nil. When err is not nil the frame is a bad scan: the
// Scan still says what was received (Symbology, GS1 as announced, Data)
// for the error event, but has no Elements and must not be acted on. err
// is an *Error whose Pos is an offset into Scan.Data.
func ParseScan(data []byte, opt Options) (*Scan, error) {
	sc := Identify(data, opt)
	switch opt.Untagged {
	case "", UntaggedAuto, UntaggedGS1, UntaggedPlain:
	default: // a configuration mistake: report it on the first scan, whatever it is
		return sc, &Error{Pos: -1, Reason: fmt.Sprintf("unknown Untagged mode %q (want auto, gs1 or plain)", opt.Untagged)}
	}
	if len(data) == 0 {
		return sc, errorf("", 0, "empty scan")
	}
	if sc.GS1 {
		return sc.parseGS1(opt)
	}
	if sc.Symbology == "" && opt.Untagged != UntaggedPlain {
		// auto: GS1 when the data is a valid element string
		norm := opt.normaliseFNC1(sc.Data)
		if elems, err := parseElements(norm, opt.SkipRequired); err == nil {
			sc.GS1, sc.Data, sc.Elements = true, norm, elems
		}
	}
	return sc, nil
}

// parseGS1 parses sc.Data as a GS1 element string, or as bracketed HRI,
// which typed entry and scanners set to "parse GS1 to HRI" send; an element
// string never starts with "(".
func (sc *Scan) parseGS1(opt Options) (*Scan, error) {
	var elems []Element
	var err *Error
	if looksHRI(sc.Data) {
		elems, err = parseHRI(sc.Data, opt.SkipRequired)
	} else {
		elems, err = parseElements(sc.Data, opt.SkipRequired)
	}
	if err != nil {
		return sc, err
	}
	sc.Elements = elems
	return sc, nil
}
