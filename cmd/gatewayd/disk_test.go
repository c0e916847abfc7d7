package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// TestMain removes the gatewayd binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// gatewaydBinary builds this package's gatewayd once per test run.
func gatewaydBinary(t *testing.T) string {
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "gatewayd-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "gatewayd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// gatewayd is the real daemon in a child process that the test kills.
type gatewayd struct {
	t         *testing.T
	bin, conf string
	data      string
	http      string
	cmd       *exec.Cmd
	logPath   string
	exited    chan struct{}
	// The log read so far: decoded lines, and where to go on reading.
	lines  []map[string]any
	offset int64
}

func (g *gatewayd) start() {
	g.t.Helper()
	g.logPath = filepath.Join(g.t.TempDir(), "gatewayd.log")
	f, err := os.Create(g.logPath)
	require.NoError(g.t, err)
	g.cmd = exec.Command(g.bin, "--config", g.conf, "--data", g.data)
	g.cmd.Stderr = f
	require.NoError(g.t, g.cmd.Start())
	g.exited = make(chan struct{})
	go func() { _ = g.cmd.Wait(); f.Close(); close(g.exited) }()
	g.t.Cleanup(g.kill)
}

// kill is kill -9.
func (g *gatewayd) kill() {
	if g.cmd.ProcessState == nil {
		_ = g.cmd.Process.Kill()
	}
	<-g.exited
}

func (g *gatewayd) stop() {
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(20 * time.Second):
		g.t.Fatal("gatewayd did not stop on SIGTERM")
	}
}

// requireAlive stops the test, with the end of the log, if gatewayd died.
func (g *gatewayd) requireAlive() {
	g.t.Helper()
	if !g.alive() {
		b, _ := os.ReadFile(g.logPath)
		g.t.Fatalf("gatewayd died (%s); its output from the fatal error on:\n%s", g.cmd.ProcessState, fatalTail(b))
	}
}

func (g *gatewayd) alive() bool {
	select {
	case <-g.exited:
		return false
	default:
		return true
	}
}

// logs decodes the log lines of this run (those written so far).
func (g *gatewayd) logs() []map[string]any {
	f, err := os.Open(g.logPath)
	if err != nil {
		return g.lines
	}
	defer f.Close()
	if _, err := f.Seek(g.offset, io.SeekStart); err != nil {
		return g.lines
	}
	b, _ := io.ReadAll(f)
	end := bytes.LastIndexByte(b, '\n') + 1 // whole lines only
	for _, line := range bytes.Split(b[:end], []byte{'\n'}) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil {
			g.lines = append(g.lines, m)
		}
	}
	g.offset += int64(end)
	return g.lines
}

// logged returns the first log line with this message (nil if none).
func (g *gatewayd) logged(msg string) map[string]any {
	for _, l := range g.logs() {
		if l["message"] == msg {
			return l
		}
	}
	return nil
}

// outcomes lists the light's answers to scans in order: "ok" (green) or
// "reject" (red).
func (g *gatewayd) outcomes() []string {
	var out []string
	for _, l := range g.logs() {
		if p := l["pattern"]; l["message"] == "light pattern" && (p == "ok" || p == "reject") {
			out = append(out, p.(string))
		}
	}
	return out
}

func (g *gatewayd) lightShowed(pattern string) bool {
	for _, l := range g.logs() {
		if l["message"] == "light pattern" && l["pattern"] == pattern {
			return true
		}
	}
	return false
}

// metric reads one gauge from /metrics (-1 when it cannot).
func (g *gatewayd) metric(name string) float64 {
	return testenv.Gauge(g.http, "dockhand_gateway_"+name)
}

// storageReadiness is the storage reason /readyz gives ("" when none).
func (g *gatewayd) storageReadiness() string {
	r, err := testenv.NotReady(g.http, "storage")
	if err != nil {
		return "no answer: " + err.Error()
	}
	return r.ID
}

// palletScan is the scan of a pallet label (GS1-128, AIM ]C1): the SSCC
// with serial reference n (with its check digit), and the nine
// company-internal AIs 91-99 at their longest (90 characters), so each
// event is about 3 KB and the disk fills with fewer scans.
func palletScan(n int) (scan, sscc string) {
	digits := fmt.Sprintf("1061414%010d", n)
	cd, _ := gs1.CheckDigit(digits)
	sscc = digits + string(cd)
	var b strings.Builder
	b.WriteString("]C100" + sscc)
	for ai := 91; ai <= 99; ai++ {
		if ai > 91 {
			b.WriteByte(0x1D) // GS ends the variable-length field before
		}
		fmt.Fprintf(&b, "%d%s", ai, strings.Repeat("A", 90))
	}
	return b.String(), sscc
}

// The whole story of a full disk, with the real gatewayd: its data
// directory is on a small filesystem. Scans fill it until the gateway
// refuses them — red light, "storage full" in the log, storage_ok 0, a
// storage event — without crashing. Killed with SIGKILL while full, it
// starts again and shows red. Killed again and restarted on a disk too
// full to open its database, it neither exits nor crash-loops: it shows
// red, logs the path, the free and the needed bytes, reports "unavailable" on /readyz
// and retries; it opens when space comes back, and accepts scans again
// (green) once there is room — without a restart, and with every scan it
// had answered green still stored, and none it had refused. (gatewayd on
// main before this change died with SIGBUS in Badger's write at the first
// step and again at every start.)
func TestGatewaydOnAFullDisk(t *testing.T) {
	mnt := testenv.SmallDisk(t, "tmpfs", 80<<20)
	bin := gatewaydBinary(t)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: t.TempDir(), Log: log})
	require.NoError(t, err)
	defer sc.Close()
	httpAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	conf := filepath.Join(t.TempDir(), "gateway.yaml")
	// A budget larger than the disk's free space, so the disk is the limit
	// (and a gateway without the reserve would write until it is full).
	const budget = 64 << 20
	require.NoError(t, os.WriteFile(conf, fmt.Appendf(nil, `site: t1
gateway: gw-disk
mqtt: {url: "tcp://127.0.0.1:%d", password: no-central}
http: {listen: %q}
stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: scanner-1, kind: scanner, station: dock-1, port: %q}
  - {id: light-1, kind: light, station: dock-1}
outbox: {max_bytes: %d}
log: {level: info}
`, testenv.FreePort(t), httpAddr, sc.Path(), budget), 0o600))
	newGatewayd := func() *gatewayd {
		g := &gatewayd{t: t, bin: bin, conf: conf, data: mnt, http: httpAddr}
		g.start()
		return g
	}
	reserve := storage.Reserve(storage.Options("", storage.Gateway, zerolog.Nop()), outbox.Options{MaxBytes: budget}.Data())
	// Leave room for opening (logs, value log, DISCARD, manifest: about
	// 10 MiB) and a few megabytes beyond the reserve, which scans fill.
	releaseMost := testenv.Fill(t, mnt, reserve+13<<20)

	green, red := map[string]bool{}, map[string]bool{}
	// scans sends k pallet scans from serial n on and records the light's
	// answer to each: one scanner, read by one goroutine, so the answers
	// come in the order of the scans.
	scans := func(g *gatewayd, n, k int) []string {
		t.Helper()
		before := len(g.outcomes())
		sent := make(chan error, 1)
		go func() {
			for i := range k {
				scan, _ := palletScan(n + i)
				if err := sc.Scan(scan); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		var got []string
		require.Eventually(t, func() bool { got = g.outcomes(); return len(got) >= before+k || !g.alive() }, 30*time.Second, 2*time.Millisecond)
		g.requireAlive()
		require.NoError(t, <-sent)
		for i, o := range got[before : before+k] {
			if _, sscc := palletScan(n + i); o == "ok" {
				green[sscc] = true
			} else {
				red[sscc] = true
			}
		}
		return got[before : before+k]
	}
	scanOnce := func(g *gatewayd, n int) string { return scans(g, n, 1)[0] }

	// 1. Scans fill the disk.
	g := newGatewayd()
	require.Eventually(t, func() bool { return g.logged("gateway started") != nil }, 10*time.Second, 10*time.Millisecond)
	// The log line comes just before the HTTP listener opens: wait for it.
	require.Eventually(t, func() bool { return g.metric("storage_ok") == 1 }, 5*time.Second, 10*time.Millisecond, "storage_ok 1")
	n := 0
	for last := []string{}; slices.Contains(last, "ok") || len(last) == 0; n += 20 {
		require.Less(t, n, 40000, "the disk never filled")
		last = scans(g, n, 20)
	}
	t.Logf("%d scans answered green, %d red", len(green), len(red))
	assert.Greater(t, len(green), 100)
	require.Eventually(t, func() bool { return g.metric("storage_ok") == 0 }, 5*time.Second, 10*time.Millisecond, "storage_ok 0")
	require.Eventually(t, func() bool { return g.logged("storage full: new events are refused") != nil }, 5*time.Second, 10*time.Millisecond)
	full := g.logged("storage full: new events are refused")
	assert.Equal(t, filepath.Join(mnt, "gateway"), full["path"])
	assert.NotNil(t, full["free_bytes"])
	assert.NotNil(t, full["needed_bytes"])
	refusal := g.logged("event refused: not stored")
	require.NotNil(t, refusal)
	assert.Contains(t, refusal["error"], "the disk is full")
	require.Eventually(t, func() bool { return g.lightShowed("fault") }, 5*time.Second, 10*time.Millisecond, "the station blinks red")
	assert.Equal(t, "full", g.storageReadiness(), "/readyz names the full storage")

	// 2. kill -9 while full, restart while full: it opens, shows red.
	g.kill()
	g = newGatewayd()
	require.Eventually(t, func() bool { return g.logged("gateway started") != nil }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return g.lightShowed("fault") }, 5*time.Second, 10*time.Millisecond, "red after the restart")
	require.Eventually(t, func() bool { return g.metric("storage_ok") == 0 }, 5*time.Second, 10*time.Millisecond, "storage_ok 0 after the restart")
	assert.Equal(t, "reject", scanOnce(g, n), "still refusing")
	n++

	// 3. kill -9, the disk filled to the brim by something else, restart:
	// it cannot open the database and waits — no exit, no crash loop.
	g.kill()
	releaseRest := testenv.Fill(t, mnt, 256<<10)
	g = newGatewayd()
	require.Eventually(t, func() bool { return g.logged("still not enough disk space to open the database") != nil }, 15*time.Second, 50*time.Millisecond,
		"it retries")
	g.requireAlive()
	waiting := g.logged("cannot open the database: the disk is full; waiting for space (every station shows a fault)")
	require.NotNil(t, waiting)
	assert.Equal(t, filepath.Join(mnt, "gateway"), waiting["path"])
	assert.Less(t, waiting["free_bytes"], waiting["needed_bytes"])
	assert.Contains(t, waiting["error"], "bytes free on the disk of "+filepath.Join(mnt, "gateway"), "%v", waiting)
	assert.True(t, g.lightShowed("fault"), "every station blinks red")
	assert.Equal(t, float64(0), g.metric("storage_ok"))
	assert.Equal(t, "unavailable", g.storageReadiness())

	// 4. Space comes back: it opens without a restart, then accepts scans.
	releaseRest()
	require.Eventually(t, func() bool { return g.logged("disk space is back: database open, gateway started") != nil }, 15*time.Second, 50*time.Millisecond)
	releaseMost()
	require.Eventually(t, func() bool { return g.metric("storage_ok") == 1 }, 10*time.Second, 10*time.Millisecond, "storage ok again")
	for range 3 {
		assert.Equal(t, "ok", scanOnce(g, n), "green again")
		n++
	}
	assert.Equal(t, "", g.storageReadiness(), "/readyz has no storage reason")
	g.requireAlive()
	g.stop()

	// Every scan answered green is stored, none answered red; and so is
	// the storage event.
	db, err := storage.Open(filepath.Join(mnt, "gateway"), storage.Gateway, zerolog.Nop())
	require.NoError(t, err)
	defer db.Close()
	ob, err := outbox.Open(db, outbox.Options{}, zerolog.Nop())
	require.NoError(t, err)
	defer ob.Close()
	recs, err := ob.Pending(outbox.Must, 0, 100000)
	require.NoError(t, err)
	stored := map[string]bool{}
	storageEvents := 0
	for _, r := range recs {
		switch r.Type {
		case wire.EvtScan:
			var s wire.Scan
			require.NoError(t, json.Unmarshal(r.Payload, &s))
			require.NotEmpty(t, s.Elements)
			assert.Equal(t, "00", s.Elements[0].AI)
			stored[s.Elements[0].Value] = true
		case wire.EvtDevice:
			var d wire.Device
			require.NoError(t, json.Unmarshal(r.Payload, &d))
			if d.Kind == "storage" && d.State == "full" {
				storageEvents++
			}
		}
	}
	for data := range green {
		assert.True(t, stored[data], "green scan %s is stored", data)
	}
	for data := range red {
		assert.False(t, stored[data], "red scan %s is not stored", data)
	}
	assert.Len(t, stored, len(green))
	assert.GreaterOrEqual(t, storageEvents, 1, "central is told the storage is full")
}

// fatalTail is a crashed process's output from the Go runtime's fatal
// error on (the signal and the faulting goroutine), or its end.
func fatalTail(out []byte) []byte {
	if i := bytes.Index(out, []byte("fatal error")); i >= 0 {
		return out[i:min(len(out), i+2500)]
	}
	return out[max(0, len(out)-2500):]
}
