package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/storage"
	"github.com/dockhand/dockhand/internal/testenv"
)

// logged returns the first line of p's log with this message (nil if none).
func (p *proc) logged(msg string) map[string]any {
	f, err := os.Open(p.log)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["message"] == msg {
			return m
		}
	}
	return nil
}

// metric reads one of central's gauges from /metrics (-1 when it cannot).
func (p *proc) metric(name string) float64 { return testenv.Gauge(p.http, "dockhand_central_"+name) }

// storageReadiness is the storage reason /readyz gives ("" when none).
func (p *proc) storageReadiness(t *testing.T) string {
	t.Helper()
	r, err := testenv.NotReady(p.http, "storage")
	require.NoError(t, err)
	return r.Reason
}

// asn is an ASN of 30,000 lines (about 800 KB of JSON, below the API's
// 1 MiB), so that a few dozen fill the disk: their values go to Badger's
// value log, whose next file takes its full size when the current one is
// done.
func asn(id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%q,"lines":[`, id)
	for i := range 30000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"sku":"W-1","quantity":1}`)
	}
	b.WriteString("]}")
	return b.String()
}

// The whole story of a full disk, with the real centrald: its data
// directory is on a small filesystem. ASNs posted over the API fill it
// until central refuses writes with 507 — "storage full" in the log,
// storage_ok 0, /readyz naming the storage — while reads go on. Killed
// with SIGKILL while full, it starts again, still refusing. Killed again
// and restarted on a disk too full to open its store, it neither exits
// nor crash-loops: it serves /healthz, names the storage "unavailable" on
// /readyz, answers the API with 507, and opens the store when space comes
// back. Once there is room, writes are accepted again without a restart,
// and every ASN answered 201 is there, none answered 507. (centrald on
// main before this change died with SIGBUS in Badger's write.)
func TestCentraldOnAFullDisk(t *testing.T) {
	mnt := testenv.SmallDisk(t, "tmpfs", 2<<30)
	bin := buildCentrald(t)
	dir := filepath.Join(mnt, "data")
	store := filepath.Join(dir, "central")
	httpPort, brokerPort := testenv.FreePort(t), testenv.FreePort(t)
	run := func() *proc { return start(t, bin, dir, httpPort, brokerPort, "--log-level", "info") }
	// Leave the room that opening takes (memtable logs and a value log
	// allocated ahead: about 323 MiB) and 24 MiB beyond the reserve.
	reserve := storage.Reserve(storage.Options("", storage.Central, zerolog.Nop()), 0)
	releaseMost := testenv.Fill(t, mnt, reserve+(323+24)<<20)

	created, refused := map[string]bool{}, map[string]bool{}
	post := func(c *proc, id string) int {
		code, v := c.call(t, "POST", "/api/v1/asns", asn(id))
		switch code {
		case http.StatusCreated:
			created[id] = true
		case http.StatusInsufficientStorage:
			refused[id] = true
			e := v["error"].(map[string]any)
			assert.Equal(t, "insufficient_storage", e["code"])
			assert.Contains(t, e["message"], store, "the answer names the disk")
		default:
			t.Fatalf("POST ASN %s: %d %v", id, code, v)
		}
		return code
	}

	// 1. ASNs fill the disk until central refuses them.
	c := run()
	c.ok(t, "POST", "/api/v1/items", `{"sku":"W-1","name":"Widget"}`, http.StatusCreated)
	n := 0
	for ; post(c, fmt.Sprintf("ASN-%d", n)) == http.StatusCreated; n++ {
		require.Less(t, n, 2000, "the disk never filled")
	}
	n++
	t.Logf("%d ASNs created before the disk was full", len(created))
	assert.Greater(t, len(created), 10)
	// Refused for as long as the disk is full, not once.
	for range 3 {
		assert.Equal(t, http.StatusInsufficientStorage, post(c, fmt.Sprintf("ASN-%d", n)))
		n++
	}
	require.Eventually(t, func() bool { return c.metric("storage_ok") == 0 }, 5*time.Second, 10*time.Millisecond, "storage_ok 0")
	assert.Positive(t, c.metric("storage_free_bytes"))
	require.Eventually(t, func() bool { return c.logged("storage full: writes are refused") != nil }, 5*time.Second, 10*time.Millisecond)
	full := c.logged("storage full: writes are refused")
	assert.Equal(t, store, full["path"])
	assert.Less(t, full["free_bytes"], full["needed_bytes"])
	why := c.storageReadiness(t)
	assert.True(t, strings.HasPrefix(why, "full: "), "/readyz names the full storage: %q", why)
	assert.Contains(t, why, store)
	// Reads go on.
	c.ok(t, "GET", "/api/v1/asns/ASN-0", "", http.StatusOK)

	// 2. kill -9 while full, restart while full: it opens and refuses.
	c.kill()
	c = run()
	require.Eventually(t, func() bool { return c.logged("central started") != nil }, failIn, 10*time.Millisecond)
	require.Eventually(t, func() bool { return c.logged("storage full: writes are refused") != nil }, 5*time.Second, 10*time.Millisecond,
		"logged at start")
	assert.Equal(t, http.StatusInsufficientStorage, post(c, fmt.Sprintf("ASN-%d", n)), "still refusing")
	n++
	require.Eventually(t, func() bool { return strings.HasPrefix(c.storageReadiness(t), "full: ") }, 5*time.Second, 10*time.Millisecond)
	c.ok(t, "GET", "/api/v1/asns/ASN-0", "", http.StatusOK)

	// 3. kill -9, the disk filled to the brim by something else, restart:
	// it cannot open the store and waits — no exit, no crash loop.
	c.kill()
	releaseRest := testenv.Fill(t, mnt, 256<<10)
	c = run()
	require.Eventually(t, func() bool { return c.logged("still not enough disk space to open the store") != nil }, 15*time.Second, 50*time.Millisecond,
		"it retries")
	c.requireAlive(t)
	waiting := c.logged("cannot open the store: the disk is full; waiting for space")
	require.NotNil(t, waiting)
	assert.Equal(t, store, waiting["path"])
	assert.Less(t, waiting["free_bytes"], waiting["needed_bytes"])
	why = c.storageReadiness(t)
	assert.True(t, strings.HasPrefix(why, "unavailable: "), "/readyz: %q", why)
	assert.Contains(t, why, store)
	assert.Equal(t, float64(0), c.metric("storage_ok"))
	code, v := c.call(t, "GET", "/api/v1/asns/ASN-0", "")
	assert.Equal(t, http.StatusInsufficientStorage, code, "%v", v)
	assert.Equal(t, http.StatusInsufficientStorage, post(c, fmt.Sprintf("ASN-%d", n)))
	n++

	// 4. Space comes back: it opens without a restart, then accepts writes.
	releaseRest()
	require.Eventually(t, func() bool { return c.logged("disk space is back: store open, central started") != nil }, 15*time.Second, 50*time.Millisecond)
	releaseMost()
	require.Eventually(t, func() bool { return c.metric("storage_ok") == 1 }, 10*time.Second, 10*time.Millisecond, "storage ok again")
	for range 3 {
		assert.Equal(t, http.StatusCreated, post(c, fmt.Sprintf("ASN-%d", n)), "accepted again")
		n++
	}
	assert.Equal(t, "", c.storageReadiness(t), "/readyz has no storage reason")
	require.NotNil(t, c.logged("storage ok: writes are accepted again"))

	// Every ASN answered 201 is there, none answered 507.
	for id := range created {
		c.ok(t, "GET", "/api/v1/asns/"+id, "", http.StatusOK)
	}
	for id := range refused {
		c.ok(t, "GET", "/api/v1/asns/"+id, "", http.StatusNotFound)
	}
	c.requireAlive(t)
}
