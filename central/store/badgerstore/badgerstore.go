// Package badgerstore keeps central's store in Badger on local disk: the
// engine of a site that runs on one machine. Records and their keys are
// kvstore's; this package is the Badger side of kvstore.Engine.
//
// # Group commit
//
// One fsync per Update would cap central near the disk's fsyncs per
// second (~2,000 here), whatever the number of clients. So concurrent
// Updates share commits: their functions run one after another, each on
// its own write overlay above the writes of the functions before it in
// the same batch, and the batch is committed in one Badger transaction —
// one fsync — when no other Update is waiting for its turn (or the batch
// is full). Every caller is answered once its batch is durable.
//
//   - Serializable: one function runs at a time, and it reads the
//     committed state under the writes of the batch's earlier functions;
//     the order they ran in is the serial order.
//   - All or nothing, per function: a function that fails is dropped
//     alone (its overlay is never applied); one that succeeds is applied
//     whole to the batch's transaction.
//   - Badger's transaction size limit ends a batch early: when a
//     function's writes do not fit, the batch is committed without them
//     and they start the next one (they read exactly the state that
//     commit makes durable). A function whose writes alone do not fit
//     fails with badger.ErrTxnTooBig. One function's writes are never
//     split.
//   - Durable: a caller is answered only after its batch's commit; if the
//     commit fails, every function of the batch fails with its error —
//     also those that failed on their own, since what they read was never
//     written.
//
// A caller waits for its turn, runs its function in its own goroutine
// (so a panic stays the caller's), and the one whose turn ends with
// nobody waiting commits the batch for all.
package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/kvstore"
	"github.com/dockhand/dockhand/internal/storage"
)

// Open opens (or creates) the store in dir, without a disk guard: for
// tools and tests (centrald check), never for a running central.
func Open(dir string, log zerolog.Logger) (*kvstore.Store, error) {
	db, err := storage.Open(dir, storage.Central, log)
	if err != nil {
		return nil, err
	}
	return kvstore.New(&engine{db: db, maxBatch: defaultMaxBatch}), nil
}

// OpenOn opens (or creates) the store in disk's directory through the
// disk's guard (storage.Disk): an error wrapping storage.ErrNoSpace when
// the disk is too full to open it. While the disk has no room left, every
// function that writes is refused with store.ErrNoSpace before Badger is
// asked to write it, and reads go on; so Badger always finds the reserve
// free for its own writes, and a full disk is an error, not a SIGBUS in a
// memory-mapped write. The caller runs disk.Run, which follows the free
// space; closing the store closes the disk.
func OpenOn(disk *storage.Disk) (*kvstore.Store, error) {
	db, err := disk.Open()
	if err != nil {
		return nil, err
	}
	return kvstore.New(&engine{db: db, disk: disk, maxBatch: defaultMaxBatch}), nil
}

// defaultMaxBatch bounds the functions of one batch, so that a steady
// stream of Updates still commits: at ~30 µs a function, a full batch
// waits ~8 ms for its fsync, and the fsync is a small share of it.
const defaultMaxBatch = 256

var errClosed = errors.New("store closed")

// engine is kvstore.Engine on Badger, with group commit.
type engine struct {
	db       *badger.DB
	disk     *storage.Disk // nil: no guard (Open)
	maxBatch int

	// waiting counts Updates from their arrival to the end of their turn.
	waiting atomic.Int64
	// mu is the turn: one function runs, or one batch commits, at a time.
	mu     sync.Mutex
	open   *batch // the batch functions join; nil until the next one runs
	closed bool

	updates, commits atomic.Uint64
}

// batch is the functions that share one commit.
type batch struct {
	read   *badger.Txn      // the committed state the batch reads
	writes *kvstore.Overlay // the writes of its functions so far, over read
	txn    *badger.Txn      // the same writes, in the transaction that commits them
	funcs  int              // functions answered by its commit
	bytes  int64            // keys and values written (for the disk's estimate)
	done   chan struct{}    // closed once committed (or failed)
	err    error
}

func (e *engine) Update(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.waiting.Add(1)
	e.mu.Lock()
	b, err := e.turn(ctx, fn)
	if b == nil {
		return err
	}
	<-b.done
	if b.err != nil {
		return b.err
	}
	return err
}

// turn runs fn in the open batch (starting one if needed) and returns
// the batch whose commit answers it, with fn's own error. It ends the
// turn however fn ends, panics included.
func (e *engine) turn(ctx context.Context, fn func(kvstore.KV) error) (b *batch, err error) {
	defer e.endTurn()
	if e.closed {
		return nil, errClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b = e.batch()
	e.updates.Add(1)
	o := kvstore.NewOverlay(b.writes)
	err = fn(o)
	if err == nil {
		err = e.room(b, o)
	}
	if err != nil {
		b.funcs++
		return b, err
	}
	return e.join(b, o)
}

// room refuses a function's writes when the disk has no room left for
// them beside those of its batch, which the disk's figure does not count
// until they are committed (large values go to the value log, which
// Badger's transaction limit does not bound). Deletions alone pass: they
// add only tombstones, a few bytes for each record stored, and refusing
// them would keep the messages the link has published (Sent) in the
// queue, to be published again every second.
func (e *engine) room(b *batch, o *kvstore.Overlay) error {
	if e.disk == nil {
		return nil
	}
	var n int64
	sets := false
	_ = o.Each(func(w *kvstore.Write) error {
		n += int64(len(w.Key) + len(w.Val))
		sets = sets || !w.Deleted
		return nil
	})
	if !sets || e.disk.Room() > b.bytes+n {
		return nil
	}
	s := e.disk.Status()
	return fmt.Errorf("%w (%w): %d bytes free on the disk of %s, below the %d bytes kept for the database's own writes",
		store.ErrNoSpace, storage.ErrNoSpace, s.Free, s.Path, s.Needed)
}

// endTurn commits the open batch when nobody else is waiting for a turn
// (or it is full), and passes the turn on.
func (e *engine) endTurn() {
	left := e.waiting.Add(-1)
	if b := e.open; b != nil && (left == 0 || b.funcs >= e.maxBatch) {
		e.commit(b)
	}
	e.mu.Unlock()
}

// batch returns the open batch or starts one.
func (e *engine) batch() *batch {
	if e.open == nil {
		e.open = &batch{read: e.db.NewTransaction(false), txn: e.db.NewTransaction(true), done: make(chan struct{})}
		e.open.writes = kvstore.NewOverlay(&snapshot{kv: kv{e.open.read}, got: map[string][]byte{}})
	}
	return e.open
}

// join adds the writes of a function that succeeded to the batch. When
// they do not fit in its transaction, the batch is committed without them
// and they start the next one.
func (e *engine) join(b *batch, o *kvstore.Overlay) (*batch, error) {
	n, err := apply(b.txn, o)
	if err == nil {
		b.writes.Absorb(o)
		b.funcs++
		b.bytes += n
		return b, nil
	}
	// Part of o may be in the transaction: rebuild it from the batch's
	// writes alone (they fitted once, merged they are no more).
	b.txn.Discard()
	b.txn = e.db.NewTransaction(true)
	if _, rerr := apply(b.txn, b.writes); rerr != nil {
		b.err = fmt.Errorf("rebuild the batch's transaction: %w", rerr)
	}
	if errors.Is(err, badger.ErrTxnTooBig) && b.funcs > 0 && b.err == nil {
		e.commit(b)
		return e.join(e.batch(), o)
	}
	b.funcs++
	return b, fmt.Errorf("write: %w", err)
}

// apply writes an overlay's writes into a transaction and returns the
// bytes of their keys and values.
func apply(txn *badger.Txn, o *kvstore.Overlay) (int64, error) {
	var n int64
	err := o.Each(func(w *kvstore.Write) error {
		n += int64(len(w.Key) + len(w.Val))
		key := []byte(w.Key)
		switch {
		case w.Deleted:
			return txn.Delete(key)
		case w.TTL > 0:
			return txn.SetEntry(badger.NewEntry(key, w.Val).WithTTL(w.TTL))
		default:
			return txn.Set(key, w.Val)
		}
	})
	return n, err
}

// commit makes the batch durable and answers its functions; a batch that
// wrote nothing needs no commit.
func (e *engine) commit(b *batch) {
	e.open = nil
	if b.err == nil && b.writes.Len() > 0 {
		if err := b.txn.Commit(); err != nil {
			b.err = fmt.Errorf("commit: %w", err)
		}
		e.commits.Add(1)
		if e.disk != nil {
			e.disk.Wrote(b.bytes)
		}
	}
	b.txn.Discard()
	b.read.Discard()
	close(b.done)
}

func (e *engine) View(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.db.View(func(txn *badger.Txn) error { return fn(kv{txn}) })
}

// Stats counts the functions run and the commits that made them durable.
func (e *engine) Stats() store.Stats {
	return store.Stats{Updates: e.updates.Load(), Commits: e.commits.Load(), Waiting: int(e.waiting.Load())}
}

// Close commits the open batch (its callers are waiting) and closes
// Badger; later Updates fail.
func (e *engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	if e.open != nil {
		e.commit(e.open)
	}
	e.closed = true
	err := e.db.Close()
	if e.disk != nil {
		e.disk.Close()
	}
	return err
}

// snapshot is the committed state a batch reads, with the values its
// functions got kept for the batch's later functions: the state does not
// change while the batch runs, and the records every use case reads (its
// locations, items, counters) are found once per batch instead of once
// per function in Badger's tables.
type snapshot struct {
	kv
	got map[string][]byte // nil value: not found
}

func (s *snapshot) Get(key []byte, fn func([]byte) error) (bool, error) {
	v, ok := s.got[string(key)]
	if !ok {
		found, err := s.kv.Get(key, func(b []byte) error { v = bytes.Clone(b); return nil })
		if err != nil {
			return false, err
		}
		if found && v == nil {
			v = []byte{}
		}
		s.got[string(key)] = v
	}
	if v == nil {
		return false, nil
	}
	return true, fn(v)
}

// kv is one Badger transaction.
type kv struct{ txn *badger.Txn }

func (k kv) Get(key []byte, fn func([]byte) error) (bool, error) {
	item, err := k.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(fn)
}

func (k kv) Set(key, val []byte) error { return k.ro(k.txn.Set(key, val)) }

func (k kv) SetTTL(key, val []byte, ttl time.Duration) error {
	return k.ro(k.txn.SetEntry(badger.NewEntry(key, val).WithTTL(ttl)))
}

func (k kv) Delete(key []byte) error { return k.ro(k.txn.Delete(key)) }

// ro gives a write in a View the store's error.
func (k kv) ro(err error) error {
	if errors.Is(err, badger.ErrReadOnlyTxn) {
		return kvstore.ErrReadOnly
	}
	return err
}

func (k kv) Scan(prefix, from []byte, hint int, fn func(key, val []byte) (bool, error)) error {
	if hint <= 0 {
		hint = 100
	}
	it := k.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: hint})
	defer it.Close()
	for it.Seek(from); it.Valid(); it.Next() {
		item := it.Item()
		more := true
		err := item.Value(func(v []byte) (err error) {
			more, err = fn(item.Key(), v)
			return err
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}
