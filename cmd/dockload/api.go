package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/cmd/dockload/apiload"
)

// api drives central's HTTP API with concurrent clients: against a
// running central (--url), or a central it starts as its own process with
// Badger on local disk (this tool's copy, or --centrald BIN, e.g. built
// from another commit to compare).
func api(args []string) error {
	fs := flag.NewFlagSet("api", flag.ExitOnError)
	workload := fs.String("workload", "moves", "what the clients ask for: moves (POST /api/v1/moves, one unit between two locations), orders (POST /api/v1/orders, --lines lines of one unit each), flash (orders of one unit for --units units of one item), floor (GET /healthz: the most this machine serves)")
	clients := fs.String("clients", "64", "concurrent HTTP clients; a list (1,16,64) runs one measurement per count against the same central")
	requests := fs.Int("requests", 20000, "requests measured per run")
	warmup := fs.Int("warmup", 1000, "requests sent before each measurement")
	rate := fs.Float64("rate", 0, "pace: requests per second, all clients together, exponential gaps (0: each client sends its next request when answered)")
	skus := fs.Int("skus", 10, "items the moves spread over")
	lines := fs.Int("lines", 1, "orders: lines per order, each its own item")
	units := fs.Int64("units", 100, "flash: the units in stock")
	keys := fs.Bool("keys", true, "send an Idempotency-Key with every request")
	url := fs.String("url", "", "a running central's API, e.g. http://127.0.0.1:8081 (default: start one)")
	token := fs.String("token", "", "the API token of --url's central")
	bin := fs.String("centrald", "", "start this centrald binary instead of this tool's own central")
	_ = fs.Parse(args)

	var counts []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("--clients %q: a list of positive counts", *clients)
		}
		counts = append(counts, n)
	}
	var w apiload.Workload
	switch *workload {
	case "moves":
		w = &apiload.Moves{SKUs: *skus}
	case "orders":
		w = &apiload.Orders{Lines: *lines}
	case "flash":
		w = &apiload.Orders{Flash: true, Units: *units}
	case "floor":
		w = apiload.Floor{}
	default:
		return fmt.Errorf("--workload %q: moves, orders, flash or floor", *workload)
	}
	if *url == "" {
		var stop func()
		var err error
		if *url, *token, stop, err = startCentralProcess(*bin); err != nil {
			return err
		}
		defer stop()
	}
	for _, n := range counts {
		r, err := apiload.Run(context.Background(), apiload.Options{URL: *url, Token: *token, Clients: n,
			Requests: *requests, Warmup: *warmup, Rate: *rate, Keys: *keys}, w)
		if err != nil {
			return err
		}
		fmt.Println("api:", r)
	}
	return nil
}

// startCentralProcess starts central in a process of its own, with its
// data in a new directory (under --central-data when set) on local disk,
// and waits until it is ready; stop ends it and removes the data.
func startCentralProcess(bin string) (url, token string, stop func(), err error) {
	dir, err := os.MkdirTemp(*centralData, "dockload-api-")
	if err != nil {
		return "", "", nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token = hex.EncodeToString(raw)
	if err = os.WriteFile(filepath.Join(dir, "api-token"), []byte(token+"\n"), 0o600); err != nil {
		return "", "", nil, err
	}
	httpAddr, brokerAddr := freeAddr(), freeAddr()
	args := []string{"--site", "load", "--data", dir, "--http", httpAddr, "--broker-listen", brokerAddr}
	cmd := exec.Command(os.Args[0], append([]string{"central"}, args...)...)
	if bin != "" {
		cmd = exec.Command(bin, append(args, "--log-level", "error")...)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if *cpuProfile != "" {
		if bin != "" {
			return "", "", nil, errors.New("--cpuprofile profiles this tool's own central, not --centrald")
		}
		cmd.Env = append(os.Environ(), "DOCKLOAD_CPUPROFILE="+*cpuProfile)
	}
	if err = cmd.Start(); err != nil {
		return "", "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = os.RemoveAll(dir)
	}
	url = "http://" + httpAddr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, gerr := http.Get(url + "/readyz")
		if gerr == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, token, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", "", nil, fmt.Errorf("central at %s not ready within 30 s", url)
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

// centralRole is this tool's own central as a process (started by api):
// centrald's daemon with centrald's flags for site, data and addresses,
// until SIGTERM. DOCKLOAD_CPUPROFILE profiles it.
func centralRole(args []string) error {
	fs := flag.NewFlagSet("central", flag.ExitOnError)
	var opt centrald.Options
	fs.StringVar(&opt.Site, "site", "load", "site id")
	fs.StringVar(&opt.DataDir, "data", "", "data directory")
	fs.StringVar(&opt.HTTPAddr, "http", "127.0.0.1:8081", "HTTP API address")
	fs.StringVar(&opt.BrokerListen, "broker-listen", "127.0.0.1:1883", "embedded broker address")
	_ = fs.Parse(args)
	if path := os.Getenv("DOCKLOAD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	c, err := centrald.Start(opt, quiet)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	c.Close()
	return nil
}
