package printer_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/printer"
)

func TestSerialPrinterOnPTY(t *testing.T) {
	sim, _ := newSim(t)
	path, err := sim.AttachSerial()
	require.NoError(t, err)
	p := printer.NewSerial(printer.SerialConfig{Port: path, Baud: 9600, Log: zerolog.Nop()})
	defer p.Close()

	res := printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop())
	assert.True(t, res.Printed, res.Reason)
	sim.SetPaperOut(true)
	h, err := p.Status(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "paper out", h.Problem())

	// Closing the port is not fatal: the next call reopens it.
	require.NoError(t, p.Close())
	sim.SetPaperOut(false)
	require.NoError(t, p.Print(ctxT(t), []byte(label)))
	jobs, err := sim.WaitJobs(ctxT(t), 2)
	require.NoError(t, err)
	assert.Len(t, jobs, 2)
}

func TestSerialPrinterMissingPortIsNotSent(t *testing.T) {
	p := printer.NewSerial(printer.SerialConfig{Port: filepath.Join(t.TempDir(), "no-such-tty")})
	err := p.Print(ctxT(t), []byte(label))
	require.ErrorIs(t, err, printer.ErrNotSent)
	assert.Contains(t, err.Error(), "no-such-tty")
}

func TestSerialPrinterBadSettingsIsNotSent(t *testing.T) {
	p := printer.NewSerial(printer.SerialConfig{Port: "/dev/null", Parity: "sideways"})
	_, err := p.Status(ctxT(t))
	require.ErrorIs(t, err, printer.ErrNotSent)
	assert.Contains(t, err.Error(), "parity:")
}

func TestSerialPrinterSilentDeviceTimesOut(t *testing.T) {
	// A scanner's pty never answers ~HS: the status read times out.
	dev, err := devsim.NewScanner(devsim.ScannerOptions{})
	require.NoError(t, err)
	defer dev.Close()
	p := printer.NewSerial(printer.SerialConfig{Port: dev.Path(), Options: printer.Options{IOTimeout: 50 * time.Millisecond}})
	defer p.Close()
	start := time.Now()
	_, err = p.Status(context.Background())
	require.ErrorContains(t, err, "timeout")
	assert.Less(t, time.Since(start), 5*time.Second)
	err = p.Print(context.Background(), []byte(label))
	require.Error(t, err)
	assert.NotErrorIs(t, err, printer.ErrNotSent, "the job was written; receipt is unknown")
}
