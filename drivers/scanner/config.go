package scanner

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/drivers/scanner/serialline"
)

// Defaults applied by New for zero-valued Config fields.
const (
	DefaultMaxFrame     = 4096
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 10 * time.Second
	DefaultStableAfter  = 5 * time.Second
)

// Config describes one serial barcode scanner.
type Config struct {
	Port     string // device path; prefer /dev/serial/by-id/... (stable across reboots and replugs)
	Baud     int    // default 9600
	DataBits int    // 7 or 8; default 8
	Parity   string // none|odd|even; default none
	StopBits string // 1|1.5|2; default 1

	// Suffix terminates a frame; default CR. With a CR or LF suffix a CR LF
	// pair counts as one terminator, so CR, LF and CRLF scanners all work.
	// Any other suffix (e.g. ETX, TAB, "\r\n" exactly) is matched literally.
	Suffix []byte
	// Prefix is optional; it is stripped from frames that start with it.
	Prefix []byte
	// MaxFrame bounds a frame (without prefix and suffix); default 4096.
	// Longer input yields a FrameError event and is skipped up to the next
	// suffix.
	MaxFrame int
	// AllowBinary turns off the binary-garbage check (control bytes other than
	// EOT, TAB, LF, CR, FS, GS, RS, US, and bytes 0x7F/0xFF make a frame a
	// FrameError by default). Set it for symbologies carrying raw binary.
	AllowBinary bool

	// Reconnect backoff: the first retry waits ReconnectMin, each failure
	// doubles the wait up to ReconnectMax. A connection that stays up for
	// StableAfter, or delivers a good frame, resets the backoff.
	ReconnectMin time.Duration
	ReconnectMax time.Duration
	StableAfter  time.Duration
}

func (c Config) line() serialline.Settings {
	return serialline.Settings{Port: c.Port, Baud: c.Baud, DataBits: c.DataBits, Parity: c.Parity, StopBits: c.StopBits}
}

// Validate checks the configuration; the error names the bad field.
func (c Config) Validate() error {
	if err := c.line().Validate(); err != nil {
		return fmt.Errorf("scanner config: %w", err)
	}
	if c.MaxFrame < 0 {
		return fmt.Errorf("scanner config: max_frame: %d must not be negative", c.MaxFrame)
	}
	if len(c.Suffix) > 16 {
		return fmt.Errorf("scanner config: suffix: %d bytes is longer than 16", len(c.Suffix))
	}
	if len(c.Prefix) > 16 {
		return fmt.Errorf("scanner config: prefix: %d bytes is longer than 16", len(c.Prefix))
	}
	if c.ReconnectMin < 0 || c.ReconnectMax < 0 || c.StableAfter < 0 {
		return fmt.Errorf("scanner config: reconnect_min/reconnect_max/stable_after must not be negative")
	}
	if c.ReconnectMin > 0 && c.ReconnectMax > 0 && c.ReconnectMin > c.ReconnectMax {
		return fmt.Errorf("scanner config: reconnect_min: %v is above reconnect_max %v", c.ReconnectMin, c.ReconnectMax)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if len(c.Suffix) == 0 {
		c.Suffix = []byte{'\r'}
	}
	if c.MaxFrame == 0 {
		c.MaxFrame = DefaultMaxFrame
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = max(DefaultReconnectMax, c.ReconnectMin)
	}
	if c.StableAfter == 0 {
		c.StableAfter = DefaultStableAfter
	}
	return c
}
