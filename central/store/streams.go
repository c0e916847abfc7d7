package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// pStream keys the streams each gateway announced in its (sealed) birth
// message, with their lane: central applies events only on announced
// streams and takes the lane from here.
const pStream = "gws/"

func streamKey(gateway, stream string) []byte { return []byte(pStream + gateway + separator + stream) }

// StreamLane returns the lane a gateway announced for one of its streams;
// ok is false for a stream it never announced.
func (t *Tx) StreamLane(gateway, stream string) (lane string, ok bool, err error) {
	item, err := t.txn.Get(streamKey(gateway, stream))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get stream %s of %s: %w", stream, gateway, err)
	}
	v, err := item.ValueCopy(nil)
	return string(v), err == nil, err
}

// AnnounceStream records a stream a gateway announced and its lane.
func (t *Tx) AnnounceStream(gateway, stream, lane string) error {
	return t.txn.Set(streamKey(gateway, stream), []byte(lane))
}

// HasStreams reports whether a gateway ever announced a stream.
func (t *Tx) HasStreams(gateway string) (bool, error) {
	prefix := []byte(pStream + gateway + separator)
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	it.Seek(prefix)
	return it.Valid(), nil
}
