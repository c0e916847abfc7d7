package printer_test

import (
	"context"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/printer"
)

const label = "^XA^FO50,50^A0N,40,40^FDSSCC 00095012345678901234^FS^BY3^FO50,120^BCN,120,Y,N,N^FD>;>800095012345678901234^FS^XZ"

var fast = printer.RetryPolicy{InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

func newSim(t *testing.T) (*devsim.Printer, *printer.TCP) {
	t.Helper()
	sim, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, sim.Close()) })
	p := printer.NewTCP(sim.Addr(), printer.Options{DialTimeout: time.Second, IOTimeout: 5 * time.Second})
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return sim, p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// reasons collects what PrintJob says while it waits.
func reasons(policy printer.RetryPolicy) (printer.RetryPolicy, chan string) {
	ch := make(chan string, 1000)
	policy.OnWait = func(r string) { ch <- r }
	return policy, ch
}

func TestPrintJobPrinted(t *testing.T) {
	sim, p := newSim(t)
	res := printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop())
	assert.Equal(t, printer.Result{Printed: true, Attempts: 1, Sent: true, Before: res.Before, After: res.After}, res)
	jobs := sim.Jobs()
	require.Len(t, jobs, 1)
	assert.Equal(t, label, string(jobs[0].ZPL))
	saved, err := os.ReadFile(jobs[0].File)
	require.NoError(t, err)
	assert.Equal(t, label, string(saved))
}

func TestPrintJobWaitsForPaperThenPrintsOnce(t *testing.T) {
	sim, p := newSim(t)
	sim.SetPaperOut(true)
	policy, why := reasons(fast)
	var sends atomic.Int32
	policy.OnSend = func() { sends.Add(1) }
	done := make(chan printer.Result, 1)
	go func() { done <- printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop()) }()

	assert.Equal(t, "paper out", <-why, "the caller is told why the job waits")
	assert.Empty(t, sim.Jobs(), "nothing printed while paper is out")
	assert.Zero(t, sends.Load(), "nothing is sent while the job waits")
	sim.SetPaperOut(false)
	res := <-done
	assert.True(t, res.Printed, res.Reason)
	assert.GreaterOrEqual(t, res.Attempts, 2)
	assert.Len(t, sim.Jobs(), 1, "printed exactly once after recovery")
	assert.Equal(t, int32(1), sends.Load(), "the caller is told once, as the bytes go out")
}

func TestPrintJobPaperOutGivesUpWithReason(t *testing.T) {
	sim, p := newSim(t)
	sim.SetPaperOut(true)
	policy := fast
	policy.MaxWait = 100 * time.Millisecond
	res := printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop())
	assert.False(t, res.Printed)
	assert.False(t, res.Sent, "nothing was sent, so a later retry is safe")
	assert.Equal(t, "paper out", res.Reason)
	assert.True(t, res.Before.PaperOut)

	sim.SetPaperOut(false)
	res = printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop())
	assert.True(t, res.Printed, res.Reason)
	assert.Len(t, sim.Jobs(), 1, "the given-up attempt left nothing behind")
}

func TestPrintJobPaperRunsOutWhileHeldIsNotResent(t *testing.T) {
	sim, p := newSim(t)
	sim.SetMediaLeft(1)
	require.True(t, printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop()).Printed)

	// The roll is now empty but the printer only notices when it tries the
	// next label: the job is accepted, then held with "paper out".
	policy, why := reasons(fast)
	done := make(chan printer.Result, 1)
	go func() { done <- printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop()) }()
	assert.Equal(t, "paper out", <-why)
	sim.SetPaperOut(false)
	res := <-done
	assert.True(t, res.Printed, res.Reason)
	assert.Equal(t, 1, res.Attempts, "sent once; the printer finished it after reload")
	assert.Len(t, sim.Jobs(), 2, "no duplicate after recovery")
}

func TestPrintJobOfflineRetriedWithBackoff(t *testing.T) {
	sim, p := newSim(t)
	sim.SetOffline(true)
	policy, why := reasons(fast)
	done := make(chan printer.Result, 1)
	start := time.Now()
	go func() { done <- printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop()) }()
	for range 3 {
		assert.True(t, strings.HasPrefix(<-why, "offline: "))
	}
	sim.SetOffline(false)
	res := <-done
	assert.True(t, res.Printed, res.Reason)
	assert.GreaterOrEqual(t, res.Attempts, 4)
	// 5 + 10 + 20 ms of backoff at least: the retries were spaced out.
	assert.GreaterOrEqual(t, time.Since(start), 35*time.Millisecond)
	assert.Len(t, sim.Jobs(), 1)
}

func TestPrintJobConnectionCutMidJobIsNotResent(t *testing.T) {
	sim, p := newSim(t)
	sim.DropNextConnectionAfter(20)
	res := printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop())
	assert.False(t, res.Printed)
	assert.True(t, res.Sent)
	assert.Equal(t, 1, res.Attempts)
	assert.Contains(t, res.Reason, "not resent")
	assert.Empty(t, sim.Jobs(), "the cut format was discarded and never resent")
}

func TestPrintJobHonoursContext(t *testing.T) {
	sim, p := newSim(t)
	sim.SetPaused(true)
	ctx, cancel := context.WithCancel(context.Background())
	policy, why := reasons(fast)
	done := make(chan printer.Result, 1)
	go func() { done <- printer.PrintJob(ctx, p, []byte(label), policy, zerolog.Nop()) }()
	assert.Equal(t, "paused", <-why)
	cancel()
	res := <-done
	assert.False(t, res.Printed)
	assert.Equal(t, "paused", res.Reason)
}

func TestTCPDialFailureIsNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	p := printer.NewTCP(addr, printer.Options{DialTimeout: time.Second})
	err = p.Print(ctxT(t), []byte(label))
	require.ErrorIs(t, err, printer.ErrNotSent)
	assert.Contains(t, err.Error(), addr)
	_, err = p.Status(ctxT(t))
	require.Error(t, err)
}

func TestTCPClosed(t *testing.T) {
	_, p := newSim(t)
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Print(ctxT(t), []byte(label)), printer.ErrClosed)
}

func TestTCPDefaultPort(t *testing.T) {
	assert.Equal(t, "10.0.0.31:9100", printer.NewTCP("10.0.0.31", printer.Options{}).Addr())
	assert.Equal(t, "10.0.0.31:6101", printer.NewTCP("10.0.0.31:6101", printer.Options{}).Addr())
}

func TestStatusFromSimulator(t *testing.T) {
	sim, p := newSim(t)
	sim.SetHeadOpen(true)
	h, err := p.Status(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "head open", h.Problem())
	sim.SetHeadOpen(false)
	h, err = p.Status(ctxT(t))
	require.NoError(t, err)
	assert.True(t, h.Idle())
}

func TestPrintJobHeldPastMaxWaitSaysDoNotResend(t *testing.T) {
	sim, p := newSim(t)
	sim.SetMediaLeft(1)
	require.True(t, printer.PrintJob(ctxT(t), p, []byte(label), fast, zerolog.Nop()).Printed)

	policy := fast
	policy.MaxWait = 100 * time.Millisecond
	res := printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop())
	assert.False(t, res.Printed)
	assert.True(t, res.Sent, "the printer holds the job")
	assert.Equal(t, "paper out (the printer holds the job; not resent)", res.Reason)
	assert.Equal(t, 1, res.After.FormatsInBuffer)

	sim.SetPaperOut(false)
	jobs, err := sim.WaitJobs(ctxT(t), 2)
	require.NoError(t, err)
	assert.Len(t, jobs, 2, "the held job printed by itself, once")
}

func TestPrintJobEmpty(t *testing.T) {
	sim, p := newSim(t)
	res := printer.PrintJob(ctxT(t), p, nil, fast, zerolog.Nop())
	assert.Equal(t, printer.Result{Reason: "empty job"}, res)
	assert.Empty(t, sim.Jobs())
}

// BenchmarkPrintJobLoopback measures one full PrintJob (status, send with
// confirmation, status after) against the virtual printer on loopback.
func BenchmarkPrintJobLoopback(b *testing.B) {
	sim, err := devsim.NewPrinter("127.0.0.1:0", "", zerolog.Nop())
	require.NoError(b, err)
	defer sim.Close()
	p := printer.NewTCP(sim.Addr(), printer.Options{})
	ctx := context.Background()
	for b.Loop() {
		if res := printer.PrintJob(ctx, p, []byte(label), fast, zerolog.Nop()); !res.Printed {
			b.Fatal(res.Reason)
		}
	}
}

// OnStatus hears every status check, so the caller's view of the printer
// follows it while a job waits: offline first, then paper out, then ready.
func TestPrintJobReportsEveryStatus(t *testing.T) {
	sim, p := newSim(t)
	sim.SetOffline(true)
	type seen struct {
		paperOut bool
		err      bool
	}
	ch := make(chan seen, 1000)
	policy := fast
	policy.OnStatus = func(st printer.HostStatus, err error) { ch <- seen{st.PaperOut, err != nil} }
	done := make(chan printer.Result, 1)
	go func() { done <- printer.PrintJob(ctxT(t), p, []byte(label), policy, zerolog.Nop()) }()
	require.Equal(t, seen{err: true}, <-ch, "the printer is offline")
	sim.SetPaperOut(true)
	sim.SetOffline(false)
	for s := range ch {
		if s.paperOut {
			break
		}
	}
	sim.SetPaperOut(false)
	res := <-done
	assert.True(t, res.Printed)
	var last seen
	for len(ch) > 0 {
		last = <-ch
	}
	assert.Equal(t, seen{}, last, "the last status is a ready printer")
}
