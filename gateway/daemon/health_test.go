package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

func deviceState(g *Gateway, id string) string {
	d, _ := g.board.Get(id)
	return d.State
}

// A printer is watched while idle: going offline or out of paper is an
// evt/device event, a per-device metric and a reason on /readyz, before
// any label waits for it.
func TestIdlePrinterHealthIsPolledAndReported(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	defer prn.Close()
	cfg := testConfig(t, testenv.FreePort(t), fmt.Sprintf(`stations: [{id: pack-1, role: pack}]
devices:
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
`, prn.Addr()))
	g, err := StartWith(cfg, t.TempDir(), log, Options{PrinterPoll: 50 * time.Millisecond})
	require.NoError(t, err)
	defer g.Close()
	require.Eventually(t, func() bool { return deviceState(g, "printer-1") == health.Connected }, 5*time.Second, 10*time.Millisecond)

	prn.SetPaperOut(true)
	require.Eventually(t, func() bool { return deviceState(g, "printer-1") == health.Error }, 5*time.Second, 10*time.Millisecond)
	d, _ := g.board.Get("printer-1")
	require.NotNil(t, d.Printer)
	assert.True(t, d.Printer.PaperOut)
	assert.Equal(t, "paper out", d.LastError)

	rec := httptest.NewRecorder()
	g.metrics.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	assert.Contains(t, rec.Body.String(), `dockhand_gateway_printer_paper_out{device="printer-1",kind="printer",station="pack-1"} 1`)
	assert.Contains(t, rec.Body.String(), `dockhand_gateway_device_up{device="printer-1",kind="printer",station="pack-1"} 0`)

	prn.SetPaperOut(false)
	prn.SetOffline(true)
	require.Eventually(t, func() bool { return deviceState(g, "printer-1") == health.Disconnected }, 10*time.Second, 10*time.Millisecond)
	reasons := g.Unready()
	require.Len(t, reasons, 2, "%v", reasons)
	assert.Equal(t, "mqtt", reasons[0].Component, "the broker is absent")
	assert.Equal(t, "printer-1", reasons[1].ID)
	assert.Contains(t, reasons[1].Reason, "printer printer-1 is disconnected")

	// The board shows a change as it is made; its event is stored right
	// after, so wait for it rather than read at once.
	printerEvents := func() []wire.Device {
		var out []wire.Device
		for _, ev := range stored[wire.Device](t, g, outbox.Must, wire.EvtDevice) {
			if ev.Device == "printer-1" {
				out = append(out, ev)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(printerEvents()) >= 3 }, 5*time.Second, 10*time.Millisecond)
	var states []string
	for _, ev := range printerEvents() {
		states = append(states, ev.State)
		if ev.State == health.Error {
			require.NotNil(t, ev.Printer)
			assert.True(t, ev.Printer.PaperOut)
		}
	}
	assert.Equal(t, []string{"connected", "error", "disconnected"}, states, "each change once, for central")
}

// A new configuration is applied without a restart: a changed printer is
// replaced and a job waiting for the old one prints on the new one, a
// scanner is added and removed, and the outbox and the untouched light
// carry on.
func TestApplyReplacesDevicesWithoutLosingJobsOrEvents(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	oldPrn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	defer oldPrn.Close()
	newPrn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	defer newPrn.Close()
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: log})
	require.NoError(t, err)
	defer sc.Close()
	port := testenv.FreePort(t)
	base := `labels: {raw_zpl: true}
stations: [{id: pack-1, role: pack}]
devices:
  - {id: light-1, kind: light, station: pack-1}
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
`
	cfg := testConfig(t, port, fmt.Sprintf(base, oldPrn.Addr()))
	g, err := StartWith(cfg, t.TempDir(), log, Options{PrinterPoll: 50 * time.Millisecond})
	require.NoError(t, err)
	defer g.Close()
	light, _ := g.light("pack-1")

	oldPrn.SetOffline(true)
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "pack-1", ZPL: "^XA^FDwaiting^FS^XZ"}
	payload, err := json.Marshal(cmd)
	require.NoError(t, err)
	g.apply(link.Command{Type: wire.CmdPrint, Payload: payload})
	require.Eventually(t, func() bool { jobs, _ := g.Outbox().PrintJobs(); return len(jobs) == 1 }, 5*time.Second, 10*time.Millisecond)
	before := g.Outbox().Stats().Events

	next := testConfig(t, port, fmt.Sprintf(base, newPrn.Addr())+fmt.Sprintf("  - {id: scanner-1, kind: scanner, station: pack-1, port: %q}\n", sc.Path()))
	require.NoError(t, g.Apply(next))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jobs, err := newPrn.WaitJobs(ctx, 1)
	require.NoError(t, err, "the job waiting for the replaced printer prints on the new one")
	assert.Contains(t, string(jobs[0].ZPL), "waiting")
	assert.Empty(t, oldPrn.Jobs())
	l2, _ := g.light("pack-1")
	assert.Same(t, light.Light, l2.Light, "the untouched light was not reopened")

	require.Eventually(t, func() bool { return deviceState(g, "scanner-1") == health.Connected }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, sc.Scan("]C100106141410000000019"))
	require.Eventually(t, func() bool {
		return len(stored[wire.Scan](t, g, outbox.Must, wire.EvtScan)) == 1
	}, 5*time.Second, 10*time.Millisecond, "the added scanner's scans are stored")
	assert.GreaterOrEqual(t, g.Outbox().Stats().Events, before+1, "nothing buffered was dropped")

	require.NoError(t, g.Apply(testConfig(t, port, fmt.Sprintf(base, newPrn.Addr()))))
	_, ok := g.board.Get("scanner-1")
	assert.False(t, ok, "a removed device leaves the board")
	require.NoError(t, sc.Scan("]C100106141410000000019"))
	time.Sleep(200 * time.Millisecond) // proving an absence: give a wrongly kept scanner time to deliver
	assert.Len(t, stored[wire.Scan](t, g, outbox.Must, wire.EvtScan), 1, "the removed scanner is closed")
	assert.Equal(t, []string{"light-1", "printer-1"}, ids(g.Devices()))
	assert.Len(t, g.config().Devices, 2)
}

func ids(ds []health.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
