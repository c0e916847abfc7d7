package llrp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/internal/testenv"
)

// Our client against a reader whose every message is encoded by llrpjs,
// an LLRP implementation that is not ours (testdata/llrpjs/reader.js):
// the connection event, capabilities as an Impinj reader gives them,
// reports of two tags with a vendor Custom parameter in the first, and
// keepalives and an antenna event that nobody asked for. The client sets
// the reader up, reads both tags with their antennas and RSSI, and
// answers the keepalives.
func TestClientAgainstIndependentReader(t *testing.T) {
	node, dir := testenv.Node(t, "llrpjs")
	if node == "" {
		return
	}
	cmd := exec.Command(node, "reader.js")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var mu sync.Mutex
	got := map[string]int{}
	var failures []string
	port := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l struct {
				Listening   int
				Got, Failed string
			}
			if json.Unmarshal(sc.Bytes(), &l) != nil {
				continue
			}
			mu.Lock()
			switch {
			case l.Listening != 0:
				port <- l.Listening
			case l.Failed != "":
				failures = append(failures, l.Failed)
			default:
				got[l.Got]++
			}
			mu.Unlock()
		}
	}()
	var addr string
	select {
	case p := <-port:
		addr = fmt.Sprintf("127.0.0.1:%d", p)
	case <-time.After(30 * time.Second):
		t.Fatal("the llrpjs reader did not start")
	}

	ev, stop := connect(t, addr, 100*time.Millisecond, 5*time.Second)
	defer func() { _ = stop() }()

	other := append([]byte(nil), sgtin...)
	other[11] = 0x86
	reads := map[string]rfid.Read{}
	require.Eventually(t, func() bool {
		for _, e := range ev.Since(0) {
			if rd, ok := e.(rfid.Read); ok {
				reads[string(rd.EPC)] = rd
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return len(reads) == 2 && got["KEEPALIVE_ACK"] >= 2
	}, 15*time.Second, 10*time.Millisecond, "both tags read and keepalives answered")
	assert.Equal(t, 2, reads[string(sgtin)].Antenna)
	assert.Equal(t, -55.0, reads[string(sgtin)].RSSI)
	assert.Equal(t, 4, reads[string(other)].Antenna)
	assert.Equal(t, -48.0, reads[string(other)].RSSI)
	for _, e := range ev.Since(0) {
		if s, ok := e.(rfid.Status); ok {
			assert.Equal(t, rfid.Connected, s.State, "no fault, no disconnect: %v", s.Err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, failures, "llrpjs decodes every message our client sends")
	for _, m := range []string{"GET_READER_CAPABILITIES", "SET_READER_CONFIG", "DELETE_ACCESSSPEC", "DELETE_ROSPEC", "ADD_ROSPEC",
		"ENABLE_ROSPEC", "START_ROSPEC"} {
		assert.Equal(t, 1, got[m], "%s sent once", m)
	}
}
