package daemon

import (
	"bufio"
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/gateway/web"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/zpl"
)

// backend is the gateway as the technician page sees it.
type backend struct{ g *Gateway }

var _ web.Backend = backend{}

func (b backend) Devices() []health.Device     { return b.g.board.Snapshot() }
func (b backend) Unready() []health.Reason     { return b.g.Unready() }
func (b backend) Live() *live.Hub              { return &b.g.live }
func (b backend) Config() *config.Config       { return b.g.config() }
func (b backend) Apply(c *config.Config) error { return b.g.Apply(c) }
func (b backend) Labels() *zpl.Registry        { return b.g.labels }

func (b backend) Logs(f logging.Filter) []logging.Line {
	if b.g.opt.Logs == nil {
		return nil
	}
	return b.g.opt.Logs.Lines(f)
}

func (b backend) TestPrint(ctx context.Context, device string, zpl []byte) (printer.Result, error) {
	b.g.devMu.Lock()
	var q *printQueue
	for _, p := range b.g.printers {
		if p.dev.ID == device {
			q = p
		}
	}
	b.g.devMu.Unlock()
	if q == nil {
		return printer.Result{}, errors.New("printer " + device + " is not running")
	}
	return q.testPrint(ctx, zpl)
}

func (b backend) Identify(station string) error {
	l, ok := b.g.light(station)
	if !ok {
		return errors.New("station " + station + " has no light")
	}
	if err := l.Show(gpio.PatternTest); err != nil {
		l.health.Failed(err)
		return err
	}
	return nil
}

// linkHealth is the MQTT link's state.
func (g *Gateway) linkHealth() health.Link {
	if !g.opened.Load() {
		return health.Link{LastError: "not started: waiting for disk space to open the database"}
	}
	s := g.link.Status()
	return health.Link{Connected: s.Connected, Since: s.Since, LastError: s.LastError}
}

// Unready lists why the gateway is degraded (empty: ready): devices, the
// link, and storage that cannot take events (a full disk, or a database
// waiting for space to open).
func (g *Gateway) Unready() []health.Reason {
	out := health.Unready(g.board.Snapshot(), g.linkHealth())
	if s := g.Storage(); s.State != storage.StateOK {
		out = append(out, health.Reason{Component: "storage", ID: s.State, Reason: s.Reason})
	}
	return out
}

func (b backend) Overview() web.Overview {
	g := b.g
	cfg := g.config()
	o := web.Overview{Gateway: cfg.Gateway, Site: cfg.Site, Version: g.opt.Version, Started: g.started, Link: g.linkHealth()}
	if g.opened.Load() {
		st := g.outbox.Stats()
		o.Outbox = web.Backlog{Events: st.Events, Bytes: st.Bytes, BudgetBytes: st.MaxBytes, BytesPerSecond: st.BytesPerSecond}
		if old := g.outbox.Oldest(); !old.IsZero() {
			o.Outbox.OldestAge = time.Since(old).Seconds()
		}
		if st.OfflineLeft > 0 {
			h := st.OfflineLeft.Hours()
			o.Outbox.BufferLeftHours = &h
		}
	}
	o.Disk = disk(g.dataDir)
	o.Memory = memory()
	return o
}

func disk(path string) web.Disk {
	d := web.Disk{Path: path}
	var fs unix.Statfs_t
	if err := unix.Statfs(path, &fs); err != nil {
		d.Error = err.Error()
		return d
	}
	d.FreeBytes, d.TotalBytes = fs.Bavail*uint64(fs.Bsize), fs.Blocks*uint64(fs.Bsize)
	return d
}

// memory reads the Go heap, the process's resident set (/proc/self/statm)
// and the machine's available memory (/proc/meminfo).
func memory() web.Memory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := web.Memory{HeapBytes: ms.HeapAlloc}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			m.RSSBytes = pages * uint64(os.Getpagesize())
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			switch k {
			case "MemTotal":
				m.TotalBytes = kb << 10
			case "MemAvailable":
				m.AvailableBytes = kb << 10
			}
		}
	}
	return m
}
