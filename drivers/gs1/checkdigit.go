package gs1

import (
	"errors"
	"fmt"
)

// CheckDigit returns the GS1 mod-10 check digit ('0'..'9') of the given
// digits, which exclude the check digit (GS1 General Specifications 7.9.1:
// weights 3 and 1 alternating from the right).
func CheckDigit(digits string) (byte, error) {
	if digits == "" {
		return 0, errors.New("no digits")
	}
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("non-digit %s at position %d", quoteByte(c), i)
		}
		w := 1
		if (len(digits)-1-i)%2 == 0 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return byte('0' + (10-sum%10)%10), nil
}

// ValidCheckDigit reports whether the last digit of s is the GS1 mod-10 check
// digit of the digits before it.
func ValidCheckDigit(s string) bool {
	if len(s) < 2 {
		return false
	}
	want, err := CheckDigit(s[:len(s)-1])
	return err == nil && s[len(s)-1] == want
}

// checkDigitReason explains a wrong or malformed check digit, "" if right.
func checkDigitReason(s string) string {
	if len(s) < 2 {
		return "too short to carry a check digit"
	}
	want, err := CheckDigit(s[:len(s)-1])
	if err != nil {
		return err.Error()
	}
	if got := s[len(s)-1]; got != want {
		return fmt.Sprintf("check digit is %c, expected %c", got, want)
	}
	return ""
}

// ValidGTIN checks a GTIN-8, GTIN-12, GTIN-13 or GTIN-14: digits only, one
// of those lengths, right check digit.
func ValidGTIN(s string) error {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return fmt.Errorf("GTIN %q: %d digits, want 8, 12, 13 or 14", s, len(s))
	}
	return validKey("GTIN", s)
}

// ValidSSCC checks an SSCC: 18 digits, the last one the check digit.
func ValidSSCC(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("SSCC %q: %d digits, want 18", s, len(s))
	}
	return validKey("SSCC", s)
}

func validKey(kind, s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%s %q: non-digit %s at position %d", kind, s, quoteByte(s[i]), i)
		}
	}
	if r := checkDigitReason(s); r != "" {
		return fmt.Errorf("%s %q: %s", kind, s, r)
	}
	return nil
}
