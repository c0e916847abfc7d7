package preview_test

import (
	"testing"

	"github.com/dockhand/dockhand/zpl/preview"
)

// FuzzRender feeds arbitrary ZPL to the renderer: it must never panic, and
// anything it accepts must give an image at least the label's size.
func FuzzRender(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, and a whole label
	// takes long to minimise.
	for _, seed := range []string{
		"^XA^FO10,10^A0N,30,30^FDhello^FS^XZ",
		"^XA^FO10,10^BCN,50,Y,Y,N,D^FD(01)>8>9>:>;>5>6>7^FS^XZ",
		"^XA^FO10,10^BXN,3,200,,,,_^FD_1_d232__^FS^XZ",
		"^XA^FO0,0^BQN,2,10^FDHM,B9999x^FS^FO9,9^BQ,,3^FDMA,A1^FS^XZ",
		"^XA^FO5,5^BY1^BCR,20,N,N,N,A^FDab>8cd12345^FS^XZ",
		"^XA^FO0,0^FB0,0,-999,J,9999^FD\\&\\&\\^FS^GB0,0,0,W,9^FR^XZ",
		"^XA^LH-100,-100^FT-5,-5^A0B,1,1^FH^FD_^FS^CI99^XZ",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, zpl []byte) {
		res, err := preview.Render(zpl, preview.Options{WidthDots: 200, HeightDots: 200})
		if err != nil {
			return
		}
		if b := res.Image.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
			t.Fatalf("image %v smaller than the label", b)
		}
	})
}
