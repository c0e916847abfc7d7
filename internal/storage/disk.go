package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
)

// A full disk must be an error, never a crash. Badger writes its memtable
// logs (.mem), its value logs (.vlog), its DISCARD file and its tables
// (.sst) through shared memory maps of files that it first extends with
// ftruncate. On ext4 or tmpfs that only makes a file sparse: the blocks
// are allocated when a page of the map is first written, and on a full
// filesystem that allocation fails inside a page fault, which the kernel
// answers with SIGBUS. The Go runtime cannot turn that into an error, so
// gatewayd died mid-commit and again while reopening (a crash loop).
//
// Disk keeps writes away from unallocated pages of those maps:
//
//   - Memtable logs, which every commit writes, are backed by real blocks
//     before Badger writes into them. Badger opens the next memtable log
//     without O_EXCL and treats a zero-length file as new, then extends it
//     with ftruncate; Disk creates the next logs ahead of Badger with
//     fallocate(FALLOC_FL_KEEP_SIZE), so the file is still empty to Badger
//     but its blocks are allocated, and the ftruncate lays the map over
//     them. The log Badger creates itself while opening is allocated right
//     after Open, before anything is written to it.
//   - The gateway's value log is hardly written: its ValueThreshold is the
//     most a transaction can hold (15 % of a memtable), so values stay in
//     the LSM tree (memtable log, then tables); only a larger one (a huge
//     print job) would go there. Central's is (values above 1 KiB). The
//     value log being written is allocated after Open, and a new one as
//     soon as the refresher sees it; the reserve holds one meanwhile.
//   - Tables written by flushes and compactions cannot be pre-allocated
//     (Badger creates them with O_EXCL): Reserve is kept free for them.
//     Room — the free space less Reserve — is what the outbox (or central's
//     store) may still fill; it refuses new events (writes) when Room is
//     used up, so Badger always finds Reserve free for its own writes.
//   - Open checks the free space first and refuses with ErrNoSpace (an
//     error, not a crash) when opening could not write what it must.
//   - Reclaim makes Badger give back the space of deleted data on a full
//     disk, where no new writes drive the compactions that would.
//
// Free space is read with statfs once a second and after every
// refreshEvery bytes written, never per append: between two reads Wrote
// lowers the cached figure by an estimate of what Badger will allocate.
// A program other than the gateway that fills the disk can still take the
// reserve; then the outbox refuses (red light) within a second, and the
// worst case is a crash in a table write that Open's check turns into a
// wait instead of a crash loop (docs/store-and-forward.md).

// ErrNoSpace is returned by Open when the filesystem lacks the space that
// opening the database writes.
var ErrNoSpace = errors.New("not enough free disk space")

// Storage states (Status.State).
const (
	StateOK          = "ok"          // open; Room left
	StateFull        = "full"        // open; free space down to the reserve
	StateUnavailable = "unavailable" // not open: not enough space to open
)

// Status describes a database's disk for logs, metrics and health checks.
type Status struct {
	State string `json:"state"`
	Path  string `json:"path"`
	// Free is the free space (statfs f_bavail); Needed is the reserve
	// while open, or what opening needs while unavailable.
	Free   int64  `json:"free_bytes"`
	Needed int64  `json:"needed_bytes"`
	Reason string `json:"reason,omitempty"`
}

const (
	// logsAhead memtable logs are kept allocated past the one in use: at
	// full speed Badger starts a new one every ~1 MiB written, and the
	// refresher runs every refreshEvery bytes, so two are never outrun.
	logsAhead = 2
	// refreshEvery bytes written trigger a statfs (and the logs ahead).
	refreshEvery = 256 << 10
	// refreshPeriod reads the free space even when nothing is written
	// here: another program may fill or empty the disk.
	refreshPeriod = time.Second
	// amplification is what Wrote assumes Badger allocates per byte
	// committed until the next statfs: the memtable log's successor and
	// the level-0 table, with margin.
	amplification = 3
	// fallocKeepSize is FALLOC_FL_KEEP_SIZE (linux/falloc.h).
	fallocKeepSize = 0x1
)

// Disk guards the filesystem of one Badger directory. Room, Wrote and
// Status are cheap (no system call) and safe for concurrent use.
type Disk struct {
	dir      string
	role     Role
	log      zerolog.Logger
	dbLog    zerolog.Logger // what Badger logs through
	walSize  int64          // Badger maps each memtable log at 2 × MemTableSize
	vlogSize int64          // and each value log at 2 × ValueLogFileSize
	opt      badger.Options
	data     int64 // the data bound of Reserve, or DataOnDisk
	reserve  atomic.Int64

	free    atomic.Int64 // last statfs, less Wrote's estimate since
	written atomic.Int64 // bytes since the last statfs
	kick    chan struct{}

	mu        sync.Mutex
	db        *badger.DB // while open
	reclaimed time.Time  // last Reclaim
	status    Status
	alloc     error // last failure to allocate a log, if any
	noAlloc   bool  // the filesystem has no fallocate
	next      int   // lowest memtable log id not known to be Badger's
	ready     int   // logs below this id have been allocated ahead
	vlog      int   // the value log being written
}

// DataOnDisk, as NewDisk's data bound, sizes the reserve for a database
// without a fixed bound (central's ledger grows for as long as the site
// works) by what it holds now: the size of its tables, re-read at every
// refresh. The tables are what compactions rewrite, so the reserve grows
// with them; value logs are never rewritten (central runs no value-log
// GC), and the one being written has its blocks already (allocateFiles).
const DataOnDisk int64 = -1

// NewDisk prepares to guard dir (the Badger directory) for role; data is
// the most the database will hold (the outbox's budgets), or DataOnDisk.
func NewDisk(dir string, role Role, data int64, log zerolog.Logger) *Disk {
	opt := Options(dir, role, log)
	d := &Disk{dir: dir, role: role, dbLog: log, log: log.With().Str("component", "disk").Str("path", dir).Logger(),
		walSize: 2 * opt.MemTableSize, vlogSize: 2 * opt.ValueLogFileSize, opt: opt, data: data, kick: make(chan struct{}, 1)}
	d.sizeReserve()
	d.status = Status{State: StateUnavailable, Path: dir, Needed: d.Reserve(), Reason: "not opened yet"}
	return d
}

// sizeReserve sets the reserve for the data bound.
func (d *Disk) sizeReserve() {
	data := d.data
	if data == DataOnDisk {
		data = tablesSize(d.dir)
	}
	d.reserve.Store(Reserve(d.opt, data))
}

// tablesSize is the size of the tables (.sst) in dir.
func tablesSize(dir string) int64 {
	entries, _ := os.ReadDir(dir)
	var n int64
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), tableFileExt) {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
	}
	return n
}

// Reserve is what Badger may still write on its own, for a database
// holding up to data bytes, once the gateway stops adding to it: the
// memtables waiting to be flushed (current and immutable) become level-0
// tables; a compaction writes its output before it deletes its input, at
// worst every level-0 table (up to the stall count) and the overlapping
// base level, which holds about a tenth of the data (counted twice: it
// runs over its target while compactions catch up); the memtable logs
// ahead are replaced as they are used, and so is the value log; the
// manifest grows; and the device events that report a full disk may take
// a slice as large as the outbox's own reserve for them (1 % of the data).
// docs/store-and-forward.md has the figures and what was measured.
func Reserve(opt badger.Options, data int64) int64 {
	flush := int64(opt.NumMemtables+1) * opt.MemTableSize
	base := max(opt.BaseLevelSize, 2*data/int64(opt.LevelSizeMultiplier))
	compaction := int64(opt.NumLevelZeroTablesStall)*opt.MemTableSize + base
	logs := logsAhead*2*opt.MemTableSize + 2*opt.ValueLogFileSize
	return flush + compaction + logs + 4<<20 + data/100
}

// Reserve is the space kept free for Badger's own writes.
func (d *Disk) Reserve() int64 { return d.reserve.Load() }

// Path is the Badger directory.
func (d *Disk) Path() string { return d.dir }

// Room is how many more bytes may be stored: the free space less the
// reserve (negative when the disk is below the reserve).
func (d *Disk) Room() int64 { return d.free.Load() - d.Reserve() }

// Wrote accounts for n bytes committed: the cached free space drops by
// Badger's estimated allocation for them, and a statfs is due every
// refreshEvery bytes.
func (d *Disk) Wrote(n int64) {
	d.free.Add(-amplification * n)
	if d.written.Add(n) >= refreshEvery {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
}

// Status reports the disk's state.
func (d *Disk) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.status
	if s.State != StateUnavailable {
		s.Free, s.Needed = d.free.Load(), d.Reserve()
		s.State, s.Reason = StateOK, ""
		if d.alloc != nil {
			s.State, s.Reason = StateFull, d.alloc.Error()
		} else if s.Free < s.Needed {
			s.State = StateFull
			s.Reason = fmt.Sprintf("%d bytes free on the disk of %s, below the %d bytes kept for the database's own writes",
				s.Free, d.dir, s.Needed)
		}
	}
	return s
}

// Free reads the filesystem's free space for unprivileged writers.
func Free(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil // field types differ by architecture
}

// Open checks that the disk has room for what opening writes (a new
// memtable log and the logs ahead, the tables that the memtables left by
// the last run flush to, a margin), opens the database and allocates its
// logs. Without that room it returns an error wrapping ErrNoSpace, and the
// status says why; the caller waits and calls Open again.
func (d *Disk) Open() (*badger.DB, error) {
	if err := os.MkdirAll(d.dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", d.dir, err)
	}
	if err := removeEmptyLogs(d.dir, d.log); err != nil {
		return nil, err
	}
	free, err := Free(d.dir)
	if err != nil {
		return nil, err
	}
	need := d.openNeeds()
	if free < need {
		return nil, d.unavailable(free, need, nil)
	}
	db, err := open(d.dir, d.role, d.dbLog)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.alloc = nil
	err = d.allocateFiles(true)
	d.mu.Unlock()
	if err != nil {
		// The log Badger just created is sparse: writing to it could
		// crash. Close (which writes little: the memtable is empty) and
		// wait for space.
		_ = db.Close()
		if !errors.Is(err, syscall.ENOSPC) {
			return nil, err
		}
		free, _ = Free(d.dir)
		return nil, d.unavailable(free, need, err)
	}
	d.refresh()
	d.mu.Lock()
	d.status.State = StateOK
	d.db = db
	d.mu.Unlock()
	return db, nil
}

// AwaitOpen calls open every period until it opens (nil), fails for
// another reason than ErrNoSpace (that error), or ctx ends (ctx.Err()):
// a daemon whose disk is too full to open its database waits for space
// instead of exiting into a crash loop. Each refusal is logged with the
// free and needed bytes; what names the database in the log.
func (d *Disk) AwaitOpen(ctx context.Context, period time.Duration, what string, open func() error) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(period):
		}
		err := open()
		if !errors.Is(err, ErrNoSpace) {
			return err
		}
		s := d.Status()
		d.log.Warn().Int64("free_bytes", s.Free).Int64("needed_bytes", s.Needed).Msg("still not enough disk space to open the " + what)
	}
}

// reclaimEvery limits Reclaim: each one turns the memtable into a table.
const reclaimEvery = 30 * time.Second

// reclaimKey is written and dropped to flush the memtables.
var reclaimKey = []byte("\xffreclaim")

// Reclaim gives back the space of deleted data while the disk has no room
// and little is live: a deletion is a tombstone in the memtable, and the
// data it deletes is dropped only when a compaction merges the two, which
// new writes drive — the writes a full disk refuses. Reclaim flushes the
// memtables (DropPrefix of a key written for it: Badger's only way to
// flush on demand; writes are blocked meanwhile) and compacts the tree
// into one level (Flatten), which writes about the live data: so it runs
// only when the disk is nearly full (less room than a quarter of the
// reserve) and the live data under a quarter of the reserve, at most
// every reclaimEvery. It reports whether it ran.
func (d *Disk) Reclaim(live int64) (bool, error) {
	d.mu.Lock()
	db := d.db
	reserve := d.Reserve()
	due := db != nil && d.Room() < reserve/4 && live < reserve/4 && time.Since(d.reclaimed) >= reclaimEvery
	if due {
		d.reclaimed = time.Now()
	}
	d.mu.Unlock()
	if !due {
		return false, nil
	}
	err := db.Update(func(txn *badger.Txn) error { return txn.Set(reclaimKey, nil) })
	if err == nil {
		err = db.DropPrefix(reclaimKey)
	}
	if err == nil {
		err = db.Flatten(1)
	}
	d.refresh()
	if err != nil {
		return false, fmt.Errorf("reclaim deleted space: %w", err)
	}
	return true, nil
}

func (d *Disk) unavailable(free, need int64, cause error) error {
	reason := fmt.Sprintf("%d bytes free on the disk of %s, opening the database needs %d", free, d.dir, need)
	if cause != nil {
		reason += ": " + cause.Error()
	}
	d.mu.Lock()
	d.status = Status{State: StateUnavailable, Path: d.dir, Free: free, Needed: need, Reason: reason}
	d.mu.Unlock()
	return fmt.Errorf("%w: %s", ErrNoSpace, reason)
}

// openNeeds is what opening writes: the memtable logs a crash left are
// flushed to tables (about their size), a new memtable log, the logs ahead
// and a new value log are allocated, the DISCARD file (1 MiB) is created
// the first time, and a margin for the manifest.
func (d *Disk) openNeeds() int64 {
	need := (1+logsAhead)*d.walSize + d.vlogSize + 3<<20
	entries, _ := os.ReadDir(d.dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), memFileExt) {
			if info, err := e.Info(); err == nil {
				need += info.Size()
			}
		}
	}
	return need
}

const (
	memFileExt   = ".mem"
	vlogFileExt  = ".vlog"
	tableFileExt = ".sst"
	discardFile  = "DISCARD"
)

func (d *Disk) walPath(fid int) string {
	return filepath.Join(d.dir, fmt.Sprintf("%05d%s", fid, memFileExt))
}
func (d *Disk) vlogPath(fid int) string {
	return filepath.Join(d.dir, fmt.Sprintf("%06d%s", fid, vlogFileExt))
}

// allocateFiles backs the files Badger writes through memory maps with
// blocks: every memtable log in use, logsAhead empty logs past them, the
// value log being written and the DISCARD file. At open (scan) it finds
// them in the directory; afterwards it follows them by id. Caller holds mu.
func (d *Disk) allocateFiles(scan bool) error {
	if scan {
		if err := d.scanFiles(); err != nil {
			return err
		}
	}
	// Logs Badger has started since: ours were allocated ahead; one it had
	// to create itself (it outran the refresher) is allocated now.
	for {
		info, err := os.Stat(d.walPath(d.next))
		if err != nil || info.Size() == 0 {
			break
		}
		if d.next >= d.ready {
			if err := d.allocateInUse(d.walPath(d.next)); err != nil {
				return err
			}
			d.ready = d.next + 1
		}
		d.next++
	}
	// A new value log (Badger starts one when the last is full).
	for {
		if _, err := os.Stat(d.vlogPath(d.vlog + 1)); err != nil {
			break
		}
		d.vlog++
		if err := d.allocateInUse(d.vlogPath(d.vlog)); err != nil {
			return err
		}
	}
	for ; d.ready < d.next+logsAhead && !d.noAlloc; d.ready++ {
		if err := d.allocateAhead(d.ready); err != nil {
			return err
		}
	}
	return nil
}

func (d *Disk) scanFiles() error {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", d.dir, err)
	}
	d.next, d.vlog = 0, 0
	for _, e := range entries {
		name := e.Name()
		for _, ext := range []string{memFileExt, vlogFileExt} {
			if fid, err := strconv.Atoi(strings.TrimSuffix(name, ext)); err == nil && strings.HasSuffix(name, ext) {
				if ext == memFileExt {
					d.next = max(d.next, fid+1)
				} else {
					d.vlog = max(d.vlog, fid)
				}
			}
		}
	}
	// Every memtable log left is in use (empty ones were removed before
	// Open); older value logs are read, never written again.
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), memFileExt) {
			if err := d.allocateInUse(filepath.Join(d.dir, e.Name())); err != nil {
				return err
			}
		}
	}
	d.ready = d.next
	if err := d.allocateInUse(d.vlogPath(d.vlog)); err != nil {
		return err
	}
	return d.allocateInUse(filepath.Join(d.dir, discardFile))
}

// allocateInUse allocates the blocks of a file Badger has sized and mapped.
func (d *Disk) allocateInUse(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil // flushed and removed meanwhile, or not created
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return err
	}
	return d.fallocate(f, info.Size())
}

// allocateAhead creates the empty log fid with walSize allocated blocks.
func (d *Disk) allocateAhead(fid int) error {
	f, err := os.OpenFile(d.walPath(fid), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("prepare memtable log: %w", err)
	}
	defer f.Close()
	return d.fallocate(f, d.walSize)
}

// fallocate allocates [0, size) of f and keeps its length, so that a file
// Badger has not opened yet still looks new to it.
func (d *Disk) fallocate(f *os.File, size int64) error {
	if d.noAlloc {
		return nil
	}
	err := syscall.Fallocate(int(f.Fd()), fallocKeepSize, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		d.noAlloc = true
		d.log.Warn().Msg("this filesystem cannot allocate files ahead (no fallocate): only the free-space reserve protects the database from a full disk")
		return nil
	}
	if err != nil {
		return fmt.Errorf("allocate %d bytes for %s: %w", size, filepath.Base(f.Name()), err)
	}
	return nil
}

// Run refreshes the free space and the files allocated ahead until ctx
// ends: every refreshPeriod and after every refreshEvery bytes written.
// after (if set) is called from Run's goroutine after each refresh.
func (d *Disk) Run(ctx context.Context, after func()) {
	t := time.NewTicker(refreshPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.kick:
		}
		d.refresh()
		if after != nil {
			after()
		}
	}
}

// refresh reads the free space and allocates the logs ahead.
func (d *Disk) refresh() {
	d.written.Store(0)
	if d.data == DataOnDisk {
		d.sizeReserve()
	}
	free, err := Free(d.dir)
	if err != nil {
		d.log.Error().Err(err).Msg("cannot read free disk space")
		return
	}
	d.free.Store(free)
	d.mu.Lock()
	defer d.mu.Unlock()
	err = d.allocateFiles(false)
	if err != nil && d.alloc == nil {
		d.log.Error().Err(err).Int64("free_bytes", free).Msg("cannot allocate the database's next memtable log")
	}
	d.alloc = err
}

// Close removes the logs prepared ahead (Badger, closed, will not use
// them); call it after closing the database.
func (d *Disk) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for fid := d.next; fid < d.ready; fid++ {
		if info, err := os.Stat(d.walPath(fid)); err == nil && info.Size() == 0 {
			_ = os.Remove(d.walPath(fid))
		}
	}
	d.status = Status{State: StateUnavailable, Path: d.dir, Needed: d.Reserve(), Reason: "closed"}
	d.db = nil
}
