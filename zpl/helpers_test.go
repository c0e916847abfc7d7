package zpl

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fdField is one ^FD...^FS field of a rendered label.
type fdField struct {
	line    string // the whole command line
	content string // raw text between ^FD and ^FS
	fh      bool   // ^FH precedes ^FD
	block   bool   // ^FB precedes ^FD
}

// checkLabel asserts the structural safety rules of a rendered label and
// returns its fields: exactly one ^XA and ^XZ, no '~' at all, no control
// bytes but the line breaks we write, and every ^FD closed by ^FS before
// any other command.
func checkLabel(t testing.TB, out []byte) []fdField {
	t.Helper()
	require.Equal(t, 1, bytes.Count(out, []byte("^XA")), "exactly one ^XA")
	require.Equal(t, 1, bytes.Count(out, []byte("^XZ")), "exactly one ^XZ")
	require.True(t, bytes.HasPrefix(out, []byte("^XA\n")), "starts with ^XA")
	require.True(t, bytes.HasSuffix(out, []byte("^XZ\n")), "ends with ^XZ")
	require.NotContains(t, string(out), "~", "no control-prefix character")
	for i, b := range out {
		require.False(t, b < 0x20 && b != '\n' || b == 0x7f, "control byte 0x%02X at %d", b, i)
	}
	var fields []fdField
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		require.True(t, strings.HasPrefix(line, "^"), "line %q starts with a command", line)
		i := strings.Index(line, "^FD")
		if i < 0 {
			continue
		}
		rest := line[i+3:]
		end := strings.IndexByte(rest, '^')
		require.True(t, end >= 0 && rest[end:] == "^FS", "field in %q is closed by ^FS and nothing follows", line)
		fields = append(fields, fdField{line: line, content: rest[:end], fh: strings.Contains(line[:i], "^FH"), block: strings.Contains(line[:i], "^FB")})
	}
	return fields
}

// unescapeFH decodes ^FH field content ("_XX" hex bytes) and, inside a ^FB
// block, the "\\" backslash escape: what the printer prints.
func unescapeFH(s string, block bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '_':
			if i+2 >= len(s) {
				return "", fmt.Errorf("truncated hex escape at %d", i)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad hex escape at %d: %w", i, err)
			}
			b.WriteByte(byte(v))
			i += 2
		case s[i] == '\\' && block:
			if i+1 >= len(s) || s[i+1] != '\\' {
				return "", fmt.Errorf("lone backslash at %d would be a ^FB escape", i)
			}
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
