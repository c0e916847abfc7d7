package kvstore

import (
	"fmt"
)

// pStream keys the streams each gateway announced in its (sealed) birth
// message, with their lane: central applies events only on announced
// streams and takes the lane from here.
const pStream = "gws/"

func streamKey(gateway, stream string) []byte { return []byte(pStream + gateway + separator + stream) }

// StreamLane returns the lane a gateway announced for one of its streams;
// ok is false for a stream it never announced.
func (t *tx) StreamLane(gateway, stream string) (lane string, ok bool, err error) {
	ok, err = t.kv.Get(streamKey(gateway, stream), func(v []byte) error { lane = string(v); return nil })
	if err != nil {
		return "", false, fmt.Errorf("get stream %s of %s: %w", stream, gateway, err)
	}
	return lane, ok, nil
}

// AnnounceStream records a stream a gateway announced and its lane.
func (t *tx) AnnounceStream(gateway, stream, lane string) error {
	return t.kv.Set(streamKey(gateway, stream), []byte(lane))
}

// HasStreams reports whether a gateway ever announced a stream.
func (t *tx) HasStreams(gateway string) (bool, error) {
	prefix := []byte(pStream + gateway + separator)
	found := false
	err := t.kv.Scan(prefix, prefix, 1, func(_, _ []byte) (bool, error) { found = true; return false, nil })
	return found, err
}
