package preview_test

import (
	"testing"

	"github.com/dockhand/dockhand/zpl/preview"
)

// label4x6 is a busy 4×6 in shipping label: text blocks, boxes, three
// Code 128 symbols, a GS1 DataMatrix and a QR code.
const label4x6 = "^XA^CI28\n" +
	"^FO24,24^A0N,28,28^FB400,3,0,L^FH^FDACME Logistics_0AUnit 4, Harbour Road_0ASouthampton SO14 3GG^FS\n" +
	"^FO440,24^A0N,48,48^FB348,2,0,R^FDSF Express^FS\n" +
	"^FO0,144^GB812,3,3^FS\n" +
	"^FO24,160^A0N,60,60^FB764,1^FD张伟 Zhang Wei^FS\n" +
	"^FO24,230^A0N,40,40^FB764,4^FD上海市浦东新区张江路88号 3号楼 502室 Pudong, Shanghai 201203^FS\n" +
	"^FO0,420^GB812,3,3^FS\n" +
	"^BY4^FO60,450^BCN,200,Y,N,N^FD>;1234567890>6SF>5123456^FS\n" +
	"^FO0,720^GB812,3,3^FS\n" +
	"^BY3^FO40,740^BCN,100,Y,N,N^FD>:ORD-2024-000123^FS\n" +
	"^FO40,900^BY2^BCN,120,Y,N,N,D^FD(00)012345678901234567^FS\n" +
	"^FO560,900^BXN,8,200,,,,_^FD_10109501101530003_117260331_110LOT-42^FS\n" +
	"^FO560,1040^BQN,2,4^FH^FDQA,https://track.example/SF1234567890123456^FS\n" +
	"^FO24,1080^FR^GB300,100,100^FS^FO40,1100^FR^A0N,60,60^FD12.5 kg^FS\n" +
	"^XZ"

func BenchmarkPNG4x6(b *testing.B) {
	for _, dpi := range []int{203, 300} {
		b.Run(map[int]string{203: "203dpi", 300: "300dpi"}[dpi], func(b *testing.B) {
			opt := preview.Options{DPI: dpi}
			if _, _, err := preview.PNG([]byte(label4x6), opt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := preview.PNG([]byte(label4x6), opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
