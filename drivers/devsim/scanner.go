package devsim

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// ScannerOptions configure a virtual scanner. The zero value is usable.
type ScannerOptions struct {
	// Dir holds the stable symlink, like /dev/serial/by-id. Default: a new
	// temporary directory, removed by Close.
	Dir string
	// Name of the symlink; default "usb-Dockhand_Virtual_Scanner_0001-if00".
	Name string
	// Suffix appended by Scan; default CR (the factory setting of most
	// scanners).
	Suffix []byte
	// Prefix sent before each scan's data; default none.
	Prefix []byte
	// Seed makes Garbage reproducible.
	Seed uint64
	// WriteTimeout bounds a write when nobody reads the port; default 5 s.
	WriteTimeout time.Duration
	Log          zerolog.Logger
}

// ErrUnplugged is returned by writes to an unplugged virtual scanner.
var ErrUnplugged = errors.New("virtual scanner is unplugged")

// Scanner is a virtual serial barcode scanner on a pseudo-terminal. The
// driver under test opens Path(); Unplug hangs the terminal up and removes
// the link, Replug creates a new terminal behind the same link, as udev does
// for /dev/serial/by-id names.
type Scanner struct {
	opt     ScannerOptions
	tempDir bool
	log     zerolog.Logger

	mu      sync.Mutex
	master  *os.File // nil while unplugged
	slave   *os.File // kept open so the terminal settings survive driver reopens
	perByte time.Duration
	rnd     *rand.Rand
	closed  bool
}

// NewScanner creates a plugged-in virtual scanner.
func NewScanner(opt ScannerOptions) (*Scanner, error) {
	s := &Scanner{opt: opt, log: opt.Log.With().Str("device", "scanner").Logger()}
	if s.opt.Dir == "" {
		dir, err := os.MkdirTemp("", "devsim-scanner-")
		if err != nil {
			return nil, fmt.Errorf("devsim scanner: %w", err)
		}
		s.opt.Dir, s.tempDir = dir, true
	}
	if s.opt.Name == "" {
		s.opt.Name = "usb-Dockhand_Virtual_Scanner_0001-if00"
	}
	if len(s.opt.Suffix) == 0 {
		s.opt.Suffix = []byte{'\r'}
	}
	if s.opt.WriteTimeout == 0 {
		s.opt.WriteTimeout = 5 * time.Second
	}
	s.rnd = rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5ca1ab1e))
	if err := s.Replug(); err != nil {
		s.cleanupDir()
		return nil, err
	}
	return s, nil
}

// Path is the stable name a driver should open; it survives Unplug/Replug.
func (s *Scanner) Path() string { return filepath.Join(s.opt.Dir, s.opt.Name) }

// TTY is the current pseudo-terminal behind Path, or "" while unplugged.
func (s *Scanner) TTY() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slave == nil {
		return ""
	}
	return s.slave.Name()
}

// Scan sends data followed by the prefix/suffix framing, like a trigger pull.
func (s *Scanner) Scan(data string) error {
	frame := append(append(append([]byte(nil), s.opt.Prefix...), data...), s.opt.Suffix...)
	return s.write(frame)
}

// Garbage sends n random bytes without a suffix, like line noise or a wrong
// baud rate; it never produces CR, LF or a suffix byte, so the noise ends up
// in front of the next scan.
func (s *Scanner) Garbage(n int) error {
	s.mu.Lock()
	b := make([]byte, 0, n)
	for len(b) < n {
		c := byte(s.rnd.UintN(256))
		if c != '\r' && c != '\n' && bytes.IndexByte(s.opt.Suffix, c) < 0 {
			b = append(b, c)
		}
	}
	s.mu.Unlock()
	return s.write(b)
}

// SetSlow makes every following write pause perByte between bytes (a slow
// or congested device); 0 restores full speed.
func (s *Scanner) SetSlow(perByte time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perByte = perByte
}

// ScanPartialThenUnplug sends the first half of data (no suffix), waits until
// the driver has read it, then unplugs: a cable pulled mid-frame.
func (s *Scanner) ScanPartialThenUnplug(data string) error {
	part := append(append([]byte(nil), s.opt.Prefix...), data[:len(data)/2]...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writeLocked(part); err != nil {
		return err
	}
	s.waitDrainedLocked(50*time.Millisecond, time.Second)
	return s.unplugLocked()
}

// Unplug hangs up the terminal (the driver's reads fail) and removes the link.
func (s *Scanner) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unplugLocked()
}

func (s *Scanner) unplugLocked() error {
	if s.master == nil {
		return ErrUnplugged
	}
	err := errors.Join(os.Remove(s.Path()), s.master.Close(), s.slave.Close())
	s.master, s.slave = nil, nil
	s.log.Debug().Msg("unplugged")
	if err != nil {
		return fmt.Errorf("devsim scanner unplug: %w", err)
	}
	return nil
}

// Replug creates a fresh terminal behind Path.
func (s *Scanner) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("devsim scanner: closed")
	}
	if s.master != nil {
		return errors.New("devsim scanner: already plugged in")
	}
	master, slave, err := openRawPTY()
	if err != nil {
		return fmt.Errorf("devsim scanner replug: %w", err)
	}
	// Swap the link atomically so a driver never sees a half-made name.
	tmp := s.Path() + ".new"
	_ = os.Remove(tmp)
	err = os.Symlink(slave.Name(), tmp)
	if err == nil {
		err = os.Rename(tmp, s.Path())
	}
	if err != nil {
		_ = master.Close()
		_ = slave.Close()
		return fmt.Errorf("devsim scanner link %s: %w", s.Path(), err)
	}
	s.master, s.slave = master, slave
	s.log.Debug().Str("tty", slave.Name()).Str("path", s.Path()).Msg("plugged in")
	return nil
}

// Close unplugs the scanner and removes a temporary directory it created.
func (s *Scanner) Close() error {
	s.mu.Lock()
	plugged := s.master != nil
	s.closed = true
	s.mu.Unlock()
	var err error
	if plugged {
		err = s.Unplug()
	}
	s.cleanupDir()
	return err
}

func (s *Scanner) cleanupDir() {
	if s.tempDir {
		_ = os.RemoveAll(s.opt.Dir)
	}
}

func (s *Scanner) write(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(b)
}

func (s *Scanner) writeLocked(b []byte) error {
	if s.master == nil {
		return ErrUnplugged
	}
	if err := s.master.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout + time.Duration(len(b))*s.perByte)); err != nil {
		return fmt.Errorf("devsim scanner: %w", err)
	}
	if s.perByte == 0 {
		if _, err := s.master.Write(b); err != nil {
			return fmt.Errorf("devsim scanner write: %w", err)
		}
		return nil
	}
	for i := range b {
		if _, err := s.master.Write(b[i : i+1]); err != nil {
			return fmt.Errorf("devsim scanner write: %w", err)
		}
		time.Sleep(s.perByte) // the simulated device is slow; this is its pace
	}
	return nil
}

// waitDrainedLocked gives the reader the chance to take the bytes just written
// before a hang-up flushes them: the kernel moves written bytes into the
// terminal's input queue asynchronously, so it waits for them to appear
// there (up to arrive) and then to be read (up to limit).
func (s *Scanner) waitDrainedLocked(arrive, limit time.Duration) {
	if s.slave == nil {
		return
	}
	inq := func() int {
		n, err := unix.IoctlGetInt(int(s.slave.Fd()), unix.TIOCINQ)
		if err != nil {
			return 0
		}
		return n
	}
	start := time.Now()
	for inq() == 0 && time.Since(start) < arrive {
		time.Sleep(100 * time.Microsecond)
	}
	for inq() > 0 && time.Since(start) < limit {
		time.Sleep(100 * time.Microsecond)
	}
}

// openRawPTY opens a pseudo-terminal pair with the slave in raw mode, so
// bytes pass unchanged even before a driver configures the port, and the
// master non-blocking so that writes honour deadlines and Close interrupts
// them.
func openRawPTY() (master, slave *os.File, err error) {
	m, sl, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = m.Close()
			_ = sl.Close()
		}
	}()
	tio, err := unix.IoctlGetTermios(int(sl.Fd()), unix.TCGETS)
	if err != nil {
		return nil, nil, fmt.Errorf("get termios: %w", err)
	}
	makeRaw(tio)
	if err := unix.IoctlSetTermios(int(sl.Fd()), unix.TCSETS, tio); err != nil {
		return nil, nil, fmt.Errorf("set termios: %w", err)
	}
	// pty.Open leaves the master blocking; re-wrap a non-blocking duplicate
	// so the Go runtime poller manages it.
	fd, err := unix.Dup(int(m.Fd()))
	if err != nil {
		return nil, nil, fmt.Errorf("dup master: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return nil, nil, fmt.Errorf("non-blocking master: %w", err)
	}
	_ = m.Close()
	return os.NewFile(uintptr(fd), "/dev/ptmx"), sl, nil
}

// makeRaw applies cfmakeraw(3) settings.
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
}
