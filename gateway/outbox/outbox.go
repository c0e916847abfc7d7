// Package outbox is the gateway's durable event buffer. A device event is
// committed (fsync'd) here before the operator gets a green light, and it
// leaves only when central acknowledges it by sequence number: a broker's
// PUBACK is not enough, since brokers drop queued QoS 1 messages for slow
// subscribers.
//
// Events travel in two lanes, each its own sequence-numbered stream. The
// must lane (scans, counts, device and print results) is never dropped:
// when its disk budget is used up, new events are refused so the caller
// can say so loudly. The bulk lane (raw RFID reads) has a small budget and
// an age limit and sheds its oldest events first; central accepts gaps in
// a bulk stream.
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
	keyStream = []byte("m/stream")
	prefixCmd = []byte("c/")
	errClosed = errors.New("outbox closed")
	// ErrFull is returned when the disk budget for unacknowledged events is
	// used up: the caller must refuse the scan loudly, never drop it.
	ErrFull      = errors.New("outbox full")
	maxBatchSize = 512
)

// commandMemory is how long applied command ids are remembered. A broker
// redelivers within seconds to hours; a week covers a long outage.
const commandMemory = 7 * 24 * time.Hour

// Lane is one of the outbox's two streams.
type Lane int

// Lanes.
const (
	Must Lane = iota
	Bulk
)

// Lanes lists both lanes, must first (it is published first).
var Lanes = []Lane{Must, Bulk}

func (l Lane) String() string { return [...]string{"must", "bulk"}[l] }

// laneOf reads an event's lane from its envelope.
func laneOf(env *wire.Envelope) Lane {
	if env.Lane == wire.LaneBulk {
		return Bulk
	}
	return Must
}

// Event is any wire message with an envelope; the outbox fills in its
// stream and sequence number.
type Event interface{ Env() *wire.Envelope }

// Record is one stored event.
type Record struct {
	Seq     uint64
	Type    wire.MessageType
	Payload []byte
}

// Stats describes the must lane's backlog (and, under Bulk, the bulk
// lane's).
type Stats struct {
	Events  int
	Bytes   int64
	Stream  string
	NextSeq uint64
	Acked   uint64
	// MaxBytes is the disk budget (DiskLimited: less than configured,
	// because the disk has less room); BytesPerSecond the recent append
	// rate; OfflineLeft how long the budget lasts at that rate with
	// nothing acknowledged (0 when nothing is being appended).
	MaxBytes       int64
	DiskLimited    bool
	BytesPerSecond float64
	OfflineLeft    time.Duration
	Bulk           BulkStats
}

// BulkStats describes the bulk lane.
type BulkStats struct {
	Events   int
	Bytes    int64
	MaxBytes int64
	Shed     uint64 // events dropped (over budget or too old) since start
}

// Options bound the outbox.
type Options struct {
	// MaxBytes is the disk budget for unacknowledged must-lane events;
	// 0 = 256 MiB. With a Disk, the budget is the smaller of MaxBytes and
	// what is stored plus the disk's Room.
	MaxBytes int64
	// Disk, when set, is the filesystem the database is on
	// (storage.Disk); nil = the budget alone bounds the outbox.
	Disk Disk
	// BulkMaxBytes is the bulk lane's budget; 0 = MaxBytes/8.
	BulkMaxBytes int64
	// BulkMaxAge drops bulk events older than this; 0 = 10 minutes.
	BulkMaxAge time.Duration
}

// Disk reports the room left on the database's filesystem.
type Disk interface {
	// Room is how many more bytes may be stored (free space less what the
	// database needs for its own writes); it must not make a system call.
	Room() int64
	// Wrote accounts for n bytes committed.
	Wrote(n int64)
	// Reclaim asks the database to give back the space of deleted events
	// now, given live bytes still stored; it reports whether it did.
	Reclaim(live int64) (bool, error)
}

// reserve is kept beyond the budget for device status events, so the
// gateway can still report that it is refusing scans.
func reserve(budget int64) int64 { return max(budget/100, 64<<10) }

// diskHysteresis: an outbox refusing events for lack of disk space takes
// them again only once the disk has this much more room than where it
// started refusing — about what one memtable flush or compaction moves —
// so that the light does not flicker between red and green while
// Badger's background work moves a megabyte back and forth.
const diskHysteresis = 2 << 20

// budget is the must lane's budget now: MaxBytes, or less when the disk
// has less room (byDisk). Caller holds o.mu.
func (o *Outbox) budget() (limit int64, byDisk bool) {
	m := o.lanes[Must]
	if o.opt.Disk == nil {
		return m.budget, false
	}
	keep := reserve(m.budget)
	if o.diskFull {
		keep += diskHysteresis
	}
	room := o.opt.Disk.Room()
	o.diskFull = room <= keep
	if disk := m.bytes + room - keep; disk < m.budget {
		return max(disk, 0), true
	}
	return m.budget, false
}

// diskShort refuses a write of data other than events (a print job) when
// the disk has no room beyond the device events' reserve.
func (o *Outbox) diskShort() error {
	if o.opt.Disk == nil {
		return nil
	}
	if room := o.opt.Disk.Room(); room <= reserve(o.opt.MaxBytes) {
		return fmt.Errorf("%w: the disk is full (%d bytes of room beyond the database's reserve)", ErrFull, room)
	}
	return nil
}

// wrote tells the disk about n bytes committed.
func (o *Outbox) wrote(n int64) {
	if o.opt.Disk != nil {
		o.opt.Disk.Wrote(n)
	}
}

// lane is one stream's state; guarded by Outbox.mu.
type lane struct {
	prefix  []byte
	keyNext []byte
	stream  string
	nextSeq uint64
	acked   uint64
	count   int
	bytes   int64
	budget  int64
}

// Outbox is safe for concurrent use.
type Outbox struct {
	db    *badger.DB
	log   zerolog.Logger
	opt   Options
	lanes [2]*lane

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
	// reclaim has room for one signal: acknowledged events were deleted
	// while the disk limits the budget (see reclaimSpace).
	reclaim chan struct{}

	mu sync.Mutex // guards the lanes and the fields below
	// diskFull: events are refused for lack of disk space (see budget).
	diskFull bool
	// deviceOver is what device events took beyond the room of a full
	// disk, since it was last not full.
	deviceOver int64
	// rate is an exponentially weighted bytes/s of must-lane appends.
	rate   float64
	rateAt time.Time

	commits atomic.Uint64
	shed    atomic.Uint64
	shedMu  sync.Mutex
}

type appendReq struct {
	ev   Event
	lane Lane
	seq  uint64
	val  []byte // the stored record, while being committed
	// forget is a key deleted in the event's transaction (a finished
	// print job), or nil.
	forget []byte
	err    error
	done   chan struct{}
}

func (opt Options) withDefaults() Options {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 256 << 20
	}
	if opt.BulkMaxBytes <= 0 {
		opt.BulkMaxBytes = opt.MaxBytes / 8
	}
	if opt.BulkMaxAge <= 0 {
		opt.BulkMaxAge = 10 * time.Minute
	}
	return opt
}

// Data is the most the outbox stores: both lanes' budgets (what the
// database's disk reserve is sized for, storage.Reserve).
func (opt Options) Data() int64 {
	opt = opt.withDefaults()
	return opt.MaxBytes + opt.BulkMaxBytes
}

// Open loads (or starts) the outbox in db.
func Open(db *badger.DB, opt Options, log zerolog.Logger) (*Outbox, error) {
	opt = opt.withDefaults()
	o := &Outbox{
		db:      db,
		opt:     opt,
		log:     log.With().Str("component", "outbox").Logger(),
		reqs:    make(chan *appendReq, maxBatchSize),
		done:    make(chan struct{}),
		notify:  make(chan struct{}, 1),
		reclaim: make(chan struct{}, 1),
		lanes: [2]*lane{
			{prefix: []byte("o/"), keyNext: []byte("m/nextseq"), budget: opt.MaxBytes},
			{prefix: []byte("b/"), keyNext: []byte("m/nextseq-bulk"), budget: opt.BulkMaxBytes},
		},
	}
	err := db.Update(func(txn *badger.Txn) error {
		base, err := getOrSet(txn, keyStream, wire.NewID)
		if err != nil {
			return err
		}
		o.lanes[Must].stream, o.lanes[Bulk].stream = base, base+".bulk"
		for _, l := range o.lanes {
			l.nextSeq = 1
			item, err := txn.Get(l.keyNext)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			l.nextSeq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open outbox: %w", err)
	}
	for _, l := range o.lanes {
		if err := o.scan(l); err != nil {
			return nil, err
		}
	}
	o.wg.Add(2)
	go o.committer()
	go o.ager()
	m := o.lanes[Must]
	o.log.Info().Str("stream", m.stream).Uint64("next_seq", m.nextSeq).Int("backlog", m.count).
		Int("bulk_backlog", o.lanes[Bulk].count).Msg("outbox open")
	return o, nil
}

func getOrSet(txn *badger.Txn, key []byte, make func() string) (string, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		v := make()
		return v, txn.Set(key, []byte(v))
	}
	if err != nil {
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return string(v), err
}

// scan counts a lane's backlog at start; everything before its first
// stored event has been acknowledged (or shed).
func (o *Outbox) scan(l *lane) error {
	l.acked = l.nextSeq - 1
	first := true
	return o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: l.prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if first {
				l.acked = seqOf(l, it.Item().Key()) - 1
				first = false
			}
			l.count++
			l.bytes += it.Item().EstimatedSize()
		}
		return nil
	})
}

// Stream names this outbox's life (its must lane); it changes only if the
// data is wiped.
func (o *Outbox) Stream() string { return o.lanes[Must].stream }

// LaneStream is the stream name of a lane.
func (o *Outbox) LaneStream(l Lane) string { return o.lanes[l].stream }

// LaneOf tells which lane a stream name belongs to.
func (o *Outbox) LaneOf(stream string) (Lane, bool) {
	for _, l := range Lanes {
		if o.lanes[l].stream == stream {
			return l, true
		}
	}
	return 0, false
}

// Notify is signalled after events are appended.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

// Append stores ev durably and returns its sequence number in its lane.
// When Append returns nil, the event survives a power cut.
func (o *Outbox) Append(ctx context.Context, ev Event) (uint64, error) {
	return o.append(ctx, &appendReq{ev: ev, lane: laneOf(ev.Env()), done: make(chan struct{})})
}

// AppendPrintResult stores a print job's result event and forgets the job
// in the same transaction: the result is durable exactly when the job is
// gone, so a restart neither loses the result nor reports the job again,
// and the printer's queue waits for one commit instead of two.
func (o *Outbox) AppendPrintResult(ctx context.Context, ev Event, command string) (uint64, error) {
	return o.append(ctx, &appendReq{ev: ev, lane: laneOf(ev.Env()), forget: printKey(command), done: make(chan struct{})})
}

func (o *Outbox) append(ctx context.Context, r *appendReq) (uint64, error) {
	if err := o.admit(r); err != nil {
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

// admit refuses a must-lane event when the budget is used up; device
// events may use a small reserve so that the refusal itself can be
// reported. The bulk lane sheds its oldest events when over its own
// budget, but a full disk refuses it too: shedding frees no disk space
// until Badger compacts.
func (o *Outbox) admit(r *appendReq) error {
	if r.lane == Bulk {
		return o.diskShort()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.lanes[Must]
	limit, byDisk := o.budget()
	if m.bytes < limit {
		o.deviceOver = 0
		return nil
	}
	if r.ev.Env().Type == wire.EvtDevice && m.bytes < m.budget+reserve(m.budget) {
		if !byDisk {
			return nil
		}
		// On a full disk, device events take their reserve out of the
		// database's (storage.Reserve counts it), whatever Badger's
		// compactions are using at the moment: counted here, since the
		// disk's figures move with the compactions.
		if size, err := json.Marshal(r.ev); err == nil && o.deviceOver+int64(len(size)) <= reserve(m.budget) {
			o.deviceOver += int64(len(size))
			return nil
		}
	}
	if byDisk {
		return fmt.Errorf("%w: the disk is full: %d events, %d bytes waiting for central, no room for more", ErrFull, m.count, m.bytes)
	}
	return fmt.Errorf("%w: %d events, %d of %d bytes waiting for central", ErrFull, m.count, m.bytes, m.budget)
}

func (o *Outbox) committer() {
	defer o.wg.Done()
	for {
		var batch []*appendReq
		select {
		case r := <-o.reqs:
			batch = append(batch, r)
		case <-o.reclaim:
			o.reclaimSpace()
			continue
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
		if o.overBudget(Bulk) {
			o.shedBulk(time.Time{})
		}
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
	next := [2]uint64{o.lanes[Must].nextSeq, o.lanes[Bulk].nextSeq}
	o.mu.Unlock()
	// Number and encode the whole batch first; then commit it in parts
	// that each fit one Badger transaction (its limit is a share of the
	// memtable, which is small on a Pi), in order. A part that fails fails
	// the rest too: their numbers follow the failed ones, and a must lane
	// must not have gaps.
	var err error
	enc := make([]*appendReq, 0, len(batch))
	for _, r := range batch {
		l := o.lanes[r.lane]
		env := r.ev.Env()
		env.Stream, env.Seq = l.stream, next[r.lane]
		payload, merr := json.Marshal(r.ev)
		if merr != nil {
			r.err = fmt.Errorf("encode %s event: %w", env.Type, merr)
			continue
		}
		r.val = make([]byte, 0, len(env.Type)+1+len(payload))
		r.val = append(append(append(r.val, env.Type...), '\n'), payload...)
		r.seq = next[r.lane]
		next[r.lane]++
		enc = append(enc, r)
	}
	limit := o.db.MaxBatchSize() / 2
	for len(enc) > 0 && err == nil {
		n, size := 0, int64(0)
		for ; n < len(enc) && (n == 0 || size+entrySize(enc[n]) <= limit); n++ {
			size += entrySize(enc[n])
		}
		err = o.commitPart(enc[:n])
		enc = enc[n:]
	}
	for _, r := range enc {
		r.err = err
	}
	for _, r := range batch {
		if r.err != nil {
			r.seq = 0
		}
		r.val = nil
		close(r.done)
	}
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// entrySize is an upper bound of what one event adds to a transaction.
func entrySize(r *appendReq) int64 { return int64(len(r.val) + 2 + 8 + 16 + len(r.forget) + 16) }

// commitPart stores numbered events (in order, continuing each lane's
// sequence) and each lane's next number in one durable transaction.
func (o *Outbox) commitPart(part []*appendReq) error {
	var size, count [2]int64
	var last [2]uint64
	txn := o.db.NewTransaction(true)
	defer txn.Discard()
	err := func() error {
		for _, r := range part {
			l := o.lanes[r.lane]
			if err := txn.Set(eventKey(l, r.seq), r.val); err != nil {
				return err
			}
			if r.forget != nil {
				if err := txn.Delete(r.forget); err != nil {
					return err
				}
			}
			size[r.lane] += int64(len(r.val) + len(l.prefix) + 8)
			count[r.lane]++
			last[r.lane] = r.seq
		}
		for _, ln := range Lanes {
			if count[ln] == 0 {
				continue
			}
			var buf [8]byte
			binary.BigEndian.PutUint64(buf[:], last[ln]+1)
			if err := txn.Set(o.lanes[ln].keyNext, buf[:]); err != nil {
				return err
			}
		}
		return txn.Commit()
	}()
	if err != nil {
		err = fmt.Errorf("commit events: %w", err)
		o.log.Error().Err(err).Int("events", len(part)).Msg("outbox commit failed")
		for _, r := range part {
			r.err = err
		}
		return err
	}
	o.commits.Add(1)
	o.wrote(size[Must] + size[Bulk])
	o.mu.Lock()
	for _, ln := range Lanes {
		if count[ln] == 0 {
			continue
		}
		l := o.lanes[ln]
		l.count += int(count[ln])
		l.bytes += size[ln]
		l.nextSeq = last[ln] + 1
	}
	o.observeRate(size[Must], time.Now())
	o.mu.Unlock()
	return nil
}

func (o *Outbox) overBudget(ln Lane) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lanes[ln].bytes > o.lanes[ln].budget
}

// ager sheds bulk events that are too old to be worth sending.
func (o *Outbox) ager() {
	defer o.wg.Done()
	t := time.NewTicker(min(o.opt.BulkMaxAge/4, 10*time.Second))
	defer t.Stop()
	for {
		select {
		case <-o.done:
			return
		case now := <-t.C:
			o.shedBulk(now.Add(-o.opt.BulkMaxAge))
		}
	}
}

// shedBulk drops the oldest bulk events while the lane is over budget or
// (when olderThan is set) while the oldest is older than olderThan. Shed
// events count as acknowledged: central sees a gap, which a bulk stream
// allows.
func (o *Outbox) shedBulk(olderThan time.Time) {
	// The committer (over budget) and the ager (too old) both shed; one
	// at a time, or both would count the same range.
	o.shedMu.Lock()
	defer o.shedMu.Unlock()
	l := o.lanes[Bulk]
	for {
		o.mu.Lock()
		from, excess, empty := l.acked, l.bytes-l.budget, l.count == 0
		o.mu.Unlock()
		if empty {
			return
		}
		recs, err := o.Pending(Bulk, from, 256)
		if err != nil || len(recs) == 0 {
			return
		}
		upTo := from
		for _, r := range recs {
			stale := !olderThan.IsZero() && eventTime(r.Payload).Before(olderThan)
			if excess <= 0 && !stale {
				break
			}
			upTo = r.Seq
			excess -= int64(len(r.Payload) + len(r.Type) + 1 + len(l.prefix) + 8)
		}
		if upTo == from {
			return
		}
		if err := o.Ack(Bulk, upTo); err != nil {
			o.log.Error().Err(err).Msg("shed bulk events")
			return
		}
		o.shed.Add(upTo - from)
		o.log.Warn().Uint64("events", upTo-from).Msg("bulk lane over budget or stale: oldest raw events shed")
	}
}

func eventTime(payload []byte) time.Time {
	var env wire.Envelope
	_ = json.Unmarshal(payload, &env)
	return env.TS
}

// Pending returns up to max stored events of a lane with seq > after, in
// order. Only events already counted as issued are returned: a commit is
// visible on disk a moment before the committer counts it, and central's
// ack for an event the outbox does not yet count would be refused.
func (o *Outbox) Pending(ln Lane, after uint64, max int) ([]Record, error) {
	l := o.lanes[ln]
	o.mu.Lock()
	issued := l.nextSeq - 1
	o.mu.Unlock()
	var out []Record
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: l.prefix, PrefetchValues: true, PrefetchSize: min(max, 100)})
		defer it.Close()
		for it.Seek(eventKey(l, after+1)); it.Valid() && len(out) < max && seqOf(l, it.Item().Key()) <= issued; it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			typ, payload, ok := cutType(v)
			if !ok {
				return fmt.Errorf("corrupt outbox record %d", seqOf(l, it.Item().Key()))
			}
			out = append(out, Record{Seq: seqOf(l, it.Item().Key()), Type: wire.MessageType(typ), Payload: payload})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// Ack removes every event of a lane with seq ≤ upTo: central has applied
// them. Acks for sequence numbers never handed out are refused, since they
// can only come from a confused peer and would delete unsent events.
func (o *Outbox) Ack(ln Lane, upTo uint64) error {
	l := o.lanes[ln]
	o.mu.Lock()
	from, next := l.acked+1, l.nextSeq
	o.mu.Unlock()
	if upTo >= next {
		return fmt.Errorf("ack for %s seq %d but only %d were issued", ln, upTo, next-1)
	}
	if upTo < from {
		return nil
	}
	var removed int
	var size int64
	wb := o.db.NewWriteBatch()
	defer wb.Cancel()
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: l.prefix})
		defer it.Close()
		for it.Seek(eventKey(l, from)); it.Valid() && seqOf(l, it.Item().Key()) <= upTo; it.Next() {
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
	o.wrote(int64(removed) * int64(len(l.prefix)+8+16)) // a tombstone per event
	o.mu.Lock()
	if upTo > l.acked {
		l.acked = upTo
	}
	l.count -= removed
	l.bytes = max(l.bytes-size, 0)
	_, byDisk := o.budget()
	o.mu.Unlock()
	if byDisk && removed > 0 {
		select {
		case o.reclaim <- struct{}{}:
		default:
		}
	}
	return nil
}

// reclaimSpace runs in the committer, between commits: Badger frees the
// space of deleted events only when compactions merge the deletions with
// the data, which new writes drive — and a full disk refuses them. The
// disk decides whether reclaiming is due and safe (storage.Disk.Reclaim).
func (o *Outbox) reclaimSpace() {
	o.mu.Lock()
	live := o.lanes[Must].bytes + o.lanes[Bulk].bytes
	o.mu.Unlock()
	done, err := o.opt.Disk.Reclaim(live)
	if err != nil {
		o.log.Error().Err(err).Msg("reclaim the space of acknowledged events")
	} else if done {
		o.log.Info().Int64("live_bytes", live).Msg("reclaimed the space of acknowledged events")
	}
}

// Acked is the highest sequence number of a lane acknowledged (or shed).
func (o *Outbox) Acked(ln Lane) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lanes[ln].acked
}

// Issued is the highest sequence number of a lane handed out.
func (o *Outbox) Issued(ln Lane) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lanes[ln].nextSeq - 1
}

// Stats reports the backlog.
func (o *Outbox) Stats() Stats {
	o.mu.Lock()
	m, b := o.lanes[Must], o.lanes[Bulk]
	s := Stats{Events: m.count, Bytes: m.bytes, Stream: m.stream, NextSeq: m.nextSeq, Acked: m.acked,
		Bulk: BulkStats{Events: b.count, Bytes: b.bytes, MaxBytes: b.budget, Shed: o.shed.Load()}}
	s.MaxBytes, s.DiskLimited = o.budget()
	s.BytesPerSecond = o.currentRate(time.Now())
	o.mu.Unlock()
	if s.BytesPerSecond > 0 {
		s.OfflineLeft = time.Duration(float64(max(s.MaxBytes-s.Bytes, 0)) / s.BytesPerSecond * float64(time.Second))
	}
	return s
}

// Oldest is when the oldest unacknowledged must-lane event was made (zero
// when there is none). It reads the disk, so it is not part of Stats,
// which every metric asks for.
func (o *Outbox) Oldest() time.Time {
	recs, err := o.Pending(Must, o.Acked(Must), 1)
	if err != nil || len(recs) == 0 {
		return time.Time{}
	}
	return eventTime(recs[0].Payload)
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
	defer o.wrote(int64(len(key) + 16))
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

func eventKey(l *lane, seq uint64) []byte {
	k := make([]byte, len(l.prefix)+8)
	copy(k, l.prefix)
	binary.BigEndian.PutUint64(k[len(l.prefix):], seq)
	return k
}

func seqOf(l *lane, key []byte) uint64 { return binary.BigEndian.Uint64(key[len(l.prefix):]) }

func cutType(v []byte) (string, []byte, bool) {
	for i, b := range v {
		if b == '\n' {
			return string(v[:i]), v[i+1:], true
		}
	}
	return "", nil, false
}
