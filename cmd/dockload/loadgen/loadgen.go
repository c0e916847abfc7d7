// Package loadgen drives a gateway's outbox and MQTT link with synthetic
// events, for the load tool (cmd/dockload) and the fault-injection tests.
// A generator resumes where its outbox stopped, so a gateway killed and
// restarted any number of times issues exactly Total events in all.
package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
)

// Options configure a synthetic gateway.
type Options struct {
	DataDir, Site, Gateway, MQTT string
	// Password is the gateway's secret from central's accounts
	// (identity.Add); its username is Gateway.
	Password string
	// Total is how many events the outbox issues in all, across restarts.
	Total uint64
	// Rate is events per second; 0 is as fast as the disk allows.
	Rate int
	// Workers append concurrently (they share group commits); default 16.
	Workers     int
	Pad         int
	ResendAfter time.Duration
	StallAfter  time.Duration
	Window      int
	// MaxBytes is the outbox's disk budget (0 = default).
	MaxBytes int64
	// HoldLink keeps the link down until all Total events are stored, so
	// the gateway first builds a backlog and then drains it.
	HoldLink bool
	// BuildOnly stores the events and stops, leaving the backlog on disk
	// for another process (gatewayd itself) to drain.
	BuildOnly bool
}

// Result reports what one run did.
type Result struct {
	Appended  int
	Commit    Latency
	Stream    string
	Issued    uint64
	Acked     uint64
	Published uint64
	Resent    uint64
	PeakRSSKB int64
	// MaxUnconfirmed is the most publishes seen waiting for a PUBACK;
	// Restarts counts sessions rebuilt because the broker stalled.
	MaxUnconfirmed int
	Restarts       uint64
	// Build is how long appending took; Drain how long, after that, the
	// link took until central had acknowledged everything (HoldLink only).
	Build, Drain time.Duration
	// BuildMem and DrainMem are the memory peaks seen in each phase.
	BuildMem, DrainMem Memory
}

// Memory is a process's memory peaks, sampled every 50 ms. RSS is anon +
// file: File counts pages of mapped files (Badger's memtable logs and
// tables, the program's own code), which the kernel can write back and
// drop under pressure; Anon (Go heap, stacks, runtime) it cannot.
type Memory struct {
	RSSKB, AnonKB, FileKB, HeapKB int64
}

// Max raises each peak of m to o's where o's is higher.
func (m *Memory) Max(o Memory) {
	m.RSSKB, m.AnonKB = max(m.RSSKB, o.RSSKB), max(m.AnonKB, o.AnonKB)
	m.FileKB, m.HeapKB = max(m.FileKB, o.FileKB), max(m.HeapKB, o.HeapKB)
}

func (m Memory) String() string {
	s := fmt.Sprintf("RSS %.1f MB (anon %.1f MB, file-backed %.1f MB)", mb(m.RSSKB), mb(m.AnonKB), mb(m.FileKB))
	if m.HeapKB > 0 { // only known inside the process
		s += fmt.Sprintf(", Go heap in use %.1f MB", mb(m.HeapKB))
	}
	return s
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// Latency summarises commit latencies.
type Latency struct {
	N                  int
	P50, P99, Max, Avg time.Duration
}

// Summarise sorts ds and returns its percentiles.
func Summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Latency{N: len(ds), P50: at(0.50), P99: at(0.99), Max: ds[len(ds)-1], Avg: sum / time.Duration(len(ds))}
}

func (l Latency) String() string {
	return fmt.Sprintf("n=%d p50=%s p99=%s max=%s avg=%s", l.N, l.P50, l.P99, l.Max, l.Avg)
}

// RunGateway generates events until Total have been issued, keeps the link
// up until ctx ends (or, with untilAcked, until central has acknowledged
// everything) and returns what it did.
func RunGateway(ctx context.Context, opt Options, untilAcked bool, log zerolog.Logger) (Result, error) {
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	// Opened as gatewayd opens it: through the disk guard, which follows
	// the free space while events are appended.
	obOpt := outbox.Options{MaxBytes: opt.MaxBytes}
	disk := storage.NewDisk(filepath.Join(opt.DataDir, "gateway"), storage.Gateway, obOpt.Data(), log)
	db, err := disk.Open()
	if err != nil {
		return Result{}, err
	}
	defer disk.Close()
	defer db.Close()
	diskCtx, stopDisk := context.WithCancel(context.Background())
	defer stopDisk()
	go disk.Run(diskCtx, nil)
	obOpt.Disk = disk
	ob, err := outbox.Open(db, obOpt, log)
	if err != nil {
		return Result{}, err
	}
	defer ob.Close()
	lk, err := link.New(link.Options{MQTT: mqttx.Config{URL: opt.MQTT, Password: opt.Password}, Site: opt.Site, Gateway: opt.Gateway,
		ResendAfter: opt.ResendAfter, StallAfter: opt.StallAfter, Window: opt.Window}, ob, log)
	if err != nil {
		return Result{}, err
	}
	linkCtx, stopLink := context.WithCancel(context.Background())
	linkUp := make(chan struct{})
	linkDone := make(chan struct{})
	go func() {
		defer close(linkDone)
		select {
		case <-linkUp:
			_ = lk.Run(linkCtx)
		case <-linkCtx.Done():
		}
	}()
	if !opt.HoldLink && !opt.BuildOnly {
		close(linkUp)
	}
	var maxUnconfirmed atomic.Int64
	var phase atomic.Int32 // 0 building, 1 draining
	// Written only by the sampler; read after it has ended (sampled).
	var mem [2]Memory
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for i := 0; ; i++ {
			select {
			case <-linkDone:
				return
			case <-t.C:
				if n := int64(lk.Unconfirmed()); n > maxUnconfirmed.Load() {
					maxUnconfirmed.Store(n)
				}
				if i%10 != 0 {
					continue
				}
				m := ReadMemory("self")
				if i%20 == 0 {
					runtime.ReadMemStats(&ms)
					m.HeapKB = int64(ms.HeapInuse / 1024)
				}
				mem[phase.Load()].Max(m)
			}
		}
	}()
	t0 := time.Now()
	lat, err := generate(ctx, ob, opt)
	writeHeapProfile("generated")
	res := Result{Appended: len(lat), Commit: Summarise(lat), Stream: ob.Stream(), Build: time.Since(t0)}
	phase.Store(1)
	t1 := time.Now()
	if opt.HoldLink && !opt.BuildOnly {
		close(linkUp)
	}
	switch {
	case err != nil || opt.BuildOnly:
		// The backlog (what was stored of it) stays on disk.
	case untilAcked:
		for ctx.Err() == nil && lk.Acked(outbox.Must) < ob.Issued(outbox.Must) {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
			}
		}
		res.Drain = time.Since(t1)
	default:
		<-ctx.Done()
	}
	writeHeapProfile("drained")
	stopLink()
	<-linkDone
	<-sampled
	st := ob.Stats()
	res.Issued, res.Acked = st.NextSeq-1, st.Acked
	res.Published, res.Resent = lk.Published()
	res.MaxUnconfirmed, res.Restarts = int(maxUnconfirmed.Load()), lk.Restarts()
	res.BuildMem, res.DrainMem = mem[0], mem[1]
	res.PeakRSSKB = PeakRSSKB("self")
	return res, err
}

func generate(ctx context.Context, ob *outbox.Outbox, opt Options) ([]time.Duration, error) {
	var reserved atomic.Uint64
	reserved.Store(ob.Stats().NextSeq - 1)
	var interval time.Duration
	if opt.Rate > 0 {
		interval = time.Second * time.Duration(opt.Workers) / time.Duration(opt.Rate)
	}
	pad := strings.Repeat("x", opt.Pad)
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Go(func() {
			var mine []time.Duration
			// With a rate, each worker is an independent device: its events
			// come at exponentially distributed intervals (a Poisson
			// stream, as scans from separate operators do), so together
			// they make a Poisson stream at Rate. Workers ticking in step
			// would instead arrive in bursts of Workers every interval.
			next := time.Now()
			for ctx.Err() == nil && reserved.Add(1) <= opt.Total {
				if interval > 0 {
					next = next.Add(time.Duration(rand.ExpFloat64() * float64(interval)))
					time.Sleep(time.Until(next))
				}
				ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtLoad), Made: time.Now(), Pad: pad}
				ev.Gateway, ev.Device = opt.Gateway, "loadgen"
				t0 := time.Now()
				if _, err := ob.Append(ctx, ev); err != nil {
					mu.Lock()
					if firstErr == nil && ctx.Err() == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat, firstErr
}

// writeHeapProfile writes a heap profile to $DOCKHAND_HEAPPROFILE.<stage>
// when that variable is set, to see where a gateway's memory goes.
func writeHeapProfile(stage string) {
	base := os.Getenv("DOCKHAND_HEAPPROFILE")
	if base == "" {
		return
	}
	f, err := os.Create(base + "." + stage)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.WriteHeapProfile(f)
}

// PeakRSSKB is the peak resident set (VmHWM) of process pid ("self" for
// this one), 0 if unknown.
func PeakRSSKB(pid string) int64 { return procStatus(pid)["VmHWM"] }

// ReadMemory reads the resident set of process pid ("self" for this one)
// now.
func ReadMemory(pid string) Memory {
	st := procStatus(pid)
	return Memory{RSSKB: st["VmRSS"], AnonKB: st["RssAnon"], FileKB: st["RssFile"] + st["RssShmem"]}
}

// procStatus reads the kB figures of /proc/<pid>/status (empty where that
// file does not exist).
func procStatus(pid string) map[string]int64 {
	out := map[string]int64{}
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if v, isKB := strings.CutSuffix(strings.TrimSpace(v), " kB"); ok && isKB {
			n, _ := strconv.ParseInt(v, 10, 64)
			out[k] = n
		}
	}
	return out
}

// ProbeFsync measures the disk under dir alone, paced like the load: n
// appends of 200 bytes, each fsync'd, at rate per second (0 = back to
// back). It is the floor any durable commit on that disk stands on, and
// this VM's disk moves it from run to run, so the load tool prints it next
// to the commit latencies.
func ProbeFsync(dir string, n, rate int) (Latency, error) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return Latency{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 200)
	return paced(n, rate, func(int) error {
		if _, err := f.Write(buf); err != nil {
			return err
		}
		return f.Sync()
	})
}

// ProbeBadger measures lone durable Badger commits of one 200-byte event
// with the gateway's options, paced like ProbeFsync: what the outbox
// stands on before any group commit, publishing or acknowledging. A
// synchronous Badger commit flushes two files (value log and memtable
// log), so it costs about two of ProbeFsync's flushes.
func ProbeBadger(dir string, n, rate int) (Latency, error) {
	d, err := os.MkdirTemp(dir, "badger-probe-")
	if err != nil {
		return Latency{}, err
	}
	defer os.RemoveAll(d)
	db, err := storage.Open(d, storage.Gateway, zerolog.Nop())
	if err != nil {
		return Latency{}, err
	}
	defer db.Close()
	val := make([]byte, 200)
	return paced(n, rate, func(i int) error {
		return db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(strconv.Itoa(i)), val) })
	})
}

// paced runs op n times at rate per second (0 = back to back) and returns
// its latencies.
func paced(n, rate int, op func(i int) error) (Latency, error) {
	next := time.Now()
	ds := make([]time.Duration, 0, n)
	for i := range n {
		if rate > 0 {
			time.Sleep(time.Until(next))
			next = next.Add(time.Second / time.Duration(rate))
		}
		t0 := time.Now()
		if err := op(i); err != nil {
			return Latency{}, err
		}
		ds = append(ds, time.Since(t0))
	}
	return Summarise(ds), nil
}
