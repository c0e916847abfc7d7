package devsim

import (
	"sync"

	"github.com/dockhand/dockhand/drivers/rfid"
)

// tagField is the set of tags in an RFID simulator's antenna field. The zero
// value is an empty field.
type tagField struct {
	mu   sync.Mutex
	tags map[string]rfid.Read // by EPC
}

// PutTag puts a tag into the field (or updates it): it is reported with
// r.EPC, r.Antenna (1 if 0) and r.RSSI on every read cycle.
func (f *tagField) PutTag(r rfid.Read) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Antenna == 0 {
		r.Antenna = 1
	}
	if f.tags == nil {
		f.tags = map[string]rfid.Read{}
	}
	f.tags[string(r.EPC)] = r
}

// RemoveTag takes a tag out of the field.
func (f *tagField) RemoveTag(epc []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tags, string(epc))
}

// inField returns the tags in the field, in no particular order.
func (f *tagField) inField() []rfid.Read {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]rfid.Read, 0, len(f.tags))
	for _, t := range f.tags {
		out = append(out, t)
	}
	return out
}
