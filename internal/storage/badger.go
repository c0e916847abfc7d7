// Package storage opens Badger databases with options sized for a 1 GB
// Raspberry Pi and adapts Badger's logger to zerolog. Gateway and central
// share it so both daemons have the same footprint rules.
package storage

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/rs/zerolog"
)

// Options returns Badger options for dir. Badger's defaults (64 MB memtables,
// 5 of them, 256 MB block cache, 1 GB value-log files) peak near 200 MB RSS
// on a burst; a dock gateway writes small events at a few thousand per
// second at most, so small memtables and caches cost little speed and keep
// the process within a Pi's budget. SyncWrites is on: a commit returns only
// after fsync, which is what "durable before the green light" means.
func Options(dir string, log zerolog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log.With().Str("component", "badger").Logger()}).
		WithSyncWrites(true).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(2 << 20).
		WithValueLogFileSize(16 << 20).
		WithValueThreshold(1 << 10).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithNumCompactors(2).
		WithCompression(options.None).
		WithDetectConflicts(false)
}

// Open opens (or creates) the database in dir.
func Open(dir string, log zerolog.Logger) (*badger.DB, error) {
	db, err := badger.Open(Options(dir, log))
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
