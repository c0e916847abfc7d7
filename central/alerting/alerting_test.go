package alerting

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/stock"
)

// clock is a fake clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// keeper plays the caller: it keeps each key's window and records what
// was published.
type keeper struct {
	c         Collapser
	windows   map[Key]*Window
	published []stock.Alert
}

func newKeeper(clk *clock) *keeper {
	return &keeper{c: Collapser{Window: time.Minute, Now: clk.now}, windows: map[Key]*Window{}}
}

func (k *keeper) raise(gateway, station string, al stock.Alert) {
	key := KeyOf(gateway, station, al)
	d := k.c.Raise(k.windows[key], key, al)
	if d.Summary != nil {
		k.published = append(k.published, *d.Summary)
	}
	if d.Alert != nil {
		k.published = append(k.published, *d.Alert)
	}
	k.store(key, d.Next)
}

func (k *keeper) flush() {
	for key, w := range k.windows {
		if k.c.Due(*w) {
			s, next := k.c.Flush(*w)
			if s != nil {
				k.published = append(k.published, *s)
			}
			k.store(key, next)
		}
	}
}

func (k *keeper) store(key Key, w *Window) {
	if w == nil {
		delete(k.windows, key)
	} else {
		k.windows[key] = w
	}
}

func badScan(i int) stock.Alert {
	return stock.Alert{Kind: "bad-scan", Severity: "warning", Device: "scanner-1", Class: "bad-scan",
		Message: fmt.Sprintf("bad scan at dock-1: garbage %d", i), Ref: fmt.Sprint(i)}
}

func TestFirstAtOnceThenOneSummaryPerWindow(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	k := newKeeper(clk)
	start := clk.t
	for i := range 3772 { // the flood: 1 MB of garbage in about a second
		k.raise("gw1", "dock-1", badScan(i))
		if i%100 == 0 {
			clk.advance(30 * time.Millisecond)
		}
	}
	require.Len(t, k.published, 1, "only the first is sent at once")
	assert.Equal(t, "bad scan at dock-1: garbage 0", k.published[0].Message)
	assert.Zero(t, k.published[0].Count)

	k.flush()
	require.Len(t, k.published, 1, "nothing before the window is over")
	clk.t = start.Add(time.Minute)
	k.flush()
	require.Len(t, k.published, 2)
	s := k.published[1]
	assert.Equal(t, int64(3771), s.Count)
	assert.Equal(t, "bad-scan", s.Kind)
	assert.Equal(t, "warning", s.Severity)
	assert.Equal(t, "3771", s.Ref, "the last repeat's reference")
	assert.Equal(t, start.Add(30*time.Millisecond), *s.First, "the first repeat, not the alert sent at once")
	assert.True(t, s.Last.After(*s.First))
	assert.Contains(t, s.Message, "3771 more bad-scan alerts like this")
	assert.Contains(t, s.Message, "the last: bad scan at dock-1: garbage 3771")

	// Repeats go on in the next window: one more summary for it.
	clk.advance(10 * time.Second)
	k.raise("gw1", "dock-1", badScan(5000))
	k.raise("gw1", "dock-1", badScan(5001))
	require.Len(t, k.published, 2, "held back: the flood goes on")
	clk.advance(time.Minute)
	k.flush()
	require.Len(t, k.published, 3)
	assert.Equal(t, int64(2), k.published[2].Count)

	// A quiet window closes the key; the next alert is sent at once.
	clk.advance(time.Minute)
	k.flush()
	assert.Empty(t, k.windows)
	k.raise("gw1", "dock-1", badScan(6000))
	require.Len(t, k.published, 4)
	assert.Zero(t, k.published[3].Count)
}

func TestDifferentKeysAreNotCollapsed(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	k := newKeeper(clk)
	other := badScan(1)
	other.Device = "scanner-2"
	k.raise("gw1", "dock-1", badScan(1))
	k.raise("gw1", "dock-1", other)
	k.raise("gw2", "dock-1", badScan(1))
	k.raise("gw1", "dock-2", badScan(1))
	k.raise("gw1", "dock-1", stock.Alert{Kind: "unexpected-scan", Device: "scanner-1", Class: "bad-scan", Message: "x"})
	// Without a class, only identical messages are the same alert.
	k.raise("gw1", "dock-1", stock.Alert{Kind: "unknown-lpn", Message: "L1 is not a licence plate"})
	k.raise("gw1", "dock-1", stock.Alert{Kind: "unknown-lpn", Message: "L2 is not a licence plate"})
	k.raise("gw1", "dock-1", stock.Alert{Kind: "unknown-lpn", Message: "L2 is not a licence plate"})
	assert.Len(t, k.published, 7)
}

// A repeat that arrives after its window ended, before anyone flushed,
// gets the summary out first and opens the next window.
func TestLateRepeatFlushesTheWindowItEnds(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	k := newKeeper(clk)
	k.raise("gw1", "dock-1", badScan(1))
	clk.advance(time.Second)
	k.raise("gw1", "dock-1", badScan(2))
	clk.advance(70 * time.Second)
	k.raise("gw1", "dock-1", badScan(3))
	require.Len(t, k.published, 2)
	assert.Equal(t, int64(1), k.published[1].Count, "the summary of the first window")
	assert.Equal(t, int64(1), k.windows[KeyOf("gw1", "dock-1", badScan(3))].Count, "the third is held back in the second window")

	clk.advance(5 * time.Minute)
	k.raise("gw1", "dock-1", badScan(4))
	require.Len(t, k.published, 4, "summary of the second window, then the fourth at once")
	assert.Equal(t, int64(1), k.published[2].Count)
	assert.Zero(t, k.published[3].Count)
}

// The state is a value: a decision whose Next is dropped (the caller's
// transaction aborted) leaves the stored window as it was, so the retried
// alert is counted once.
func TestAnAbortedDecisionChangesNothing(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	c := Collapser{Window: time.Minute, Now: clk.now}
	key := KeyOf("gw1", "dock-1", badScan(1))
	first := c.Raise(nil, key, badScan(1))
	stored := *first.Next
	_ = c.Raise(&stored, key, badScan(2)) // aborted: Next not stored
	retried := c.Raise(&stored, key, badScan(2))
	assert.Equal(t, int64(1), retried.Next.Count)
	assert.Zero(t, stored.Count, "the stored window is untouched")
}
