package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Printer is a ZPL label printer.
type Printer interface {
	// Print sends one job. It returns nil only once the printer has
	// confirmed receipt of the whole job (by answering a ~HS sent after it).
	// An error matching ErrNotSent means no byte of the job left this host.
	Print(ctx context.Context, zpl []byte) error
	// Status asks ~HS and parses the answer.
	Status(ctx context.Context) (HostStatus, error)
	Close() error
}

// Options tune a printer connection. Zero values mean the defaults.
type Options struct {
	DialTimeout time.Duration // TCP connect; default 3 s
	IOTimeout   time.Duration // bounds one exchange (job + status answer); default 10 s
}

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 3 * time.Second
	}
	if o.IOTimeout <= 0 {
		o.IOTimeout = 10 * time.Second
	}
	return o
}

// ErrNotSent marks failures where provably no byte of the job reached the
// printer (dial or open failed, nothing written), so resending cannot print
// a label twice. Test with errors.Is.
var ErrNotSent = errors.New("job not sent")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("printer closed")

var errEmptyJob = errors.New("empty job")

type notSentError struct{ err error }

func (e notSentError) Error() string        { return e.err.Error() + " (nothing sent)" }
func (e notSentError) Unwrap() error        { return e.err }
func (e notSentError) Is(target error) bool { return target == ErrNotSent }

func notSent(err error) error { return notSentError{err} }

// hostStatusQuery asks for ~HS; it is a tilde (immediate) command, so its
// answer also proves that every byte sent before it was received.
var hostStatusQuery = []byte("~HS")

// maxStatusAnswer bounds how much a confused device can make us buffer.
const maxStatusAnswer = 1024

// exchange sends job (if any) followed by ~HS and reads the status answer.
// A Read returning (0, nil) counts as a timeout (serial ports do that).
func exchange(rw io.ReadWriter, job []byte) (HostStatus, error) {
	if len(job) > 0 {
		n, err := rw.Write(job)
		if err != nil {
			if n == 0 {
				return HostStatus{}, notSent(fmt.Errorf("write job: %w", err))
			}
			return HostStatus{}, fmt.Errorf("write job: sent %d of %d bytes: %w", n, len(job), err)
		}
	}
	if n, err := rw.Write(hostStatusQuery); err != nil {
		if len(job) == 0 && n == 0 {
			return HostStatus{}, notSent(fmt.Errorf("write ~HS: %w", err))
		}
		return HostStatus{}, fmt.Errorf("write ~HS: %w", err)
	}
	answer := make([]byte, 0, 128)
	buf := make([]byte, 256)
	for bytes.Count(answer, []byte{etx}) < 3 {
		n, err := rw.Read(buf)
		answer = append(answer, buf[:n]...)
		switch {
		case err != nil:
			return HostStatus{}, fmt.Errorf("read ~HS answer (%d bytes so far): %w", len(answer), err)
		case n == 0:
			return HostStatus{}, fmt.Errorf("read ~HS answer: timeout after %d bytes", len(answer))
		case len(answer) > maxStatusAnswer:
			return HostStatus{}, fmt.Errorf("read ~HS answer: more than %d bytes without 3 strings", maxStatusAnswer)
		}
	}
	return ParseHostStatus(answer)
}

// describe wraps a failed exchange for the caller, naming the printer and
// the context error when the caller gave up.
func describe(ctx context.Context, what, where string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", err, cerr)
	}
	return fmt.Errorf("%s %s: %w", what, where, err)
}
