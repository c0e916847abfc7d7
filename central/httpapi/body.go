package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockhand/dockhand/central/stock"
)

// maxBody bounds request bodies: an ASN of a full truck is far smaller.
const maxBody = 1 << 20

// maxText bounds every string of a request body, in characters; fields
// with their own, smaller limit say so. Text ends up in ops messages, and
// one huge note must not make a message no broker will carry.
const maxText = 1000

// readBody reads the whole request body, before any transaction: a body
// that is not JSON by its Content-Type (415), larger than maxBody (413),
// slower than the server's read timeout (408) or not UTF-8 (400) is
// refused. No Content-Type is taken as JSON; an empty body may have any.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	notJSON := false
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		notJSON = err != nil || mt != "application/json"
	}
	wrongType := &httpError{http.StatusUnsupportedMediaType, "unsupported_media_type",
		"Content-Type must be application/json, not " + quote(r.Header.Get("Content-Type"))}
	if notJSON && r.ContentLength > 0 {
		return nil, wrongType
	}
	if r.ContentLength > maxBody {
		return nil, tooLarge()
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge()
	case errors.As(err, &netErr) && netErr.Timeout():
		return nil, &httpError{http.StatusRequestTimeout, "request_timeout", "the request body did not arrive within the server's read timeout"}
	case err != nil:
		return nil, badRequest("body could not be read: " + err.Error())
	case notJSON && len(b) > 0:
		return nil, wrongType
	case !utf8.Valid(b):
		return nil, badRequest("body is not valid UTF-8")
	}
	return b, nil
}

func tooLarge() error {
	return &httpError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body is larger than %d bytes", maxBody)}
}

// decode reads a JSON body strictly: unknown fields, trailing data and
// strings longer than maxText are errors that name what is wrong.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("body is empty: a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		if errors.As(err, &te) {
			return stock.Invalid{{Field: te.Field, Reason: fmt.Sprintf("must be %s, got %s", te.Type, te.Value)}}
		}
		// encoding/json has no error type for a member it does not know:
		// find it ourselves (unknown.go).
		if !errors.As(err, &se) {
			if name, ok := unknownMember(body, reflect.TypeOf(v)); ok {
				return stock.Invalid{{Field: name, Reason: "unknown field"}}
			}
		}
		return badRequest("body is not valid JSON: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("body has data after the JSON object")
	}
	var inv stock.Invalid
	checkText(&inv, "", reflect.ValueOf(v))
	return inv.Err()
}

// checkText reports every string under v longer than maxText characters,
// by its JSON path (lines[2].note).
func checkText(inv *stock.Invalid, path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkText(inv, path, v.Elem())
		}
	case reflect.String:
		if n := utf8.RuneCountInString(v.String()); n > maxText {
			inv.Add(path, "at most %d characters, got %d", maxText, n)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			checkText(inv, path+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			checkText(inv, join(path, fmt.Sprint(it.Key().Interface())), it.Value())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				checkText(inv, path, v.Field(i)) // embedded: its fields are ours
				continue
			case name == "":
				name = f.Name
			}
			checkText(inv, join(path, name), v.Field(i))
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// quote shows a client's value in a message: Go-quoted and cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

func parseUint(s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

func formatUint(n uint64) string { return strconv.FormatUint(n, 10) }

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](v []T, err error) ([]T, error) {
	if v == nil {
		v = []T{}
	}
	return v, err
}
