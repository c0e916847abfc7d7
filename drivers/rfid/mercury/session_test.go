package mercury_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/mercury"
	"github.com/dockhand/dockhand/drivers/rfid/rfidtest"
)

var (
	pallet = []byte{0x31, 0x74, 0x25, 0x7B, 0xF4, 0x49, 0x96, 0x02, 0xD2, 0x00, 0x00, 0x00}
	carton = []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}
)

type rig struct {
	sim  *devsim.MercuryReader
	ev   *rfidtest.Events
	stop func() error
}

func start(t *testing.T, cfg mercury.Config) *rig {
	t.Helper()
	sim, err := devsim.NewMercuryReader(devsim.MercuryReaderOptions{Dir: t.TempDir(), ReadPeriod: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sim.Close() })
	sim.PutTag(rfid.Read{EPC: pallet, Antenna: 1, RSSI: -52})
	cfg.Port, cfg.Name = sim.Path(), "nano"
	if cfg.Region == "" {
		cfg.Region = "eu"
	}
	cfg.Backoff = rfid.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	r, err := mercury.New(cfg)
	require.NoError(t, err)
	rg := &rig{sim: sim, ev: &rfidtest.Events{}}
	rg.stop = rfidtest.Run(t, r, rg.ev)
	rg.ev.WaitFor(t, 0, "connected", rfidtest.State(rfid.Connected))
	return rg
}

func TestContinuousReadOnPTY(t *testing.T) {
	rg := start(t, mercury.Config{Region: "na", Antennas: []int{1, 2}, ReadPower: 22.5})
	sim, ev := rg.sim, rg.ev

	st := ev.WaitFor(t, 0, "connected", rfidtest.State(rfid.Connected)).(rfid.Status)
	assert.Equal(t, "Mercury module hardware 18000001 firmware 010B0205", st.Detail)
	assert.Equal(t, [][]byte{{0x0D}}, sim.Commands(mercury.OpSetRegion))
	assert.Equal(t, [][]byte{{0x00, 0x05}}, sim.Commands(mercury.OpSetTagProtocol))
	assert.Equal(t, [][]byte{{0x02, 1, 1, 2, 2}}, sim.Commands(mercury.OpSetAntennaPort))
	assert.Equal(t, [][]byte{{0x08, 0xCA}}, sim.Commands(mercury.OpSetReadTxPower), "2250 cdBm")
	assert.True(t, sim.Reading())

	r := ev.WaitFor(t, 0, "pallet read", rfidtest.TagRead(pallet)).(rfid.Read)
	assert.Equal(t, 1, r.Antenna)
	assert.Equal(t, -52.0, r.RSSI)
	assert.Equal(t, "nano", r.Reader)
	assert.WithinDuration(t, time.Now(), r.FirstSeen, 10*time.Second)

	sim.PutTag(rfid.Read{EPC: carton, Antenna: 2, RSSI: -61})
	c := ev.WaitFor(t, 0, "carton read", rfidtest.TagRead(carton)).(rfid.Read)
	assert.Equal(t, 2, c.Antenna)

	// Shutdown stops continuous reading.
	require.NoError(t, rg.stop())
	require.Eventually(t, func() bool { return !sim.Reading() }, 5*time.Second, 5*time.Millisecond)
}

func TestGarbageIsSkippedAndReported(t *testing.T) {
	rg := start(t, mercury.Config{})
	rg.ev.WaitFor(t, 0, "first read", rfidtest.TagRead(pallet))
	m := rg.ev.Mark()
	require.NoError(t, rg.sim.Garbage(64))
	f := rg.ev.WaitFor(t, m, "fault", rfidtest.State(rfid.Fault)).(rfid.Status)
	assert.Error(t, f.Err)
	after := rg.ev.Mark()
	rg.ev.WaitFor(t, after, "reads go on", rfidtest.TagRead(pallet))
	for _, e := range rg.ev.Since(m) {
		assert.False(t, rfidtest.State(rfid.Disconnected)(e), "garbage does not end the session")
		if r, ok := e.(rfid.Read); ok {
			assert.Equal(t, pallet, r.EPC, "no read is made up from garbage")
		}
	}
}

func TestMidFrameDisconnect(t *testing.T) {
	rg := start(t, mercury.Config{})
	rg.ev.WaitFor(t, 0, "first read", rfidtest.TagRead(pallet))
	m := rg.ev.Mark()
	rg.sim.CutNextFrame()
	rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected))
	// The simulator unplugs itself after the cut; plug it back in.
	require.Eventually(t, func() bool { return rg.sim.Replug() == nil }, 10*time.Second, 5*time.Millisecond)
	rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	rg.ev.WaitFor(t, rg.ev.Mark(), "reads again", rfidtest.TagRead(pallet))
	for _, e := range rg.ev.Since(m) {
		if r, ok := e.(rfid.Read); ok {
			assert.Equal(t, pallet, r.EPC, "half a frame never becomes a read")
		}
	}
}

func TestUnplugReplug(t *testing.T) {
	rg := start(t, mercury.Config{})
	m := rg.ev.Mark()
	require.NoError(t, rg.sim.Unplug())
	d := rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
	assert.Error(t, d.Err)
	// While unplugged the port cannot be opened: the driver keeps retrying.
	require.Eventually(t, func() bool {
		n := 0
		for _, e := range rg.ev.Since(m) {
			if st, ok := e.(rfid.Status); ok && st.State == rfid.Disconnected {
				n++
			}
		}
		return n >= 3
	}, 10*time.Second, 5*time.Millisecond)
	m = rg.ev.Mark()
	require.NoError(t, rg.sim.Replug())
	rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	rg.ev.WaitFor(t, m, "reads again", rfidtest.TagRead(pallet))
}

func TestSlowDevice(t *testing.T) {
	t.Run("slow link keeps reading", func(t *testing.T) {
		rg := start(t, mercury.Config{})
		rg.sim.SetSlow(200 * time.Microsecond)
		m := rg.ev.Mark()
		rg.ev.WaitFor(t, m, "read over a slow link", rfidtest.TagRead(pallet))
		for _, e := range rg.ev.Since(m) {
			assert.False(t, rfidtest.State(rfid.Disconnected)(e))
		}
	})
	t.Run("silent module is reopened", func(t *testing.T) {
		rg := start(t, mercury.Config{Silence: 300 * time.Millisecond})
		rg.sim.RemoveTag(pallet) // only 7-byte heartbeats from now on
		m := rg.ev.Mark()
		rg.sim.SetSlow(100 * time.Millisecond) // a heartbeat now takes 700 ms
		d := rg.ev.WaitFor(t, m, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
		assert.ErrorContains(t, d.Err, "silent")
		rg.sim.SetSlow(0)
		rg.ev.WaitFor(t, m, "reconnected", rfidtest.State(rfid.Connected))
	})
}

func TestMissingPort(t *testing.T) {
	r, err := mercury.New(mercury.Config{Port: t.TempDir() + "/nothing", Region: "eu",
		Backoff: rfid.Backoff{Min: time.Hour}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := &rfidtest.Events{}
	go func() { _ = r.Run(ctx, ev.Emit) }()
	d := ev.WaitFor(t, 0, "disconnected", rfidtest.State(rfid.Disconnected)).(rfid.Status)
	assert.ErrorContains(t, d.Err, "open ")
}

func TestNewValidatesConfig(t *testing.T) {
	cases := map[string]mercury.Config{
		"no port":     {Region: "eu"},
		"no region":   {Port: "/dev/ttyUSB0"},
		"bad region":  {Port: "/dev/ttyUSB0", Region: "mars"},
		"bad antenna": {Port: "/dev/ttyUSB0", Region: "eu", Antennas: []int{16}},
		"bad power":   {Port: "/dev/ttyUSB0", Region: "eu", ReadPower: 40},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := mercury.New(cfg)
			assert.Error(t, err)
		})
	}
}
