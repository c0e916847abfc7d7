package daemon

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

// rawPrintRig is a gateway with a virtual printer and a light at station
// pack-1; rawZPL is its labels.raw_zpl.
func rawPrintRig(t *testing.T, rawZPL bool) (*Gateway, *devsim.Printer) {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(func() { prn.Close() })
	cfg := testConfig(t, testenv.FreePort(t), fmt.Sprintf(`stations: [{id: pack-1, role: pack}]
devices:
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
  - {id: light-1, kind: light, station: pack-1}
labels: {raw_zpl: %t}
`, prn.Addr(), rawZPL))
	g, err := Start(cfg, t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(g.Close)
	return g, prn
}

func light(t *testing.T, g *Gateway, station string) gpio.Light {
	l, ok := g.light(station)
	require.True(t, ok, "station %s has a light", station)
	return l
}

func sendPrint(t *testing.T, g *Gateway, p wire.Print) string {
	p.Envelope, p.Station = wire.NewEnvelope(wire.CmdPrint), "pack-1"
	payload, err := json.Marshal(p)
	require.NoError(t, err)
	g.apply(link.Command{Type: wire.CmdPrint, Payload: payload})
	return p.ID
}

// refusedResult waits for the failed print result of a command.
func refusedResult(t *testing.T, g *Gateway, command string) wire.PrintResult {
	t.Helper()
	var res wire.PrintResult
	require.Eventually(t, func() bool {
		for _, r := range printResults(t, g) {
			if r.Command == command {
				res = r
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "a result is reported for command %s", command)
	assert.False(t, res.Printed)
	return res
}

// Raw ZPL is off unless the gateway's configuration enables it: a print
// command carrying ZPL (a forged ^JUF, say) becomes a failed print result
// with the reason and a red light, and nothing reaches the printer.
// Templates still print.
func TestRawZPLIsOffByDefault(t *testing.T) {
	g, prn := rawPrintRig(t, false)
	id := sendPrint(t, g, wire.Print{ZPL: "^XA^JUF^XZ"})
	res := refusedResult(t, g, id)
	assert.Contains(t, res.Reason, "raw ZPL is off on this gateway (labels.raw_zpl)")
	assert.Equal(t, gpio.PatternFault, light(t, g, "pack-1").Current(), "red light")

	sendPrint(t, g, wire.Print{Template: "bin-location", Data: map[string]string{"location": "A-03-2-05"}})
	require.Eventually(t, func() bool { return len(prn.Jobs()) == 1 }, 10*time.Second, 10*time.Millisecond, "templates print")
	assert.Contains(t, string(prn.Jobs()[0].ZPL), "A-03-2-05")
}

// With raw ZPL enabled, labels print and printer commands are refused —
// the reason names the command and where it is — and never reach the
// printer.
func TestRawZPLRefusesPrinterCommands(t *testing.T) {
	g, prn := rawPrintRig(t, true)
	for _, c := range []struct{ zpl, want string }{
		{"^XA^JUF^XZ", "^JU at byte 3"},
		{"^XA^ND2,P,10.0.0.99^XZ", "^ND at byte 3"},
		{"^XA^CC!^XZ!XA!JUF!XZ", "^CC at byte 3"},
		{"^XA^FO0,0^FDok^FS^XZ^XA^fdx~jr^XZ", "~JR at byte 27"},
	} {
		id := sendPrint(t, g, wire.Print{ZPL: c.zpl})
		res := refusedResult(t, g, id)
		assert.Contains(t, res.Reason, c.want, c.zpl)
		assert.Equal(t, gpio.PatternFault, light(t, g, "pack-1").Current(), "red light")
		_ = light(t, g, "pack-1").Show(gpio.PatternOff)
	}
	sendPrint(t, g, wire.Print{ZPL: "^XA^FO10,10^A0N,30,30^FDraw label^FS^XZ"})
	require.Eventually(t, func() bool { return len(prn.Jobs()) == 1 }, 10*time.Second, 10*time.Millisecond, "a label prints")
	assert.Contains(t, string(prn.Jobs()[0].ZPL), "raw label", "and it is the only job the printer got")
}
