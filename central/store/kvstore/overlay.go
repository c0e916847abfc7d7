package kvstore

import (
	"strings"
	"time"

	"github.com/google/btree"
)

// Overlay is a transaction's writes held in memory, in key order, over a
// base it reads through: reads see its own writes first, then the base.
// Nothing reaches the base; an engine applies the writes (Each) when it
// commits, or drops the overlay. Engines stack them: the memory engine
// puts one over its committed state, the Badger engine one per function
// over one per batch of functions (group commit), so a function that
// fails is dropped alone and the next one reads what the earlier ones
// wrote.
type Overlay struct {
	base   KV
	writes *btree.BTreeG[*Write]
}

// Write is one key an Overlay wrote.
type Write struct {
	Key     string
	Val     []byte        // nil when Deleted
	TTL     time.Duration // 0: never expires
	Deleted bool
}

// overlayDegree suits overlays of a few keys (a use case) as well as of
// tens of thousands (a batch).
const overlayDegree = 16

func byKey(a, b *Write) bool { return a.Key < b.Key }

// NewOverlay returns an empty overlay over base.
func NewOverlay(base KV) *Overlay {
	return &Overlay{base: base, writes: btree.NewG(overlayDegree, byKey)}
}

// Get reads key from the overlay's writes, else from the base.
func (o *Overlay) Get(key []byte, fn func([]byte) error) (bool, error) {
	if w, ok := o.writes.Get(&Write{Key: string(key)}); ok {
		if w.Deleted {
			return false, nil
		}
		return true, fn(w.Val)
	}
	return o.base.Get(key, fn)
}

// Set keeps val until the overlay is applied or dropped: the caller does
// not change it afterwards (Badger's own rule for a transaction).
func (o *Overlay) Set(key, val []byte) error { return o.SetTTL(key, val, 0) }

func (o *Overlay) SetTTL(key, val []byte, ttl time.Duration) error {
	o.writes.ReplaceOrInsert(&Write{Key: string(key), Val: val, TTL: ttl})
	return nil
}

func (o *Overlay) Delete(key []byte) error {
	o.writes.ReplaceOrInsert(&Write{Key: string(key), Deleted: true})
	return nil
}

// Scan merges the base's keys with the overlay's, in key order; a key the
// overlay wrote shows its value, or nothing when it deleted it.
func (o *Overlay) Scan(prefix, from []byte, hint int, fn func(key, val []byte) (bool, error)) error {
	p := string(prefix)
	next := &Write{Key: string(from)} // the first key not yet emitted
	stop := false
	var ferr error
	// emit calls fn for the overlay's keys in [next, upTo) (upTo nil: to
	// the end of the prefix).
	emit := func(upTo *Write) {
		visit := func(w *Write) bool {
			if !strings.HasPrefix(w.Key, p) {
				return false
			}
			if w.Deleted {
				return true
			}
			more, err := fn([]byte(w.Key), w.Val)
			stop, ferr = !more || err != nil, err
			return !stop
		}
		if upTo == nil {
			o.writes.AscendGreaterOrEqual(next, visit)
		} else {
			o.writes.AscendRange(next, upTo, visit)
		}
	}
	err := o.base.Scan(prefix, from, hint, func(key, val []byte) (bool, error) {
		at := &Write{Key: string(key)}
		if emit(at); stop {
			return false, ferr
		}
		next = &Write{Key: at.Key + "\x00"}
		if w, ok := o.writes.Get(at); ok {
			if w.Deleted {
				return true, nil
			}
			val = w.Val
		}
		more, err := fn(key, val)
		stop = !more || err != nil
		return more, err
	})
	if err != nil || stop {
		return err
	}
	emit(nil)
	return ferr
}

// Len is how many keys the overlay wrote.
func (o *Overlay) Len() int { return o.writes.Len() }

// Each calls fn with every write, in key order, until fn fails.
func (o *Overlay) Each(fn func(*Write) error) error {
	var err error
	o.writes.Ascend(func(w *Write) bool {
		err = fn(w)
		return err == nil
	})
	return err
}

// Absorb takes the writes of an overlay stacked on this one, as if they
// had been made here (the function that made them succeeded).
func (o *Overlay) Absorb(top *Overlay) {
	if o.writes.Len() == 0 { // the first function of a batch: take its writes whole
		o.writes, top.writes = top.writes, o.writes
		return
	}
	top.writes.Ascend(func(w *Write) bool {
		o.writes.ReplaceOrInsert(w)
		return true
	})
}
