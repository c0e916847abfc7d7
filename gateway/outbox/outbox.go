// Package outbox is the gateway's durable event buffer. A device event is
// committed (fsync'd) here before the operator gets a green light, and it
// leaves only when central acknowledges it by sequence number: a broker's
// PUBACK is not enough, since brokers drop queued QoS 1 messages for slow
// subscribers.
//
// Appends from many devices are group-committed: whoever arrives while a
// commit is in progress rides the next one, so one fsync serves a burst.
package outbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/internal/wire"
)

var (
	prefixEvent = []byte("o/")
	keyNextSeq  = []byte("m/nextseq")
	keyStream   = []byte("m/stream")
	prefixCmd   = []byte("c/")
	errClosed   = errors.New("outbox closed")
	// ErrFull is returned when the disk budget for unacknowledged events is
	// used up: the caller must refuse the scan loudly, never drop it.
	ErrFull      = errors.New("outbox full")
	maxBatchSize = 512
)

// commandMemory is how long applied command ids are remembered. A broker
// redelivers within seconds to hours; a week covers a long outage.
const commandMemory = 7 * 24 * time.Hour

// Event is any wire message with an envelope; the outbox fills in its
// stream and sequence number.
type Event interface{ Env() *wire.Envelope }

// Record is one stored event.
type Record struct {
	Seq     uint64
	Type    string
	Payload []byte
}

// Stats describes the backlog.
type Stats struct {
	Events  int
	Bytes   int64
	Oldest  time.Time // zero when empty
	Stream  string
	NextSeq uint64
	Acked   uint64
	// MaxBytes is the disk budget; BytesPerSecond the recent append rate;
	// OfflineLeft how long the budget lasts at that rate with nothing
	// acknowledged (0 when nothing is being appended).
	MaxBytes       int64
	BytesPerSecond float64
	OfflineLeft    time.Duration
}

// Options bound the outbox.
type Options struct {
	// MaxBytes is the disk budget for unacknowledged events; 0 = 256 MiB.
	MaxBytes int64
}

// reserve is kept beyond the budget for device status events, so the
// gateway can still report that it is refusing scans.
func reserve(budget int64) int64 { return max(budget/100, 64<<10) }

// Outbox is safe for concurrent use.
type Outbox struct {
	db     *badger.DB
	log    zerolog.Logger
	stream string

	reqs chan *appendReq
	done chan struct{}
	// gate makes "closed" and "queued" exclusive: Append queues under the
	// read lock only while open, so nothing is queued after the committer
	// has stopped.
	gate   sync.RWMutex
	closed bool
	wg     sync.WaitGroup

	// notify has room for one signal: "there is something new to send".
	notify chan struct{}

	mu      sync.Mutex // guards the fields below
	nextSeq uint64
	acked   uint64
	count   int
	bytes   int64

	commits  atomic.Uint64
	maxBytes int64
	// rate is an exponentially weighted bytes/s of appends.
	rate   float64
	rateAt time.Time
}

type appendReq struct {
	typ  string
	ev   Event
	seq  uint64
	err  error
	done chan struct{}
}

// Open loads (or starts) the outbox in db.
func Open(db *badger.DB, opt Options, log zerolog.Logger) (*Outbox, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 256 << 20
	}
	o := &Outbox{
		maxBytes: opt.MaxBytes,
		db:       db,
		log:      log.With().Str("component", "outbox").Logger(),
		reqs:     make(chan *appendReq, maxBatchSize),
		done:     make(chan struct{}),
		notify:   make(chan struct{}, 1),
	}
	err := db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keyStream)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			o.stream = wire.NewID()
			if err := txn.Set(keyStream, []byte(o.stream)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			o.stream = string(v)
		}
		o.nextSeq = 1
		if item, err := txn.Get(keyNextSeq); err == nil {
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			o.nextSeq = binary.BigEndian.Uint64(v)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open outbox: %w", err)
	}
	if err := o.scan(); err != nil {
		return nil, err
	}
	o.wg.Add(1)
	go o.committer()
	o.log.Info().Str("stream", o.stream).Uint64("next_seq", o.nextSeq).Int("backlog", o.count).Msg("outbox open")
	return o, nil
}

// scan counts the backlog at start; everything before the first stored
// event has been acknowledged.
func (o *Outbox) scan() error {
	o.acked = o.nextSeq - 1
	first := true
	return o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixEvent})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if first {
				o.acked = seqOf(it.Item().Key()) - 1
				first = false
			}
			o.count++
			o.bytes += it.Item().EstimatedSize()
		}
		return nil
	})
}

// Stream names this outbox's life; it changes only if the data is wiped.
func (o *Outbox) Stream() string { return o.stream }

// Notify is signalled after events are appended.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

// Append stores ev durably and returns its sequence number. When Append
// returns nil, the event survives a power cut.
func (o *Outbox) Append(ctx context.Context, ev Event) (uint64, error) {
	r := &appendReq{typ: ev.Env().Type, ev: ev, done: make(chan struct{})}
	if err := o.admit(r.typ); err != nil {
		return 0, err
	}
	o.gate.RLock()
	if o.closed {
		o.gate.RUnlock()
		return 0, errClosed
	}
	select {
	case o.reqs <- r:
		o.gate.RUnlock()
	case <-ctx.Done():
		o.gate.RUnlock()
		return 0, ctx.Err()
	}
	// Once queued the request is committed or failed by the committer; wait
	// for the answer even if ctx ends, so the caller never guesses.
	<-r.done
	return r.seq, r.err
}

// admit refuses an event when the budget is used up; device events may use
// a small reserve so that the refusal itself can be reported.
func (o *Outbox) admit(typ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	limit := o.maxBytes
	if typ == wire.EvtDevice {
		limit += reserve(o.maxBytes)
	}
	if o.bytes >= limit {
		return fmt.Errorf("%w: %d events, %d of %d bytes waiting for central", ErrFull, o.count, o.bytes, o.maxBytes)
	}
	return nil
}

func (o *Outbox) committer() {
	defer o.wg.Done()
	for {
		var batch []*appendReq
		select {
		case r := <-o.reqs:
			batch = append(batch, r)
		case <-o.done:
			o.failPending()
			return
		}
	drain:
		for len(batch) < maxBatchSize {
			select {
			case r := <-o.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		o.commit(batch)
	}
}

func (o *Outbox) failPending() {
	for {
		select {
		case r := <-o.reqs:
			r.err = errClosed
			close(r.done)
		default:
			return
		}
	}
}

func (o *Outbox) commit(batch []*appendReq) {
	o.mu.Lock()
	next := o.nextSeq
	o.mu.Unlock()
	var size int64
	txn := o.db.NewTransaction(true)
	defer txn.Discard()
	err := func() error {
		for _, r := range batch {
			env := r.ev.Env()
			env.Stream, env.Seq = o.stream, next
			payload, err := json.Marshal(r.ev)
			if err != nil {
				r.err = fmt.Errorf("encode %s event: %w", r.typ, err)
				continue
			}
			val := make([]byte, 0, len(r.typ)+1+len(payload))
			val = append(append(append(val, r.typ...), '\n'), payload...)
			if err := txn.Set(eventKey(next), val); err != nil {
				return err
			}
			r.seq = next
			size += int64(len(val) + len(prefixEvent) + 8)
			next++
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], next)
		if err := txn.Set(keyNextSeq, buf[:]); err != nil {
			return err
		}
		return txn.Commit()
	}()
	if err != nil {
		err = fmt.Errorf("commit events: %w", err)
		o.log.Error().Err(err).Int("events", len(batch)).Msg("outbox commit failed")
	} else {
		o.commits.Add(1)
		o.mu.Lock()
		o.count += int(next - o.nextSeq)
		o.bytes += size
		o.nextSeq = next
		o.observeRate(size, time.Now())
		o.mu.Unlock()
	}
	for _, r := range batch {
		if err != nil {
			r.err, r.seq = err, 0
		}
		close(r.done)
	}
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// Pending returns up to max stored events with seq > after, in order.
func (o *Outbox) Pending(after uint64, max int) ([]Record, error) {
	var out []Record
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixEvent, PrefetchValues: true, PrefetchSize: min(max, 100)})
		defer it.Close()
		for it.Seek(eventKey(after + 1)); it.Valid() && len(out) < max; it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			typ, payload, ok := cutType(v)
			if !ok {
				return fmt.Errorf("corrupt outbox record %d", seqOf(it.Item().Key()))
			}
			out = append(out, Record{Seq: seqOf(it.Item().Key()), Type: typ, Payload: payload})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// Ack removes every event with seq ≤ upTo: central has applied them.
// Acks for sequence numbers never handed out are refused, since they can
// only come from a confused peer and would delete unsent events.
func (o *Outbox) Ack(upTo uint64) error {
	o.mu.Lock()
	from, next := o.acked+1, o.nextSeq
	o.mu.Unlock()
	if upTo >= next {
		return fmt.Errorf("ack for seq %d but only %d were issued", upTo, next-1)
	}
	if upTo < from {
		return nil
	}
	var removed int
	var size int64
	wb := o.db.NewWriteBatch()
	defer wb.Cancel()
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixEvent})
		defer it.Close()
		for it.Seek(eventKey(from)); it.Valid() && seqOf(it.Item().Key()) <= upTo; it.Next() {
			if err := wb.Delete(it.Item().KeyCopy(nil)); err != nil {
				return err
			}
			removed++
			size += it.Item().EstimatedSize()
		}
		return nil
	})
	if err == nil {
		err = wb.Flush()
	}
	if err != nil {
		return fmt.Errorf("ack outbox up to %d: %w", upTo, err)
	}
	o.mu.Lock()
	if upTo > o.acked {
		o.acked = upTo
	}
	o.count -= removed
	o.bytes = max(o.bytes-size, 0)
	o.mu.Unlock()
	return nil
}

// Acked is the highest sequence number central has acknowledged.
func (o *Outbox) Acked() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.acked
}

// Stats reports the backlog.
func (o *Outbox) Stats() Stats {
	o.mu.Lock()
	s := Stats{Events: o.count, Bytes: o.bytes, Stream: o.stream, NextSeq: o.nextSeq, Acked: o.acked, MaxBytes: o.maxBytes}
	s.BytesPerSecond = o.currentRate(time.Now())
	o.mu.Unlock()
	if s.BytesPerSecond > 0 {
		s.OfflineLeft = time.Duration(float64(max(s.MaxBytes-s.Bytes, 0)) / s.BytesPerSecond * float64(time.Second))
	}
	if s.Events > 0 {
		if recs, err := o.Pending(s.Acked, 1); err == nil && len(recs) == 1 {
			var env wire.Envelope
			if json.Unmarshal(recs[0].Payload, &env) == nil {
				s.Oldest = env.TS
			}
		}
	}
	return s
}

// rateWindow is the time constant of the append-rate average: long enough
// to smooth a burst of scans, short enough to follow a shift's pace.
const rateWindow = time.Minute

// observeRate folds size bytes appended at now into the average. Caller
// holds o.mu.
func (o *Outbox) observeRate(size int64, now time.Time) {
	o.rate = o.currentRate(now) + float64(size)/rateWindow.Seconds()
	o.rateAt = now
}

// currentRate decays the average to now. Caller holds o.mu.
func (o *Outbox) currentRate(now time.Time) float64 {
	if o.rateAt.IsZero() {
		return 0
	}
	return o.rate * math.Exp(-now.Sub(o.rateAt).Seconds()/rateWindow.Seconds())
}

// FirstTime records that a command id is being applied and reports whether
// it is the first time, so redelivered commands are applied once.
func (o *Outbox) FirstTime(commandID string) (bool, error) {
	first := false
	key := append(append([]byte{}, prefixCmd...), commandID...)
	err := o.db.Update(func(txn *badger.Txn) error {
		_, err := txn.Get(key)
		if err == nil {
			return nil
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		first = true
		return txn.SetEntry(badger.NewEntry(key, nil).WithTTL(commandMemory))
	})
	if err != nil {
		return false, fmt.Errorf("record command %s: %w", commandID, err)
	}
	return first, nil
}

// Close stops accepting appends; the database stays open for its owner.
func (o *Outbox) Close() {
	o.gate.Lock()
	if !o.closed {
		o.closed = true
		close(o.done)
	}
	o.gate.Unlock()
	o.wg.Wait()
}

func eventKey(seq uint64) []byte {
	k := make([]byte, len(prefixEvent)+8)
	copy(k, prefixEvent)
	binary.BigEndian.PutUint64(k[len(prefixEvent):], seq)
	return k
}

func seqOf(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(prefixEvent):]) }

func cutType(v []byte) (string, []byte, bool) {
	for i, b := range v {
		if b == '\n' {
			return string(v[:i]), v[i+1:], true
		}
	}
	return "", nil, false
}
