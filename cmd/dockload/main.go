// Command dockload measures Dockhand's store-and-forward path with real
// processes, a real broker and fsync'd Badger, and prints the numbers that
// docs/benchmarks.md records:
//
//	dockload throughput [--events 50000] [--mqtt tcp://127.0.0.1:1883]
//	dockload drain      [--events 100000]
//	dockload roundtrip  [--scans 1000] [--rate 100]
//	dockload all
//	dockload --gateway-memlimit 32MiB drain    (GOMEMLIMIT for the gateway process only)
//	dockload --gateway-memory-max 40MiB drain  (the gateway in a 40 MiB memory cgroup; root)
//	dockload --central-data /dev/shm throughput --rate 500 --workers 4
//	                                           (central's fsyncs off the gateway's disk)
//
// Without --mqtt, central's embedded broker is used. The gateway runs as a
// separate process (this binary, role "gateway") so its memory is its own.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/internal/demo"
	"github.com/dockhand/dockhand/internal/loadgen"
	"github.com/dockhand/dockhand/internal/mqttx"
)

func main() {
	flag.Parse()
	args := flag.Args()
	if *cpuProfile != "" {
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
	case "roundtrip":
		err = roundtrip(args[1:])
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
	fmt.Fprintln(os.Stderr, "usage: dockload throughput|drain|roundtrip|all [flags]  (see go doc ./cmd/dockload)")
	os.Exit(2)
}

var quiet = zerolog.New(os.Stderr).Level(zerolog.ErrorLevel)

var cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of this process (central and, for roundtrip, the gateway) to this file")

var (
	gatewayMemLimit = flag.String("gateway-memlimit", "", "GOMEMLIMIT for the gateway process only, e.g. 32MiB")
	gatewayMemMax   = flag.String("gateway-memory-max", "", "run the gateway in a memory cgroup of this size, e.g. 40MiB (root only; like MemoryMax= in its systemd unit)")
	centralData     = flag.String("central-data", "", "put central's database under this directory (e.g. /dev/shm: in a warehouse central has its own disk)")
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

func spawnGateway(o loadgen.Options) (*gatewayProc, error) {
	b, _ := json.Marshal(o)
	g := &gatewayProc{cmd: exec.Command(os.Args[0], "gateway")}
	g.cmd.Env = append(os.Environ(), "DOCKLOAD_OPTS="+string(b))
	if *gatewayMemLimit != "" {
		// Like GOMEMLIMIT in the gateway's systemd unit: only the gateway
		// process gets it.
		g.cmd.Env = append(g.cmd.Env, "GOMEMLIMIT="+*gatewayMemLimit)
	}
	g.cmd.Stdout, g.cmd.Stderr = &g.out, os.Stderr
	if *gatewayMemMax == "" {
		return g, g.cmd.Start()
	}
	limit, err := humanize.ParseBytes(*gatewayMemMax)
	if err != nil {
		return nil, fmt.Errorf("--gateway-memory-max: %w", err)
	}
	if g.group, err = newMemoryGroup(limit); err != nil {
		return nil, err
	}
	g.cmd.Env = append(g.cmd.Env, "DOCKLOAD_WAIT=1")
	start, err := g.cmd.StdinPipe()
	if err == nil {
		err = g.cmd.Start()
	}
	if err == nil {
		err = g.group.add(g.cmd.Process.Pid)
	}
	if err == nil {
		_, err = start.Write([]byte{'\n'})
	}
	if err != nil {
		if g.cmd.Process != nil {
			_ = g.cmd.Process.Kill()
		}
		g.group.remove()
	}
	return g, err
}

func (g *gatewayProc) wait() (loadgen.Result, error) {
	var r loadgen.Result
	err := g.cmd.Wait()
	if g.group != nil {
		peak, kills := g.group.report()
		g.group.remove()
		fmt.Printf("  gateway memory cgroup (limit %s): peak %.1f MB, OOM kills %d\n", *gatewayMemMax, float64(peak)/(1<<20), kills)
	}
	if err != nil {
		return r, fmt.Errorf("gateway process: %w", err)
	}
	return r, json.Unmarshal([]byte(g.out.String()), &r)
}

// startCentral starts central with its data under dir, or under
// --central-data when set; stop closes it and removes that data.
func startCentral(dir, mqttURL, listen string) (c *centrald.Central, stop func(), err error) {
	if *centralData != "" {
		if dir, err = os.MkdirTemp(*centralData, "dockload-central-"); err != nil {
			return nil, nil, err
		}
	}
	c, err = centrald.Start(centrald.Options{Site: "load", DataDir: dir, MQTT: mqttx.Config{URL: mqttURL},
		BrokerListen: listen, BrokerFallback: listen == "", HTTPAddr: "127.0.0.1:0", APIToken: "load"}, quiet)
	if err != nil {
		return nil, nil, err
	}
	return c, func() {
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
	// The floors under the gateway's commits, paced like the load, just
	// before it: the disk alone, and Badger alone on that disk.
	probes := int(min(*events, 5000))
	disk, err := loadgen.ProbeFsync(dir, probes, *rate)
	if err != nil {
		return err
	}
	lone, err := loadgen.ProbeBadger(dir, probes, *rate)
	if err != nil {
		return err
	}
	listen := freeListen()
	c, stop, err := startCentral(filepath.Join(dir, "central"), *mqttURL, listen)
	if err != nil {
		return err
	}
	defer stop()
	t0 := time.Now()
	g, err := spawnGateway(loadgen.Options{DataDir: filepath.Join(dir, "gw"), Site: "load", Gateway: "gw-1",
		MQTT: c.BrokerURL, Total: *events, Workers: *workers, Rate: *rate, Window: 1024})
	if err != nil {
		return err
	}
	r, err := g.wait()
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
	fmt.Printf("  just before, same pace: the disk alone (200 bytes + fsync): %s\n", disk)
	fmt.Printf("                          a lone Badger commit (one 200-byte event): %s\n", lone)
	r.BuildMem.Max(r.DrainMem)
	fmt.Printf("  gateway peak %s; published %d (re-published %d)\n", r.BuildMem, r.Published, r.Resent)
	return nil
}

func drain(args []string) error {
	fs := flag.NewFlagSet("drain", flag.ExitOnError)
	events := fs.Uint64("events", 100000, "backlog size")
	_ = fs.Parse(args)
	dir, _ := os.MkdirTemp("", "dockload-")
	defer os.RemoveAll(dir)
	c, stop, err := startCentral(filepath.Join(dir, "central"), "", freeListen())
	if err != nil {
		return err
	}
	defer stop()
	// The link stays down until the whole backlog is on disk, as if the
	// broker had been away; then it drains to central.
	fmt.Printf("drain: building a backlog of %d events with the link down…\n", *events)
	g, err := spawnGateway(loadgen.Options{DataDir: filepath.Join(dir, "gw"), Site: "load", Gateway: "gw-1",
		MQTT: c.BrokerURL, Total: *events, Workers: 64, Window: 1024, HoldLink: true})
	if err != nil {
		return err
	}
	r, err := g.wait()
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
