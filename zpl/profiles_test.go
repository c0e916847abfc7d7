package zpl

import (
	"fmt"
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
// as they are; check what a typo there would break.
func TestPrinterProfiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "firmware-config", "printers", "*.zpl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	nameRE := regexp.MustCompile(`^zebra-[a-z0-9]+-(203|300|600)(-4x8)?\.zpl$`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := nameRE.FindStringSubmatch(filepath.Base(f))
			require.NotNil(t, m, "file name zebra-<model>-<dpi>[-4x8].zpl")
			dpi, _ := strconv.Atoi(m[1])
			length := 6 // inches: 4 x 6 in media unless the name says 4x8
			if m[2] != "" {
				length = 8
			}
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			s := string(b)
			assert.Regexp(t, `^~SD([0-2][0-9]|30)\n\^XA\n`, s, "darkness first, then one format")
			assert.Equal(t, 1, strings.Count(s, "^XA"))
			assert.True(t, strings.HasSuffix(s, "^JUS\n^XZ\n"), "settings saved at the end")
			for _, cmd := range []string{"^MT", "^MN", "^PR", "^LH0,0"} {
				assert.Contains(t, s, cmd)
			}
			assert.Contains(t, s, fmt.Sprintf("^PW%d\n", 4*dpi), "4 in print width at %d dpi", dpi)
			assert.Contains(t, s, fmt.Sprintf("^LL%d\n", length*dpi), "%d in label length at %d dpi", length, dpi)
			for _, line := range strings.Split(s, "\n") {
				if rest, ok := strings.CutPrefix(line, "^FX"); ok {
					assert.False(t, strings.ContainsAny(rest, "^~"), "a comment runs to the next ^: %q", line)
				}
			}
		})
	}
}
