package zpl

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dockhand/dockhand/drivers/gs1"
)

// Kind is what a template field holds; Render checks and normalises the
// value before anything is laid out.
type Kind string

// Field kinds.
const (
	KindText  Kind = "text"  // free text, any language; control characters print as spaces
	KindCode  Kind = "code"  // identifier for bar codes (LPN, location, tracking no.): printable ASCII without ^ and ~
	KindCount Kind = "count" // whole number 1..99999999
	KindDate  Kind = "date"  // YYYY-MM-DD, years 2000-2099 (GS1 dates carry two-digit years)
	KindGTIN  Kind = "gtin"  // GTIN-8/12/13/14 with valid check digit; printed as 14 digits
	KindSSCC  Kind = "sscc"  // 18 digits with valid check digit
)

// Field describes one named input of a template.
type Field struct {
	Name     string
	Required bool
	Kind     Kind
	Help     string
	Max      int // longest value in characters; 0 = only the label space limits it
}

func (k Kind) valid() bool {
	switch k {
	case KindText, KindCode, KindCount, KindDate, KindGTIN, KindSSCC:
		return true
	}
	return false
}

// normalize checks v against the field and returns the value to print, or
// a reason why it cannot be printed.
func (f *Field) normalize(v string) (string, string) {
	if !utf8.ValidString(v) {
		return "", "not valid UTF-8"
	}
	if f.Max > 0 && utf8.RuneCountInString(v) > f.Max {
		return "", fmt.Sprintf("longer than %d characters", f.Max)
	}
	switch f.Kind {
	case KindText:
		return strings.Map(controlToSpace, v), ""
	case KindCode:
		return v, checkCode128Data(v)
	case KindCount:
		if len(v) > 8 || !allDigits(v) || strings.Trim(v, "0") == "" {
			return "", fmt.Sprintf("%q is not a count from 1 to 99999999", v)
		}
		return v, ""
	case KindDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "", fmt.Sprintf("%q is not a date YYYY-MM-DD", v)
		}
		if t.Year() < 2000 || t.Year() > 2099 {
			return "", fmt.Sprintf("%q: year must be 2000 to 2099", v)
		}
		return v, ""
	case KindGTIN:
		if err := gs1.ValidGTIN(v); err != nil {
			return "", fmt.Sprintf("not a valid GTIN: %v", err)
		}
		return strings.Repeat("0", 14-len(v)) + v, ""
	case KindSSCC:
		if err := gs1.ValidSSCC(v); err != nil {
			return "", fmt.Sprintf("not a valid SSCC: %v", err)
		}
		return v, ""
	}
	return "", "unknown kind " + string(f.Kind)
}

func controlToSpace(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
