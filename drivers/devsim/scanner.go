package devsim

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
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
	opt    ScannerOptions
	faults *lineFaults

	mu   sync.Mutex
	link ptyLink
}

// NewScanner creates a plugged-in virtual scanner.
func NewScanner(opt ScannerOptions) (*Scanner, error) {
	if opt.Name == "" {
		opt.Name = "usb-Dockhand_Virtual_Scanner_0001-if00"
	}
	if len(opt.Suffix) == 0 {
		opt.Suffix = []byte{'\r'}
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = 5 * time.Second
	}
	link, err := newPTYLink("scanner", opt.Dir, opt.Name, opt.Log.With().Str("device", "scanner").Logger())
	if err != nil {
		return nil, err
	}
	s := &Scanner{opt: opt, faults: newLineFaults(opt.Seed, 0x5ca1ab1e), link: link}
	if err := s.Replug(); err != nil {
		s.link.removeDir()
		return nil, err
	}
	return s, nil
}

// Path is the stable name a driver should open; it survives Unplug/Replug.
func (s *Scanner) Path() string { return s.link.path() }

// TTY is the current pseudo-terminal behind Path, or "" while unplugged.
func (s *Scanner) TTY() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.link.plugged() {
		return ""
	}
	return s.link.slave.Name()
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
	return s.write(s.faults.noise(n, func(c byte) bool {
		return c != '\r' && c != '\n' && bytes.IndexByte(s.opt.Suffix, c) < 0
	}))
}

// SetSlow makes every following write pause perByte between bytes (a slow
// or congested device); 0 restores full speed.
func (s *Scanner) SetSlow(perByte time.Duration) { s.faults.setSlow(perByte) }

// ScanPartialThenUnplug sends the first half of data (no suffix), waits until
// the driver has read it, then unplugs: a cable pulled mid-frame.
func (s *Scanner) ScanPartialThenUnplug(data string) error {
	part := append(append([]byte(nil), s.opt.Prefix...), data[:len(data)/2]...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writeLocked(part); err != nil {
		return err
	}
	awaitDrained(s.link.slave)
	return s.unplugLocked()
}

// Unplug hangs up the terminal (the driver's reads fail) and removes the link.
func (s *Scanner) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unplugLocked()
}

func (s *Scanner) unplugLocked() error {
	if !s.link.plugged() {
		return ErrUnplugged
	}
	return s.link.unplug()
}

// Replug creates a fresh terminal behind Path.
func (s *Scanner) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link.plug()
}

// Close unplugs the scanner and removes a temporary directory it created.
func (s *Scanner) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.link.shut() {
		err = s.unplugLocked()
	}
	s.link.removeDir()
	return err
}

func (s *Scanner) write(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(b)
}

func (s *Scanner) writeLocked(b []byte) error {
	if !s.link.plugged() {
		return ErrUnplugged
	}
	perByte, _ := s.faults.next()
	if err := s.link.master.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout + time.Duration(len(b))*perByte)); err != nil {
		return fmt.Errorf("devsim scanner: %w", err)
	}
	if err := writePaced(s.link.master, b, perByte); err != nil {
		return fmt.Errorf("devsim scanner write: %w", err)
	}
	return nil
}
