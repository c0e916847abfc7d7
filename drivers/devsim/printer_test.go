package devsim_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
)

func newPrinter(t *testing.T, opts ...devsim.PrinterOption) (*devsim.Printer, string) {
	t.Helper()
	dir := t.TempDir()
	p, err := devsim.NewPrinter("127.0.0.1:0", dir, zerolog.Nop(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p, dir
}

// send writes raw bytes on a fresh connection and returns what the printer
// answered before the connection was closed by us.
func send(t *testing.T, addr, data string, wantAnswer bool) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, data)
	require.NoError(t, err)
	if !wantAnswer {
		return ""
	}
	buf := make([]byte, 0, 256)
	for strings.Count(string(buf), "\x03") < 3 {
		tmp := make([]byte, 256)
		n, err := c.Read(tmp)
		require.NoError(t, err)
		buf = append(buf, tmp[:n]...)
	}
	return string(buf)
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPrinterKeepsJobsAndFiles(t *testing.T) {
	var hooked []int
	var mu sync.Mutex
	p, dir := newPrinter(t, devsim.WithOnJob(func(j devsim.Job) {
		mu.Lock()
		defer mu.Unlock()
		hooked = append(hooked, j.N)
	}))
	send(t, p.Addr(), "^XA^FDone^FS^XZ^XA^FDtwo^FS^XZ", false)
	jobs, err := p.WaitJobs(waitCtx(t), 2)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	assert.Equal(t, 1, jobs[0].N)
	assert.Equal(t, "^XA^FDtwo^FS^XZ", string(jobs[1].ZPL))
	assert.Equal(t, filepath.Join(dir, "job-0002.zpl"), jobs[1].File)
	b, err := os.ReadFile(jobs[1].File)
	require.NoError(t, err)
	assert.Equal(t, "^XA^FDtwo^FS^XZ", string(b))
	mu.Lock()
	assert.Equal(t, []int{1, 2}, hooked)
	mu.Unlock()
}

func TestPrinterAnswersHostStatus(t *testing.T) {
	p, _ := newPrinter(t)
	ready := "\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
	assert.Equal(t, ready, send(t, p.Addr(), "~HS", true))
	p.SetPaused(true)
	assert.Contains(t, send(t, p.Addr(), "~HS", true), "\x02030,0,1,")
}

func TestPrinterHoldsFormatsUntilReady(t *testing.T) {
	p, _ := newPrinter(t)
	p.SetPaperOut(true)
	answer := send(t, p.Addr(), "^XA^FDheld^FS^XZ~HS", true)
	assert.Contains(t, answer, "\x02030,1,0,1218,001,", "paper out, one format held")
	assert.Empty(t, p.Jobs())
	p.SetPaperOut(false)
	jobs, err := p.WaitJobs(waitCtx(t), 1)
	require.NoError(t, err)
	assert.Equal(t, "^XA^FDheld^FS^XZ", string(jobs[0].ZPL))
}

func TestPrinterHostPauseResumeAndCancel(t *testing.T) {
	p, _ := newPrinter(t)
	send(t, p.Addr(), "~PP^XA^FDa^FS^XZ~JA^XA^FDb^FS^XZ~PS", false)
	jobs, err := p.WaitJobs(waitCtx(t), 1)
	require.NoError(t, err)
	assert.Equal(t, "^XA^FDb^FS^XZ", string(jobs[0].ZPL), "~JA dropped the held format")
	assert.Len(t, p.Jobs(), 1)
}

func TestPrinterMediaRunsOut(t *testing.T) {
	p, _ := newPrinter(t)
	p.SetMediaLeft(1)
	answer := send(t, p.Addr(), "^XA^FD1^FS^XZ^XA^FD2^FS^XZ~HS", true)
	assert.Contains(t, answer, "\x02030,1,0,1218,001,", "second label held: paper out")
	assert.Len(t, p.Jobs(), 1)
	p.SetPaperOut(false)
	_, err := p.WaitJobs(waitCtx(t), 2)
	require.NoError(t, err)
}

func TestPrinterOfflineRefusesThenComesBack(t *testing.T) {
	p, _ := newPrinter(t)
	addr := p.Addr()
	p.SetOffline(true)
	_, err := net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err, "offline printers refuse connections")
	p.SetOffline(false)
	assert.Equal(t, addr, p.Addr())
	assert.Contains(t, send(t, addr, "~HS", true), "\x02030,0,0,")
}

func TestPrinterDropMidJobDiscardsFormat(t *testing.T) {
	p, _ := newPrinter(t)
	p.DropNextConnectionAfter(8)
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, _ = io.WriteString(c, "^XA^FDcut here^FS^XZ")
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Read(make([]byte, 1))
	require.Error(t, err, "the printer hung up")
	// The next connection is served normally and nothing was printed.
	assert.Contains(t, send(t, p.Addr(), "~HS", true), "\x02030,0,0,1218,000,")
	assert.Empty(t, p.Jobs())
}

func TestPrinterWaitJobsHonoursContext(t *testing.T) {
	p, _ := newPrinter(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.WaitJobs(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
}
