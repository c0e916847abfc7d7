package health

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recorder struct {
	mu      sync.Mutex
	changes []Change
}

func (r *recorder) add(c Change) { r.mu.Lock(); r.changes = append(r.changes, c); r.mu.Unlock() }

func (r *recorder) states() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.changes {
		out = append(out, c.From+">"+c.Device.State)
	}
	return out
}

// Only changes of state reach onChange; the same state reported again
// (a driver retrying) does not, but its error is still counted.
func TestBoardReportsStateChangesOnce(t *testing.T) {
	rec := &recorder{}
	b := NewBoard(rec.add)
	h := b.Add("scanner-1", "scanner", "dock-1")
	boom := errors.New("no such file")
	h.Set(Disconnected, boom)
	h.Set(Disconnected, boom)
	h.Set(Connected, nil)
	h.Set(Connected, nil)
	h.Set(Disconnected, boom)
	assert.Equal(t, []string{"starting>disconnected", "disconnected>connected", "connected>disconnected"}, rec.states())
	d, ok := b.Get("scanner-1")
	require.True(t, ok)
	assert.Equal(t, Disconnected, d.State)
	assert.Equal(t, uint64(3), d.Errors)
	assert.Equal(t, "no such file", d.LastError)
	assert.False(t, d.Working())
	assert.Empty(t, rec.changes[1].Device.LastError, "a change without a reason carries none")
}

func TestReadsAndFailuresAreCounted(t *testing.T) {
	b := NewBoard(nil)
	h := b.Add("scanner-1", "scanner", "dock-1")
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	h.Read(at)
	h.Read(at.Add(time.Second))
	h.Failed(errors.New("bad check digit"))
	d, _ := b.Get("scanner-1")
	assert.Equal(t, uint64(2), d.Reads)
	assert.True(t, d.LastRead.Equal(at.Add(time.Second)))
	assert.Equal(t, uint64(1), d.Errors)
	assert.Equal(t, "bad check digit", d.LastError)
	assert.Equal(t, Starting, d.State, "a failed read is not a state")
}

// A replaced device starts afresh; the old driver's late reports change
// nothing, and a removed device's handle goes quiet.
func TestReplacedAndRemovedDevicesIgnoreOldHandles(t *testing.T) {
	rec := &recorder{}
	b := NewBoard(rec.add)
	old := b.Add("printer-1", "printer", "pack-1")
	old.Set(Connected, nil)
	fresh := b.Add("printer-1", "printer", "pack-2")
	old.Set(Disconnected, errors.New("stopping"))
	d, _ := b.Get("printer-1")
	assert.Equal(t, Starting, d.State)
	assert.Equal(t, "pack-2", d.Station)
	fresh.SetPrinter(Error, errors.New("paper out"), Printer{PaperOut: true, Problem: "paper out"})
	d, _ = b.Get("printer-1")
	require.NotNil(t, d.Printer)
	assert.True(t, d.Printer.PaperOut)
	b.Remove("printer-1")
	fresh.Set(Connected, nil)
	_, ok := b.Get("printer-1")
	assert.False(t, ok)
	assert.Empty(t, b.Snapshot())
	assert.Equal(t, []string{"starting>connected", "starting>error"}, rec.states())
}

func TestSnapshotKeepsConfigurationOrder(t *testing.T) {
	b := NewBoard(nil)
	for _, id := range []string{"s2", "p1", "s1"} {
		b.Add(id, "scanner", "dock-1")
	}
	b.Add("p1", "printer", "dock-1") // replaced in place
	var ids []string
	for _, d := range b.Snapshot() {
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"s2", "p1", "s1"}, ids)
}

func TestUnreadyNamesEveryReason(t *testing.T) {
	since := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	devs := []Device{
		{ID: "s1", Kind: "scanner", State: Connected},
		{ID: "r1", Kind: "rfid", State: Fault, LastError: "corrupt frame"},
		{ID: "p1", Kind: "printer", State: Error, LastError: "paper out"},
		{ID: "s2", Kind: "scanner", State: Starting, LastError: "old"},
	}
	got := Unready(devs, Link{Since: since, LastError: "connection refused"})
	assert.Equal(t, []Reason{
		{Component: "mqtt", Reason: "not connected to the broker since 2026-03-01T08:00:00Z: connection refused"},
		{Component: "device", ID: "p1", Reason: "printer p1 is error: paper out"},
		{Component: "device", ID: "s2", Reason: "scanner s2 is starting"},
	}, got)
	assert.Empty(t, Unready(devs[:2], Link{Connected: true}))
}
