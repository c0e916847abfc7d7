package preview_test

import (
	"fmt"
	"github.com/dockhand/dockhand/zpl/preview"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var dpis = []int{203, 300}

func TestCode128DecodesAtBothResolutions(t *testing.T) {
	cases := []struct {
		name, fd, mode string
		want           scanned
	}{
		{"default subset B", "Dock-12 ab", "N", scanned{text: "Dock-12 ab"}},
		{"start C then B", ">;123456>6AB", "N", scanned{text: "123456AB"}},
		{"start A with control char", ">9AB" + "\x09", "N", scanned{text: "AB\t"}},
		// ZPL II guide, table "Code 128 Invocation Characters": >< is value
		// 62 ('^'), >0 is 30 ('>'), >= is 94 ('~'); gozxing reads the bars.
		{"invocation ^ > and ~", "a><b>0c>=d", "N", scanned{text: "a^b>c~d"}},
		{"invocation codes in automatic mode", "a><b>0c>=d", "A", scanned{text: "a^b>c~d"}},
		{"C to B to C", ">;1234>6X>51234", "N", scanned{text: "1234X1234"}},
		{"automatic", "LOT 2024-000123", "A", scanned{text: "LOT 2024-000123"}},
		{"GS1 via mode N FNC1", ">;>8010001234567890510>6ABC>8>52112", "N",
			scanned{text: "0100012345678905" + "10ABC" + gs + "2112", gs1: true}},
		{"GS1 mode D with parentheses", "(01)00012345678905(17)250101(10)LOT>8(21)X1", "D",
			scanned{text: "01000123456789051725010110LOT" + gs + "21X1", gs1: true}},
	}
	for _, dpi := range dpis {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", dpi, c.name), func(t *testing.T) {
				res := mustRender(t, "^XA^FO50,50^BY2^BCN,100,Y,N,N,"+c.mode+"^FD"+c.fd+"^FS^XZ", preview.Options{DPI: dpi})
				require.Empty(t, res.Warnings)
				require.Len(t, res.Barcodes, 1)
				assert.Equal(t, c.want, scan(t, res, 0))
			})
		}
	}
}

func TestDataMatrixGS1DecodesWithFNC1(t *testing.T) {
	for _, dpi := range dpis {
		t.Run(fmt.Sprint(dpi), func(t *testing.T) {
			// _1 is FNC1 with escape character _, __ is a literal underscore.
			zpl := "^XA^FO50,50^BXN,6,200,,,,_^FD_10109501101530003_110LOT__7_1" + "21A<>&^FS^XZ"
			res := mustRender(t, zpl, preview.Options{DPI: dpi})
			require.Empty(t, res.Warnings)
			got := scan(t, res, 0)
			assert.Equal(t, scanned{text: "0109501101530003" + gs + "10LOT_7" + gs + "21A<>&", gs1: true}, got)
		})
	}
}

func TestDataMatrixPlainAndHexEscapes(t *testing.T) {
	// ^FH runs first: _5E is ^ and _7E is ~; then ~ is the default escape
	// character of ^BX, so ~~ is one tilde.
	res := mustRender(t, "^XA^FO50,50^BXN,5,200^FH^FDA_5EB~~C^FS^XZ", preview.Options{})
	require.Empty(t, res.Warnings)
	assert.Equal(t, scanned{text: "A^B~C"}, scan(t, res, 0))
}

func TestQRDecodes(t *testing.T) {
	cases := []struct{ name, fd, want string }{
		{"automatic", "QA,https://dockhand.example/p/123?x=1&y=2", "https://dockhand.example/p/123?x=1&y=2"},
		{"level M", "MA,HELLO 123", "HELLO 123"},
		{"Chinese UTF-8", "QA,仓库 A-03-2-05", "仓库 A-03-2-05"},
		{"manual numeric", "LM,N0123456789", "0123456789"},
		{"manual bytes", "HM,B0005a^b~c", "a^b~c"},
	}
	for _, dpi := range dpis {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", dpi, c.name), func(t *testing.T) {
				fd := escapeForFH(c.fd)
				res := mustRender(t, "^XA^CI28^FO50,50^BQN,2,4^FH^FD"+fd+"^FS^XZ", preview.Options{DPI: dpi})
				require.Empty(t, res.Warnings)
				assert.Equal(t, scanned{text: c.want}, scan(t, res, 0))
			})
		}
	}
}

// escapeForFH hex-escapes the bytes ZPL would read as commands.
func escapeForFH(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^', '~', '_':
			out = append(out, fmt.Sprintf("_%02X", c)...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func TestQRWithoutPrefixWarns(t *testing.T) {
	res := mustRender(t, "^XA^FO50,50^BQN,2,4^FDhello^FS^XZ", preview.Options{})
	assert.Empty(t, res.Barcodes)
	require.Len(t, res.Warnings, 1)
	assert.Equal(t, "^BQ", res.Warnings[0].Command)
}

func TestModuleWidthFollowsBY(t *testing.T) {
	for _, module := range []int{1, 2, 3, 4} {
		res := mustRender(t, fmt.Sprintf("^XA^FO20,20^BY%d^BCN,50,N,N,N^FD>:AB^FS^XZ", module), preview.Options{})
		require.Len(t, res.Barcodes, 1)
		// Start B, A, B, check, stop: 4×11 + 13 modules.
		assert.Equal(t, (4*11+13)*module, res.Barcodes[0].Bounds.Dx(), "module %d", module)
		assert.Equal(t, 50, res.Barcodes[0].Bounds.Dy())
		// The first bar of the start code is two modules wide.
		row := res.Image.Bounds().Min.Y + 45
		assert.Equal(t, 2*module, darkRun(res, 20, row))
	}
}

// darkRun counts black dots from (x, y) rightwards.
func darkRun(res *preview.Result, x, y int) int {
	n := 0
	for res.Image.GrayAt(x+n, y).Y == 0 {
		n++
	}
	return n
}

func TestBarHeightDefaultsToBY(t *testing.T) {
	res := mustRender(t, "^XA^BY2,3,77^FO10,10^BCN,,N^FD12^FS^XZ", preview.Options{})
	assert.Equal(t, 77, res.Barcodes[0].Bounds.Dy())
}

func TestDataMatrixModuleFromBYHeight(t *testing.T) {
	// "0123456789" fits a 12×12 symbol; without h the ^BY height (120)
	// is the approximate symbol height: 120/12 = 10 dots per module.
	res := mustRender(t, "^XA^BY2,3,120^FO10,10^BXN,,200^FD0123456789^FS^XZ", preview.Options{})
	require.Empty(t, res.Warnings)
	assert.Equal(t, 120, res.Barcodes[0].Bounds.Dx())
}

func TestFieldTypesetBarcodeSitsOnY(t *testing.T) {
	res := mustRender(t, "^XA^FT40,300^BY2^BCN,100,Y,N,N^FDABC^FS^XZ", preview.Options{})
	b := res.Barcodes[0].Bounds
	assert.Equal(t, 300, b.Max.Y, "bottom of the bars")
	assert.Equal(t, 200, b.Min.Y)
	assert.Equal(t, 40, b.Min.X)
}

func TestRotatedCode128StillScans(t *testing.T) {
	for _, o := range []string{"R", "I", "B"} {
		res := mustRender(t, "^XA^FO100,100^BY2^BC"+o+",80,N^FDROT-"+o+"^FS^XZ", preview.Options{})
		b := res.Barcodes[0].Bounds
		if o == "I" {
			assert.Greater(t, b.Dx(), b.Dy())
			continue // gozxing's 1D reader tries the reversed row itself
		}
		assert.Greater(t, b.Dy(), b.Dx(), "orientation %s turns the bars", o)
		assert.Equal(t, 100, b.Min.X)
		assert.Equal(t, 100, b.Min.Y)
	}
}

func TestCode128Warnings(t *testing.T) {
	res := mustRender(t, "^XA^FO10,10^BCN,50,N,N,N^FD>9ab^FS^XZ", preview.Options{})
	require.NotEmpty(t, res.Warnings)
	assert.Contains(t, res.Warnings[0].Reason, "subset A")
}

func TestDataMatrixLimitsWarn(t *testing.T) {
	legacy := mustRender(t, "^XA^FO10,10^BXN,5,0^FDABC^FS^XZ", preview.Options{})
	require.Len(t, legacy.Warnings, 1)
	assert.Contains(t, legacy.Warnings[0].Reason, "ECC 000")

	// 花 is E8 8A B1 in UTF-8: a leading 0xE8 reads as FNC1 to the encoder.
	e8 := mustRender(t, "^XA^CI28^FO10,10^BXN,5,200^FD花^FS^XZ", preview.Options{})
	require.NotEmpty(t, e8.Warnings)
	assert.Contains(t, e8.Warnings[0].Reason, "0xE8")
	assert.Empty(t, e8.Barcodes, "no false symbol is drawn")
}
