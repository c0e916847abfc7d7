package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// journalRetention bounds the applied-event journal: long enough to audit a
// month of dock activity, short enough that the journal never grows without
// bound. Exactly-once does not depend on it (the watermarks do that).
const journalRetention = 30 * 24 * time.Hour

const (
	pJournal  = "ev/"
	kJournal  = "meta/evseq"
	pJCounter = "evn/"
	// pJSeq indexes the journal by stream and seq: the id of the event
	// applied there, so a second event claiming the same seq is seen.
	pJSeq = "evs/"
)

func journalSeqKey(gateway, stream string, seq uint64) []byte {
	return seqKey(pJSeq+gateway+separator+stream+separator, seq)
}

// Applied is one journal line: a gateway event central applied.
type Applied struct {
	N       uint64    `json:"n"`
	Gateway string    `json:"gateway"`
	Stream  string    `json:"stream"`
	Seq     uint64    `json:"seq"`
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
}

// Journal records that an event was applied, in application order, in the
// same transaction as its effects, and counts applied events per gateway.
func (t *Tx) Journal(a Applied) error {
	n, err := t.nextCounter(kJournal)
	if err != nil {
		return err
	}
	a.N = n
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := t.txn.SetEntry(badger.NewEntry(seqKey(pJournal, n), b).WithTTL(journalRetention)); err != nil {
		return err
	}
	if err := t.txn.SetEntry(badger.NewEntry(journalSeqKey(a.Gateway, a.Stream, a.Seq), []byte(a.ID)).WithTTL(journalRetention)); err != nil {
		return err
	}
	_, err = t.nextCounter(pJCounter + a.Gateway)
	return err
}

// AppliedID is the id of the event applied at a stream's seq, while the
// journal still holds it.
func (t *Tx) AppliedID(gateway, stream string, seq uint64) (string, bool, error) {
	item, err := t.txn.Get(journalSeqKey(gateway, stream, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	v, err := item.ValueCopy(nil)
	return string(v), err == nil, err
}

// AppliedCount is how many events of a gateway central has applied.
func (t *Tx) AppliedCount(gateway string) (uint64, error) {
	item, err := t.txn.Get([]byte(pJCounter + gateway))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(b []byte) error { n = binary.BigEndian.Uint64(b); return nil })
	return n, err
}

// JournalFrom lists journal lines after n, at most limit.
func (t *Tx) JournalFrom(after uint64, limit int) ([]Applied, error) {
	var out []Applied
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pJournal), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Seek(seqKey(pJournal, after+1)); it.Valid() && len(out) < limit; it.Next() {
		var a Applied
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}
