package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

func printResults(t *testing.T, g *Gateway) []wire.PrintResult {
	return stored[wire.PrintResult](t, g, outbox.Must, wire.EvtPrint)
}

// A label waiting for an offline printer survives a gateway restart and
// prints once; a redelivered command does not print again; a label that
// may have left for the printer when the gateway died is reported, not
// re-sent.
func TestPrintJobsSurviveRestartAndNeverPrintTwice(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	defer prn.Close()
	prn.SetOffline(true)
	cfg := testConfig(t, testenv.FreePort(t), fmt.Sprintf(`stations: [{id: pack-1, role: pack}]
devices:
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
labels: {raw_zpl: true}
`, prn.Addr()))
	dir := t.TempDir()
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "pack-1", ZPL: "^XA^FO10,10^A0N,30,30^FDhello^FS^XZ"}
	payload, err := json.Marshal(cmd)
	require.NoError(t, err)

	g, err := Start(cfg, dir, log)
	require.NoError(t, err)
	g.apply(link.Command{Type: wire.CmdPrint, Payload: payload})
	require.Eventually(t, func() bool {
		jobs, err := g.Outbox().PrintJobs()
		return err == nil && len(jobs) == 1 && jobs[0].Sending
	}, 5*time.Second, 10*time.Millisecond, "the job waits for the offline printer")
	g.Close()

	prn.SetOffline(false)
	g, err = Start(cfg, dir, log)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	jobs, err := prn.WaitJobs(ctx, 1)
	require.NoError(t, err)
	assert.Contains(t, string(jobs[0].ZPL), "hello")
	require.Eventually(t, func() bool { r := printResults(t, g); return len(r) == 1 && r[0].Printed }, 10*time.Second, 10*time.Millisecond)

	g.apply(link.Command{Type: wire.CmdPrint, Payload: payload}) // the broker delivers it again
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, prn.Jobs(), 1, "a redelivered command prints nothing")

	// A job marked as being sent when the gateway died.
	cmd2 := outbox.PrintJob{Command: wire.NewID(), Station: "pack-1", ZPL: []byte("^XA^FDmaybe^FS^XZ")}
	first, err := g.Outbox().AcceptPrint(cmd2)
	require.NoError(t, err)
	require.True(t, first)
	require.NoError(t, g.Outbox().MarkSending(cmd2))
	g.Close()
	g, err = Start(cfg, dir, log)
	require.NoError(t, err)
	defer g.Close()
	require.Eventually(t, func() bool {
		for _, r := range printResults(t, g) {
			if r.Command == cmd2.Command && !r.Printed {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "the uncertain job is reported")
	assert.Len(t, prn.Jobs(), 1, "and not sent again")
	assert.Eventually(t, func() bool {
		left, err := g.Outbox().PrintJobs()
		return err == nil && len(left) == 0
	}, 5*time.Second, 10*time.Millisecond, "reported jobs are forgotten")
}

// A gateway stopped while a label's bytes are at the printer but its
// status answer is still on the way lets the printer confirm the label:
// the result says printed, instead of "sent but not confirmed".
func TestStoppingGatewayLetsASentLabelBeConfirmed(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	defer prn.Close()
	cfg := testConfig(t, testenv.FreePort(t), fmt.Sprintf(`stations: [{id: pack-1, role: pack}]
devices:
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
labels: {raw_zpl: true}
`, prn.Addr()))
	dir := t.TempDir()
	g, err := Start(cfg, dir, log)
	require.NoError(t, err)
	prn.SetStatusDelay(700 * time.Millisecond)
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: "pack-1", ZPL: "^XA^FO10,10^A0N,30,30^FDslow^FS^XZ"}
	payload, err := json.Marshal(cmd)
	require.NoError(t, err)
	g.apply(link.Command{Type: wire.CmdPrint, Payload: payload})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = prn.WaitJobs(ctx, 1)
	require.NoError(t, err)
	g.Close() // the printer's answer to the status query after the job is still on its way

	g, err = Start(cfg, dir, log)
	require.NoError(t, err)
	defer g.Close()
	res := printResults(t, g)
	require.Len(t, res, 1)
	assert.True(t, res[0].Printed, "result: %+v", res[0])
	jobs, err := g.Outbox().PrintJobs()
	require.NoError(t, err)
	assert.Empty(t, jobs, "the confirmed job is forgotten")
	assert.Len(t, prn.Jobs(), 1, "and not sent again")
}

// A label is rendered for the printer it goes to: that printer's
// resolution and label stock (its dpi and profile, else labels:), the
// template's layout for the stock, and refused (a failed print result)
// when it is larger than the labels loaded.
func TestLabelsAreRenderedForTheirPrinter(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	var prns []*devsim.Printer
	for range 3 {
		prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
		require.NoError(t, err)
		defer prn.Close()
		prns = append(prns, prn)
	}
	cfg := testConfig(t, testenv.FreePort(t), fmt.Sprintf(`stations: [{id: pack-1, role: pack}, {id: dock-1, role: inbound-dock}, {id: dock-2, role: inbound-dock}]
devices:
  - {id: printer-1, kind: printer, station: pack-1, address: %q}
  - {id: printer-2, kind: printer, station: dock-1, address: %q, dpi: 300, profile: 4x8}
  - {id: printer-3, kind: printer, station: dock-2, address: %q, profile: 6.5x8}
labels: {dpi: 203}
`, prns[0].Addr(), prns[1].Addr(), prns[2].Addr()))
	g, err := Start(cfg, t.TempDir(), log)
	require.NoError(t, err)
	defer g.Close()
	pallet := map[string]string{"sscc": "106141410000000019", "gtin": "09506000134352", "lot": "LOTABCDEFGHIJKLMNOPQ"}
	send := func(station string, template wire.Template, data map[string]string) string {
		cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: station, Template: template, Data: data}
		payload, err := json.Marshal(cmd)
		require.NoError(t, err)
		g.apply(link.Command{Type: wire.CmdPrint, Payload: payload})
		return cmd.ID
	}
	job := func(prn *devsim.Printer) string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		jobs, err := prn.WaitJobs(ctx, 1)
		require.NoError(t, err)
		return string(jobs[len(jobs)-1].ZPL)
	}
	refused := send("pack-1", "sscc-pallet", map[string]string{"sscc": pallet["sscc"]})
	send("pack-1", "bin-location", map[string]string{"location": "A-03-2-05"})
	assert.Contains(t, job(prns[0]), "^PW812\n^LL406\n", "labels: 203 dpi")
	require.Eventually(t, func() bool {
		for _, r := range printResults(t, g) {
			if r.Command == refused {
				assert.False(t, r.Printed)
				assert.Contains(t, r.Reason, "printer profile 4x6 is 101.6 × 152.4 mm")
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "a 4 x 8 in label is refused on 4 x 6 in labels")

	send("dock-1", "sscc-pallet", map[string]string{"sscc": pallet["sscc"]})
	assert.Contains(t, job(prns[1]), "^PW1200\n^LL2400\n", "printer-2: 300 dpi, 4 x 8 in")
	send("dock-2", "sscc-pallet", pallet)
	assert.Contains(t, job(prns[2]), "^PW1320\n^LL1624\n", "printer-3: the 6.5 x 8 in layout at 203 dpi, with a 20-letter lot")
}
