package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
)

// unknownMember names the first object member of body, in document order,
// that the Go value of type t has no field for, by encoding/json's rules:
// a member matches the field of its JSON name exactly, else ignoring
// case; members of maps and of any-typed values are never unknown, nor
// those inside a type that decodes itself. It is how decode names the
// member DisallowUnknownFields refused, which encoding/json reports only
// in the text of an error.
func unknownMember(body []byte, t reflect.Type) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	name, found, _ := walk(dec, t)
	return name, found
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walk reads one JSON value from dec, checking its members against t (nil:
// anything goes).
func walk(dec *json.Decoder, t reflect.Type) (string, bool, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return "", false, err
	}
	switch tok {
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if name, found, err := walk(dec, elem); found || err != nil {
				return name, found, err
			}
		}
	case json.Delim('{'):
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", false, err
			}
			key, _ := tok.(string)
			var ft reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, ok := fieldOf(t, key)
				if !ok {
					return key, true, nil
				}
				ft = f
			case t.Kind() == reflect.Map:
				ft = t.Elem()
			}
			if name, found, err := walk(dec, ft); found || err != nil {
				return name, found, err
			}
		}
	default:
		return "", false, nil // a scalar
	}
	_, err = dec.Token() // the closing ] or }
	return "", false, err
}

// fieldOf is the type of the field of struct t that JSON member key
// decodes into: its exact JSON name, else one equal ignoring case.
func fieldOf(t reflect.Type, key string) (reflect.Type, bool) {
	var folded reflect.Type
	for name, ft := range jsonFields(t) {
		if name == key {
			return ft, true
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = ft
		}
	}
	return folded, folded != nil
}

// jsonFields lists the JSON names of a struct's fields and their types,
// with the fields of embedded structs without a name promoted.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-":
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			for n, t := range jsonFields(ft) {
				if _, own := out[n]; !own {
					out[n] = t
				}
			}
		case !f.IsExported():
		case name == "":
			out[f.Name] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}
