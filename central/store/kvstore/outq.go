package kvstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/dockhand/dockhand/central/store"
)

// Enqueue adds a message to the outgoing queue.
func (t *tx) Enqueue(topic string, payload []byte, retain bool) error {
	seq, err := t.nextCounter(kOutSeq)
	if err != nil {
		return err
	}
	b, err := json.Marshal(store.Message{Topic: topic, Payload: payload, Retain: retain})
	if err != nil {
		return err
	}
	t.enqueued = true
	return t.kv.Set(seqKey(pOut, seq), b)
}

// Outgoing returns up to max queued messages with seq > after, in order.
// Callers pass the last seq they sent: seeking past it skips the deleted
// entries of everything already published, which a scan from the start of
// the queue would walk through again on every call.
func (s *Store) Outgoing(ctx context.Context, after uint64, max int) ([]store.Message, error) {
	var out []store.Message
	err := s.eng.View(ctx, func(kv KV) error {
		return kv.Scan([]byte(pOut), seqKey(pOut, after+1), min(max, 100), func(key, v []byte) (bool, error) {
			var m store.Message
			if err := json.Unmarshal(v, &m); err != nil {
				return false, err
			}
			m.Seq = binary.BigEndian.Uint64(key[len(pOut):])
			out = append(out, m)
			return len(out) < max, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read outgoing: %w", err)
	}
	return out, nil
}

// Sent removes published messages from the queue, in a transaction of
// its own (which may share its commit with others: group commit). It
// finishes even when ctx ends (central stopping): the messages are out.
func (s *Store) Sent(ctx context.Context, seqs ...uint64) error {
	return s.eng.Update(context.WithoutCancel(ctx), func(kv KV) error {
		for _, q := range seqs {
			if err := kv.Delete(seqKey(pOut, q)); err != nil {
				return err
			}
		}
		return nil
	})
}
