package kvstore

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Memory is an Engine that keeps everything in memory: fast, and gone
// with the process (memstore; tests). One writer at a time and no reader
// while it writes makes every transaction serializable; an Update's writes
// go to an Overlay that is applied only when fn succeeds.
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
	o := NewOverlay(memView{m})
	if err := fn(o); err != nil {
		return err
	}
	now := m.now()
	return o.Each(func(w *Write) error {
		i, found := slices.BinarySearch(m.keys, w.Key)
		switch {
		case w.Deleted && found:
			m.keys = slices.Delete(m.keys, i, i+1)
			delete(m.vals, w.Key)
		case !w.Deleted:
			if !found {
				m.keys = slices.Insert(m.keys, i, w.Key)
			}
			v := memValue{val: w.Val}
			if w.TTL > 0 {
				v.expires = now.Add(w.TTL)
			}
			m.vals[w.Key] = v
		}
		return nil
	})
}

// View runs fn on the committed state; writes fail.
func (m *Memory) View(ctx context.Context, fn func(KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(memView{m})
}

// Close does nothing: the data goes with the engine.
func (m *Memory) Close() error { return nil }

// memView reads the committed state; it never writes.
type memView struct{ m *Memory }

func (v memView) lookup(k string) ([]byte, bool) {
	val, ok := v.m.vals[k]
	if !ok || !val.expires.IsZero() && !v.m.now().Before(val.expires) {
		return nil, false
	}
	return val.val, true
}

func (v memView) Get(key []byte, fn func([]byte) error) (bool, error) {
	val, ok := v.lookup(string(key))
	if !ok {
		return false, nil
	}
	return true, fn(val)
}

func (memView) Set([]byte, []byte) error                   { return ErrReadOnly }
func (memView) SetTTL([]byte, []byte, time.Duration) error { return ErrReadOnly }
func (memView) Delete([]byte) error                        { return ErrReadOnly }

func (v memView) Scan(prefix, from []byte, _ int, fn func(key, val []byte) (bool, error)) error {
	p := string(prefix)
	i, _ := slices.BinarySearch(v.m.keys, string(from))
	for ; i < len(v.m.keys) && len(v.m.keys[i]) >= len(p) && v.m.keys[i][:len(p)] == p; i++ {
		val, ok := v.lookup(v.m.keys[i])
		if !ok {
			continue
		}
		if more, err := fn([]byte(v.m.keys[i]), val); err != nil || !more {
			return err
		}
	}
	return nil
}
