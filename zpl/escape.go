package zpl

import (
	"unicode/utf8"
)

const hexDigits = "0123456789ABCDEF"

// Escape turns field data into content for a text field written as
// "^FB...^FH^FD<content>^FS" under ^CI28 (UTF-8). The result never contains
// '^' or '~' (ZPL command prefixes), control bytes or invalid UTF-8: those,
// and the ^FH indicator '_' itself, become "_XX" hex escapes. A backslash
// becomes "\\", the ^FB escape for a literal backslash, so that data such as
// `\&` cannot start a new line. All other characters, Chinese included, are
// written as they are (^CI28 prints UTF-8 directly).
func Escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i]) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) && !hasC1(s) {
		return s
	}
	return string(appendEscaped(make([]byte, 0, len(s)+16), s, true))
}

// needsEscape reports the ASCII bytes that may not appear raw in ^FH field
// data; bytes >= 0x80 are judged per rune in appendEscaped.
func needsEscape(b byte) bool {
	return b < 0x20 || b == 0x7f || b == '^' || b == '~' || b == '_' || b == '\\'
}

// hasC1 reports C1 control characters (U+0080..U+009F), which are escaped
// like the ASCII controls.
func hasC1(s string) bool {
	for _, r := range s {
		if r >= 0x80 && r <= 0x9f {
			return true
		}
	}
	return false
}

// appendEscaped appends s as ^FH field content. inBlock says the field is in
// a ^FB block, where a backslash must be doubled.
func appendEscaped(dst []byte, s string, inBlock bool) []byte {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '\\' && inBlock:
				dst = append(dst, '\\', '\\')
			case needsEscape(b) && b != '\\':
				dst = appendHex(dst, b)
			default:
				dst = append(dst, b)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9f {
			for j := i; j < i+size; j++ {
				dst = appendHex(dst, s[j])
			}
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func appendHex(dst []byte, b byte) []byte {
	return append(dst, '_', hexDigits[b>>4], hexDigits[b&0xf])
}
