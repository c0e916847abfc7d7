package epc

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dockhand/dockhand/drivers/gs1"
)

// Scheme names as used in tag URIs (TDS §12, "EPC Tag URI").
const (
	SGTIN96 = "sgtin-96"
	SSCC96  = "sscc-96"
	SGLN96  = "sgln-96"
	GRAI96  = "grai-96"
)

// ErrUnsupported is returned (wrapped) by Decode for an EPC whose header is
// not one of the supported GS1 schemes, e.g. a factory-default or
// user-defined EPC. The tag is still a valid tag: keep its hex EPC.
var ErrUnsupported = errors.New("unsupported EPC header")

// ErrReservedBits is returned (wrapped) by Decode for an SSCC-96 whose
// reserved bits are not all zero: the GS1 standards define no such EPC,
// so it is refused rather than read as the SSCC it would otherwise give.
var ErrReservedBits = errors.New("non-zero reserved bits")

// Decoded is a decoded EPC.
type Decoded struct {
	Scheme        string // SGTIN96, SSCC96, SGLN96 or GRAI96
	URI           string // pure identity, urn:epc:id:sgtin:0614141.812345.6789
	TagURI        string // with filter, urn:epc:tag:sgtin-96:3.0614141.812345.6789
	Filter        int    // 0..7 (e.g. 1 = point of sale item, 2 = case, 3 = pallet for SGTIN)
	CompanyPrefix string // GS1 Company Prefix, 6 to 12 digits
	// Reference is the second URI component: indicator digit + item reference
	// (SGTIN), extension digit + serial reference (SSCC), location reference
	// (SGLN) or asset type (GRAI).
	Reference string
	// Serial is the third URI component: serial number (SGTIN, GRAI) or GLN
	// extension (SGLN); empty for SSCC.
	Serial        string
	AI            string // GS1 Application Identifier of the key: 01, 00, 414, 8003
	GS1Key        string // GTIN-14, SSCC-18, GLN-13, or GRAI (14 digits + serial)
	ElementString string // human readable, e.g. (01)80614141123458(21)6789
}

// partitionCPBits is the width of the company prefix field per partition
// value; the prefix then has 12-partition digits (TDS §14.5 partition tables).
var partitionCPBits = [7]int{40, 37, 34, 30, 27, 24, 20}

// scheme describes one 96-bit coding: header, filter (3 bits), partition
// (3 bits), company prefix, reference, and a last field.
type scheme struct {
	name      string
	idName    string
	header    byte
	keyDigits int    // company prefix + reference digits
	refBits   [7]int // reference width per partition value
	lastBits  int    // serial, extension or (SSCC) reserved bits
	lastField bool   // false when the last field is reserved
	key       func(cp, ref, last string) (ai, key, element string, err error)
}

// The four schemes and their partition tables, from TDS §14.5 ("EPC Binary
// Coding Tables"): SGTIN-96, SSCC-96, SGLN-96 and GRAI-96.
var schemes = map[byte]*scheme{
	0x30: {name: SGTIN96, idName: "sgtin", header: 0x30, keyDigits: 13,
		refBits: [7]int{4, 7, 10, 14, 17, 20, 24}, lastBits: 38, lastField: true, key: sgtinKey},
	0x31: {name: SSCC96, idName: "sscc", header: 0x31, keyDigits: 17,
		refBits: [7]int{18, 21, 24, 28, 31, 34, 38}, lastBits: 24, key: ssccKey},
	0x32: {name: SGLN96, idName: "sgln", header: 0x32, keyDigits: 12,
		refBits: [7]int{1, 4, 7, 11, 14, 17, 21}, lastBits: 41, lastField: true, key: sglnKey},
	0x33: {name: GRAI96, idName: "grai", header: 0x33, keyDigits: 12,
		refBits: [7]int{4, 7, 10, 14, 17, 20, 24}, lastBits: 38, lastField: true, key: graiKey},
}

// Decode decodes a 96-bit EPC. Trailing zero bytes (an EPC bank longer than
// the EPC) are ignored.
func Decode(epc []byte) (*Decoded, error) {
	if len(epc) < 12 {
		return nil, fmt.Errorf("decode EPC %X: %d bits, want 96", epc, len(epc)*8)
	}
	s, ok := schemes[epc[0]]
	if !ok {
		return nil, fmt.Errorf("decode EPC %X: header 0x%02X: %w", epc, epc[0], ErrUnsupported)
	}
	for _, b := range epc[12:] {
		if b != 0 {
			return nil, fmt.Errorf("decode EPC %X: %s with non-zero bits after bit 96", epc, s.name)
		}
	}
	d, err := s.decode(epc[:12])
	if err != nil {
		return nil, fmt.Errorf("decode EPC %X: %s: %w", epc, s.name, err)
	}
	return d, nil
}

func (s *scheme) decode(b []byte) (*Decoded, error) {
	filter := int(getBits(b, 8, 3))
	p := int(getBits(b, 11, 3))
	if p > 6 {
		return nil, fmt.Errorf("partition value %d out of range", p)
	}
	off := 14
	cpDigits := 12 - p
	cp, err := digits(getBits(b, off, partitionCPBits[p]), cpDigits)
	if err != nil {
		return nil, fmt.Errorf("company prefix: %w", err)
	}
	off += partitionCPBits[p]
	ref, err := digits(getBits(b, off, s.refBits[p]), s.keyDigits-cpDigits)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	off += s.refBits[p]
	last := ""
	if s.lastField {
		last = strconv.FormatUint(getBits(b, off, s.lastBits), 10)
	} else if v := getBits(b, off, s.lastBits); v != 0 {
		// SSCC-96 ends in 24 reserved bits that the TDS SSCC-96 coding
		// table (§14.5) fixes at zero; the Tag Data Translation pattern
		// for sscc-96 accepts only zeros there, so neither do we.
		return nil, fmt.Errorf("%w: reserved bits are %06X, must be zero", ErrReservedBits, v)
	}
	return s.decoded(filter, cp, ref, last)
}

// decoded fills in URIs and the GS1 key from the URI components.
func (s *scheme) decoded(filter int, cp, ref, last string) (*Decoded, error) {
	ai, key, element, err := s.key(cp, ref, last)
	if err != nil {
		return nil, err
	}
	id := cp + "." + ref
	if s.lastField {
		id += "." + last
	}
	return &Decoded{
		Scheme:        s.name,
		URI:           "urn:epc:id:" + s.idName + ":" + id,
		TagURI:        "urn:epc:tag:" + s.name + ":" + strconv.Itoa(filter) + "." + id,
		Filter:        filter,
		CompanyPrefix: cp,
		Reference:     ref,
		Serial:        last,
		AI:            ai,
		GS1Key:        key,
		ElementString: element,
	}, nil
}

// digits formats v with exactly n decimal digits, zero padded; v must fit.
func digits(v uint64, n int) (string, error) {
	s := strconv.FormatUint(v, 10)
	if n == 0 && v == 0 {
		return "", nil
	}
	if len(s) > n {
		return "", fmt.Errorf("value %d does not fit in %d digits", v, n)
	}
	return fmt.Sprintf("%0*s", n, s), nil
}

// withCheck appends the GS1 mod-10 check digit.
func withCheck(body string) (string, error) {
	c, err := gs1.CheckDigit(body)
	if err != nil {
		return "", fmt.Errorf("check digit of %q: %w", body, err)
	}
	return body + string(c), nil
}

// GTIN-14 = indicator digit + company prefix + item reference + check digit
// (TDS §7.1).
func sgtinKey(cp, ref, serial string) (string, string, string, error) {
	gtin, err := withCheck(ref[:1] + cp + ref[1:])
	return "01", gtin, "(01)" + gtin + "(21)" + serial, err
}

// SSCC-18 = extension digit + company prefix + serial reference + check
// digit (TDS §7.2).
func ssccKey(cp, ref, _ string) (string, string, string, error) {
	sscc, err := withCheck(ref[:1] + cp + ref[1:])
	return "00", sscc, "(00)" + sscc, err
}

// GLN = company prefix + location reference + check digit; extension 0 means
// "no extension" (TDS §7.3).
func sglnKey(cp, ref, ext string) (string, string, string, error) {
	gln, err := withCheck(cp + ref)
	element := "(414)" + gln
	if ext != "0" {
		element += "(254)" + ext
	}
	return "414", gln, element, err
}

// GRAI = 0 + company prefix + asset type + check digit + serial (TDS §7.4).
func graiKey(cp, ref, serial string) (string, string, string, error) {
	grai, err := withCheck("0" + cp + ref)
	return "8003", grai + serial, "(8003)" + grai + serial, err
}
