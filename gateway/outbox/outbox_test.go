package outbox

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/wire"
)

func open(t *testing.T, dir string) (*badger.DB, *Outbox) {
	t.Helper()
	db, err := storage.Open(dir, storage.Gateway, zerolog.Nop())
	require.NoError(t, err)
	ob, err := Open(db, Options{}, zerolog.Nop())
	require.NoError(t, err)
	return db, ob
}

// reopen closes the outbox and its database and opens them again, as a
// gateway restart does; the reopened pair is closed when the test ends.
func reopen(t *testing.T, dir string, db *badger.DB, ob *Outbox) *Outbox {
	t.Helper()
	ob.Close()
	require.NoError(t, db.Close())
	db, ob = open(t, dir)
	t.Cleanup(func() {
		ob.Close()
		_ = db.Close()
	})
	return ob
}

func scan(data string) *wire.Scan {
	return &wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Data: data}
}

func TestAppendAssignsSeqAndStreamAndSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db, ob := open(t, dir)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		seq, err := ob.Append(ctx, scan("x"))
		require.NoError(t, err)
		assert.Equal(t, uint64(i), seq)
	}
	stream := ob.Stream()
	recs, err := ob.Pending(Must, 0, 10)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	var s wire.Scan
	require.NoError(t, json.Unmarshal(recs[2].Payload, &s))
	assert.Equal(t, uint64(3), s.Seq)
	assert.Equal(t, stream, s.Stream)
	assert.Equal(t, wire.EvtScan, recs[2].Type)

	require.NoError(t, ob.Ack(Must, 2))
	ob = reopen(t, dir, db, ob)
	assert.Equal(t, stream, ob.Stream(), "the stream survives a restart")
	assert.Equal(t, uint64(2), ob.Acked(Must))
	st := ob.Stats()
	assert.Equal(t, 1, st.Events)
	assert.False(t, ob.Oldest().IsZero())
	seq, err := ob.Append(ctx, scan("y"))
	require.NoError(t, err)
	assert.Equal(t, uint64(4), seq, "sequence numbers continue after a restart")
	recs, err = ob.Pending(Must, ob.Acked(Must), 10)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, []uint64{3, 4}, []uint64{recs[0].Seq, recs[1].Seq})
}

func TestSequenceContinuesWhenEverythingWasAcked(t *testing.T) {
	dir := t.TempDir()
	db, ob := open(t, dir)
	_, err := ob.Append(context.Background(), scan("a"))
	require.NoError(t, err)
	require.NoError(t, ob.Ack(Must, 1))
	ob = reopen(t, dir, db, ob)
	assert.Equal(t, uint64(1), ob.Acked(Must))
	seq, err := ob.Append(context.Background(), scan("b"))
	require.NoError(t, err)
	assert.Equal(t, uint64(2), seq)
}

// A Pi-sized memtable allows only small transactions; a batch of large
// events (RFID portal passes, long scans) bigger than that is committed in
// several parts, every event numbered in order with no gap, and survives a
// restart.
func TestBatchLargerThanOneTransactionIsCommittedInParts(t *testing.T) {
	dir := t.TempDir()
	db, ob := open(t, dir)
	big := strings.Repeat("9", 900)
	n := int(3 * db.MaxBatchSize() / 900)
	batch := make([]*appendReq, n)
	for i := range batch {
		batch[i] = &appendReq{ev: scan(big), lane: Must, done: make(chan struct{})}
	}
	commits := ob.commits.Load()
	ob.commit(batch)
	for i, r := range batch {
		require.NoError(t, r.err)
		require.Equal(t, uint64(i+1), r.seq)
	}
	assert.GreaterOrEqual(t, ob.commits.Load()-commits, uint64(3), "split into transactions that fit")
	assert.Equal(t, uint64(n), ob.Issued(Must))
	ob = reopen(t, dir, db, ob)
	recs, err := ob.Pending(Must, 0, n+1)
	require.NoError(t, err)
	require.Len(t, recs, n)
	for i, r := range recs {
		require.Equal(t, uint64(i+1), r.Seq)
	}
	seq, err := ob.Append(context.Background(), scan("next"))
	require.NoError(t, err)
	assert.Equal(t, uint64(n+1), seq)
}

func TestAckBeyondIssuedIsRefused(t *testing.T) {
	db, ob := open(t, t.TempDir())
	defer db.Close()
	defer ob.Close()
	_, err := ob.Append(context.Background(), scan("a"))
	require.NoError(t, err)
	assert.ErrorContains(t, ob.Ack(Must, 5), "only 1 were issued")
	assert.Equal(t, 1, ob.Stats().Events)
	require.NoError(t, ob.Ack(Must, 0), "an old ack is harmless")
}

func TestConcurrentAppendsAreGroupCommittedInOrder(t *testing.T) {
	db, ob := open(t, t.TempDir())
	defer db.Close()
	defer ob.Close()
	const writers, each = 8, 200
	var wg sync.WaitGroup
	seqs := make(chan uint64, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				seq, err := ob.Append(context.Background(), scan("c"))
				assert.NoError(t, err)
				seqs <- seq
			}
		})
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for s := range seqs {
		assert.False(t, seen[s], "seq %d handed out twice", s)
		seen[s] = true
	}
	assert.Len(t, seen, writers*each)
	recs, err := ob.Pending(Must, 0, writers*each+1)
	require.NoError(t, err)
	require.Len(t, recs, writers*each)
	for i, r := range recs {
		assert.Equal(t, uint64(i+1), r.Seq)
	}
	assert.Less(t, ob.commits.Load(), uint64(writers*each), "appends share commits")
}

func TestFirstTimeRemembersCommands(t *testing.T) {
	dir := t.TempDir()
	db, ob := open(t, dir)
	first, err := ob.FirstTime("cmd-1")
	require.NoError(t, err)
	assert.True(t, first)
	first, err = ob.FirstTime("cmd-1")
	require.NoError(t, err)
	assert.False(t, first)
	ob = reopen(t, dir, db, ob)
	first, err = ob.FirstTime("cmd-1")
	require.NoError(t, err)
	assert.False(t, first, "a redelivered command is still recognised after a restart")
}

func TestAppendAfterCloseFails(t *testing.T) {
	db, ob := open(t, t.TempDir())
	defer db.Close()
	ob.Close()
	_, err := ob.Append(context.Background(), scan("late"))
	assert.ErrorIs(t, err, errClosed)
}

func TestBudgetRefusesScansKeepsReserveForDeviceEventsAndRecovers(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Gateway, zerolog.Nop())
	require.NoError(t, err)
	defer db.Close()
	ob, err := Open(db, Options{MaxBytes: 64 << 10}, zerolog.Nop())
	require.NoError(t, err)
	defer ob.Close()
	ctx := context.Background()
	big := func() *wire.Scan { return scan(strings.Repeat("x", 1000)) }
	var accepted uint64
	for {
		if accepted == 10 {
			assert.Greater(t, ob.Stats().OfflineLeft, time.Duration(0), "an estimate is given while appending")
		}
		seq, err := ob.Append(ctx, big())
		if err != nil {
			require.ErrorIs(t, err, ErrFull)
			assert.Contains(t, err.Error(), "waiting for central")
			break
		}
		accepted = seq
		require.Less(t, accepted, uint64(1000), "the budget must stop appends")
	}
	st := ob.Stats()
	assert.GreaterOrEqual(t, st.Bytes, int64(64<<10))
	assert.Greater(t, st.BytesPerSecond, 0.0, "append rate is measured")
	assert.Zero(t, st.OfflineLeft, "nothing is left of the budget")

	// The refusal itself can still be reported.
	dev := &wire.Device{Envelope: wire.NewEnvelope(wire.EvtDevice), Kind: "outbox", State: "refused"}
	_, err = ob.Append(ctx, dev)
	require.NoError(t, err, "device events use the reserve")

	// Nothing already stored was dropped.
	recs, err := ob.Pending(Must, 0, 10000)
	require.NoError(t, err)
	assert.Len(t, recs, int(accepted)+1)

	// Once central acknowledges, scans are accepted again.
	require.NoError(t, ob.Ack(Must, accepted+1))
	_, err = ob.Append(ctx, big())
	require.NoError(t, err)
}

func rawRead(pad string) *wire.Load {
	ev := &wire.Load{Envelope: wire.NewEnvelope(wire.EvtRFID), Pad: pad}
	ev.Lane = wire.LaneBulk
	return ev
}

func TestBulkLaneShedsOldestOverBudgetAndNeverTouchesScans(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Gateway, zerolog.Nop())
	require.NoError(t, err)
	defer db.Close()
	ob, err := Open(db, Options{MaxBytes: 1 << 20, BulkMaxBytes: 32 << 10}, zerolog.Nop())
	require.NoError(t, err)
	defer ob.Close()
	ctx := context.Background()
	assert.NotEqual(t, ob.LaneStream(Must), ob.LaneStream(Bulk))
	l, ok := ob.LaneOf(ob.LaneStream(Bulk))
	require.True(t, ok)
	assert.Equal(t, Bulk, l)

	pad := strings.Repeat("r", 1000)
	for i := 1; i <= 200; i++ {
		seq, err := ob.Append(ctx, rawRead(pad))
		require.NoError(t, err, "the bulk lane never refuses")
		assert.Equal(t, uint64(i), seq)
		if i%50 == 0 {
			s, err := ob.Append(ctx, scan("x"))
			require.NoError(t, err)
			assert.Equal(t, uint64(i/50), s, "must-lane numbering is independent")
		}
	}
	st := ob.Stats()
	assert.LessOrEqual(t, st.Bulk.Bytes, int64(32<<10)+2000, "the bulk lane stays near its budget")
	assert.Greater(t, st.Bulk.Shed, uint64(150), "the oldest raw reads were shed")
	recs, err := ob.Pending(Bulk, ob.Acked(Bulk), 1000)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	assert.Equal(t, uint64(200), recs[len(recs)-1].Seq, "the newest raw reads are kept")
	assert.Equal(t, recs[0].Seq, ob.Acked(Bulk)+1)
	scans, err := ob.Pending(Must, 0, 100)
	require.NoError(t, err)
	assert.Len(t, scans, 4, "no scan was shed")
}

func TestBulkLaneShedsStaleEvents(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Gateway, zerolog.Nop())
	require.NoError(t, err)
	defer db.Close()
	ob, err := Open(db, Options{BulkMaxAge: time.Minute}, zerolog.Nop())
	require.NoError(t, err)
	defer ob.Close()
	old := rawRead("")
	old.TS = time.Now().Add(-2 * time.Minute)
	_, err = ob.Append(context.Background(), old)
	require.NoError(t, err)
	_, err = ob.Append(context.Background(), rawRead(""))
	require.NoError(t, err)
	ob.shedBulk(time.Now().Add(-time.Minute))
	assert.Equal(t, uint64(1), ob.Acked(Bulk), "the stale read was shed")
	assert.Equal(t, uint64(1), ob.Stats().Bulk.Shed)
	assert.Equal(t, 1, ob.Stats().Bulk.Events, "the fresh one is kept")
}

// A print job's result and forgetting the job are one commit: after a
// restart the result is waiting for central and the job is gone, so it is
// neither lost nor reported twice.
func TestPrintResultForgetsItsJobInTheSameCommit(t *testing.T) {
	dir := t.TempDir()
	db, ob := open(t, dir)
	first, err := ob.AcceptPrint(PrintJob{Command: "cmd-1", Station: "dock-1", ZPL: []byte("^XA^XZ")})
	require.NoError(t, err)
	require.True(t, first)
	_, err = ob.AcceptPrint(PrintJob{Command: "cmd-2", Station: "dock-1", ZPL: []byte("^XA^XZ")})
	require.NoError(t, err)
	res := &wire.PrintResult{Envelope: wire.NewEnvelope(wire.EvtPrint), Command: "cmd-1", Station: "dock-1", Printed: true}
	seq, err := ob.AppendPrintResult(context.Background(), res, "cmd-1")
	require.NoError(t, err)
	ob = reopen(t, dir, db, ob)
	jobs, err := ob.PrintJobs()
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, "cmd-2", jobs[0].Command, "only the unfinished job is left")
	recs, err := ob.Pending(Must, 0, 10)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, seq, recs[0].Seq)
	assert.Equal(t, wire.EvtPrint, recs[0].Type)
	again, err := ob.AcceptPrint(PrintJob{Command: "cmd-1", Station: "dock-1", ZPL: []byte("^XA^XZ")})
	require.NoError(t, err)
	assert.False(t, again, "a redelivered print command is still known")
}
