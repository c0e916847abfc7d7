// Package serialline holds the serial-port settings shared by the scanner and
// printer drivers: validation with field-named errors, conversion to
// go.bug.st/serial modes, and an Open that treats modem control as optional so
// the same driver runs on a real UART, a USB CDC device or a pseudo-terminal.
package serialline

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/rs/zerolog"
	"go.bug.st/serial"
)

// Settings are the line parameters of one serial device.
type Settings struct {
	Port     string // device path; prefer a stable /dev/serial/by-id/... name
	Baud     int    // default 9600
	DataBits int    // 7 or 8; default 8
	Parity   string // none|odd|even; default none
	StopBits string // 1|1.5|2; default 1 (1.5 only exists on Windows drivers)
}

// Validate reports the first bad field by name.
func (s Settings) Validate() error {
	if strings.TrimSpace(s.Port) == "" {
		return fmt.Errorf("port: must not be empty")
	}
	if s.Baud < 0 || (s.Baud > 0 && s.Baud < 50) || s.Baud > 4_000_000 {
		return fmt.Errorf("baud: %d is outside 50..4000000", s.Baud)
	}
	if s.DataBits != 0 && (s.DataBits < 5 || s.DataBits > 8) {
		return fmt.Errorf("data_bits: %d is not 5, 6, 7 or 8", s.DataBits)
	}
	if _, err := parity(s.Parity); err != nil {
		return err
	}
	if _, err := stopBits(s.StopBits); err != nil {
		return err
	}
	return nil
}

// Mode converts the settings to a go.bug.st/serial mode, applying defaults.
func (s Settings) Mode() (*serial.Mode, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p, _ := parity(s.Parity)
	sb, _ := stopBits(s.StopBits)
	m := &serial.Mode{BaudRate: s.Baud, DataBits: s.DataBits, Parity: p, StopBits: sb}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	// InitialStatusBits stays nil on purpose: setting it makes the library
	// fail Open on a pseudo-terminal (TIOCMGET is "inappropriate ioctl").
	return m, nil
}

func parity(s string) (serial.Parity, error) {
	switch strings.ToLower(s) {
	case "", "none", "n":
		return serial.NoParity, nil
	case "odd", "o":
		return serial.OddParity, nil
	case "even", "e":
		return serial.EvenParity, nil
	}
	return 0, fmt.Errorf("parity: %q is not none, odd or even", s)
}

func stopBits(s string) (serial.StopBits, error) {
	switch s {
	case "", "1":
		return serial.OneStopBit, nil
	case "1.5":
		// Linux/BSD termios has no 1.5 stop bits; say so now instead of
		// failing on every reconnect.
		if runtime.GOOS != "windows" {
			return 0, fmt.Errorf("stop_bits: 1.5 is not supported by %s serial drivers", runtime.GOOS)
		}
		return serial.OnePointFiveStopBits, nil
	case "2":
		return serial.TwoStopBits, nil
	}
	return 0, fmt.Errorf("stop_bits: %q is not 1, 1.5 or 2", s)
}

// Open opens the port and asserts DTR and RTS. Modem-control calls fail on
// pseudo-terminals and some USB CDC devices ("inappropriate ioctl for
// device"); they are optional, so failures are only logged.
func Open(s Settings, log zerolog.Logger) (serial.Port, error) {
	mode, err := s.Mode()
	if err != nil {
		return nil, err
	}
	port, err := serial.Open(s.Port, mode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.Port, err)
	}
	// Some scanners only transmit while DTR is asserted (RS-232 handshake
	// mode); the kernel usually raises it on open, this makes it explicit.
	if err := port.SetDTR(true); err != nil {
		log.Debug().Err(err).Str("port", s.Port).Msg("DTR not supported; continuing without modem control")
	} else if err := port.SetRTS(true); err != nil {
		log.Debug().Err(err).Str("port", s.Port).Msg("RTS not supported; continuing without modem control")
	}
	if bits, err := port.GetModemStatusBits(); err == nil {
		log.Debug().Str("port", s.Port).Bool("dsr", bits.DSR).Bool("cts", bits.CTS).Bool("dcd", bits.DCD).Msg("modem status")
	}
	return port, nil
}
