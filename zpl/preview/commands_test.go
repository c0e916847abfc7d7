package preview_test

import (
	"bytes"
	"github.com/dockhand/dockhand/zpl/preview"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ink is the bounding box of the black dots of the label area inside r.
func ink(res *preview.Result, r image.Rectangle) image.Rectangle {
	var box image.Rectangle
	r = r.Intersect(res.Label)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if res.Image.GrayAt(x, y).Y == 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func black(res *preview.Result, x, y int) bool { return res.Image.GrayAt(x, y).Y == 0 }

func TestLabelSize(t *testing.T) {
	cases := []struct {
		name string
		zpl  string
		opt  preview.Options
		want image.Point
	}{
		{"4x6 at 203 by default", "^XA^XZ", preview.Options{}, image.Pt(812, 1218)},
		{"4x6 at 300", "^XA^XZ", preview.Options{DPI: 300}, image.Pt(1200, 1800)},
		{"from PW and LL", "^XA^PW600^LL400^XZ", preview.Options{}, image.Pt(600, 400)},
		{"options win", "^XA^PW600^LL400^XZ", preview.Options{WidthDots: 300, HeightDots: 200}, image.Pt(300, 200)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := mustRender(t, c.zpl, c.opt)
			assert.Equal(t, c.want, res.Image.Bounds().Size())
			assert.Equal(t, res.Image.Bounds(), res.Label)
			assert.Empty(t, res.Warnings)
		})
	}
}

func TestRenderErrors(t *testing.T) {
	_, err := preview.Render([]byte("^FO10,10^FDno format^FS"), preview.Options{})
	assert.ErrorIs(t, err, preview.ErrNoLabel)
	_, err = preview.Render([]byte("^XA^XZ"), preview.Options{DPI: 5000})
	assert.ErrorContains(t, err, "DPI")
}

func TestFirstOfSeveralLabels(t *testing.T) {
	res := mustRender(t, "^XA^FO10,10^GB50,50,50^FS^XZ^XA^FO100,100^GB50,50,50^FS^XZ^XA^XZ", preview.Options{})
	assert.Equal(t, 3, res.Labels)
	assert.True(t, black(res, 20, 20))
	assert.False(t, black(res, 120, 120), "only the first label is drawn")
}

func TestUnknownCommandsWarnAndShowInFooter(t *testing.T) {
	res := mustRender(t, "^XA^PW400^LL300^FO10,10^B3N,N,100^FD123^FS~HS^XZ", preview.Options{})
	require.Equal(t, []preview.Warning{
		{"^B3", "not supported by the preview; ignored"},
		{"~HS", "not supported by the preview; ignored"},
	}, res.Warnings)
	assert.Equal(t, image.Rect(0, 0, 400, 300), res.Label)
	require.Greater(t, res.Image.Bounds().Dy(), 300, "a footer is added below the label")
	footer := &preview.Result{Image: res.Image, Label: res.Image.Bounds()}
	assert.False(t, ink(footer, image.Rect(0, 305, 400, res.Image.Bounds().Dy())).Empty(), "warning text is printed")
}

func TestKnownSetupCommandsAreQuiet(t *testing.T) {
	res := mustRender(t, "~SD15^XA^PQ2^MMT^PR4^FX comment ^FS^CF0,30^FWN^LH0,0^XZ", preview.Options{})
	assert.Empty(t, res.Warnings)
}

func TestTextPositionFOAndFT(t *testing.T) {
	// ^FO is the top of the character cell, ^FT the baseline.
	fo := mustRender(t, "^XA^FO100,100^A0N,50,50^FDHHH^FS^XZ", preview.Options{})
	box := ink(fo, fo.Label)
	assert.InDelta(t, 100, box.Min.X, 6)
	assert.InDelta(t, 140, box.Max.Y, 2, "the baseline is four fifths down the cell")
	assert.Greater(t, box.Min.Y, 100)

	ft := mustRender(t, "^XA^FT100,100^A0N,50,50^FDHHH^FS^XZ", preview.Options{})
	box = ink(ft, ft.Label)
	assert.InDelta(t, 100, box.Max.Y, 2, "H sits on the ^FT baseline")
	assert.Less(t, box.Min.Y, 100)
}

func TestLabelHomeShiftsFields(t *testing.T) {
	res := mustRender(t, "^XA^LH30,40^FO10,10^GB20,20,20^FS^XZ", preview.Options{})
	assert.Equal(t, image.Rect(40, 50, 60, 70), ink(res, res.Label))
}

func TestFontWidthStretchesText(t *testing.T) {
	narrow := mustRender(t, "^XA^FO10,10^A0N,40,20^FDWWWW^FS^XZ", preview.Options{})
	wide := mustRender(t, "^XA^FO10,10^A0N,40,80^FDWWWW^FS^XZ", preview.Options{})
	wn, ww := ink(narrow, narrow.Label), ink(wide, wide.Label)
	assert.InDelta(t, 4.0, float64(ww.Dx())/float64(wn.Dx()), 0.3)
	assert.InDelta(t, wn.Dy(), ww.Dy(), 1)
}

func TestFieldBlockWraps(t *testing.T) {
	zpl := "^XA^FO50,50^A0N,30,30^FB300,5,10,L^FDone two three four five six seven eight nine ten^FS^XZ"
	res := mustRender(t, zpl, preview.Options{})
	require.Empty(t, res.Warnings)
	box := ink(res, res.Label)
	assert.LessOrEqual(t, box.Max.X, 350, "no line is wider than the block")
	lines := inkRows(res, box)
	assert.Greater(t, lines, 1)
	assert.LessOrEqual(t, lines, 5)
}

// inkRows counts the bands of rows with ink in r: the lines of text.
func inkRows(res *preview.Result, r image.Rectangle) int {
	n, inLine := 0, false
	for y := r.Min.Y; y < r.Max.Y; y++ {
		has := !ink(res, image.Rect(r.Min.X, y, r.Max.X, y+1)).Empty()
		if has && !inLine {
			n++
		}
		inLine = has
	}
	return n
}

func TestFieldBlockLineBreakJustifyAndOverflow(t *testing.T) {
	res := mustRender(t, `^XA^FO0,0^A0N,30,30^FB400,3,0,R^FDa\&b\\c^FS^XZ`, preview.Options{WidthDots: 400, HeightDots: 200})
	require.Empty(t, res.Warnings)
	box := ink(res, res.Label)
	assert.Equal(t, 2, inkRows(res, box), `\& breaks the line, \\ is a backslash`)
	assert.InDelta(t, 400, box.Max.X, 4, "right justified")

	centred := mustRender(t, "^XA^FO0,0^A0N,30,30^FB400,1,0,C^FDmid^FS^XZ", preview.Options{WidthDots: 400, HeightDots: 200})
	cb := ink(centred, centred.Label)
	assert.InDelta(t, 200, (cb.Min.X+cb.Max.X)/2, 3)

	over := mustRender(t, "^XA^FO0,0^A0N,30,30^FB100,1^FDfar too much text for one line^FS^XZ", preview.Options{})
	require.Len(t, over.Warnings, 1)
	assert.Contains(t, over.Warnings[0].Reason, "overprints the last line")
	assert.Equal(t, 1, inkRows(over, ink(over, over.Label)))
}

func TestFieldBlockWithFTGrowsUpwards(t *testing.T) {
	res := mustRender(t, "^XA^FT50,300^A0N,30,30^FB300,3,0^FDHI^FS^XZ", preview.Options{})
	box := ink(res, res.Label)
	// One line of three: ^FT is the baseline of the last possible line,
	// so the first line's baseline is two lines up.
	assert.InDelta(t, 240, box.Max.Y, 2)
}

func TestLongWordIsHyphenated(t *testing.T) {
	res := mustRender(t, "^XA^FO0,0^A0N,30,30^FB150,4^FDABCDEFGHIJKLMNOPQRSTUV^FS^XZ", preview.Options{})
	box := ink(res, res.Label)
	assert.LessOrEqual(t, box.Max.X, 150)
	assert.GreaterOrEqual(t, inkRows(res, box), 2)
}

func TestGraphicBox(t *testing.T) {
	res := mustRender(t, "^XA^FO100,100^GB200,100,5^FS^XZ", preview.Options{})
	assert.Equal(t, image.Rect(100, 100, 300, 200), ink(res, res.Label))
	assert.True(t, black(res, 104, 150), "left border")
	assert.False(t, black(res, 105, 150), "border is 5 dots")
	assert.False(t, black(res, 200, 150), "inside is empty")

	line := mustRender(t, "^XA^FO10,10^GB300,3,3^FS^XZ", preview.Options{})
	assert.Equal(t, image.Rect(10, 10, 310, 13), ink(line, line.Label))

	// White box over a black one clears it.
	white := mustRender(t, "^XA^FO0,0^GB100,100,100^FS^FO25,25^GB50,50,50,W^FS^XZ", preview.Options{})
	assert.True(t, black(white, 10, 10))
	assert.False(t, black(white, 50, 50))

	// Rounded corners leave the corner dot white.
	round := mustRender(t, "^XA^FO0,0^GB100,100,100,B,8^FS^XZ", preview.Options{})
	assert.False(t, black(round, 0, 0))
	assert.True(t, black(round, 50, 50))

	ft := mustRender(t, "^XA^FT10,100^GB20,30,20^FS^XZ", preview.Options{})
	assert.Equal(t, image.Rect(10, 70, 30, 100), ink(ft, ft.Label), "^FT is the bottom-left corner")
}

func TestFieldReverse(t *testing.T) {
	res := mustRender(t, "^XA^FO0,0^GB200,100,100^FS^FO150,0^FR^GB100,100,100^FS^XZ", preview.Options{})
	assert.True(t, black(res, 100, 50))
	assert.False(t, black(res, 175, 50), "reverse over black is white")
	assert.True(t, black(res, 225, 50), "reverse over white is black")

	text := mustRender(t, "^XA^FO0,0^GB300,60,60^FS^FO10,10^FR^A0N,40,40^FDHELLO^FS^XZ", preview.Options{})
	assert.Equal(t, image.Rect(0, 0, 300, 60), ink(text, text.Label))
	white := 0
	for x := 10; x < 200; x++ {
		if !black(text, x, 30) {
			white++
		}
	}
	assert.Greater(t, white, 20, "the text shows white on the black box")
}

func TestFieldHexAndUTF8(t *testing.T) {
	plain := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FD^^FS^XZ", preview.Options{})
	assert.True(t, ink(plain, plain.Label).Empty(), "a raw caret starts a command")

	hex := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FH^FD_5E_C3_A9^FS^XZ", preview.Options{})
	ref := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FD"+"\u00e9"+"^FS^XZ", preview.Options{})
	assert.Empty(t, hex.Warnings)
	assert.Greater(t, ink(hex, hex.Label).Dx(), ink(ref, ref.Label).Dx(), "^ then é")

	custom := mustRender(t, "^XA^FO10,10^A0N,40,40^FH#^FD#41^FS^XZ", preview.Options{})
	a := mustRender(t, "^XA^FO10,10^A0N,40,40^FDA^FS^XZ", preview.Options{})
	assert.Equal(t, a.Image.Pix, custom.Image.Pix)
}

func TestChineseWithoutFontDrawsBoxesAndWarns(t *testing.T) {
	res := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FD中文^FS^XZ", preview.Options{FallbackFonts: []string{}})
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0].Reason, "中")
	assert.Greater(t, ink(res, res.Label).Dx(), 40, "two boxes are drawn")
}

func TestChineseWithSystemFont(t *testing.T) {
	var found []string
	for _, p := range preview.DefaultFallbackFonts {
		if _, err := os.Stat(p); err == nil {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		t.Skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
	}
	res := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FD中文^FS^XZ", preview.Options{FallbackFonts: found})
	assert.Empty(t, res.Warnings)
	boxes := mustRender(t, "^XA^CI28^FO10,10^A0N,40,40^FD中文^FS^XZ", preview.Options{FallbackFonts: []string{}})
	assert.NotEqual(t, boxes.Image.Pix, res.Image.Pix, "real glyphs, not boxes")
}

func TestFieldOffLabelWarns(t *testing.T) {
	res := mustRender(t, "^XA^PW400^FO350,10^A0N,40,40^FDToo wide^FS^XZ", preview.Options{})
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0].Reason, "runs past the edge")
}

func TestRotatedTextStaysAtOrigin(t *testing.T) {
	for _, o := range []string{"R", "I", "B"} {
		res := mustRender(t, "^XA^FO200,200^A0"+o+",40,40^FDHHHH^FS^XZ", preview.Options{})
		box := ink(res, res.Label)
		assert.GreaterOrEqual(t, box.Min.X, 195, o)
		assert.GreaterOrEqual(t, box.Min.Y, 195, o)
		if o != "I" {
			assert.Greater(t, box.Dy(), box.Dx(), "orientation %s runs vertically", o)
		}
	}
}

func TestBitmapFontMagnifies(t *testing.T) {
	small := mustRender(t, "^XA^FO10,10^ADN,18,10^FDHHHH^FS^XZ", preview.Options{})
	big := mustRender(t, "^XA^FO10,10^ADN,36,20^FDHHHH^FS^XZ", preview.Options{})
	assert.InDelta(t, 2.0, float64(ink(big, big.Label).Dx())/float64(ink(small, small.Label).Dx()), 0.2)
	def := mustRender(t, "^XA^FO10,10^FDHHHH^FS^XZ", preview.Options{})
	assert.False(t, ink(def, def.Label).Empty(), "default font A prints")
}

func TestPNG(t *testing.T) {
	data, warns, err := preview.PNG([]byte("^XA^FO10,10^GB10,10,10^FS^ZZ^XZ"), preview.Options{WidthDots: 100, HeightDots: 50})
	require.NoError(t, err)
	require.Len(t, warns, 1)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, 100, img.Bounds().Dx())
	assert.Greater(t, img.Bounds().Dy(), 50, "footer with the warning")
	_, _, err = preview.PNG([]byte("nothing"), preview.Options{})
	assert.ErrorIs(t, err, preview.ErrNoLabel)
}

func TestHugeSizesAreClipped(t *testing.T) {
	res := mustRender(t, "^XA^PW99999^LL5^FO0,0^A0N,32000,32000^FDW^FS^FO0,0^GB32000,32000,32000^FS^XZ", preview.Options{})
	assert.Equal(t, 8000, res.Label.Dx(), "clipped to the largest label the preview draws")
	assert.True(t, strings.HasPrefix(res.Warnings[0].Reason, "label size"))
}

func TestFontByNameAndCW(t *testing.T) {
	for _, zpl := range []string{
		"^XA^FO10,10^A@N,40,40,E:SIMSUN.TTF^FDabc^FS^XZ",
		"^XA^CWJ,E:ANMDJ.TTF^FO10,10^AJN,40,40^FDabc^FS^XZ",
	} {
		res := mustRender(t, zpl, preview.Options{})
		assert.Empty(t, res.Warnings, zpl)
		box := ink(res, res.Label)
		assert.InDelta(t, 40, box.Dy(), 12, "scalable: about the cell height (%s)", zpl)
	}
}
