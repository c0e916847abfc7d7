package zpl

import (
	"strings"
	"unicode"
)

// Text is printed in the printer's scalable font 0 (^A0, with a CJK font
// linked to it for Chinese, see firmware-config/printers). We cannot ask the
// printer how wide a string will be, so we estimate on the safe side, in
// fractions of the font size ("em"), and refuse text that might not fit.

// advance estimates the width of r in em.
func advance(r rune) float64 {
	switch {
	case r < 0x80:
		switch {
		case strings.ContainsRune(" !'(),-./:;I[]`fijlrt|", r):
			return 0.35
		case strings.ContainsRune("%@MWmw", r):
			return 0.9
		case r >= 'a' && r <= 'z':
			return 0.55
		}
		return 0.62
	case isWide(r):
		return 1.0
	}
	return 0.7
}

// isWide reports East Asian full-width characters.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r >= 0x3000 && r <= 0x303f || // CJK punctuation
		r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 // full-width forms
}

// hyphenEm is room kept for the hyphen ^FB inserts when it breaks a word.
const hyphenEm = 0.35

// linesNeeded estimates how many lines ^FB needs for s in a block widthEm
// wide: words wrap at spaces, a word longer than a line is broken.
func linesNeeded(s string, widthEm float64) int {
	lines, used := 1, 0.0 // used: em on the current line, 0 = empty line
	for _, word := range strings.Split(s, " ") {
		w := 0.0
		for _, r := range word {
			w += advance(r)
		}
		if used > 0 && used+advance(' ')+w <= widthEm {
			used += advance(' ') + w
			continue
		}
		if used > 0 {
			lines++
			used = 0
		}
		if w <= widthEm {
			used = w
			continue
		}
		for _, r := range word { // break the long word, leaving room for a hyphen
			a := advance(r)
			if used > 0 && used+a+hyphenEm > widthEm {
				lines++
				used = 0
			}
			used += a
		}
	}
	return lines
}
