// Package loadgen drives a gateway's outbox and MQTT link with synthetic
// events, for the load tool (cmd/dockload) and the fault-injection tests.
// A generator resumes where its outbox stopped, so a gateway killed and
// restarted any number of times issues exactly Total events in all.
package loadgen

import (
	"context"
	"fmt"
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
	// LinkDelay keeps the link down for a while (to build a backlog).
	LinkDelay time.Duration
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
	// PeakHeapKB is the largest Go heap in use seen (sampled every 100 ms).
	PeakHeapKB int64
}

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
	db, err := storage.Open(filepath.Join(opt.DataDir, "gateway"), log)
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	ob, err := outbox.Open(db, outbox.Options{MaxBytes: opt.MaxBytes}, log)
	if err != nil {
		return Result{}, err
	}
	defer ob.Close()
	lk, err := link.New(link.Options{MQTT: mqttx.Config{URL: opt.MQTT}, Site: opt.Site, Gateway: opt.Gateway,
		ResendAfter: opt.ResendAfter, StallAfter: opt.StallAfter, Window: opt.Window}, ob, log)
	if err != nil {
		return Result{}, err
	}
	linkCtx, stopLink := context.WithCancel(context.Background())
	linkDone := make(chan struct{})
	go func() {
		defer close(linkDone)
		select {
		case <-time.After(opt.LinkDelay):
			_ = lk.Run(linkCtx)
		case <-linkCtx.Done():
		}
	}()
	var maxUnconfirmed, maxHeap atomic.Int64
	go func() {
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
				if i%20 == 0 {
					runtime.ReadMemStats(&ms)
					maxHeap.Store(max(maxHeap.Load(), int64(ms.HeapInuse/1024)))
				}
			}
		}
	}()
	lat, err := generate(ctx, ob, opt)
	writeHeapProfile("generated")
	res := Result{Appended: len(lat), Commit: Summarise(lat), Stream: ob.Stream()}
	if err == nil && untilAcked {
		for ctx.Err() == nil && lk.Acked(outbox.Must) < ob.Issued(outbox.Must) {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
			}
		}
	} else if err == nil {
		<-ctx.Done()
	}
	writeHeapProfile("drained")
	stopLink()
	<-linkDone
	st := ob.Stats()
	res.Issued, res.Acked = st.NextSeq-1, st.Acked
	res.Published, res.Resent = lk.Published()
	res.MaxUnconfirmed, res.Restarts = int(maxUnconfirmed.Load()), lk.Restarts()
	res.PeakHeapKB = maxHeap.Load()
	res.PeakRSSKB = PeakRSSKB()
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
			next := time.Now()
			for ctx.Err() == nil && reserved.Add(1) <= opt.Total {
				if interval > 0 {
					time.Sleep(time.Until(next))
					next = next.Add(interval)
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

// PeakRSSKB is this process's peak resident set (VmHWM), 0 if unknown.
func PeakRSSKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
