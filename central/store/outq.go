package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Message is an MQTT message central will publish. Messages are queued in
// the same transaction as the state change that caused them and deleted
// only after the broker has them, so a crash between commit and publish
// delays a print command instead of losing it.
type Message struct {
	Seq     uint64 `json:"-"`
	Topic   string `json:"topic"`
	Payload []byte `json:"payload"`
	Retain  bool   `json:"retain,omitempty"`
}

// Enqueue adds a message to the outgoing queue.
func (t *Tx) Enqueue(topic string, payload []byte, retain bool) error {
	seq, err := t.nextCounter(kOutSeq)
	if err != nil {
		return err
	}
	b, err := json.Marshal(Message{Topic: topic, Payload: payload, Retain: retain})
	if err != nil {
		return err
	}
	return t.txn.Set(seqKey(pOut, seq), b)
}

// Outgoing returns up to max queued messages with seq > after, in order.
// Callers pass the last seq they sent: seeking past it skips the deleted
// entries of everything already published, which a scan from the start of
// the queue would walk through again on every call.
func (s *Store) Outgoing(after uint64, max int) ([]Message, error) {
	var out []Message
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pOut), PrefetchValues: true, PrefetchSize: min(max, 100)})
		defer it.Close()
		for it.Seek(seqKey(pOut, after+1)); it.Valid() && len(out) < max; it.Next() {
			var m Message
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &m) }); err != nil {
				return err
			}
			m.Seq = binary.BigEndian.Uint64(it.Item().Key()[len(pOut):])
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outgoing: %w", err)
	}
	return out, nil
}

// Sent removes published messages from the queue.
func (s *Store) Sent(seqs ...uint64) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, q := range seqs {
		if err := wb.Delete(seqKey(pOut, q)); err != nil {
			return err
		}
	}
	return wb.Flush()
}
