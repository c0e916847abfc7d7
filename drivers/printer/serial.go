package printer

import (
	"context"
	"fmt"
	"sync"

	"github.com/rs/zerolog"
	"go.bug.st/serial"

	"github.com/dockhand/dockhand/drivers/scanner/serialline"
)

// SerialConfig describes a printer on a serial port (RS-232 or USB CDC).
type SerialConfig struct {
	Port     string // prefer /dev/serial/by-id/...
	Baud     int    // default 9600 (Zebra factory setting)
	DataBits int    // default 8
	Parity   string // none|odd|even; default none
	StopBits string // 1|2; default 1
	Options  Options
	Log      zerolog.Logger
}

// Serial is a printer on a serial port. The port is opened on first use and
// reopened after any failure, so an unplugged USB printer recovers by itself.
type Serial struct {
	cfg  SerialConfig
	mu   sync.Mutex // one exchange at a time on the line
	port serial.Port
}

var _ Printer = (*Serial)(nil)

// NewSerial returns a serial printer; bad settings surface on first use.
func NewSerial(cfg SerialConfig) *Serial {
	cfg.Options = cfg.Options.withDefaults()
	return &Serial{cfg: cfg}
}

// Print sends zpl and waits for the printer to confirm receipt.
func (s *Serial) Print(ctx context.Context, zpl []byte) error {
	if len(zpl) == 0 {
		return notSent(errEmptyJob)
	}
	if _, err := s.session(ctx, zpl); err != nil {
		return describe(ctx, "print to", s.cfg.Port, err)
	}
	return nil
}

// Status asks the printer for ~HS.
func (s *Serial) Status(ctx context.Context) (HostStatus, error) {
	h, err := s.session(ctx, nil)
	if err != nil {
		return HostStatus{}, describe(ctx, "status of", s.cfg.Port, err)
	}
	return h, nil
}

// Close closes the port; a later call reopens it.
func (s *Serial) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closePort()
}

func (s *Serial) session(ctx context.Context, job []byte) (HostStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return HostStatus{}, notSent(err)
	}
	if s.port == nil {
		port, err := serialline.Open(serialline.Settings{
			Port: s.cfg.Port, Baud: s.cfg.Baud, DataBits: s.cfg.DataBits, Parity: s.cfg.Parity, StopBits: s.cfg.StopBits,
		}, s.cfg.Log)
		if err != nil {
			return HostStatus{}, notSent(err)
		}
		s.port = port
	}
	port := s.port
	if err := s.prepare(port); err != nil {
		_ = s.closePort()
		return HostStatus{}, notSent(err)
	}
	// Cancelling ctx closes the port, which interrupts a blocked write or read.
	stop := context.AfterFunc(ctx, func() { _ = port.Close() })
	h, err := exchange(port, job)
	if !stop() || err != nil {
		_ = s.closePort()
	}
	return h, err
}

// prepare drops stale input (e.g. the tail of an answer that timed out) and
// sets the answer timeout.
func (s *Serial) prepare(port serial.Port) error {
	if err := port.ResetInputBuffer(); err != nil {
		return fmt.Errorf("reset input: %w", err)
	}
	if err := port.SetReadTimeout(s.cfg.Options.IOTimeout); err != nil {
		return fmt.Errorf("set read timeout: %w", err)
	}
	return nil
}

func (s *Serial) closePort() error {
	if s.port == nil {
		return nil
	}
	err := s.port.Close()
	s.port = nil
	return err
}
