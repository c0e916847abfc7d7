package gs1

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDictionary(t *testing.T) {
	d := table()
	// Every entry line of the file becomes at least one AI; ranges expand.
	entries := 0
	for _, line := range strings.Split(dictionaryText, "\n") {
		if l := strings.TrimSpace(line); l != "" && l[0] != '#' {
			entries++
		}
	}
	assert.Greater(t, len(d.ais), entries)
	for _, ai := range []string{"00", "01", "10", "17", "21", "3100", "3105", "3955", "414", "7239", "8003", "8030", "91", "99"} {
		assert.NotNil(t, d.lookup(ai), ai)
	}
	for _, ai := range []string{"04", "3106", "3956", "100", "9"} {
		assert.Nil(t, d.lookup(ai), ai)
	}

	// Element strings can only be split if no AI is a prefix of another.
	for a := range d.ais {
		for b := range d.ais {
			if a != b {
				require.False(t, strings.HasPrefix(b, a), "AI %s is a prefix of %s", a, b)
			}
		}
	}

	sscc := d.lookup("00")
	assert.False(t, sscc.fnc1)
	assert.Equal(t, 18, sscc.minLen)
	assert.Equal(t, 18, sscc.maxLen)
	assert.True(t, sscc.key)
	grai := d.lookup("8003")
	assert.True(t, grai.fnc1)
	assert.Equal(t, 14, grai.minLen)
	assert.Equal(t, 30, grai.maxLen)
	require.Len(t, grai.components, 3)
	assert.Equal(t, component{cset: 'N', min: 1, max: 1, linters: []string{"zero"}}, grai.components[0])
	assert.Equal(t, component{cset: 'X', min: 1, max: 16, optional: true, linters: []string{}}, grai.components[2])
	assert.Equal(t, component{cset: 'N', min: 3, max: 3, optional: true, linters: []string{"iso3166"}}, d.lookup("423").components[1])
	assert.Equal(t, [][][]string{{{"00"}}, {{"02"}, {"8026"}}}, d.lookup("37").req)
	assert.Equal(t, [][][]string{{{"01", "21"}}}, d.lookup("8040").req)
	assert.Equal(t, []string{"255", "37"}, d.lookup("01").ex)
}

func TestDescribe(t *testing.T) {
	for ai, want := range map[string]string{
		"00": "SSCC", "01": "GTIN", "02": "CONTENT", "10": "BATCH/LOT", "17": "USE BY or EXPIRY",
		"21": "SERIAL", "37": "COUNT", "3103": "NET WEIGHT (kg)", "414": "LOC No.", "8003": "GRAI",
		"8110": "", // the dictionary gives no title
	} {
		got, ok := Describe(ai)
		assert.True(t, ok, ai)
		assert.Equal(t, want, got, ai)
	}
	_, ok := Describe("04")
	assert.False(t, ok)
}

func TestIsKeyAndSeparators(t *testing.T) {
	for _, ai := range []string{"00", "01", "253", "255", "414", "8003", "8004", "8017"} {
		assert.True(t, IsKey(ai), ai)
	}
	for _, ai := range []string{"02", "10", "21", "37", "410", "nope"} {
		assert.False(t, IsKey(ai), ai)
	}
	assert.False(t, requiresSeparator("01"))
	assert.False(t, requiresSeparator("3103"))
	assert.True(t, requiresSeparator("10"))
	assert.True(t, requiresSeparator("422"), "fixed length, but not in the pre-defined length table")
}

func TestUncheckedLinters(t *testing.T) {
	// docs/gs1.md lists these; update both when implementing one.
	assert.Equal(t, []string{"couponcode", "couponposoffer", "packagetype"}, Unchecked())
}

func TestParseDictionaryRejectsMalformed(t *testing.T) {
	tests := map[string]string{
		"no spec":                  "01 *?",
		"bad length":               "01 N0",
		"bad range":                "3105-3100 N6",
		"range widths differ":      "31-310 N6",
		"not an AI":                "0A N6",
		"unknown attribute":        "01 N14 colour=red",
		"variable before fixed":    "01 X..5 N3",
		"mandatory after optional": "01 N3 [N3] N3",
		"predefined but variable":  "01 * N..5",
		"unclosed bracket":         "01 N3 [N3",
		"empty linter":             "01 N3,",
	}
	for name, line := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseDictionary(line + "\n")
			assert.Error(t, err)
		})
	}
	_, err := parseDictionary("# only comments\n")
	assert.Error(t, err)
	_, err = parseDictionary("01 N3\n01 N4\n")
	assert.ErrorContains(t, err, "defined twice")
}
