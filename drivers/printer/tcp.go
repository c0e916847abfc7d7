package printer

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// DefaultPort is the raw ZPL port of network printers.
const DefaultPort = "9100"

// TCP is a network printer on a raw TCP port (9100). Every call uses a new
// connection: a printer that rebooted or dropped off the network leaves no
// stale socket behind, and printers serve one connection at a time anyway.
type TCP struct {
	addr   string
	opts   Options
	closed atomic.Bool
}

var _ Printer = (*TCP)(nil)

// NewTCP returns a printer at address ("10.0.0.31" or "10.0.0.31:9100").
func NewTCP(address string, opts Options) *TCP {
	if _, _, err := net.SplitHostPort(address); err != nil {
		address = net.JoinHostPort(address, DefaultPort)
	}
	return &TCP{addr: address, opts: opts.withDefaults()}
}

// Addr is the host:port the printer is reached at.
func (t *TCP) Addr() string { return t.addr }

// Print sends zpl and waits for the printer to confirm receipt.
func (t *TCP) Print(ctx context.Context, zpl []byte) error {
	if len(zpl) == 0 {
		return notSent(errEmptyJob)
	}
	_, err := t.session(ctx, zpl)
	if err != nil {
		return describe(ctx, "print to", t.addr, err)
	}
	return nil
}

// Status asks the printer for ~HS.
func (t *TCP) Status(ctx context.Context) (HostStatus, error) {
	h, err := t.session(ctx, nil)
	if err != nil {
		return HostStatus{}, describe(ctx, "status of", t.addr, err)
	}
	return h, nil
}

// Close makes later calls fail with ErrClosed; calls in flight finish.
func (t *TCP) Close() error {
	t.closed.Store(true)
	return nil
}

func (t *TCP) session(ctx context.Context, job []byte) (HostStatus, error) {
	if t.closed.Load() {
		return HostStatus{}, notSent(ErrClosed)
	}
	d := net.Dialer{Timeout: t.opts.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return HostStatus{}, notSent(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(t.opts.IOTimeout)); err != nil {
		return HostStatus{}, notSent(err)
	}
	// Cancelling ctx interrupts a blocked write or read.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	return exchange(conn, job)
}
