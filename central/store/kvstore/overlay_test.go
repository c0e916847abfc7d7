package kvstore

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOverlayMatchesModel stacks two overlays (a batch and a function
// over it, as the Badger engine does) on committed keys, writes and
// deletes at random in each, and compares every read — Get, and Scans of
// random prefixes from random keys, stopped at random — with a map of
// what the stack should show.
func TestOverlayMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	key := func() string { return fmt.Sprintf("%c/%02d", "abc"[r.IntN(3)], r.IntN(40)) }
	for round := range 50 {
		m := NewMemory()
		model := map[string]string{}
		require.NoError(t, m.Update(context.Background(), func(kv KV) error {
			for range 40 {
				k, v := key(), fmt.Sprint("base", r.IntN(100))
				model[k] = v
				if err := kv.Set([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
			return nil
		}))
		require.NoError(t, m.View(context.Background(), func(base KV) error {
			batch := NewOverlay(base)
			fn := NewOverlay(batch)
			for _, o := range []*Overlay{batch, fn} {
				for range 30 {
					k := key()
					if r.IntN(3) == 0 {
						delete(model, k)
						require.NoError(t, o.Delete([]byte(k)))
					} else {
						v := fmt.Sprint("w", r.IntN(100))
						model[k] = v
						require.NoError(t, o.Set([]byte(k), []byte(v)))
					}
				}
			}
			for range 40 {
				k := key()
				var got string
				found, err := fn.Get([]byte(k), func(v []byte) error { got = string(v); return nil })
				require.NoError(t, err)
				want, ok := model[k]
				require.Equal(t, ok, found, "round %d: Get %s", round, k)
				require.Equal(t, want, got)
			}
			for range 40 {
				prefix := []string{"", "a/", "b/", "c/", "b/1"}[r.IntN(5)]
				from := prefix
				if r.IntN(2) == 0 {
					if k := key(); strings.HasPrefix(k, prefix) && k > prefix {
						from = k
					}
				}
				limit := 1 + r.IntN(60)
				var want []string
				for _, k := range slices.Sorted(maps.Keys(model)) {
					if strings.HasPrefix(k, prefix) && k >= from && len(want) < limit {
						want = append(want, k+"="+model[k])
					}
				}
				var got []string
				require.NoError(t, fn.Scan([]byte(prefix), []byte(from), 0, func(k, v []byte) (bool, error) {
					got = append(got, string(k)+"="+string(v))
					return len(got) < limit, nil
				}))
				require.Equal(t, want, got, "round %d: Scan %q from %q, %d keys", round, prefix, from, limit)
			}
			return nil
		}))
	}
}
