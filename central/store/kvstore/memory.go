package kvstore

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// Memory is an Engine that keeps everything in memory: fast, and gone
// with the process (memstore; tests). One writer at a time and no reader
// while it writes makes every transaction serializable; an Update's writes
// go to an overlay that is applied only when fn succeeds.
type Memory struct {
	mu   sync.RWMutex
	keys []string // sorted
	vals map[string]memValue
	now  func() time.Time
}

type memValue struct {
	val     []byte
	expires time.Time // zero: never
}

// NewMemory returns an empty in-memory engine.
func NewMemory() *Memory { return &Memory{vals: map[string]memValue{}, now: time.Now} }

// Update runs fn with an overlay on the committed state and applies the
// overlay when fn succeeds.
func (m *Memory) Update(ctx context.Context, fn func(KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &memTxn{m: m, writes: map[string]*memValue{}}
	if err := fn(t); err != nil {
		return err
	}
	for k, v := range t.writes {
		i, found := slices.BinarySearch(m.keys, k)
		switch {
		case v == nil && found:
			m.keys = slices.Delete(m.keys, i, i+1)
			delete(m.vals, k)
		case v != nil:
			if !found {
				m.keys = slices.Insert(m.keys, i, k)
			}
			m.vals[k] = *v
		}
	}
	return nil
}

// View runs fn on the committed state; writes fail.
func (m *Memory) View(ctx context.Context, fn func(KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTxn{m: m})
}

// Delete removes keys at once.
func (m *Memory) Delete(keys [][]byte) error {
	return m.Update(context.Background(), func(kv KV) error {
		for _, k := range keys {
			if err := kv.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close does nothing: the data goes with the engine.
func (m *Memory) Close() error { return nil }

// memTxn is one transaction: writes is nil in a View.
type memTxn struct {
	m      *Memory
	writes map[string]*memValue // nil value: deleted
}

func (t *memTxn) lookup(k string) ([]byte, bool) {
	if w, ok := t.writes[k]; ok {
		if w == nil {
			return nil, false
		}
		return w.val, true
	}
	v, ok := t.m.vals[k]
	if !ok || !v.expires.IsZero() && !t.m.now().Before(v.expires) {
		return nil, false
	}
	return v.val, true
}

func (t *memTxn) Get(key []byte, fn func([]byte) error) (bool, error) {
	v, ok := t.lookup(string(key))
	if !ok {
		return false, nil
	}
	return true, fn(v)
}

func (t *memTxn) set(key, val []byte, expires time.Time) error {
	if t.writes == nil {
		return ErrReadOnly
	}
	t.writes[string(key)] = &memValue{val: bytes.Clone(val), expires: expires}
	return nil
}

func (t *memTxn) Set(key, val []byte) error { return t.set(key, val, time.Time{}) }

func (t *memTxn) SetTTL(key, val []byte, ttl time.Duration) error {
	return t.set(key, val, t.m.now().Add(ttl))
}

func (t *memTxn) Delete(key []byte) error {
	if t.writes == nil {
		return ErrReadOnly
	}
	t.writes[string(key)] = nil
	return nil
}

// Scan merges the committed keys and the overlay's, in key order.
func (t *memTxn) Scan(prefix, from []byte, _ int, fn func(key, val []byte) (bool, error)) error {
	p, f := string(prefix), string(from)
	var pending []string
	for k := range t.writes {
		if k >= f && len(k) >= len(p) && k[:len(p)] == p {
			pending = append(pending, k)
		}
	}
	sort.Strings(pending)
	i, _ := slices.BinarySearch(t.m.keys, f)
	for {
		var k string
		switch {
		case len(pending) > 0 && (i >= len(t.m.keys) || pending[0] <= t.m.keys[i]):
			k = pending[0]
			if i < len(t.m.keys) && t.m.keys[i] == k {
				i++
			}
			pending = pending[1:]
		case i < len(t.m.keys) && len(t.m.keys[i]) >= len(p) && t.m.keys[i][:len(p)] == p:
			k = t.m.keys[i]
			i++
		default:
			return nil
		}
		v, ok := t.lookup(k)
		if !ok {
			continue
		}
		if more, err := fn([]byte(k), v); err != nil || !more {
			return err
		}
	}
}
