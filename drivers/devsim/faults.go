package devsim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// lineFaults are the faults a simulator injects on its line: random noise,
// a slow line and a cut in the middle of the next frame. What "slow" means
// (a pause per byte or per message) is up to the simulator's write.
type lineFaults struct {
	mu      sync.Mutex
	rnd     *rand.Rand
	slow    time.Duration
	cutNext bool
}

// newLineFaults seeds the noise; salt keeps simulators sharing a seed apart.
func newLineFaults(seed, salt uint64) *lineFaults {
	return &lineFaults{rnd: rand.New(rand.NewPCG(seed, seed^salt))}
}

// noise returns n random bytes, drawing again for any byte keep rejects
// (keep may be nil).
func (f *lineFaults) noise(n int, keep func(byte) bool) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := make([]byte, 0, n)
	for len(b) < n {
		c := byte(f.rnd.UintN(256))
		if keep == nil || keep(c) {
			b = append(b, c)
		}
	}
	return b
}

func (f *lineFaults) setSlow(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slow = d
}

func (f *lineFaults) cutNextWrite() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cutNext = true
}

// next returns the faults for the next write: its pace and whether to cut
// it, which happens once per cutNextWrite.
func (f *lineFaults) next() (slow time.Duration, cut bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cut, f.cutNext = f.cutNext, false
	return f.slow, cut
}
