package zpl

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The printer setup files in firmware-config/printers are sent to printers
// as they are; check what a typo there would break. The file name says the
// printer profile (the label size in inches, 4x6 when left out); the file
// must set that size, and the profile must be one the gateway knows with
// the same size in mm.
func TestPrinterProfiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "firmware-config", "printers", "*.zpl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	nameRE := regexp.MustCompile(`^zebra-[a-z0-9]+-(203|300|600)(?:-(([0-9.]+)x([0-9.]+)))?\.zpl$`)
	covered := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := nameRE.FindStringSubmatch(filepath.Base(f))
			require.NotNil(t, m, "file name zebra-<model>-<dpi>[-<width>x<length>].zpl")
			dpi, _ := strconv.Atoi(m[1])
			name, width, length := "4x6", 4.0, 6.0 // inches
			if m[2] != "" {
				name = m[2]
				width, _ = strconv.ParseFloat(m[3], 64)
				length, _ = strconv.ParseFloat(m[4], 64)
			}
			p, ok := LookupProfile(name)
			require.True(t, ok, "profile %s is known to the gateway", name)
			assert.InDelta(t, width*25.4, p.Width, 0.01)
			assert.InDelta(t, length*25.4, p.Length, 0.01)
			covered[name] = true
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			s := string(b)
			assert.Regexp(t, `^~SD([0-2][0-9]|30)\n\^XA\n`, s, "darkness first, then one format")
			assert.Equal(t, 1, strings.Count(s, "^XA"))
			assert.True(t, strings.HasSuffix(s, "^JUS\n^XZ\n"), "settings saved at the end")
			for _, cmd := range []string{"^MT", "^MN", "^PR", "^LH0,0"} {
				assert.Contains(t, s, cmd)
			}
			dots := func(in float64) int { return int(math.Round(in * float64(dpi))) }
			assert.Contains(t, s, fmt.Sprintf("^PW%d\n", dots(width)), "%g in print width at %d dpi", width, dpi)
			assert.Contains(t, s, fmt.Sprintf("^LL%d\n", dots(length)), "%g in label length at %d dpi", length, dpi)
			assert.Contains(t, s, fmt.Sprintf("dpi: %d and profile: %s.", dpi, name), "the file says how to configure the gateway")
			for _, line := range strings.Split(s, "\n") {
				if rest, ok := strings.CutPrefix(line, "^FX"); ok {
					assert.False(t, strings.ContainsAny(rest, "^~"), "a comment runs to the next ^: %q", line)
				}
			}
		})
	}
	for _, p := range Profiles() {
		assert.True(t, covered[p.Name], "no setup file for printer profile %s", p.Name)
	}
}
