package devsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/mercury"
)

// MercuryReaderOptions configure a virtual Mercury module. The zero value is
// usable.
type MercuryReaderOptions struct {
	// Dir holds the stable symlink (like /dev/serial/by-id); default a new
	// temporary directory, removed by Close.
	Dir string
	// Name of the symlink; default "usb-Dockhand_Virtual_M6e_Nano-if00".
	Name string
	// ReadPeriod is the read cycle: one frame with every tag in the field,
	// or a "no tags found" heartbeat; default 50 ms.
	ReadPeriod time.Duration
	Seed       uint64 // makes Garbage reproducible
	Log        zerolog.Logger
}

// MercuryReader is a virtual ThingMagic/JADAK Mercury module (M6e Nano) on
// a pseudo-terminal behind a stable symlink. It answers the configuration
// commands, and while continuous reading is on it reports the tags put into
// its field every read cycle. Faults: Garbage, SetSlow, CutNextFrame
// (mid-frame disconnect) and Unplug/Replug.
type MercuryReader struct {
	opt     MercuryReaderOptions
	tempDir bool
	log     zerolog.Logger

	mu       sync.Mutex
	master   *os.File // nil while unplugged
	slave    *os.File // held open so terminal settings survive driver reopens
	done     chan struct{}
	wg       sync.WaitGroup
	tags     map[string]rfid.Read
	reading  bool
	meta     uint16
	commands map[byte][][]byte // data of every command received, by opcode
	perByte  time.Duration
	cutNext  bool
	rnd      *rand.Rand
	closed   bool
	wmu      sync.Mutex // serialises frames on the line
}

// NewMercuryReader creates a plugged-in virtual module.
func NewMercuryReader(opt MercuryReaderOptions) (*MercuryReader, error) {
	m := &MercuryReader{opt: opt, log: opt.Log.With().Str("device", "mercury").Logger(),
		tags: map[string]rfid.Read{}, commands: map[byte][][]byte{},
		rnd: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x6e0))}
	if m.opt.Dir == "" {
		dir, err := os.MkdirTemp("", "devsim-mercury-")
		if err != nil {
			return nil, fmt.Errorf("devsim mercury: %w", err)
		}
		m.opt.Dir, m.tempDir = dir, true
	}
	if m.opt.Name == "" {
		m.opt.Name = "usb-Dockhand_Virtual_M6e_Nano-if00"
	}
	if m.opt.ReadPeriod == 0 {
		m.opt.ReadPeriod = 50 * time.Millisecond
	}
	if err := m.Replug(); err != nil {
		if m.tempDir {
			_ = os.RemoveAll(m.opt.Dir)
		}
		return nil, err
	}
	return m, nil
}

// Path is the stable device path the driver opens.
func (m *MercuryReader) Path() string { return filepath.Join(m.opt.Dir, m.opt.Name) }

// PutTag puts a tag into the field (or updates it): reported with r.EPC,
// r.Antenna (1 if 0) and r.RSSI every read cycle.
func (m *MercuryReader) PutTag(r rfid.Read) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.Antenna == 0 {
		r.Antenna = 1
	}
	m.tags[string(r.EPC)] = r
}

// RemoveTag takes a tag out of the field.
func (m *MercuryReader) RemoveTag(epc []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tags, string(epc))
}

// Commands returns the data of every command with opcode op received so far.
func (m *MercuryReader) Commands(op byte) [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.commands[op]...)
}

// Reading reports whether continuous reading is on.
func (m *MercuryReader) Reading() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reading
}

// Garbage sends n random bytes (line noise, a wrong baud rate).
func (m *MercuryReader) Garbage(n int) error {
	m.mu.Lock()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(m.rnd.UintN(256))
	}
	m.mu.Unlock()
	return m.write(b)
}

// SetSlow paces every following byte by perByte (a slow link); 0 restores
// full speed.
func (m *MercuryReader) SetSlow(perByte time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.perByte = perByte
}

// CutNextFrame makes the next frame stop halfway, after which the module is
// unplugged: a cable pulled mid-frame. Replug brings it back.
func (m *MercuryReader) CutNextFrame() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cutNext = true
}

// Unplug hangs the terminal up (the driver's reads fail) and removes the
// link; continuous reading stops, as on a power loss.
func (m *MercuryReader) Unplug() error {
	m.mu.Lock()
	if m.master == nil {
		m.mu.Unlock()
		return errors.New("devsim mercury: already unplugged")
	}
	close(m.done)
	err := errors.Join(os.Remove(m.Path()), m.master.Close(), m.slave.Close())
	m.master, m.slave, m.reading = nil, nil, false
	m.mu.Unlock()
	m.wg.Wait()
	m.log.Debug().Msg("unplugged")
	if err != nil {
		return fmt.Errorf("devsim mercury unplug: %w", err)
	}
	return nil
}

// Replug creates a fresh terminal behind Path.
func (m *MercuryReader) Replug() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("devsim mercury: closed")
	}
	if m.master != nil {
		return errors.New("devsim mercury: already plugged in")
	}
	master, slave, err := openRawPTY()
	if err != nil {
		return fmt.Errorf("devsim mercury replug: %w", err)
	}
	tmp := m.Path() + ".new" // swap the link atomically, as udev does
	_ = os.Remove(tmp)
	if err = os.Symlink(slave.Name(), tmp); err == nil {
		err = os.Rename(tmp, m.Path())
	}
	if err != nil {
		_ = master.Close()
		_ = slave.Close()
		return fmt.Errorf("devsim mercury link %s: %w", m.Path(), err)
	}
	m.master, m.slave, m.done = master, slave, make(chan struct{})
	m.wg.Add(2)
	go m.serve(master)
	go m.cycle(m.done)
	m.log.Debug().Str("tty", slave.Name()).Str("path", m.Path()).Msg("plugged in")
	return nil
}

// Close unplugs the module and removes a temporary directory it created.
func (m *MercuryReader) Close() error {
	m.mu.Lock()
	plugged := m.master != nil
	m.closed = true
	m.mu.Unlock()
	var err error
	if plugged {
		err = m.Unplug()
	}
	if m.tempDir {
		_ = os.RemoveAll(m.opt.Dir)
	}
	return err
}

// serve decodes commands from the host and answers them.
func (m *MercuryReader) serve(master *os.File) {
	defer m.wg.Done()
	dec := mercury.Decoder{}
	buf := make([]byte, 512)
	for {
		n, err := master.Read(buf)
		if err != nil {
			return
		}
		dec.Write(buf[:n])
		for {
			f, ok, _, _ := dec.Next()
			if !ok {
				break
			}
			if m.write(m.answer(f)) != nil {
				return
			}
		}
	}
}

// answer handles one command and returns the reply frame.
func (m *MercuryReader) answer(f mercury.Frame) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.commands[f.Op] = append(m.commands[f.Op], f.Data)
	switch f.Op {
	case mercury.OpGetVersion:
		// boot loader, hardware, boot date, firmware, supported protocols
		return mercury.Reply(f.Op, mercury.StatusOK, []byte{
			0x12, 0x26, 0x00, 0x00, 0x18, 0x00, 0x00, 0x01, 0x20, 0x25, 0x03, 0x01,
			0x01, 0x0B, 0x02, 0x05, 0x00, 0x00, 0x00, 0x10})
	case mercury.OpSetRegion, mercury.OpSetTagProtocol, mercury.OpSetAntennaPort,
		mercury.OpSetReadTxPower, mercury.OpSetReaderOptional:
		return mercury.Reply(f.Op, mercury.StatusOK, nil)
	case mercury.OpMultiProtocolTag:
		if mercury.IsStopContinuous(f.Data) {
			m.reading = false
			return mercury.Reply(f.Op, mercury.StatusOK, nil)
		}
		meta, err := mercury.StartMetadata(f.Data)
		if err != nil {
			return mercury.Reply(f.Op, 0x0105, nil) // invalid argument
		}
		m.reading, m.meta = true, meta
		return mercury.Reply(f.Op, mercury.StatusOK, nil)
	}
	return mercury.Reply(f.Op, 0x0101, nil) // invalid opcode
}

// cycle sends one read-cycle frame per ReadPeriod while reading.
func (m *MercuryReader) cycle(done chan struct{}) {
	defer m.wg.Done()
	t := time.NewTicker(m.opt.ReadPeriod)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if frame := m.cycleFrame(); frame != nil && m.write(frame) != nil {
			return
		}
	}
}

func (m *MercuryReader) cycleFrame() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.reading {
		return nil
	}
	if len(m.tags) == 0 {
		return mercury.Reply(mercury.OpReadTagMultiple, mercury.StatusNoTagsFound, nil)
	}
	var recs []mercury.TagRecord
	for _, t := range m.tags {
		recs = append(recs, mercury.TagRecord{EPC: t.EPC, ReadCount: 1, RSSI: int(t.RSSI), HasRSSI: true,
			Antenna: t.Antenna, Timestamp: uint32(m.opt.ReadPeriod.Milliseconds())})
	}
	return mercury.Reply(mercury.OpReadTagMultiple, mercury.StatusOK, mercury.RecordsData(m.meta, recs))
}

// write sends b, honouring the slow and cut-mid-frame faults.
func (m *MercuryReader) write(b []byte) error {
	m.mu.Lock()
	master, perByte, cut := m.master, m.perByte, m.cutNext
	m.cutNext = false
	m.mu.Unlock()
	if master == nil {
		return errors.New("devsim mercury: unplugged")
	}
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if cut {
		b = b[:len(b)/2]
	}
	var err error
	if perByte == 0 {
		_, err = master.Write(b)
	}
	for i := 0; perByte > 0 && i < len(b) && err == nil; i++ {
		_, err = master.Write(b[i : i+1])
		time.Sleep(perByte) // the simulated link is slow; this is its pace
	}
	if err != nil {
		return fmt.Errorf("devsim mercury write: %w", err)
	}
	if cut {
		m.awaitDrained()
		go func() { _ = m.Unplug() }() // Unplug waits for this writer's goroutine
		return errors.New("devsim mercury: cut mid-frame")
	}
	return nil
}

// awaitDrained waits (up to a second) until the driver has read what was
// written: a hang-up discards unread input, and a mid-frame cut must leave
// the driver holding half a frame.
func (m *MercuryReader) awaitDrained() {
	m.mu.Lock()
	slave := m.slave
	m.mu.Unlock()
	if slave == nil {
		return
	}
	// The kernel moves written bytes to the slave's input queue
	// asynchronously: wait for them to show up, then to be read.
	arrived := false
	for start := time.Now(); time.Since(start) < time.Second; time.Sleep(time.Millisecond) {
		n, err := unix.IoctlGetInt(int(slave.Fd()), unix.TIOCINQ)
		switch {
		case err != nil:
			return
		case n > 0:
			arrived = true
		case arrived || time.Since(start) > 50*time.Millisecond:
			return
		}
	}
}
