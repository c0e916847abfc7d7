package preview

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// DefaultFallbackFonts are the system font files tried, in order, for
// glyphs the bundled Go fonts lack (Chinese, Japanese, Korean). They are
// Debian's fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk and
// fonts-droid-fallback packages; none is bundled, to keep the repository
// small.
var DefaultFallbackFonts = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// goFonts are the bundled faces: Go Bold stands in for Zebra's font 0 (CG
// Triumvirate Bold Condensed, narrowed by the field's width), Go Regular
// for fonts called by name (^A@, ^CW), Go Mono for the bitmap fonts A–H
// and the interpretation lines of bar codes.
var goFonts = sync.OnceValues(func() (*bundled, error) {
	var b bundled
	for _, f := range []struct {
		dst  **sfnt.Font
		name string
		ttf  []byte
	}{{&b.bold, "Go Bold", gobold.TTF}, {&b.regular, "Go Regular", goregular.TTF}, {&b.mono, "Go Mono", gomono.TTF}} {
		parsed, err := sfnt.Parse(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("parse bundled font %s: %w", f.name, err)
		}
		*f.dst = parsed
	}
	return &b, nil
})

type bundled struct{ bold, regular, mono *sfnt.Font }

// fallbackCache keeps each system font file open and parsed for the life
// of the process: parsing reads only the tables, glyphs are read on use.
var fallbackCache struct {
	sync.Mutex
	fonts map[string]*sfnt.Font // nil value: file absent or unreadable
}

// loadFallbacks returns the usable fonts among paths, in order.
func loadFallbacks(paths []string) []*sfnt.Font {
	fallbackCache.Lock()
	defer fallbackCache.Unlock()
	if fallbackCache.fonts == nil {
		fallbackCache.fonts = map[string]*sfnt.Font{}
	}
	var out []*sfnt.Font
	for _, p := range paths {
		f, seen := fallbackCache.fonts[p]
		if !seen {
			f = openFont(p)
			fallbackCache.fonts[p] = f
		}
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// openFont opens a .ttf/.otf or a collection (.ttc), preferring the
// Simplified Chinese member of a CJK collection. A missing or broken file
// gives nil: the preview then draws boxes for the glyphs and warns.
func openFont(path string) *sfnt.Font {
	file, err := os.Open(path)
	if err != nil {
		return nil
	}
	coll, err := sfnt.ParseCollectionReaderAt(file)
	if err != nil {
		_ = file.Close()
		return nil
	}
	var buf sfnt.Buffer
	best := -1
	for i := range coll.NumFonts() {
		f, err := coll.Font(i)
		if err != nil {
			continue
		}
		if best < 0 {
			best = i
		}
		if name, err := f.Name(&buf, sfnt.NameIDFamily); err == nil && strings.HasSuffix(name, " SC") {
			best = i
			break
		}
	}
	if best < 0 {
		_ = file.Close()
		return nil
	}
	f, _ := coll.Font(best)
	return f // the file stays open: sfnt reads glyphs from it lazily
}
