// Package preview renders ZPL label formats to images, one pixel per
// printer dot, for the technician web page ("test print" preview), the
// device simulator and the tests that prove our labels scan.
//
// It implements the subset of ZPL II that Dockhand's templates emit (see
// docs/label-preview.md for the list): text in the scalable font and a
// stand-in for the bitmap fonts, ^FB blocks, ^GB boxes, ^FR reverse
// fields, Code 128 (own encoder, honouring ZPL's subset and FNC1
// invocation codes), GS1 Data Matrix and QR Code (encoded with
// github.com/boombuler/barcode). Anything else is reported as a Warning
// and printed under the label, never silently dropped.
//
// Text uses the Go fonts bundled with golang.org/x/image; characters they
// lack (Chinese) come from a system CJK font when one is installed
// (DefaultFallbackFonts), else they are drawn as boxes with a warning.
package preview
