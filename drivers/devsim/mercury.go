package devsim

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"

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
	tagField
	opt    MercuryReaderOptions
	faults *lineFaults

	mu       sync.Mutex
	link     ptyLink
	done     chan struct{}
	wg       sync.WaitGroup
	reading  bool
	meta     uint16
	commands map[byte][][]byte // data of every command received, by opcode
	wmu      sync.Mutex        // serialises frames on the line
	// plugMu makes Unplug (which waits for the serving goroutines after
	// releasing mu) and Replug one at a time: a Replug during that wait
	// would add to the WaitGroup being waited on.
	plugMu sync.Mutex
}

// NewMercuryReader creates a plugged-in virtual module.
func NewMercuryReader(opt MercuryReaderOptions) (*MercuryReader, error) {
	if opt.Name == "" {
		opt.Name = "usb-Dockhand_Virtual_M6e_Nano-if00"
	}
	if opt.ReadPeriod == 0 {
		opt.ReadPeriod = 50 * time.Millisecond
	}
	link, err := newPTYLink("mercury", opt.Dir, opt.Name, opt.Log.With().Str("device", "mercury").Logger())
	if err != nil {
		return nil, err
	}
	m := &MercuryReader{opt: opt, faults: newLineFaults(opt.Seed, 0x6e0), link: link,
		commands: map[byte][][]byte{}}
	if err := m.Replug(); err != nil {
		m.link.removeDir()
		return nil, err
	}
	return m, nil
}

// Path is the stable device path the driver opens.
func (m *MercuryReader) Path() string { return m.link.path() }

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
func (m *MercuryReader) Garbage(n int) error { return m.write(m.faults.noise(n, nil)) }

// SetSlow paces every following byte by perByte (a slow link); 0 restores
// full speed.
func (m *MercuryReader) SetSlow(perByte time.Duration) { m.faults.setSlow(perByte) }

// CutNextFrame makes the next frame stop halfway, after which the module is
// unplugged: a cable pulled mid-frame. Replug brings it back.
func (m *MercuryReader) CutNextFrame() { m.faults.cutNextWrite() }

// Unplug hangs the terminal up (the driver's reads fail) and removes the
// link; continuous reading stops, as on a power loss.
func (m *MercuryReader) Unplug() error {
	m.plugMu.Lock()
	defer m.plugMu.Unlock()
	m.mu.Lock()
	if !m.link.plugged() {
		m.mu.Unlock()
		return errors.New("devsim mercury: already unplugged")
	}
	close(m.done)
	err := m.link.unplug()
	m.reading = false
	m.mu.Unlock()
	m.wg.Wait()
	return err
}

// Replug creates a fresh terminal behind Path.
func (m *MercuryReader) Replug() error {
	m.plugMu.Lock()
	defer m.plugMu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.link.plug(); err != nil {
		return err
	}
	m.done = make(chan struct{})
	m.wg.Add(2)
	go m.serve(m.link.master)
	go m.cycle(m.done)
	return nil
}

// Close unplugs the module and removes a temporary directory it created.
func (m *MercuryReader) Close() error {
	m.mu.Lock()
	plugged := m.link.shut()
	m.mu.Unlock()
	var err error
	if plugged {
		err = m.Unplug()
	}
	m.link.removeDir()
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
	tags := m.inField()
	if len(tags) == 0 {
		return mercury.Reply(mercury.OpReadTagMultiple, mercury.StatusNoTagsFound, nil)
	}
	var recs []mercury.TagRecord
	for _, t := range tags {
		recs = append(recs, mercury.TagRecord{EPC: t.EPC, ReadCount: 1, RSSI: int(t.RSSI), HasRSSI: true,
			Antenna: t.Antenna, Timestamp: uint32(m.opt.ReadPeriod.Milliseconds())})
	}
	return mercury.Reply(mercury.OpReadTagMultiple, mercury.StatusOK, mercury.RecordsData(m.meta, recs))
}

// write sends b, honouring the slow and cut-mid-frame faults.
func (m *MercuryReader) write(b []byte) error {
	perByte, cut := m.faults.next()
	m.mu.Lock()
	master := m.link.master
	m.mu.Unlock()
	if master == nil {
		return errors.New("devsim mercury: unplugged")
	}
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if cut {
		b = b[:len(b)/2]
	}
	if err := writePaced(master, b, perByte); err != nil {
		return fmt.Errorf("devsim mercury write: %w", err)
	}
	if cut {
		m.mu.Lock()
		slave := m.link.slave
		m.mu.Unlock()
		awaitDrained(slave)
		go func() { _ = m.Unplug() }() // Unplug waits for this writer's goroutine
		return errors.New("devsim mercury: cut mid-frame")
	}
	return nil
}
