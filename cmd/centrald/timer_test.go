package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/testenv"
)

// failIn bounds a failing run's waits, never an assertion.
const failIn = 60 * time.Second

// centrald is the real command, built once for the tests.
func buildCentrald(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "centrald")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// proc is a centrald process on a data directory.
type proc struct {
	cmd    *exec.Cmd
	http   string
	log    string // its output (also on the test's stderr)
	exited chan struct{}
}

// start runs centrald (with the flags given after the test's own) and
// waits until it answers /healthz.
func start(t *testing.T, bin, dir string, httpPort, brokerPort int, flags ...string) *proc {
	t.Helper()
	p := &proc{http: fmt.Sprintf("127.0.0.1:%d", httpPort), log: filepath.Join(t.TempDir(), "centrald.log"), exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"--site", "t", "--data", dir, "--http", p.http,
		"--broker-listen", fmt.Sprintf("127.0.0.1:%d", brokerPort), "--log-level", "warn"}, flags...)...)
	p.cmd.Env = append(os.Environ(), "DOCKHAND_API_TOKEN=tok")
	f, err := os.Create(p.log)
	require.NoError(t, err)
	p.cmd.Stderr = io.MultiWriter(os.Stderr, f)
	require.NoError(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); f.Close(); close(p.exited) }()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(failIn)
	for {
		resp, err := http.Get("http://" + p.http + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p
		}
		p.requireAlive(t)
		require.True(t, time.Now().Before(deadline), "centrald answers /healthz")
		time.Sleep(20 * time.Millisecond)
	}
}

// kill is kill -9.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// requireAlive stops the test, with the end of the output, if centrald
// has exited.
func (p *proc) requireAlive(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		b, _ := os.ReadFile(p.log)
		t.Fatalf("centrald exited (%s); the end of its output:\n%s", p.cmd.ProcessState, b[max(0, len(b)-3000):])
	default:
	}
}

func (p *proc) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.http+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.requireAlive(t)
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

func (p *proc) ok(t *testing.T, method, path, body string, want int) map[string]any {
	t.Helper()
	code, v := p.call(t, method, path, body)
	require.Equal(t, want, code, "%s %s: %v", method, path, v)
	return v
}

func events(o map[string]any) []string {
	var out []string
	for _, e := range o["history"].([]any) {
		out = append(out, e.(map[string]any)["event"].(string))
	}
	return out
}

// An unpaid order's hold is a timer in the store: centrald killed with
// SIGKILL between the order and its expiry releases the promise when it
// is back, exactly once — the stock goes to the order that waited for
// it, once, and another kill and restart changes nothing.
func TestUnpaidHoldSurvivesKillNine(t *testing.T) {
	bin := buildCentrald(t)
	dir := t.TempDir()
	httpPort, brokerPort := testenv.FreePort(t), testenv.FreePort(t)
	c := start(t, bin, dir, httpPort, brokerPort)
	c.ok(t, "POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	c.ok(t, "POST", "/api/v1/locations", `{"code":"BIN-1","type":"reserve"}`, http.StatusCreated)
	task := c.ok(t, "POST", "/api/v1/counts", `{"location":"BIN-1"}`, http.StatusCreated)
	for range 2 { // a count far off is counted twice
		c.ok(t, "POST", "/api/v1/counts/"+task["id"].(string)+"/submit", `{"lines":[{"sku":"W-1","quantity":5}],"reason":"found","by":"t"}`, http.StatusOK)
	}
	c.ok(t, "POST", "/api/v1/channels", `{"id":"SHOP","name":"shop","shortage":"backorder","payment_hold_s":4}`, http.StatusCreated)
	order := func(id, pay string, n int) map[string]any {
		return c.ok(t, "POST", "/api/v1/orders", fmt.Sprintf(`{"channel":"SHOP","channel_order":%q,"payment":%q,"ship_to":{"name":"A"},`+
			`"region":"any","lines":[{"sku":"W-1","quantity":%d}]}`, id, pay, n), http.StatusCreated)
	}
	unpaid := order("u1", "unpaid", 5)
	require.Equal(t, "promised", unpaid["status"])
	waiting := order("p1", "paid", 2)
	require.Equal(t, "backordered", waiting["status"])
	hold, err := time.Parse(time.RFC3339Nano, unpaid["hold_until"].(string))
	require.NoError(t, err)

	c.kill() // between the order and its expiry
	require.True(t, time.Now().Before(hold), "killed before the hold ended (the test was too slow to prove anything)")
	time.Sleep(time.Until(hold) + 100*time.Millisecond) // the hold ends while centrald is down

	c = start(t, bin, dir, httpPort, brokerPort)
	deadline := time.Now().Add(failIn)
	var got map[string]any
	for {
		got = c.ok(t, "GET", "/api/v1/orders/"+unpaid["id"].(string), "", http.StatusOK)
		if got["status"] == "expired" {
			break
		}
		require.True(t, time.Now().Before(deadline), "the hold's timer runs after the restart: %v", got["status"])
		time.Sleep(20 * time.Millisecond)
	}
	served := c.ok(t, "GET", "/api/v1/orders/"+waiting["id"].(string), "", http.StatusOK)
	assert.Equal(t, "promised", served["status"], "what the expiry released went to the waiting order")

	c.kill()
	c = start(t, bin, dir, httpPort, brokerPort)
	got = c.ok(t, "GET", "/api/v1/orders/"+unpaid["id"].(string), "", http.StatusOK)
	served = c.ok(t, "GET", "/api/v1/orders/"+waiting["id"].(string), "", http.StatusOK)
	assert.Equal(t, []string{"created", "expired"}, events(got), "released exactly once")
	assert.Equal(t, []string{"created", "served"}, events(served), "served exactly once")
	layers := c.ok(t, "GET", "/api/v1/stock-layers/W-1", "", http.StatusOK)
	total := layers["total"].(map[string]any)
	assert.Equal(t, float64(5), total["available"])
	assert.Equal(t, float64(2), total["allocated"])

	c.kill()
	out, err := exec.Command(bin, "check", "--data", dir).CombinedOutput()
	assert.NoError(t, err, "centrald check: %s", out)
}
