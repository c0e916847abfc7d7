package demo

import (
	"context"
	"github.com/dockhand/dockhand/central/store"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

func TestStoryEmbeddedBroker(t *testing.T) {
	playStory(t, "")
}

func TestStoryMosquitto(t *testing.T) {
	playStory(t, testenv.ExternalMQTT(t))
}

// playStory runs the demo's inbound story and checks what a user would:
// label bytes at the printer, ops messages, and central's ledger.
func playStory(t *testing.T, mqttURL string) {
	var out strings.Builder
	site := "t" + strings.ToLower(wire.NewID()[18:])
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	if testing.Verbose() {
		log = log.Level(zerolog.DebugLevel)
	}
	r, err := Start(Options{Dir: t.TempDir(), Site: site, MQTT: mqttURL, BrokerListen: "127.0.0.1:0", Out: &out, Log: log})
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, r.Play(), "story output so far:\n%s", out.String())
	t.Log("\n" + out.String())

	// Three labels, one per ASN pallet, each carrying its SSCC as a GS1-128
	// barcode and its putaway location; nothing for the unknown pallet,
	// the bad scan or the repeated scan.
	jobs := r.Printer.Jobs()
	require.Len(t, jobs, 3)
	putaways := map[string]bool{}
	for i, p := range r.Pallets {
		zplText := string(jobs[i].ZPL)
		assert.Contains(t, zplText, p.SSCC, "label %d carries its SSCC", i+1)
		assert.Contains(t, zplText, p.Lot, "label %d carries its lot", i+1)
		assert.True(t, strings.HasPrefix(zplText, "^XA") && strings.HasSuffix(strings.TrimSpace(zplText), "^XZ"))
		fileZPL, err := os.ReadFile(jobs[i].File)
		require.NoError(t, err)
		assert.Equal(t, jobs[i].ZPL, fileZPL, "the job file holds the label bytes")
		rc := r.Messages("/ops/receipt")[i]
		assert.Equal(t, p.SSCC, rc.Str("sscc"))
		assert.Contains(t, zplText, rc.Str("putaway"))
		putaways[rc.Str("putaway")] = true
	}
	assert.Len(t, putaways, 3, "each pallet gets its own putaway location")
	assert.NotContains(t, putaways, "-")

	receipts := r.Messages("/ops/receipt")
	assert.Len(t, receipts, 3, "one receipt per pallet; the repeated scan adds none")
	kinds := map[string]int{}
	for _, a := range r.Messages("/ops/alert") {
		kinds[a.Str("kind")]++
	}
	assert.Equal(t, map[string]int{"unknown-pallet": 1, "bad-scan": 1, "duplicate-pallet": 1, "backorder": 1}, kinds)
	var story []string
	for _, m := range r.Messages("/ops/order") {
		story = append(story, m.Str("channel_order")+" "+m.Str("event")+" "+m.Str("status"))
	}
	assert.Equal(t, []string{"1001 created promised", "1002 created partly-backordered", "1002 served promised"}, story,
		"one order promised, one backordered and then served by the second pallet's receipt")
	badScans := 0
	for _, s := range r.Messages("/evt/scan") {
		if s.Str("error") != "" {
			badScans++
			assert.Contains(t, s.Str("error"), "check digit")
		}
	}
	assert.Equal(t, 1, badScans, "the damaged label travels as an error event")
	lights := r.Messages("/cmd/light")
	require.NotEmpty(t, lights)
	assert.Equal(t, "reject", lights[0].Str("pattern"))

	ledger, err := r.Ledger()
	require.NoError(t, err)
	require.Len(t, ledger, 3, "three receipt movements")
	for i, m := range ledger {
		assert.Equal(t, uint64(i+1), m.Seq)
		assert.Equal(t, "receipt", m.Reason)
		assert.Equal(t, r.Pallets[i].SSCC, m.LPN)
		assert.Equal(t, r.Pallets[i].Quantity, m.Quantity)
		assert.Equal(t, "RECEIVING", m.To)
	}
	q, err := r.Stock()
	require.NoError(t, err)
	var total int64
	for _, x := range q {
		assert.Equal(t, stock.Available, x.Status)
		total += x.Quantity
	}
	assert.Equal(t, int64(48+48+120), total)
	problems, err := store.Check(context.Background(), r.Central.Store)
	require.NoError(t, err)
	assert.Empty(t, problems)
	problems, err = store.CheckOutbound(context.Background(), r.Central.Store)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
