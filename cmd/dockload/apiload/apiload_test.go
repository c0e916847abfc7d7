package apiload

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	centrald "github.com/dockhand/dockhand/central/daemon"
)

// The moves workload against a real central (Badger on disk, HTTP over
// TCP): every request answered, the units counted at the destination,
// and central's commit counters read — fewer commits than moves, since
// eight clients share them.
func TestMovesAgainstCentral(t *testing.T) {
	c, err := centrald.Start(centrald.Options{Site: "load", DataDir: t.TempDir(), BrokerListen: "127.0.0.1:0", BrokerFallback: true,
		HTTPAddr: "127.0.0.1:0", APIToken: "tok"}, zerolog.Nop())
	require.NoError(t, err)
	defer c.Close()
	w := &Moves{SKUs: 3}
	r, err := Run(context.Background(), Options{URL: "http://" + c.HTTPAddr, Token: "tok", Clients: 8, Requests: 400, Warmup: 40, Keys: true}, w)
	require.NoError(t, err)
	assert.Equal(t, 400, r.Requests)
	assert.Equal(t, 400, r.Lines, "one movement a request")
	assert.Zero(t, r.Failed, "%v", r.Status)
	assert.Equal(t, int64(440), w.moved.Load(), "warm-up included")
	assert.Contains(t, r.Note, "gained exactly the 440 units")
	assert.Positive(t, r.Commits)
	assert.GreaterOrEqual(t, r.Updates, uint64(400))
	assert.Equal(t, 400, r.Latency.N)

	// A second run against the same central counts from where it stands.
	r, err = Run(context.Background(), Options{URL: "http://" + c.HTTPAddr, Token: "tok", Clients: 2, Requests: 20}, w)
	require.NoError(t, err)
	assert.Contains(t, r.Note, "gained exactly the 20 units")
}

// Orders and a flash sale against a real central: what the answers
// promised is what central allocated; the flash sale promises its stock
// exactly, and a second run does not meet the first.
func TestOrdersAndFlashSaleAgainstCentral(t *testing.T) {
	c, err := centrald.Start(centrald.Options{Site: "load", DataDir: t.TempDir(), BrokerListen: "127.0.0.1:0", BrokerFallback: true,
		HTTPAddr: "127.0.0.1:0", APIToken: "tok"}, zerolog.Nop())
	require.NoError(t, err)
	defer c.Close()
	o := Options{URL: "http://" + c.HTTPAddr, Token: "tok", Clients: 8, Requests: 200, Warmup: 20, Keys: true}
	r, err := Run(context.Background(), o, &Orders{Lines: 3})
	require.NoError(t, err)
	assert.Equal(t, 600, r.Lines, "three lines promised an order")
	assert.Zero(t, r.Failed, "%v", r.Status)
	assert.Contains(t, r.Note, "exactly the 660 units")
	o.Warmup = 0
	flash := &Orders{Flash: true, Units: 10}
	r, err = Run(context.Background(), o, flash)
	require.NoError(t, err)
	assert.Equal(t, 10, r.Lines, "the stock, no more")
	assert.Contains(t, r.Note, "190 backordered")
	_, err = Run(context.Background(), o, flash)
	require.NoError(t, err, "a second flash sale has its own item and stock")
}

// A wrong token is an unexpected answer for every request, not a pass.
func TestWrongTokenFailsSetup(t *testing.T) {
	c, err := centrald.Start(centrald.Options{Site: "load", DataDir: t.TempDir(), BrokerListen: "127.0.0.1:0", BrokerFallback: true,
		HTTPAddr: "127.0.0.1:0", APIToken: "tok"}, zerolog.Nop())
	require.NoError(t, err)
	defer c.Close()
	_, err = Run(context.Background(), Options{URL: "http://" + c.HTTPAddr, Token: "wrong", Clients: 1, Requests: 1}, &Moves{SKUs: 1})
	require.ErrorContains(t, err, "401")
}
