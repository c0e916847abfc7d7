package devsim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/creack/pty"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// ptyLink is the serial line of a simulator: a pseudo-terminal behind a
// stable symlink, the way udev names USB serial devices under
// /dev/serial/by-id. plug puts a fresh terminal behind the name and unplug
// hangs it up and removes the name, so a driver that reopens the name finds
// the device again after a replug. The owning simulator guards it with its
// own mutex.
type ptyLink struct {
	what    string // prefix of errors, e.g. "devsim scanner"
	log     zerolog.Logger
	dir     string
	name    string
	tempDir bool     // dir was created by newPTYLink; removeDir deletes it
	master  *os.File // nil while unplugged
	slave   *os.File // kept open so the terminal settings survive driver reopens
	closed  bool
}

// newPTYLink returns an unplugged link named name in dir, or in a new
// temporary directory when dir is "". kind ("scanner") names the device in
// errors and in the temporary directory.
func newPTYLink(kind, dir, name string, log zerolog.Logger) (ptyLink, error) {
	l := ptyLink{what: "devsim " + kind, log: log, dir: dir, name: name}
	if l.dir == "" {
		d, err := os.MkdirTemp("", "devsim-"+kind+"-")
		if err != nil {
			return ptyLink{}, fmt.Errorf("%s: %w", l.what, err)
		}
		l.dir, l.tempDir = d, true
	}
	return l, nil
}

// path is the stable name a driver opens; it survives unplug and plug.
func (l *ptyLink) path() string { return filepath.Join(l.dir, l.name) }

func (l *ptyLink) plugged() bool { return l.master != nil }

// plug creates a fresh terminal behind path.
func (l *ptyLink) plug() error {
	if l.closed {
		return fmt.Errorf("%s: closed", l.what)
	}
	if l.master != nil {
		return fmt.Errorf("%s: already plugged in", l.what)
	}
	master, slave, err := openRawPTY()
	if err != nil {
		return fmt.Errorf("%s replug: %w", l.what, err)
	}
	// Swap the link atomically so a driver never sees a half-made name.
	tmp := l.path() + ".new"
	_ = os.Remove(tmp)
	if err = os.Symlink(slave.Name(), tmp); err == nil {
		err = os.Rename(tmp, l.path())
	}
	if err != nil {
		_ = master.Close()
		_ = slave.Close()
		return fmt.Errorf("%s link %s: %w", l.what, l.path(), err)
	}
	l.master, l.slave = master, slave
	l.log.Debug().Str("tty", slave.Name()).Str("path", l.path()).Msg("plugged in")
	return nil
}

// unplug hangs up a plugged-in terminal (the driver's reads fail) and
// removes the link.
func (l *ptyLink) unplug() error {
	err := errors.Join(os.Remove(l.path()), l.master.Close(), l.slave.Close())
	l.master, l.slave = nil, nil
	l.log.Debug().Msg("unplugged")
	if err != nil {
		return fmt.Errorf("%s unplug: %w", l.what, err)
	}
	return nil
}

// shut marks the link closed, so that plug refuses from now on, and reports
// whether it is still plugged in.
func (l *ptyLink) shut() (plugged bool) {
	l.closed = true
	return l.master != nil
}

// removeDir deletes the directory if newPTYLink created it.
func (l *ptyLink) removeDir() {
	if l.tempDir {
		_ = os.RemoveAll(l.dir)
	}
}

// writePaced writes b at once, or one byte at a time with perByte between
// bytes to play a slow device or link.
func writePaced(w io.Writer, b []byte, perByte time.Duration) error {
	if perByte == 0 {
		_, err := w.Write(b)
		return err
	}
	for i := range b {
		if _, err := w.Write(b[i : i+1]); err != nil {
			return err
		}
		time.Sleep(perByte) // the simulated device is slow; this is its pace
	}
	return nil
}

// awaitDrained waits, up to a second, until the driver has read what was
// just written to the master: a hang-up discards unread input, and a cable
// pulled mid-frame must leave the driver holding the part it got. The kernel
// moves written bytes into the slave's input queue asynchronously, so it
// first waits (up to 50 ms) for them to show up there, then for them to be
// read.
func awaitDrained(slave *os.File) {
	if slave == nil {
		return
	}
	const arrive, limit = 50 * time.Millisecond, time.Second
	arrived := false
	for start := time.Now(); time.Since(start) < limit; time.Sleep(time.Millisecond) {
		n, err := unix.IoctlGetInt(int(slave.Fd()), unix.TIOCINQ)
		switch {
		case err != nil:
			return
		case n > 0:
			arrived = true
		case arrived || time.Since(start) > arrive:
			return
		}
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
