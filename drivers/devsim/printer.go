package devsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Job is one label format the virtual printer printed.
type Job struct {
	N    int    // 1-based, in print order
	ZPL  []byte // ^XA..^XZ verbatim
	File string // dir/job-0001.zpl, or "" without a directory
	At   time.Time
}

// PrinterOption customises NewPrinter.
type PrinterOption func(*Printer)

// WithOnJob calls f for each printed job (e.g. to render a preview) before
// the job shows in Jobs/WaitJobs. It runs on the printing goroutine, so a
// slow f slows the printer down, as rendering does on a real one; f must not
// call the printer's Set methods.
func WithOnJob(f func(Job)) PrinterOption {
	return func(p *Printer) { p.onJob = f }
}

// Printer is a virtual Zebra ZPL printer on raw TCP. Like a real one it
// serves one connection at a time, keeps formats that arrive while it cannot
// print (paper out, paused, head open) and prints them once the fault is
// cleared, and answers ~HS with the three status strings.
type Printer struct {
	log   zerolog.Logger
	dir   string
	addr  string
	onJob func(Job)

	printMu   sync.Mutex // serialises printing so jobs keep their order
	mu        sync.Mutex
	ln        net.Listener // nil while offline
	conn      net.Conn     // connection being served
	jobs      []Job
	pending   [][]byte // received formats not printed yet
	printing  int      // formats taken from pending whose job is not visible yet
	paperOut  bool
	paused    bool
	headOpen  bool
	mediaLeft int           // labels left on the roll; <0 means endless
	dropAfter int           // cut the next connection carrying more bytes; <0 means off
	hsDelay   time.Duration // how long a ~HS answer takes (a busy printer)
	serials   []*os.File    // pty ends of AttachSerial lines
	changed   chan struct{}
	closed    bool
	wg        sync.WaitGroup
}

// NewPrinter listens on addr (e.g. "127.0.0.1:0" or ":9100"). Jobs are
// written to dir as job-0001.zpl, ... unless dir is "".
func NewPrinter(addr, dir string, log zerolog.Logger, opts ...PrinterOption) (*Printer, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("devsim printer: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devsim printer listen %s: %w", addr, err)
	}
	p := &Printer{
		log: log.With().Str("device", "printer").Logger(), dir: dir, addr: ln.Addr().String(),
		mediaLeft: -1, dropAfter: -1, changed: make(chan struct{}),
	}
	for _, o := range opts {
		o(p)
	}
	p.mu.Lock()
	p.startLocked(ln)
	p.mu.Unlock()
	return p, nil
}

// Addr is the host:port the printer listens on (stable across SetOffline).
func (p *Printer) Addr() string { return p.addr }

// Jobs returns the printed jobs in order.
func (p *Printer) Jobs() []Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Job(nil), p.jobs...)
}

// WaitJobs waits until at least n jobs are printed and returns them all.
func (p *Printer) WaitJobs(ctx context.Context, n int) ([]Job, error) {
	for {
		p.mu.Lock()
		if len(p.jobs) >= n {
			jobs := append([]Job(nil), p.jobs...)
			p.mu.Unlock()
			return jobs, nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return p.Jobs(), fmt.Errorf("devsim printer: waiting for %d jobs: %w", n, ctx.Err())
		}
	}
}

// SetPaperOut simulates an empty (true) or reloaded (false) media roll;
// reloading gives an endless roll again and prints held formats.
func (p *Printer) SetPaperOut(out bool) {
	p.update(func() {
		p.paperOut = out
		if !out {
			p.mediaLeft = -1
		}
	})
}

// SetPaused pauses or resumes printing (like the PAUSE key, ~PP and ~PS).
func (p *Printer) SetPaused(paused bool) { p.update(func() { p.paused = paused }) }

// SetHeadOpen simulates an open (true) or closed print head.
func (p *Printer) SetHeadOpen(open bool) { p.update(func() { p.headOpen = open }) }

// SetMediaLeft loads a roll with n labels: after n more labels the printer
// reports paper out and holds the rest. n < 0 means endless.
func (p *Printer) SetMediaLeft(n int) {
	p.update(func() {
		p.mediaLeft = n
		p.paperOut = n == 0
	})
}

// DropNextConnectionAfter cuts the first following connection that carries
// more than n bytes right after its n-th byte (a cable pulled mid-job); the
// incomplete format is discarded. n < 0 disarms it.
func (p *Printer) DropNextConnectionAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAfter = n
}

// SetOffline makes the printer refuse connections (true; open ones are
// closed) or listen again on the same address (false).
func (p *Printer) SetOffline(offline bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || offline == (p.ln == nil) {
		return
	}
	if offline {
		p.stopLocked()
		p.log.Info().Msg("offline")
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.log.Error().Err(err).Msg("cannot come back online")
		return
	}
	p.startLocked(ln)
	p.log.Info().Msg("online")
}

// Close stops the printer and waits for its goroutines.
func (p *Printer) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		p.stopLocked()
		p.closeSerialsLocked()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

func (p *Printer) startLocked(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go p.acceptLoop(ln)
}

func (p *Printer) stopLocked() {
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	if p.conn != nil {
		_ = p.conn.Close()
	}
}

func (p *Printer) closeSerialsLocked() {
	for _, f := range p.serials {
		_ = f.Close()
	}
	p.serials = nil
}

// acceptLoop serves connections one at a time, as printers do; later
// clients wait in the listen backlog.
func (p *Printer) acceptLoop(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.ln != ln { // went offline meanwhile
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.conn = c
		p.mu.Unlock()
		p.serve(c, c.RemoteAddr().String(), true)
		p.mu.Lock()
		if p.conn == c {
			p.conn = nil
		}
		p.mu.Unlock()
		_ = c.Close()
	}
}

// serve reads one connection's stream until it ends. Only TCP connections
// can be cut by DropNextConnectionAfter; a serial line has no connection.
func (p *Printer) serve(c io.ReadWriter, remote string, cuttable bool) {
	log := p.log.With().Str("remote", remote).Logger()
	var z zplStream
	var total int
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		chunk := buf[:n]
		cut := false
		if cuttable {
			p.mu.Lock()
			if p.dropAfter >= 0 && total+n > p.dropAfter {
				chunk, cut = chunk[:p.dropAfter-total], true
				p.dropAfter = -1
			}
			p.mu.Unlock()
		}
		total += len(chunk)
		if ferr := z.feed(chunk, p.receive, func(cmd string) { p.tilde(c, cmd, log) }); ferr != nil {
			log.Warn().Err(ferr).Msg("stream error")
		}
		if cut {
			log.Info().Int("after_bytes", total).Msg("fault: connection cut")
			return
		}
		if err != nil {
			if z.partial() {
				log.Warn().Msg("connection closed mid-format; format discarded")
			}
			return
		}
	}
}

// AttachSerial adds a serial interface on a pseudo-terminal and returns its
// path for a serial printer driver. It shares the printer's state and jobs
// with the TCP side; SetOffline and DropNextConnectionAfter affect TCP only.
// It lives until Close.
func (p *Printer) AttachSerial() (string, error) {
	master, slave, err := openRawPTY()
	if err != nil {
		return "", fmt.Errorf("devsim printer serial: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = master.Close()
		_ = slave.Close()
		return "", errors.New("devsim printer serial: printer closed")
	}
	// The slave stays open here so the line survives the driver closing and
	// reopening it.
	p.serials = append(p.serials, master, slave)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.serve(master, slave.Name(), false)
	}()
	return slave.Name(), nil
}

// receive takes a complete format: printed now, or held while not ready.
func (p *Printer) receive(format []byte) {
	p.mu.Lock()
	p.pending = append(p.pending, append([]byte(nil), format...))
	p.mu.Unlock()
	p.printReady()
}

func (p *Printer) tilde(c io.Writer, cmd string, log zerolog.Logger) {
	switch cmd {
	case "HS":
		p.mu.Lock()
		delay := p.hsDelay
		p.mu.Unlock()
		time.Sleep(delay)
		p.mu.Lock()
		answer := p.hostStatusLocked()
		p.mu.Unlock()
		if _, err := c.Write(answer); err != nil {
			log.Debug().Err(err).Msg("~HS answer not delivered")
		}
	case "PS":
		p.SetPaused(false)
	case "PP":
		p.SetPaused(true)
	case "JA": // cancel all: drop held formats
		p.update(func() { p.pending = nil })
	}
}

// SetStatusDelay makes every ~HS answer take d, as a printer busy with a
// large label answers late.
func (p *Printer) SetStatusDelay(d time.Duration) { p.update(func() { p.hsDelay = d }) }

// update changes the state under the lock, then prints what became printable.
func (p *Printer) update(change func()) {
	p.mu.Lock()
	change()
	p.mu.Unlock()
	p.printReady()
}

func (p *Printer) readyLocked() bool { return !p.paperOut && !p.paused && !p.headOpen }

// printReady prints held formats in order while the printer can. A job
// becomes visible (Jobs, WaitJobs, ~HS idle) only after OnJob returned, so
// whoever waits for it also finds what the hook produced.
func (p *Printer) printReady() {
	p.printMu.Lock()
	defer p.printMu.Unlock()
	for {
		job, ok := p.startJob()
		if !ok {
			return
		}
		if p.onJob != nil {
			p.onJob(job)
		}
		p.mu.Lock()
		p.printing--
		p.jobs = append(p.jobs, job)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		p.log.Info().Int("job", job.N).Int("bytes", len(job.ZPL)).Str("file", job.File).Msg("printed")
	}
}

// startJob takes the next held format if the printer can print it, and
// saves it to a file.
func (p *Printer) startJob() (Job, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 || !p.readyLocked() {
		return Job{}, false
	}
	if p.mediaLeft == 0 {
		p.paperOut = true
		return Job{}, false
	}
	if p.mediaLeft > 0 {
		p.mediaLeft--
	}
	job := Job{N: len(p.jobs) + 1, ZPL: p.pending[0], At: time.Now()}
	p.pending = p.pending[1:]
	p.printing++
	if p.dir != "" {
		job.File = filepath.Join(p.dir, fmt.Sprintf("job-%04d.zpl", job.N))
		if err := os.WriteFile(job.File, job.ZPL, 0o644); err != nil {
			p.log.Error().Err(err).Msg("cannot save job")
			job.File = ""
		}
	}
	return job, true
}

// hostStatusLocked renders the ~HS answer following the field layout of the
// ZPL II Programming Guide (45541L-004 Rev. A, ~HS): interface settings 030
// (9600 baud, 8 data bits, 1 stop bit, no parity, Xon/Xoff), label length
// 1218 dots (6 in at 203 dpi), tear-off mode, password 1234.
func (p *Printer) hostStatusLocked() []byte {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	held := min(len(p.pending)+p.printing, 999)
	return fmt.Appendf(nil,
		"\x02030,%d,%d,1218,%03d,0,0,0,000,0,0,0\x03\r\n"+
			"\x02001,0,%d,0,0,2,6,0,%08d,1,000\x03\r\n"+
			"\x021234,0\x03\r\n",
		b(p.paperOut), b(p.paused), held, b(p.headOpen), held)
}
