package gs1

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// dictionaryText is the GS1 Barcode Syntax Dictionary, copied verbatim from
// the GS1 Syntax Engine project (github.com/gs1/gs1-syntax-engine,
// src/c-lib/gs1-syntax-dictionary.txt). Copyright GS1 AISBL, BWIPP and Zint
// projects; Apache License 2.0 (see the file's header). To update it, replace
// the file and run the tests: they fail if the grammar or a linter changed.
//
//go:embed gs1-syntax-dictionary.txt
var dictionaryText string

// Character sets of the dictionary's component types.
const (
	csetNumeric = 'N' // digits
	csetX       = 'X' // GS1 AI encodable character set 82
	csetY       = 'Y' // GS1 AI encodable character set 39
	csetZ       = 'Z' // GS1 AI encodable character set 64 (base64url)
)

// component is one part of an AI's data field, e.g. "N6,yymmd0" or "[X..17]".
type component struct {
	cset     byte
	min, max int
	optional bool
	linters  []string
}

// aiDef is one AI as the dictionary describes it.
type aiDef struct {
	ai         string
	fnc1       bool // needs a GS separator when not last (no "*" flag)
	components []component
	minLen     int // sum of the mandatory components' minimum lengths
	maxLen     int
	req        [][][]string // each req= attribute: alternatives, each a set of AI patterns joined by "+"
	ex         []string     // AI patterns that must not appear with this AI
	key        bool         // dlpkey: a GS1 identification key (SSCC, GTIN, GLN...)
	title      string
}

// dictionary is the parsed AI table.
type dictionary struct {
	ais map[string]*aiDef
}

var (
	dictOnce sync.Once
	dict     *dictionary
)

// table returns the AI table, parsing the embedded dictionary on first use.
// The embedded file is fixed at build time and covered by tests, so a parse
// failure is a build defect, not bad input: it panics.
func table() *dictionary {
	dictOnce.Do(func() {
		d, err := parseDictionary(dictionaryText)
		if err != nil {
			panic("gs1: embedded syntax dictionary: " + err.Error())
		}
		dict = d
	})
	return dict
}

// parseDictionary reads the dictionary format described in the file's header.
func parseDictionary(text string) (*dictionary, error) {
	d := &dictionary{ais: make(map[string]*aiDef)}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		defs, err := parseEntry(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		for _, def := range defs {
			if _, dup := d.ais[def.ai]; dup {
				return nil, fmt.Errorf("line %d: AI %s defined twice", n+1, def.ai)
			}
			d.ais[def.ai] = def
		}
	}
	if len(d.ais) == 0 {
		return nil, fmt.Errorf("no entries")
	}
	return d, nil
}

// parseEntry parses "AIs [Flags] Specification [Attributes...] [# Title]"
// into one definition per AI of the range.
func parseEntry(line string) ([]*aiDef, error) {
	var title string
	if i := strings.IndexByte(line, '#'); i >= 0 {
		title = strings.TrimSpace(line[i+1:])
		line = line[:i]
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return nil, fmt.Errorf("too few fields in %q", line)
	}
	proto := aiDef{fnc1: true, title: title}
	i := 1
	if isFlags(fields[i]) {
		proto.fnc1 = !strings.Contains(fields[i], "*")
		i++
	}
	for ; i < len(fields) && strings.ContainsRune("NXYZ[", rune(fields[i][0])); i++ {
		c, err := parseComponent(fields[i])
		if err != nil {
			return nil, err
		}
		if len(proto.components) > 0 {
			prev := proto.components[len(proto.components)-1]
			if prev.min != prev.max {
				return nil, fmt.Errorf("component %q follows a variable-length one", fields[i])
			}
			if prev.optional && !c.optional {
				return nil, fmt.Errorf("mandatory component %q follows an optional one", fields[i])
			}
		}
		proto.components = append(proto.components, c)
		proto.maxLen += c.max
		if !c.optional {
			proto.minLen += c.min
		}
	}
	if len(proto.components) == 0 {
		return nil, fmt.Errorf("no format specification in %q", line)
	}
	if !proto.fnc1 && proto.minLen != proto.maxLen {
		return nil, fmt.Errorf("pre-defined length AI with variable length")
	}
	for _, attr := range fields[i:] {
		if err := proto.addAttribute(attr); err != nil {
			return nil, err
		}
	}
	ais, err := expandRange(fields[0])
	if err != nil {
		return nil, err
	}
	defs := make([]*aiDef, len(ais))
	for k, ai := range ais {
		def := proto
		def.ai = ai
		defs[k] = &def
	}
	return defs, nil
}

// isFlags reports whether a field is the flags column: punctuation only.
func isFlags(f string) bool {
	for i := 0; i < len(f); i++ {
		if !strings.ContainsRune(`*!?"$%&'()+,-./:;<=>@[\]^_`+"`{|}~", rune(f[i])) {
			return false
		}
	}
	return true
}

// parseComponent parses "N6,yymmd0", "X..20", "[X..17]" or "[N3],iso3166".
func parseComponent(f string) (component, error) {
	var c component
	if strings.HasPrefix(f, "[") {
		end := strings.IndexByte(f, ']')
		if end < 0 {
			return c, fmt.Errorf("unclosed [ in component %q", f)
		}
		c.optional = true
		f = f[1:end] + f[end+1:]
	}
	parts := strings.Split(f, ",")
	spec := parts[0]
	c.linters = parts[1:]
	if len(spec) < 2 {
		return c, fmt.Errorf("bad component %q", f)
	}
	c.cset = spec[0]
	length := spec[1:]
	variable := strings.HasPrefix(length, "..")
	n, err := strconv.Atoi(strings.TrimPrefix(length, ".."))
	if err != nil || n < 1 {
		return c, fmt.Errorf("bad length in component %q", f)
	}
	c.min, c.max = n, n
	if variable {
		c.min = 1
	}
	for _, l := range c.linters {
		if l == "" {
			return c, fmt.Errorf("empty linter name in component %q", f)
		}
	}
	return c, nil
}

// addAttribute records "req=...", "ex=..." and "dlpkey[=...]".
func (d *aiDef) addAttribute(attr string) error {
	key, val, _ := strings.Cut(attr, "=")
	switch key {
	case "req":
		var alts [][]string
		for _, alt := range strings.Split(val, ",") {
			alts = append(alts, strings.Split(alt, "+"))
		}
		d.req = append(d.req, alts)
	case "ex":
		d.ex = append(d.ex, strings.Split(val, ",")...)
	case "dlpkey":
		// The qualifier sequences only matter for GS1 Digital Link URIs.
		d.key = true
	default:
		return fmt.Errorf("unknown attribute %q", attr)
	}
	return nil
}

// expandRange turns "3100-3105" into its AIs; a single AI stays as is.
func expandRange(s string) ([]string, error) {
	first, last, isRange := strings.Cut(s, "-")
	if !isRange {
		last = first
	}
	if len(first) < 2 || len(first) > 4 || len(first) != len(last) || !allDigits(first) || !allDigits(last) {
		return nil, fmt.Errorf("bad AI %q", s)
	}
	lo, _ := strconv.Atoi(first)
	hi, _ := strconv.Atoi(last)
	if hi < lo {
		return nil, fmt.Errorf("bad AI range %q", s)
	}
	ais := make([]string, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		ais = append(ais, fmt.Sprintf("%0*d", len(first), n))
	}
	return ais, nil
}

// lookup returns the definition of an AI.
func (d *dictionary) lookup(ai string) *aiDef {
	return d.ais[ai]
}

// prefix returns the AI that starts s. AIs in the dictionary are prefix-free
// (a test checks this), so the first match is the only one.
func (d *dictionary) prefix(s string) *aiDef {
	for n := 2; n <= 4 && n <= len(s); n++ {
		if def, ok := d.ais[s[:n]]; ok {
			return def
		}
	}
	return nil
}

// matchAI reports whether an AI matches a dictionary pattern such as "31nn".
func matchAI(pattern, ai string) bool {
	if len(pattern) != len(ai) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != ai[i] && (pattern[i] != 'n' || ai[i] < '0' || ai[i] > '9') {
			return false
		}
	}
	return true
}

// Describe returns the dictionary's short title of an AI, e.g. "SSCC" for
// "00", "BATCH/LOT" for "10" or "USE BY or EXPIRY" for "17".
func Describe(ai string) (title string, ok bool) {
	def := table().lookup(ai)
	if def == nil {
		return "", false
	}
	return def.title, true
}

// IsKey reports whether an AI is a GS1 identification key (the dictionary's
// dlpkey attribute): SSCC (00), GTIN (01), GLN (414), GRAI (8003), GIAI
// (8004) and the like.
func IsKey(ai string) bool {
	def := table().lookup(ai)
	return def != nil && def.key
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
