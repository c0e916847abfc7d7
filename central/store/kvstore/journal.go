package kvstore

import (
	"encoding/json"
	"fmt"

	"github.com/dockhand/dockhand/central/store"
)

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

// Journal records that an event was applied, in application order, in the
// same transaction as its effects, and counts applied events per gateway.
func (t *tx) Journal(a store.Applied) error {
	n, err := t.nextCounter(kJournal)
	if err != nil {
		return err
	}
	a.N = n
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := t.kv.SetTTL(seqKey(pJournal, n), b, store.JournalRetention); err != nil {
		return err
	}
	if err := t.kv.SetTTL(journalSeqKey(a.Gateway, a.Stream, a.Seq), []byte(a.ID), store.JournalRetention); err != nil {
		return err
	}
	_, err = t.nextCounter(pJCounter + a.Gateway)
	return err
}

// AppliedID is the id of the event applied at a stream's seq, while the
// journal still holds it.
func (t *tx) AppliedID(gateway, stream string, seq uint64) (string, bool, error) {
	var id string
	found, err := t.kv.Get(journalSeqKey(gateway, stream, seq), func(v []byte) error { id = string(v); return nil })
	return id, found, err
}

// AppliedCount is how many events of a gateway central has applied.
func (t *tx) AppliedCount(gateway string) (uint64, error) {
	n, err := t.getInt(pJCounter + gateway)
	return uint64(n), err
}

// JournalFrom lists journal lines after n, at most limit.
func (t *tx) JournalFrom(after uint64, limit int) ([]store.Applied, error) {
	var out []store.Applied
	err := t.kv.Scan([]byte(pJournal), seqKey(pJournal, after+1), min(limit, 100), func(_, v []byte) (bool, error) {
		var a store.Applied
		if err := json.Unmarshal(v, &a); err != nil {
			return false, fmt.Errorf("read journal: %w", err)
		}
		out = append(out, a)
		return len(out) < limit, nil
	})
	return out, err
}
