package identity

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/internal/wire"
)

func TestAccountsLifecycle(t *testing.T) {
	dir := t.TempDir()
	secret, err := Add(dir, "dock-01", RoleGateway)
	require.NoError(t, err)
	assert.Len(t, secret, 64, "256 random bits in hex")
	_, err = Add(dir, "dock-01", RoleOps)
	require.ErrorIs(t, err, ErrExists, "names are unique across roles")
	_, err = Add(dir, "bad/name", RoleOps)
	require.Error(t, err)
	opsSecret, err := Add(dir, "alice", RoleOps)
	require.NoError(t, err)

	st, err := os.Stat(Path(dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	raw, err := os.ReadFile(Path(dir))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), secret, "the secret itself is never stored")

	r, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	a, err := r.Authenticate("dock-01", secret)
	require.NoError(t, err)
	assert.Equal(t, RoleGateway, a.Role)
	_, err = r.Authenticate("dock-01", opsSecret)
	require.ErrorIs(t, err, ErrBadLogin)
	_, err = r.Authenticate("nobody", secret)
	require.ErrorIs(t, err, ErrBadLogin)
	key, ok := r.GatewayKey("dock-01")
	require.True(t, ok)
	assert.Equal(t, wire.MessageKey(secret), key, "central holds the key the gateway derives from its password")
	_, ok = r.GatewayKey("alice")
	assert.False(t, ok, "an ops account has no message key")

	// Rotation: the old secret stops working, the new one works.
	newSecret, err := Rotate(dir, "dock-01")
	require.NoError(t, err)
	require.NoError(t, r.Reload())
	_, err = r.Authenticate("dock-01", secret)
	require.ErrorIs(t, err, ErrBadLogin, "a remembered login does not outlive a rotation")
	_, err = r.Authenticate("dock-01", newSecret)
	require.NoError(t, err)
	key, _ = r.GatewayKey("dock-01")
	assert.Equal(t, wire.MessageKey(newSecret), key)

	// Revocation: refused, no key.
	require.NoError(t, Revoke(dir, "dock-01"))
	require.NoError(t, r.Reload())
	_, err = r.Authenticate("dock-01", newSecret)
	require.ErrorIs(t, err, ErrBadLogin)
	_, ok = r.GatewayKey("dock-01")
	assert.False(t, ok)
	accts, err := List(dir)
	require.NoError(t, err)
	require.Len(t, accts, 2)
	assert.False(t, accts[0].Active())
}

// Two commands at once must both land: the file is changed under a lock.
func TestConcurrentAddsKeepEveryAccount(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			_, err := Add(dir, "gw-"+string(rune('a'+i)), RoleGateway)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	accts, err := List(dir)
	require.NoError(t, err)
	assert.Len(t, accts, 6)
}

func TestRunningRegistryReloadsChangedFile(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	_, ok := r.GatewayKey("dock-02")
	require.False(t, ok)
	changed := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Watch(ctx, 10*time.Millisecond, func() { changed <- struct{}{} })
	_, err = Add(dir, "dock-02", RoleGateway)
	require.NoError(t, err)
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no reload after the file changed")
	}
	_, ok = r.GatewayKey("dock-02")
	assert.True(t, ok)
}

func TestEnsureCentralRenewsItsSecretAndKeepsTheName(t *testing.T) {
	dir := t.TempDir()
	s1, err := EnsureCentral(dir)
	require.NoError(t, err)
	s2, err := EnsureCentral(dir)
	require.NoError(t, err)
	assert.NotEqual(t, s1, s2)
	r, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	_, err = r.Authenticate(CentralName, s1)
	assert.ErrorIs(t, err, ErrBadLogin)
	a, err := r.Authenticate(CentralName, s2)
	require.NoError(t, err)
	assert.Equal(t, RoleCentral, a.Role)

	other := t.TempDir()
	_, err = Add(other, CentralName, RoleGateway)
	require.NoError(t, err)
	_, err = EnsureCentral(other)
	assert.ErrorContains(t, err, "central needs that name")
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Command("gateway", []string{"add", "dock-01", "--data", dir, "--broker", "ssl://central.dc1:8883"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "url: ssl://central.dc1:8883\n  username: dock-01\n  password: \"")
	secret := out.String()[strings.Index(out.String(), `password: "`)+11:]
	secret = secret[:strings.Index(secret, `"`)]
	r, err := Open(dir, zerolog.Nop())
	require.NoError(t, err)
	_, err = r.Authenticate("dock-01", secret)
	require.NoError(t, err, "the printed secret logs in")

	out.Reset()
	file := filepath.Join(t.TempDir(), "dock-02.yaml")
	require.Equal(t, 0, Command("gateway", []string{"add", "--data", dir, "--out", file, "dock-02"}, &out, &errOut))
	assert.NotContains(t, out.String(), "password", "with --out the secret is not printed")
	st, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	out.Reset()
	require.Equal(t, 0, Command("account", []string{"add", "ops-1", "--role", "ops", "--data", dir}, &out, &errOut))
	assert.Contains(t, out.String(), "mosquitto_sub")
	assert.Equal(t, 1, Command("account", []string{"add", "x", "--role", "gateway", "--data", dir}, &out, &errOut))

	require.Equal(t, 0, Command("gateway", []string{"revoke", "dock-02", "--data", dir}, &out, &errOut))
	out.Reset()
	require.Equal(t, 0, Command("gateway", []string{"list", "--data", dir}, &out, &errOut))
	assert.Contains(t, out.String(), "dock-01")
	assert.Regexp(t, `dock-02\s+gateway\s+revoked`, out.String())
	assert.NotContains(t, out.String(), "ops-1", "gateway list shows gateways")
	assert.NotContains(t, out.String(), secret)
	assert.Equal(t, 2, Command("gateway", []string{"add"}, &out, &errOut), "usage without a name or --data")
}
