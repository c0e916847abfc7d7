package devsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/internal/testenv"
)

// An LLRP implementation that is not ours — llrpjs, from npm — encodes
// every request and decodes every message of a whole inventory session
// with the simulator: the connection event and the refusal of a second
// client, capabilities, reader configuration, factory defaults, a
// keepalive, ROSpecs and AccessSpecs deleted with ID 0, a ROSpec with an
// Immediate start trigger that runs on ENABLE_ROSPEC, reports,
// ENABLE_EVENTS_AND_REPORTS (no response), stop, disable, delete, an error
// status, and CLOSE_CONNECTION. Without vendor Custom parameters: llrpjs
// 1.0.1 decodes a Custom parameter's data up to the end of the message,
// not of the parameter, and so loses what follows it (the golden frame
// drivers/rfid/llrp/testdata/ro_access_report_vendor.hex shows it).
func TestIndependentClientSession(t *testing.T) {
	node, dir := testenv.Node(t, "llrpjs")
	if node == "" {
		return
	}
	sim, err := NewLLRPReader(LLRPReaderOptions{ReadPeriod: 50 * time.Millisecond, Manufacturer: 25882})
	require.NoError(t, err)
	defer sim.Close()
	sim.PutTag(rfid.Read{EPC: unhex(t, epc), Antenna: 1, RSSI: -60})
	other := "E2801160600002084C5A3C7B"
	sim.PutTag(rfid.Read{EPC: unhex(t, other), Antenna: 3, RSSI: -50})

	host, port, err := net.SplitHostPort(sim.Addr())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "session.js", host, port)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "llrpjs session: %s\n%s", stderr.String(), out)

	type line struct {
		First, Connection, Second, Step, Response, Status, Description, Tag, Unexpected, Failed string
		Params                                                                                  []string
		Event                                                                                   []string
		Antenna, ROSpec                                                                         int
		RSSI                                                                                    float64
		Keepalive, Done                                                                         bool
	}
	steps := map[string]line{}
	var events []line
	tags := map[string]line{}
	keepalives := 0
	done := false
	for _, raw := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var l line
		require.NoError(t, json.Unmarshal(raw, &l), "%s", raw)
		switch {
		case l.Failed != "":
			t.Fatalf("llrpjs failed: %s", l.Failed)
		case l.Unexpected != "":
			t.Errorf("a message the session did not ask for: %s", raw)
		case l.First != "":
			assert.Equal(t, "READER_EVENT_NOTIFICATION", l.First)
			assert.Equal(t, "Success", l.Connection, "ConnectionAttemptEvent first")
		case l.Second != "":
			assert.Equal(t, "Failed_A_Client_Initiated_Connection_Already_Exists", l.Second, "a second client is refused")
		case l.Step != "":
			steps[l.Step] = l
		case l.Event != nil:
			events = append(events, l)
		case l.Tag != "":
			tags[strings.ToUpper(l.Tag)] = l
		case l.Keepalive:
			keepalives++
		case l.Done:
			done = true
		}
	}
	require.True(t, done, "the session ran to its end:\n%s", out)
	for _, name := range []string{"capabilities", "get-config", "factory-defaults", "keepalive", "delete-rospecs",
		"delete-accessspecs", "add-rospec", "get-rospecs", "enable-rospec", "stop-rospec", "disable-rospec", "delete-rospec", "close"} {
		assert.Equal(t, "M_Success", steps[name].Status, "%s: %+v", name, steps[name])
	}
	assert.Equal(t, "M_FieldError", steps["start-deleted"].Status, "START_ROSPEC of a deleted ROSpec")
	assert.Subset(t, steps["capabilities"].Params, []string{"GeneralDeviceCapabilities", "LLRPCapabilities", "RegulatoryCapabilities"})
	assert.Subset(t, steps["get-config"].Params, []string{"Identification", "AntennaProperties", "AntennaConfiguration",
		"ReaderEventNotificationSpec", "ROReportSpec", "AccessReportSpec", "KeepaliveSpec", "EventsAndReports"})
	assert.Equal(t, []string{"ROSpec"}, steps["get-rospecs"].Params)
	require.NotEmpty(t, events)
	assert.Equal(t, "Another_Connection_Attempted", events[0].Connection, "the client is told of the refused one")

	first := strings.ReplaceAll(epc, " ", "")
	require.Contains(t, tags, first, "the Immediate ROSpec ran on ENABLE_ROSPEC")
	require.Contains(t, tags, other)
	assert.Equal(t, line{Tag: tags[first].Tag, Antenna: 1, RSSI: -60, ROSpec: 123}, tags[first])
	assert.Equal(t, line{Tag: tags[other].Tag, Antenna: 3, RSSI: -50, ROSpec: 123}, tags[other])
	assert.Positive(t, keepalives)
	assert.Positive(t, sim.KeepaliveAcks(), "llrpjs's KEEPALIVE_ACKs were understood")
}
