package stock

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned by lookups of records that do not exist.
var ErrNotFound = errors.New("not found")

// FieldError names the input field that is wrong and why, so an API can
// answer with a machine-readable error.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Invalid is a list of field errors; nothing was applied.
type Invalid []FieldError

// Add records a problem with a field.
func (v *Invalid) Add(field, format string, a ...any) {
	*v = append(*v, FieldError{Field: field, Reason: fmt.Sprintf(format, a...)})
}

// Err returns v as an error, or nil when there are no problems.
func (v Invalid) Err() error {
	if len(v) == 0 {
		return nil
	}
	return v
}

func (v Invalid) Error() string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// CodeRule says what ValidCode accepts, for error messages.
const CodeRule = "1-64 characters without spaces, '/', '|', '+', '#', '%' or '?'"

// ValidCode reports whether s is usable as an identifier (SKU, location
// code, document id): 1–64 printable ASCII characters without spaces, '/',
// '|' or MQTT wildcards, so it is safe in keys, topics and URLs.
func ValidCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || strings.ContainsRune("/|+#%?", r) {
			return false
		}
	}
	return true
}
