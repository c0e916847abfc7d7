package scanner

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.bug.st/serial"
)

func TestValidateNamesTheBadField(t *testing.T) {
	ok := Config{Port: "/dev/serial/by-id/usb-Honeywell_1900-if00"}
	require.NoError(t, ok.Validate())
	cases := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"port", func(c *Config) { c.Port = " " }, "port:"},
		{"baud", func(c *Config) { c.Baud = 7 }, "baud:"},
		{"data bits", func(c *Config) { c.DataBits = 9 }, "data_bits:"},
		{"parity", func(c *Config) { c.Parity = "mark" }, "parity:"},
		{"stop bits", func(c *Config) { c.StopBits = "3" }, "stop_bits:"},
		{"stop bits 1.5 on linux", func(c *Config) { c.StopBits = "1.5" }, "stop_bits: 1.5 is not supported"},
		{"max frame", func(c *Config) { c.MaxFrame = -1 }, "max_frame:"},
		{"suffix", func(c *Config) { c.Suffix = make([]byte, 17) }, "suffix:"},
		{"prefix", func(c *Config) { c.Prefix = make([]byte, 17) }, "prefix:"},
		{"reconnect order", func(c *Config) { c.ReconnectMin, c.ReconnectMax = time.Second, time.Millisecond }, "reconnect_min:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
			_, err = New(c, zerolog.Nop())
			assert.Error(t, err, "New validates too")
		})
	}
}

func TestDefaults(t *testing.T) {
	s, err := New(Config{Port: "/dev/ttyS0", Parity: "EVEN", StopBits: "2", Baud: 115200}, zerolog.Nop())
	require.NoError(t, err)
	c := s.Config()
	assert.Equal(t, []byte{'\r'}, c.Suffix)
	assert.Equal(t, DefaultMaxFrame, c.MaxFrame)
	assert.Equal(t, DefaultReconnectMin, c.ReconnectMin)
	assert.Equal(t, DefaultReconnectMax, c.ReconnectMax)
	m, err := c.line().Mode()
	require.NoError(t, err)
	assert.Equal(t, 115200, m.BaudRate)
	assert.Equal(t, 8, m.DataBits)
	assert.Equal(t, serial.EvenParity, m.Parity)
	assert.Equal(t, serial.TwoStopBits, m.StopBits)
}
