// Package storage opens Badger databases with options sized for a 1 GB
// Raspberry Pi and adapts Badger's logger to zerolog. Gateway and central
// share it so both daemons have the same footprint rules.
package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/rs/zerolog"
)

// Role sizes a database for the daemon that owns it.
type Role int

const (
	// Gateway is a Pi's outbox: 1 MiB memtables and 512 KiB tables. The
	// table builders Badger keeps pooled and its memtable arenas are
	// sized from these, and they are most of the gateway's Go heap; small
	// ones keep it near 20 MB while a 100,000-event backlog drains at full
	// speed. A transaction may then hold about 150 KB, which the outbox
	// respects (docs/store-and-forward.md).
	Gateway Role = iota
	// Central holds the stock and ledger on a site server: 32 MiB
	// memtables, 8 MiB tables, a 64 MiB block cache. Group commit puts
	// hundreds of orders in one transaction, and small memtables made every
	// few seconds of load a flush that stalled all requests behind it (p99 of
	// 10-line orders at 200/s 12–13 ms, of 1-line orders at 2,000/s
	// 73–118 ms; with these 8.8–9.5 and 22 ms: docs/benchmarks.md).
	Central
)

// Options returns Badger options for dir. Badger's defaults (64 MB memtables,
// 5 of them, 256 MB block cache, 1 GB value-log files) peak near 200 MB RSS
// on a burst; a dock gateway writes small events at a few thousand per
// second at most, so small memtables and caches cost little speed and keep
// the process within a Pi's budget (docs/benchmarks.md has the numbers).
// Level 0 keeps Badger's default compaction and stall points: stalling
// writes earlier shows up directly as commit-latency spikes. SyncWrites is
// on: a commit returns only after fsync, which is what "durable before the
// green light" means.
func Options(dir string, role Role, log zerolog.Logger) badger.Options {
	memtable, table := int64(1<<20), int64(512<<10)
	// The gateway keeps values below 15 % of a memtable (the most a
	// transaction holds) in the LSM tree, not in the value log: the value
	// log is a sparse memory map, a write to it on a full disk is SIGBUS
	// (see Disk), and it would keep acknowledged events until a value-log
	// GC. Only larger values (none of the gateway's events) still go there;
	// its files are 1 MiB (mapped at 2 MiB, allocated by Disk).
	threshold, vlogFile := 15*memtable/100, int64(1<<20)
	if role == Central {
		memtable, table, threshold, vlogFile = 32<<20, 8<<20, 1<<10, 64<<20
	}
	blockCache, indexCache := int64(4<<20), int64(4<<20)
	if role == Central {
		blockCache, indexCache = 64<<20, 16<<20
	}
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log.With().Str("component", "badger").Logger()}).
		WithSyncWrites(true).
		WithMemTableSize(memtable).
		WithNumMemtables(2).
		WithNumLevelZeroTables(5).
		WithNumLevelZeroTablesStall(15).
		WithBaseTableSize(table).
		WithValueLogFileSize(vlogFile).
		WithValueThreshold(threshold).
		WithBlockCacheSize(blockCache).
		WithIndexCacheSize(indexCache).
		WithNumCompactors(2).
		WithCompression(options.None).
		WithDetectConflicts(false)
}

// Open opens (or creates) the database in dir. The gateway opens through
// Disk instead, which checks and keeps the space Badger needs.
func Open(dir string, role Role, log zerolog.Logger) (*badger.DB, error) {
	if err := removeEmptyLogs(dir, log); err != nil {
		return nil, err
	}
	return open(dir, role, log)
}

func open(dir string, role Role, log zerolog.Logger) (*badger.DB, error) {
	db, err := badger.Open(Options(dir, role, log))
	if err != nil {
		return nil, fmt.Errorf("open badger at %s: %w", dir, err)
	}
	return db, nil
}

type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error().Msgf(f, a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn().Msgf(f, a...) }
func (b badgerLogger) Infof(f string, a ...any)    { b.l.Debug().Msgf(f, a...) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.l.Trace().Msgf(f, a...) }

// removeEmptyLogs deletes zero-length memtable and value-log files. A
// process killed between creating such a file and sizing it leaves one
// behind, and so does a gateway killed with memtable logs allocated ahead
// (Disk); Badger v4 then refuses to open ("while opening fid: N err:
// Create a new file"). A zero-length file has not even its header, so it
// holds no data: removing it loses nothing and lets the database open.
func removeEmptyLogs(dir string, log zerolog.Logger) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read badger dir %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".mem") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("remove empty %s: %w", name, err)
		}
		log.Info().Str("file", name).Msg("removed an empty log file left by a crash")
	}
	return nil
}
