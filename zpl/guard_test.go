package zpl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every label the built-in templates make, in every layout, at every
// resolution, passes.
func TestGuardPassesEveryBuiltInLabel(t *testing.T) {
	r, err := NewRegistry("")
	require.NoError(t, err)
	for _, name := range r.Names() {
		layouts, err := r.Layouts(name)
		require.NoError(t, err)
		for _, l := range layouts {
			for _, dpi := range []int{203, 300, 600} {
				out, err := r.Render(name, sampleData[name], Options{DPI: dpi, Profile: l.Profile, Copies: 3})
				require.NoError(t, err)
				assert.NoError(t, CheckRaw(out), "%s (%q) at %d dpi", name, l.Profile, dpi)
			}
		}
	}
	goldens, err := filepath.Glob("testdata/*.zpl")
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	for _, p := range goldens {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.NoError(t, CheckRaw(b), p)
	}
}

// Ordinary label ZPL from elsewhere passes: several labels in one job,
// line breaks and indentation, lower-case commands, an ASCII-hex graphic,
// comments, a stored graphic recalled, ^FH escapes standing for '^' and '~'
// in the printed text, a quantity without pauses.
func TestGuardPassesOrdinaryLabels(t *testing.T) {
	for _, job := range []string{
		"^XA^FO50,50^A0N,40,40^FDHello^FS^XZ",
		"\r\n^XA\r\n  ^FO50,50^ADN,36,20^FDone^FS\r\n^XZ\r\n^XA^FO50,50^FDtwo^FS^PQ2,0,1,Y^XZ\n",
		"^xa^fo10,10^a0n,30,30^fdlower case^fs^xz",
		"^XA^FO0,0^GFA,8,8,2,FFFF0000FFFF0000^FS^XZ",
		"^XA^FX a comment ^FO0,0^XGR:LOGO.GRF,1,1^FS^XZ",
		"^XA^FO10,10^FH^FDcaret _5E and tilde _7E^FS^XZ",
		"^XA^FO10,10^BY3^BCN,100,Y,N,N^FD>;>80012345678901234567^FS^FO10,200^BXN,6,200^FD_1011234^FS^XZ",
		"^XA^CI28^PW812^LL1218^LH0,0^FO0,0^GB812,4,4^FS^PQ1^XZ",
	} {
		assert.NoError(t, CheckRaw([]byte(job)), "%q", job)
	}
}

// Forged jobs a hostile sender would try, each refused with the command
// and the byte offset where it starts.
func TestGuardRefusesPrinterCommandsAndTheTricksThatHideThem(t *testing.T) {
	for _, c := range []struct {
		name, job, command string
		offset             int
	}{
		{"factory reset", "^XA^JUF^XZ", "^JU", 3},
		{"save settings", "^XA^JUS^XZ", "^JU", 3},
		{"network settings", "^XA^ND2,P,10.0.0.99,255.255.255.0,10.0.0.1^XZ", "^ND", 3},
		{"primary network device", "^XA^NC1^XZ", "^NC", 3},
		{"SNMP", "^XA^NNprinter,contact,location,public,public,public^XZ", "^NN", 3},
		{"power-on reset", "~JR", "~JR", 0},
		{"initialise flash", "^XA^JBE^XZ", "^JB", 3},
		{"darkness", "~SD30^XA^XZ", "~SD", 0},
		{"cancel all", "^XA^FO0,0^FDx^FS^XZ~JA", "~JA", 19},
		{"tilde in field data", "^XA^FDabc~JR^FS^XZ", "~JR", 9},
		{"tilde in a comment", "^XA^FX note ~JR^XZ", "~JR", 12},
		{"second format", "^XA^FO0,0^FDok^FS^XZ^XA^JUF^XZ", "^JU", 23},
		{"prefix change", "^XA^CC!^XZ!XA!JUF!XZ", "^CC", 3},
		{"prefix change, control", "~CC!!XA!JUF!XZ", "~CC", 0},
		{"control prefix change", "~CT+^XA^FDx+JR^FS^XZ", "~CT", 0},
		{"delimiter change", "^XA^CD;^XZ", "^CD", 3},
		{"lower case", "^xa^juf^xz", "^JU", 3},
		{"split by a line break", "^XA^J\r\nUF^XZ", "^JU", 3},
		{"split by spaces", "^XA^ J U F^XZ", "^JU", 3},
		{"split after the prefix", "^XA~\nJR^XZ", "~JR", 3},
		{"download graphic", "~DGR:X.GRF,2,1,FFFF^XA^XGR:X.GRF^FS^XZ", "~DG", 0},
		{"download object", "~DYE:X.BIN,B,B,4,0,\x5eJUF", "~DY", 0},
		{"binary graphic", "^XA^FO0,0^GFB,4,4,1,\x00\x5e\x4a\x55^FS^XZ", "^GF", 9},
		{"compressed binary graphic", "^XA^GF c,4,4,1,xxxx^FS^XZ", "^GF", 3},
		{"store a format", "^XA^DFE:EVIL.ZPL^FS^XZ", "^DF", 3},
		{"delete files", "^XA^IDE:*.*^XZ", "^ID", 3},
		{"host status", "~HS", "~HS", 0},
		{"configuration label", "~WC", "~WC", 0},
		{"wireless", "^XA^WIA,10.0.0.9^XZ", "^WI", 3},
		{"password", "^XA^KP1234^XZ", "^KP", 3},
		{"clock", "^XA^ST01,01,2030^XZ", "^ST", 3},
		{"ZBI", "~JI", "~JI", 0},
		{"RFID lock", "^XA^RZ1,12345678^XZ", "^RZ", 3},
		{"print mode", "^XA^MMC^XZ", "^MM", 3},
		{"speed", "^XA^PR14^XZ", "^PR", 3},
		{"pause", "^XA^FDx^FS^PQ10,2^XZ", "^PQ", 10},
		{"inverted for later labels", "^XA^POI^XZ", "^PO", 3},
		{"font remapped for later labels", "^XA^CW0,E:EVIL.TTF^XZ", "^CW", 3},
		{"sleep", "^XA^ZZ1^XZ", "^ZZ", 3},
		{"unknown command", "^XA^QQ^XZ", "^QQ", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRaw([]byte(c.job))
			var ge *GuardError
			require.True(t, errors.As(err, &ge), "refused: %v", err)
			assert.Equal(t, c.command, ge.Command)
			assert.Equal(t, c.offset, ge.Offset)
			assert.NotEmpty(t, ge.Reason)
			assert.Contains(t, err.Error(), fmt.Sprintf("%s at byte %d", c.command, c.offset))
		})
	}
}

// Data and structure outside what a label job is.
func TestGuardRefusesDataOutsideFormats(t *testing.T) {
	for _, c := range []struct {
		name, job string
		offset    int
		reason    string
	}{
		{"text before", "hello^XA^XZ", 0, "outside a label format"},
		{"Set-Get-Do after", "^XA^XZ! U1 setvar \"ip.addr\" \"10.0.0.99\"\r\n", 6, "outside a label format"},
		{"JSON Set-Get-Do", "{}{\"device.reset\":\"\"}", 0, "outside a label format"},
		{"EPL", "N\nA50,0,0,1,1,1,N,\"x\"\nP1\n", 0, "outside a label format"},
		{"a label command outside", "^FO0,0^XA^XZ", 0, "outside a label format"},
		{"no end", "^XA^FO0,0^FDx^FS", 16, "no ^XZ"},
		{"nested start", "^XA^XA^XZ", 3, "^XA inside a format"},
		{"no format", "  \r\n", 0, "no label format"},
		{"empty", "", 0, "no label format"},
		{"prefix at the end", "^XA^XZ^", 6, "prefix without a command"},
		{"prefix twice", "^XA^^JUF^XZ", 3, "prefix without a command"},
		{"control byte as a letter", "^XA^\x00JUF^XZ", 3, "prefix without a command"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRaw([]byte(c.job))
			var ge *GuardError
			require.True(t, errors.As(err, &ge), "refused: %v", err)
			assert.Equal(t, c.offset, ge.Offset)
			assert.Contains(t, err.Error(), c.reason)
		})
	}
}

// The printer setup files shipped in firmware-config are exactly what a
// raw job must not do: every one is refused.
func TestGuardRefusesThePrinterSetupFiles(t *testing.T) {
	files, err := filepath.Glob("../firmware-config/printers/*.zpl")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Error(t, CheckRaw(b), p)
	}
}

// normalized is a job as a printer that ignores whitespace inside command
// names and letter case would read it, for the fuzz target's check.
func normalized(job []byte) string {
	var b strings.Builder
	for _, c := range job {
		if !isSpace(c) {
			b.WriteByte(upper(c))
		}
	}
	return b.String()
}

// FuzzCheckRaw: the guard never panics, and what it lets through holds no
// control command, no refused command however it is spelled or split,
// and nothing but formats and whitespace.
func FuzzCheckRaw(f *testing.F) {
	f.Add([]byte("^XA^FO50,50^A0N,40,40^FDHello^FS^XZ"))
	f.Add([]byte("^XA^CC!^XZ!XA!JUF!XZ"))
	f.Add([]byte("^XA^J\r\nUF^XZ"))
	f.Add([]byte("^XA^FDabc~JR^FS^XZ"))
	f.Add([]byte("^XA^GFA,2,2,1,FF^FS^XZ^XA^GFB,1,1,1,\x5e^XZ"))
	f.Add([]byte("^XA^PQ3,0,1,Y^XZ ! U1 do \"device.reset\" \"\""))
	if goldens, err := filepath.Glob("testdata/*.zpl"); err == nil {
		for _, p := range goldens {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, job []byte) {
		if CheckRaw(job) != nil {
			return
		}
		require.NotContains(t, string(job), "~", "no control command passes")
		n := normalized(job)
		for cmd := range refusedCommands {
			if cmd[0] == '^' {
				require.NotContains(t, n, cmd, "refused command %s passed", cmd)
			}
		}
		trimmed := bytes.TrimSpace(job)
		require.True(t, strings.HasPrefix(normalized(trimmed), "^XA"))
		require.True(t, strings.HasSuffix(normalized(trimmed), "^XZ"))
	})
}
