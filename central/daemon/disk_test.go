package daemon

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
)

// On a disk too small to open the store, central started for a caller
// that needs the store at once fails with storage.ErrNoSpace; started
// to wait for space (centrald), it answers health and readiness, the API
// with 507, and closes cleanly while it waits.
func TestStartOnADiskTooFullToOpen(t *testing.T) {
	mnt := testenv.SmallDisk(t, "tmpfs", 64<<20) // opening needs about 323 MiB
	opt := Options{Site: site, DataDir: mnt, BrokerListen: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", APIToken: token}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	_, err := Start(opt, log)
	require.ErrorIs(t, err, storage.ErrNoSpace)

	opt.WaitForSpace = true
	c, err := Start(opt, log)
	require.NoError(t, err)
	defer c.Close()
	resp, err := http.Get("http://" + c.HTTPAddr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Get("http://" + c.HTTPAddr + "/readyz")
	require.NoError(t, err)
	var ready struct {
		Reasons []struct{ Component, Reason string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ready))
	resp.Body.Close()
	require.Len(t, ready.Reasons, 1)
	assert.Equal(t, "storage", ready.Reasons[0].Component)
	assert.Contains(t, ready.Reasons[0].Reason, "unavailable: ")
	assert.Contains(t, ready.Reasons[0].Reason, mnt)

	req, err := http.NewRequest("GET", "http://"+c.HTTPAddr+"/api/v1/items", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInsufficientStorage, resp.StatusCode)
	assert.Nil(t, c.Store, "no store until there is space")
}
