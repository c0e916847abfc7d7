package preview_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dockhand/dockhand/zpl/preview"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"
)

// gs is ASCII group separator: how the readers report FNC1 inside GS1 data.
const gs = "\x1d"

// scanned is what a real bar code reader made of a symbol.
type scanned struct {
	text string // the data; for GS1 the element string, FNC1 separators as GS
	gs1  bool   // the symbol declared itself GS1 (leading FNC1)
}

// mustRender renders zpl or fails the test.
func mustRender(t testing.TB, zpl string, opt preview.Options) *preview.Result {
	t.Helper()
	res, err := preview.Render([]byte(zpl), opt)
	require.NoError(t, err)
	return res
}

// scan decodes bar code i of res from the image pixels with gozxing. The
// symbol is copied onto a white page with a quiet zone so that the reader
// sees it as a scanner would, whatever is printed around it. Of a Code 128
// with vertical bars a band of rows is enough: every row holds the symbol.
func scan(t testing.TB, res *preview.Result, i int) scanned {
	t.Helper()
	require.Less(t, i, len(res.Barcodes), "bar code %d was not drawn", i)
	bc := res.Barcodes[i]
	src := bc.Bounds
	if bc.Symbology == "code128" && src.Dx() > src.Dy() && src.Dy() > 32 {
		mid := src.Min.Y + src.Dy()/2
		src.Min.Y, src.Max.Y = mid-16, mid+16
	}
	const pad = 60
	w, h := src.Dx()+2*pad, src.Dy()+2*pad
	page := bytes.Repeat([]byte{0xff}, w*h) // luminance, one byte per dot
	for y := src.Min.Y; y < src.Max.Y; y++ {
		row := res.Image.Pix[res.Image.PixOffset(src.Min.X, y):]
		copy(page[(pad+y-src.Min.Y)*w+pad:], row[:src.Dx()])
	}
	lum, err := gozxing.NewPlanarYUVLuminanceSource(page, w, h, 0, 0, w, h, false)
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(lum))
	require.NoError(t, err)

	var reader gozxing.Reader
	hints := map[gozxing.DecodeHintType]any{}
	switch bc.Symbology {
	case "code128":
		reader = oned.NewCode128Reader()
		// Report a leading FNC1 as "]C1" and later ones as GS.
		hints[gozxing.DecodeHintType_ASSUME_GS1] = true
	case "datamatrix":
		reader = datamatrix.NewDataMatrixReader()
	case "qr":
		reader = qrcode.NewQRCodeReader()
	default:
		t.Fatalf("unknown symbology %q", bc.Symbology)
	}
	out, err := reader.Decode(bmp, hints)
	if err != nil && bc.Symbology == "qr" {
		// gozxing's QR finder-pattern detector misjudges the size of some
		// valid symbols ("dimension = 23"); the page holds exactly one
		// symbol in its quiet zone, which is what PURE_BARCODE reads.
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
		out, err = reader.Decode(bmp, hints)
	}
	require.NoError(t, err, "decode %s at %v", bc.Symbology, bc.Bounds)
	text := out.GetText()
	if raw := out.GetRawBytes(); bc.Symbology == "code128" && len(raw) >= 2 && raw[len(raw)-2] == 102 && strings.HasSuffix(text, gs) {
		// gozxing v0.1.1 with ASSUME_GS1 reads a symbol check character of
		// value 102 as FNC1 and appends a GS for it. Raw codes end with the
		// check character and the stop (ISO/IEC 15417): that GS is no data.
		text = strings.TrimSuffix(text, gs)
	}
	sym, _ := out.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
	switch {
	case bc.Symbology == "code128" && strings.HasPrefix(text, "]C1"):
		// gozxing with ASSUME_GS1: FNC1 first is the symbology prefix. (Its
		// symbology identifier metadata is not used: it also counts the
		// check character, so a check value of 97 (FNC2) gives "]C4".)
		return scanned{text: strings.TrimPrefix(text, "]C1"), gs1: true}
	case bc.Symbology == "datamatrix" && sym == "]d2":
		// gozxing returns the leading FNC1 of GS1 DataMatrix as GS too.
		require.True(t, strings.HasPrefix(text, gs))
		return scanned{text: strings.TrimPrefix(text, gs), gs1: true}
	}
	return scanned{text: text}
}
