// Command dockload measures Dockhand's store-and-forward path with real
// processes, a real broker and fsync'd Badger, and prints the numbers that
// docs/benchmarks.md records:
//
//	dockload throughput [--events 50000] [--mqtt tcp://127.0.0.1:1883]
//	dockload commit     [--events 5000] [--rate 500] [--workers 4]   (the outbox alone)
//	dockload drain      [--events 100000]
//	dockload roundtrip  [--scans 1000] [--rate 100]
//	dockload api        [--clients 1,16,64] [--requests 20000] [--rate 2000]
//	                    [--url http://host:8081 --token T | --centrald BIN]
//	                    [--workload moves|orders|flash|floor] [--lines 20] [--units 100]
//	                    (central's HTTP API under concurrent clients)
//	dockload all
//	dockload --gateway-memlimit 32MiB drain    (GOMEMLIMIT for the gateway process only)
//	dockload --gateway-memory-max 40MiB drain  (the gateway in a 40 MiB memory cgroup; root)
//	dockload --gatewayd /tmp/gatewayd drain     (gatewayd itself drains the backlog)
//	dockload --central-data /dev/shm throughput --rate 500 --workers 4
//	                                           (central's fsyncs off the gateway's disk)
//
// Without --mqtt, central's embedded broker is used. The gateway runs as a
// separate process (this binary, role "gateway") so its memory is its own.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/cmd/devsim/demo"
	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
	"github.com/dockhand/dockhand/internal/mqttx"
)

func main() {
	flag.Parse()
	args := flag.Args()
	// api hands --cpuprofile to the central it starts.
	if *cpuProfile != "" && (len(args) == 0 || args[0] != "api") {
		f, err := os.Create(*cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if len(args) < 1 {
		usage()
	}
	var err error
	switch args[0] {
	case "gateway":
		err = gatewayRole()
	case "throughput":
		err = throughput(args[1:])
	case "drain":
		err = drain(args[1:])
	case "commit":
		err = commit(args[1:])
	case "roundtrip":
		err = roundtrip(args[1:])
	case "api":
		err = api(args[1:])
	case "central":
		err = centralRole(args[1:])
	case "all":
		if err = throughput(nil); err == nil {
			if err = drain(nil); err == nil {
				err = roundtrip(nil)
			}
		}
	default:
		usage()
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "dockload:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: dockload throughput|commit|drain|roundtrip|api|all [flags]  (see go doc ./cmd/dockload)")
	os.Exit(2)
}

var quiet = zerolog.New(os.Stderr).Level(zerolog.ErrorLevel)

var cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of this process (central and, for roundtrip, the gateway; for api, of the central it starts) to this file")

var (
	gatewayMemLimit = flag.String("gateway-memlimit", "", "GOMEMLIMIT for the gateway process only, e.g. 32MiB")
	gatewayMemMax   = flag.String("gateway-memory-max", "", "run the gateway in a memory cgroup of this size, e.g. 40MiB (root only; like MemoryMax= in its systemd unit)")
	centralData     = flag.String("central-data", "", "put central's database under this directory (e.g. /dev/shm: in a warehouse central has its own disk)")
	gatewaydBin     = flag.String("gatewayd", "", "drain: let this gatewayd binary (the real daemon) drain the backlog, and measure its memory")
)

func gatewayRole() error {
	var o loadgen.Options
	if err := json.Unmarshal([]byte(os.Getenv("DOCKLOAD_OPTS")), &o); err != nil {
		return err
	}
	if os.Getenv("DOCKLOAD_WAIT") != "" {
		// Wait until the parent has put this process into its cgroup, so
		// every page it touches is counted there.
		if _, err := os.Stdin.Read(make([]byte, 1)); err != nil {
			return err
		}
	}
	res, err := loadgen.RunGateway(context.Background(), o, true, quiet)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// gatewayProc is the gateway role running in a child process, so its
// memory is its own.
type gatewayProc struct {
	cmd   *exec.Cmd
	out   strings.Builder
	group *memoryGroup
}

// runGateway runs the gateway role in a child process, as gateway gw-1 of
// site "load" with its data under dir/gw, and returns what it did.
func runGateway(dir string, o loadgen.Options) (loadgen.Result, error) {
	o.DataDir, o.Site, o.Gateway = filepath.Join(dir, "gw"), "load", "gw-1"
	b, _ := json.Marshal(o)
	cmd := exec.Command(os.Args[0], "gateway")
	cmd.Env = append(os.Environ(), "DOCKLOAD_OPTS="+string(b))
	g, err := startGateway(cmd, true)
	if err != nil {
		return loadgen.Result{}, err
	}
	return g.wait()
}

// startGateway starts a gateway process with the limits only the gateway
// gets, like its systemd unit: GOMEMLIMIT and the memory cgroup. With
// handshake the process (the gateway role) waits until it is in the group;
// gatewayd itself is moved in as soon as it has started.
func startGateway(cmd *exec.Cmd, handshake bool) (*gatewayProc, error) {
	g := &gatewayProc{cmd: cmd}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	if *gatewayMemLimit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+*gatewayMemLimit)
	}
	if cmd.Stdout == nil {
		cmd.Stdout, cmd.Stderr = &g.out, os.Stderr
	}
	if *gatewayMemMax == "" {
		return g, cmd.Start()
	}
	limit, err := humanize.ParseBytes(*gatewayMemMax)
	if err != nil {
		return nil, fmt.Errorf("--gateway-memory-max: %w", err)
	}
	if g.group, err = newMemoryGroup(limit); err != nil {
		return nil, err
	}
	var release io.WriteCloser
	if handshake {
		cmd.Env = append(cmd.Env, "DOCKLOAD_WAIT=1")
		release, err = cmd.StdinPipe()
	}
	if err == nil {
		err = cmd.Start()
	}
	if err == nil {
		err = g.group.add(cmd.Process.Pid)
	}
	if err == nil && release != nil {
		_, err = release.Write([]byte{'\n'})
	}
	if err != nil {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
		g.group.remove()
	}
	return g, err
}

func (g *gatewayProc) wait() (loadgen.Result, error) {
	var r loadgen.Result
	if err := g.end(); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(g.out.String()), &r)
}

// end waits for the process and reports its memory cgroup.
func (g *gatewayProc) end() error {
	err := g.cmd.Wait()
	if g.group != nil {
		peak, kills := g.group.report()
		g.group.remove()
		fmt.Printf("  gateway memory cgroup (limit %s): peak %.1f MB, OOM kills %d\n", *gatewayMemMax, float64(peak)/(1<<20), kills)
	}
	if err != nil {
		return fmt.Errorf("gateway process %s: %w", filepath.Base(g.cmd.Path), err)
	}
	return nil
}

// startCentral starts central with its data under dir, or under
// --central-data when set, with an account for gateway gw-1 whose secret
// it returns; stop closes it and removes that data.
func startCentral(dir, mqttURL, listen string) (c *centrald.Central, secret string, stop func(), err error) {
	if *centralData != "" {
		if dir, err = os.MkdirTemp(*centralData, "dockload-central-"); err != nil {
			return nil, "", nil, err
		}
	}
	if secret, err = identity.Add(dir, "gw-1", identity.RoleGateway); err != nil {
		return nil, "", nil, err
	}
	c, err = centrald.Start(centrald.Options{Site: "load", DataDir: dir, MQTT: mqttx.Config{URL: mqttURL},
		BrokerListen: listen, BrokerFallback: listen == "", HTTPAddr: "127.0.0.1:0", APIToken: "load"}, quiet)
	if err != nil {
		return nil, "", nil, err
	}
	// Measure the steady state: a gateway that starts publishing before
	// central has ever subscribed loses its first window at the broker
	// and its birth arrives after its first events; the resends that
	// follow shrink the window, which is not what a running site sees.
	for deadline := time.Now().Add(10 * time.Second); !c.Subscribed(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.Close()
			return nil, "", nil, errors.New("central did not subscribe to its broker within 10 s")
		}
	}
	return c, secret, func() {
		c.Close()
		_ = os.RemoveAll(dir)
	}, nil
}

func freeListen() string {
	return fmt.Sprintf("127.0.0.1:%d", 20000+os.Getpid()%20000)
}

func throughput(args []string) error {
	fs := flag.NewFlagSet("throughput", flag.ExitOnError)
	events := fs.Uint64("events", 50000, "events to send")
	mqttURL := fs.String("mqtt", "", "external broker (default: central's embedded broker)")
	rate := fs.Int("rate", 0, "events per second (0 = as fast as possible)")
	workers := fs.Int("workers", 64, "concurrent appenders (devices)")
	_ = fs.Parse(args)
	dir, _ := os.MkdirTemp("", "dockload-")
	defer os.RemoveAll(dir)
	floors, err := probeFloors(dir, int(min(*events, 5000)), *rate)
	if err != nil {
		return err
	}
	listen := freeListen()
	c, secret, stop, err := startCentral(filepath.Join(dir, "central"), *mqttURL, listen)
	if err != nil {
		return err
	}
	defer stop()
	t0 := time.Now()
	r, err := runGateway(dir, loadgen.Options{MQTT: c.BrokerURL, Password: secret, Total: *events, Workers: *workers, Rate: *rate, Window: 1024})
	if err != nil {
		return err
	}
	el := time.Since(t0)
	broker := "embedded"
	if *mqttURL != "" {
		broker = *mqttURL
	}
	fmt.Printf("throughput (broker %s, %d appenders, rate %d/s): %d events driver→central ack in %s = %.0f events/s\n",
		broker, *workers, *rate, r.Issued, el.Round(time.Millisecond), float64(r.Issued)/el.Seconds())
	fmt.Printf("  commit latency (event in → fsync'd): %s\n", r.Commit)
	fmt.Print(floors)
	r.BuildMem.Max(r.DrainMem)
	fmt.Printf("  gateway peak %s; published %d (re-published %d)\n", r.BuildMem, r.Published, r.Resent)
	return nil
}

// probeFloors measures, at the load's pace, what the gateway's commits
// stand on: the disk alone, and a lone Badger commit on that disk.
func probeFloors(dir string, n, rate int) (string, error) {
	disk, err := loadgen.ProbeFsync(dir, n, rate)
	if err != nil {
		return "", err
	}
	lone, err := loadgen.ProbeBadger(dir, n, rate)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("  just before, same pace: the disk alone (200 bytes + fsync): %s\n"+
		"                          a lone Badger commit (one 200-byte event): %s\n", disk, lone), nil
}

// commit measures the outbox alone: devices appending at a rate with no
// link and no central, beside the disk's and Badger's floors. With one
// device nothing queues; with several, events that arrive while a commit
// is being flushed wait for it (group commit takes them all in the next).
func commit(args []string) error {
	fs := flag.NewFlagSet("commit", flag.ExitOnError)
	events := fs.Uint64("events", 5000, "events to append")
	rate := fs.Int("rate", 500, "events per second")
	workers := fs.Int("workers", 4, "devices appending concurrently")
	_ = fs.Parse(args)
	dir, _ := os.MkdirTemp("", "dockload-")
	defer os.RemoveAll(dir)
	floors, err := probeFloors(dir, int(*events), *rate)
	if err != nil {
		return err
	}
	r, err := runGateway(dir, loadgen.Options{MQTT: "tcp://127.0.0.1:1", Password: "unused: the link never starts", Total: *events, Workers: *workers, Rate: *rate, BuildOnly: true})
	if err != nil {
		return err
	}
	fmt.Printf("commit (outbox alone; devices %d, %d events/s): event in → fsync'd %s\n%s", *workers, *rate, r.Commit, floors)
	return nil
}

func drain(args []string) error {
	fs := flag.NewFlagSet("drain", flag.ExitOnError)
	events := fs.Uint64("events", 100000, "backlog size")
	_ = fs.Parse(args)
	dir, _ := os.MkdirTemp("", "dockload-")
	defer os.RemoveAll(dir)
	c, secret, stop, err := startCentral(filepath.Join(dir, "central"), "", freeListen())
	if err != nil {
		return err
	}
	defer stop()
	if *gatewaydBin != "" {
		return drainWithGatewayd(c, secret, dir, *events)
	}
	// The link stays down until the whole backlog is on disk, as if the
	// broker had been away; then it drains to central.
	fmt.Printf("drain: building a backlog of %d events with the link down…\n", *events)
	r, err := runGateway(dir, loadgen.Options{MQTT: c.BrokerURL, Password: secret, Total: *events, Workers: 64, Window: 1024, HoldLink: true})
	if err != nil {
		return err
	}
	fmt.Printf("  backlog of %d events stored in %s (%.0f events/s); peak %s\n",
		r.Appended, r.Build.Round(time.Millisecond), float64(r.Appended)/r.Build.Seconds(), r.BuildMem)
	fmt.Printf("  drained to central's ack in %s = %.0f events/s; peak %s\n",
		r.Drain.Round(time.Millisecond), float64(r.Issued)/r.Drain.Seconds(), r.DrainMem)
	fmt.Printf("  gateway peak RSS (VmHWM) %.1f MB\n", float64(r.PeakRSSKB)/1024)
	return nil
}

// drainWithGatewayd stores the backlog with the gateway role, then lets
// gatewayd itself — the daemon a Pi runs, with its own code and heap —
// drain it to central, reading its memory from /proc while it does.
func drainWithGatewayd(c *centrald.Central, secret, dir string, events uint64) error {
	data := filepath.Join(dir, "gw") // where runGateway stores the backlog
	fmt.Printf("drain: storing a backlog of %d events, then starting %s…\n", events, *gatewaydBin)
	r, err := runGateway(dir, loadgen.Options{MQTT: c.BrokerURL, Password: secret, Total: events, Workers: 64, BuildOnly: true})
	if err != nil {
		return err
	}
	fmt.Printf("  backlog of %d events stored in %s (%.0f events/s)\n",
		r.Appended, r.Build.Round(time.Millisecond), float64(r.Appended)/r.Build.Seconds())
	cfg := filepath.Join(dir, "gateway.yaml")
	yaml := fmt.Sprintf("site: load\ngateway: gw-1\nmqtt: {url: %q, password: %q}\nhttp: {listen: \"off\"}\nstations: [{id: dock-1, role: inbound-dock}]\n", c.BrokerURL, secret)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(*gatewaydBin, "--config", cfg, "--data", data)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	t0 := time.Now()
	g, err := startGateway(cmd, false)
	if err != nil {
		return err
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	var peak loadgen.Memory
	var applied uint64
	for deadline := t0.Add(5 * time.Minute); applied < r.Issued; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = g.end()
			return fmt.Errorf("gatewayd drained %d of %d events in 5 minutes; its log:\n%s", applied, r.Issued, logs.String())
		}
		peak.Max(loadgen.ReadMemory(pid))
		if err := c.Store.View(context.Background(), func(tx store.Tx) (err error) {
			applied, err = tx.Watermark("gw-1", r.Stream)
			return err
		}); err != nil {
			return err
		}
	}
	el := time.Since(t0)
	hwm := loadgen.PeakRSSKB(pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := g.end(); err != nil {
		return fmt.Errorf("%w; its log:\n%s", err, logs.String())
	}
	fmt.Printf("  gatewayd started and drained it to central's watermark in %s = %.0f events/s\n",
		el.Round(time.Millisecond), float64(r.Issued)/el.Seconds())
	fmt.Printf("  gatewayd peak %s; VmHWM %.1f MB\n", peak, float64(hwm)/1024)
	return nil
}

func roundtrip(args []string) error {
	fs := flag.NewFlagSet("roundtrip", flag.ExitOnError)
	scans := fs.Int("scans", 1000, "pallet scans")
	rate := fs.Int("rate", 100, "scans per second")
	_ = fs.Parse(args)
	dir, _ := os.MkdirTemp("", "dockload-")
	defer os.RemoveAll(dir)
	r, err := demo.Start(demo.Options{Dir: dir, Site: "load", BrokerListen: freeListen(), Log: quiet})
	if err != nil {
		return err
	}
	defer r.Close()
	// Truck-sized ASNs (26 pallets each), as an ERP would send them.
	var ssccs []string
	for first := 1; first <= *scans; first += 26 {
		more, err := r.AddASN(fmt.Sprintf("ASN-LOAD-%d", first), first, min(26, *scans-first+1))
		if err != nil {
			return err
		}
		ssccs = append(ssccs, more...)
	}
	sent := make([]time.Time, len(ssccs))
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	for i, s := range ssccs {
		<-tick.C
		sent[i] = time.Now()
		if err := r.Scanner.Scan("]C100" + s); err != nil {
			return err
		}
	}
	tick.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	jobs, err := r.Printer.WaitJobs(ctx, len(ssccs))
	if err != nil {
		return err
	}
	var lat []time.Duration
	for i, j := range jobs {
		if !strings.Contains(string(j.ZPL), ssccs[i]) {
			return fmt.Errorf("label %d is not for pallet %s", i+1, ssccs[i])
		}
		lat = append(lat, j.At.Sub(sent[i]))
	}
	fmt.Printf("roundtrip: %d scans at %d/s, scan → label bytes at the printer: %s\n", len(ssccs), *rate, loadgen.Summarise(lat))
	return nil
}
