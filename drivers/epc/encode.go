package epc

import (
	"fmt"
	"strconv"
)

// EncodeSGTIN96 encodes urn:epc:tag:sgtin-96:filter.companyPrefix.itemRef.serial;
// itemRef starts with the GTIN's indicator digit.
func EncodeSGTIN96(filter int, companyPrefix, itemRef string, serial uint64) ([]byte, error) {
	return schemes[0x30].encode(filter, companyPrefix, itemRef, serial)
}

// EncodeSSCC96 encodes urn:epc:tag:sscc-96:filter.companyPrefix.serialRef;
// serialRef starts with the SSCC's extension digit.
func EncodeSSCC96(filter int, companyPrefix, serialRef string) ([]byte, error) {
	return schemes[0x31].encode(filter, companyPrefix, serialRef, 0)
}

// EncodeSGLN96 encodes urn:epc:tag:sgln-96:filter.companyPrefix.locationRef.extension
// (extension 0 = no GLN extension).
func EncodeSGLN96(filter int, companyPrefix, locationRef string, extension uint64) ([]byte, error) {
	return schemes[0x32].encode(filter, companyPrefix, locationRef, extension)
}

// EncodeGRAI96 encodes urn:epc:tag:grai-96:filter.companyPrefix.assetType.serial.
func EncodeGRAI96(filter int, companyPrefix, assetType string, serial uint64) ([]byte, error) {
	return schemes[0x33].encode(filter, companyPrefix, assetType, serial)
}

func (s *scheme) encode(filter int, cp, ref string, last uint64) ([]byte, error) {
	b, err := s.pack(filter, cp, ref, last)
	if err != nil {
		return nil, fmt.Errorf("encode %s %d.%s.%s.%d: %w", s.name, filter, cp, ref, last, err)
	}
	return b, nil
}

func (s *scheme) pack(filter int, cp, ref string, last uint64) ([]byte, error) {
	if filter < 0 || filter > 7 {
		return nil, fmt.Errorf("filter %d out of range 0..7", filter)
	}
	if len(cp) < 6 || len(cp) > 12 {
		return nil, fmt.Errorf("company prefix has %d digits, want 6..12", len(cp))
	}
	if len(cp)+len(ref) != s.keyDigits {
		return nil, fmt.Errorf("company prefix and reference have %d digits, want %d", len(cp)+len(ref), s.keyDigits)
	}
	p := 12 - len(cp)
	cpv, err := number(cp)
	if err != nil {
		return nil, fmt.Errorf("company prefix: %w", err)
	}
	refv, err := number(ref)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if last >= 1<<s.lastBits {
		return nil, fmt.Errorf("serial/extension %d does not fit in %d bits", last, s.lastBits)
	}
	b := make([]byte, 12)
	b[0] = s.header
	putBits(b, 8, 3, uint64(filter))
	putBits(b, 11, 3, uint64(p))
	putBits(b, 14, partitionCPBits[p], cpv)
	putBits(b, 14+partitionCPBits[p], s.refBits[p], refv)
	if s.lastField {
		putBits(b, 96-s.lastBits, s.lastBits, last)
	}
	return b, nil
}

// number parses a string of decimal digits; "" is 0 (an empty reference).
func number(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not all digits", s)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// getBits reads n (≤ 64) bits big-endian starting at bit offset off.
func getBits(b []byte, off, n int) uint64 {
	var v uint64
	for i := off; i < off+n; i++ {
		v = v<<1 | uint64(b[i/8]>>(7-i%8)&1)
	}
	return v
}

// putBits writes the low n bits of v big-endian starting at bit offset off.
func putBits(b []byte, off, n int, v uint64) {
	for i := 0; i < n; i++ {
		bit := byte(v>>(n-1-i)) & 1
		pos := off + i
		b[pos/8] |= bit << (7 - pos%8)
	}
}
