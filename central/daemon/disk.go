package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/storage"
)

// diskRetry is how often a central waiting for disk space tries again to
// open its store.
var diskRetry = 2 * time.Second

// storageReady is the readiness check of the store's disk: its state
// (full: writes are refused; unavailable: the store cannot be opened),
// path, free and needed bytes.
func (c *Central) storageReady() string {
	s := c.disk.Status()
	if s.State == storage.StateOK {
		return ""
	}
	return s.State + ": " + s.Reason
}

// unavailable is the answer to API requests while the store cannot be
// opened (507).
func (c *Central) unavailable() error {
	return fmt.Errorf("%w: the store cannot be opened: %s", store.ErrNoSpace, c.disk.Status().Reason)
}

// Err receives the error that stopped central after Start returned: it
// could not start once its disk had room for the store.
func (c *Central) Err() <-chan error { return c.fatal }

// awaitDisk runs while the disk is too full to open the store: central
// answers health checks and metrics, the API answers 507, and the store is
// opened as soon as there is room; then central starts as usual, with
// everything stored before. Gateways keep their events meanwhile.
func (c *Central) awaitDisk(ctx context.Context, opt Options, cause error) {
	defer c.wg.Done()
	s := c.disk.Status()
	c.log.Error().Err(cause).Str("path", s.Path).Int64("free_bytes", s.Free).Int64("needed_bytes", s.Needed).
		Msg("cannot open the store: the disk is full; waiting for space")
	var st store.Store
	err := c.disk.AwaitOpen(ctx, diskRetry, "store", func() (err error) { st, err = badgerstore.OpenOn(c.disk); return err })
	if ctx.Err() != nil {
		return
	}
	if err == nil {
		err = c.startStored(ctx, opt, st)
	}
	if err != nil {
		c.fatal <- err
		return
	}
	c.log.Info().Str("site", opt.Site).Str("http", c.HTTPAddr).Str("mqtt", c.BrokerURL).
		Msg("disk space is back: store open, central started")
}

// watchDisk follows the free space of the store's disk (storage.Disk.Run,
// which also allocates Badger's next memtable logs) and logs when writes
// start or stop being refused, once per change. No ops alert is raised:
// publishing one goes through the store's queue, a write the full disk
// refuses; /readyz and dockhand_central_storage_ok show it meanwhile.
func (c *Central) watchDisk(ctx context.Context) {
	last := storage.StateOK
	check := func() {
		s := c.disk.Status()
		if s.State == last {
			return
		}
		last = s.State
		if s.State == storage.StateOK {
			c.log.Info().Str("path", s.Path).Int64("free_bytes", s.Free).Msg("storage ok: writes are accepted again")
			return
		}
		c.log.Error().Str("path", s.Path).Int64("free_bytes", s.Free).Int64("needed_bytes", s.Needed).Str("reason", s.Reason).
			Msg("storage full: writes are refused")
	}
	check() // a store opened on a full disk says so at once
	c.disk.Run(ctx, check)
}
