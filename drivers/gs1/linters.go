package gs1

import (
	"fmt"
	"sort"
	"strings"
)

// lintFail is a linter's finding: offset within the component and reason.
type lintFail struct {
	off    int
	reason string
}

// lintFunc checks one component's content; nil means valid. The component's
// length and character set are already checked when a linter runs.
type lintFunc func(v string) *lintFail

// linters implements the dictionary's content checks by name. The rules are
// those of the GS1 General Specifications as summarised by the linter
// descriptions of the GS1 Barcode Syntax Tests; the code is ours. Names in
// the dictionary missing here are accepted unchecked (see Unchecked).
var linters = map[string]lintFunc{
	"csum":          lintCsum,
	"csumalpha":     lintCsumAlpha,
	"gcppos1":       func(v string) *lintFail { return lintGCP(v, 0) },
	"gcppos2":       func(v string) *lintFail { return lintGCP(v, 1) },
	"yymmdd":        func(v string) *lintFail { return lintDate(v, 2, false) },
	"yymmd0":        func(v string) *lintFail { return lintDate(v, 2, true) },
	"yyyymmdd":      func(v string) *lintFail { return lintDate(v, 4, false) },
	"hh":            func(v string) *lintFail { return lintRange(v, 0, 23, "hour") },
	"mi":            func(v string) *lintFail { return lintRange(v, 0, 59, "minute") },
	"ss":            func(v string) *lintFail { return lintRange(v, 0, 59, "second") },
	"hhmi":          lintHHMI,
	"iso3166":       func(v string) *lintFail { return lintList(v, iso3166, "ISO 3166 numeric country code") },
	"iso3166999":    lintISO3166or999,
	"iso3166alpha2": func(v string) *lintFail { return lintList(v, iso3166alpha2, "ISO 3166 alpha-2 country code") },
	"iso4217":       func(v string) *lintFail { return lintList(v, iso4217, "ISO 4217 numeric currency code") },
	"iso5218":       func(v string) *lintFail { return lintList(v, iso5218, "ISO 5218 sex code (0, 1, 2 or 9)") },
	"mediatype":     func(v string) *lintFail { return lintList(v, mediaTypes, "AIDC media type (01-10, 80-99)") },
	"yesno":         func(v string) *lintFail { return lintList(v, yesNo, "yes/no flag (0 or 1)") },
	"winding":       func(v string) *lintFail { return lintList(v, winding, "winding direction (0, 1 or 9)") },
	"zero":          func(v string) *lintFail { return lintList(v, zero, "required digit 0") },
	"nonzero":       lintNonZero,
	"nozeroprefix":  lintNoZeroPrefix,
	"hasnondigit":   lintHasNonDigit,
	"hyphen":        lintHyphen,
	"pieceoftotal":  lintPieceOfTotal,
	"posinseqslash": lintPosInSeqSlash,
	"importeridx":   lintImporterIndex,
	"pcenc":         lintPercentEncoding,
	"iban":          lintIBAN,
	"latitude":      func(v string) *lintFail { return lintCoordinate(v, 1800000000, "latitude") },
	"longitude":     func(v string) *lintFail { return lintCoordinate(v, 3600000000, "longitude") },
}

// Unchecked lists the linters named in the embedded dictionary that this
// package does not implement; data they would check is accepted as long as
// its length and character set are right.
func Unchecked() []string {
	seen := map[string]bool{}
	for _, def := range table().ais {
		for _, c := range def.components {
			for _, l := range c.linters {
				if linters[l] == nil {
					seen[l] = true
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for l := range seen {
		names = append(names, l)
	}
	sort.Strings(names)
	return names
}

func fail(off int, format string, args ...any) *lintFail {
	return &lintFail{off: off, reason: fmt.Sprintf(format, args...)}
}

func lintCsum(v string) *lintFail {
	if r := checkDigitReason(v); r != "" {
		return fail(max(0, len(v)-1), "%s", r) // the check digit
	}
	return nil
}

// GS1 General Specifications 7.9.5, check character pair for alphanumeric
// keys: CSET 82 values weighted by primes from the right, modulo 1021, split
// into two CSET 32 characters.
const (
	cset82Order = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`
	cset32Order = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
)

func lintCsumAlpha(v string) *lintFail {
	n := len(v) - 2
	if n < 0 {
		return fail(0, "too short to carry a check character pair")
	}
	for i := n; i < len(v); i++ {
		if strings.IndexByte(cset32Order, v[i]) < 0 {
			return fail(i, "check character %s is not one of %s", quoteByte(v[i]), cset32Order)
		}
	}
	sum := 0
	p := 1
	for i := n - 1; i >= 0; i-- {
		p = nextPrime(p)
		sum += strings.IndexByte(cset82Order, v[i]) * p
	}
	sum %= 1021
	want := string([]byte{cset32Order[sum>>5], cset32Order[sum&31]})
	if v[n:] != want {
		return fail(n, "check characters are %s, expected %s", v[n:], want)
	}
	return nil
}

func nextPrime(p int) int {
	for p++; ; p++ {
		prime := true
		for d := 2; d*d <= p; d++ {
			if p%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			return p
		}
	}
}

// lintGCP: a GS1 Company Prefix (at least 4 digits) starts at offset off.
// Whether the prefix is actually allocated needs GS1's registry, not checked.
func lintGCP(v string, off int) *lintFail {
	const minGCP = 4
	if len(v) < off+minGCP {
		return fail(0, "too short to start with a GS1 Company Prefix")
	}
	for i := off; i < off+minGCP; i++ {
		if v[i] < '0' || v[i] > '9' {
			return fail(i, "GS1 Company Prefix must be digits, found %s", quoteByte(v[i]))
		}
	}
	return nil
}

// lintDate checks YYMMDD or YYYYMMDD; dayZero allows DD = 00.
func lintDate(v string, yearLen int, dayZero bool) *lintFail {
	if len(v) != yearLen+4 {
		return fail(0, "date must have %d digits", yearLen+4)
	}
	if r, off := dateReason(v[:yearLen], v[yearLen:], dayZero); r != "" {
		return fail(yearLen+off, "%s", r)
	}
	return nil
}

func twoDigits(v string) int { return int(v[0]-'0')*10 + int(v[1]-'0') }

func lintRange(v string, lo, hi int, what string) *lintFail {
	if len(v) != 2 || !allDigits(v) || twoDigits(v) < lo || twoDigits(v) > hi {
		return fail(0, "invalid %s %s (%02d-%02d)", what, v, lo, hi)
	}
	return nil
}

func lintHHMI(v string) *lintFail {
	if len(v) != 4 {
		return fail(0, "time must be 4 digits HHMM")
	}
	if f := lintRange(v[:2], 0, 23, "hour"); f != nil {
		return f
	}
	if f := lintRange(v[2:], 0, 59, "minute"); f != nil {
		f.off = 2
		return f
	}
	return nil
}

// lintList checks v against a code list.
func lintList(v string, list codeSet, what string) *lintFail {
	if !list[v] {
		return fail(0, "%s is not a valid %s", v, what)
	}
	return nil
}

func lintISO3166or999(v string) *lintFail {
	if v == "999" {
		return nil
	}
	return lintList(v, iso3166, "ISO 3166 numeric country code (or 999)")
}

func lintNonZero(v string) *lintFail {
	if strings.Trim(v, "0") == "" {
		return fail(0, "must not be zero")
	}
	return nil
}

func lintNoZeroPrefix(v string) *lintFail {
	if len(v) > 1 && v[0] == '0' {
		return fail(0, "must not start with 0")
	}
	return nil
}

func lintHasNonDigit(v string) *lintFail {
	if allDigits(v) {
		return fail(0, "must contain at least one non-digit character")
	}
	return nil
}

func lintHyphen(v string) *lintFail {
	if i := strings.IndexFunc(v, func(r rune) bool { return r != '-' }); i >= 0 {
		return fail(i, "only '-' is allowed here, found %s", quoteByte(v[i]))
	}
	return nil
}

// lintPieceOfTotal: "PPTT", piece PP of total TT, 1 <= PP <= TT.
func lintPieceOfTotal(v string) *lintFail {
	half := len(v) / 2
	if len(v)%2 != 0 || !allDigits(v) {
		return fail(0, "piece/total %s must be two equal-length numbers", v)
	}
	piece, total := v[:half], v[half:]
	switch {
	case strings.Trim(piece, "0") == "":
		return fail(0, "piece number must not be zero")
	case strings.Trim(total, "0") == "":
		return fail(half, "total count must not be zero")
	case piece > total: // same length, so string order is numeric order
		return fail(0, "piece number %s exceeds total %s", piece, total)
	}
	return nil
}

// lintPosInSeqSlash: "<pos>/<end>", both positive without leading zeros,
// pos <= end.
func lintPosInSeqSlash(v string) *lintFail {
	pos, end, ok := strings.Cut(v, "/")
	if !ok || !allDigits(pos) || !allDigits(end) {
		return fail(0, "%s is not of the form position/total", v)
	}
	if pos[0] == '0' || end[0] == '0' {
		return fail(0, "position and total must not be zero or start with 0")
	}
	if len(pos) > len(end) || (len(pos) == len(end) && pos > end) {
		return fail(0, "position %s exceeds total %s", pos, end)
	}
	return nil
}

// lintImporterIndex: one character of "-0-9A-Za-z_" (EU 2018/574 tobacco
// traceability facility and machine IDs).
func lintImporterIndex(v string) *lintFail {
	if len(v) != 1 || !(v[0] == '-' || v[0] == '_' || isAlnum(v[0])) {
		return fail(0, "importer index must be one of - 0-9 A-Z _ a-z")
	}
	return nil
}

// lintPercentEncoding: "%" must start a two-hex-digit escape.
func lintPercentEncoding(v string) *lintFail {
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && (i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2])) {
			return fail(i, "'%%' must be followed by two hex digits")
		}
	}
	return nil
}

// lintIBAN: ISO 13616 — country code, two check digits, then the account;
// uppercase letters and digits only, mod 97 of the rearranged number is 1.
func lintIBAN(v string) *lintFail {
	if len(v) < 5 {
		return fail(0, "IBAN too short")
	}
	for i := 0; i < len(v); i++ {
		if !isUpperAlnum(v[i]) {
			return fail(i, "IBAN character %s is not 0-9 or A-Z", quoteByte(v[i]))
		}
	}
	if f := lintList(v[:2], iso3166alpha2, "ISO 3166 alpha-2 country code"); f != nil {
		return f
	}
	if !allDigits(v[2:4]) {
		return fail(2, "IBAN check digits must be digits")
	}
	rem := 0
	for _, c := range []byte(v[4:] + v[:4]) {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	if rem != 1 {
		return fail(0, "IBAN check digits do not match")
	}
	return nil
}

// lintCoordinate: 10 digits, at most max (GS1 offsets latitude by 90 and
// longitude by 180 degrees, in 1/10^7 degree).
func lintCoordinate(v string, max uint64, what string) *lintFail {
	var n uint64
	for i := 0; i < len(v); i++ {
		n = n*10 + uint64(v[i]-'0')
	}
	if n > max {
		return fail(0, "%s %s out of range (at most %d)", what, v, max)
	}
	return nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')
}

func isUpperAlnum(c byte) bool { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') }

func isAlnum(c byte) bool { return isUpperAlnum(c) || (c >= 'a' && c <= 'z') }
