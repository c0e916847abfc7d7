package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/openapitest"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// fake is a gateway with no devices running; it records what it applies.
type fake struct {
	cfg     *config.Config
	hub     live.Hub
	labels  *zpl.Registry
	applied []*config.Config
}

func (f *fake) Overview() Overview {
	return Overview{Gateway: "gw-1", Site: "t1", Version: "v1", Started: time.Now()}
}
func (f *fake) Devices() []health.Device {
	return []health.Device{{ID: "<b>s1</b>", Kind: "scanner", State: health.Connected}}
}
func (f *fake) Unready() []health.Reason           { return nil }
func (f *fake) Live() *live.Hub                    { return &f.hub }
func (f *fake) Config() *config.Config             { return f.cfg }
func (f *fake) Apply(c *config.Config) error       { f.applied = append(f.applied, c); f.cfg = c; return nil }
func (f *fake) Labels() *zpl.Registry              { return f.labels }
func (f *fake) Identify(string) error              { return nil }
func (f *fake) Logs(logging.Filter) []logging.Line { return nil }
func (f *fake) TestPrint(context.Context, string, []byte) (printer.Result, error) {
	return printer.Result{}, nil
}

const fakeConfig = `# the dock 1 gateway
site: t1
gateway: gw-1
stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: light-1, kind: light, station: dock-1}
  - {id: printer-1, kind: printer, station: dock-1, address: "127.0.0.1:9100", dpi: 300, profile: 4x8}
`

type site struct {
	t      *testing.T
	srv    *httptest.Server
	s      *Server
	b      *fake
	client *http.Client
	csrf   string
	path   string
	logs   *testenv.Buffer // what the server logged
}

func newSite(t *testing.T, opt Options) *site {
	dir := t.TempDir()
	opt.ConfigPath = filepath.Join(dir, "gateway.yaml")
	if opt.PasswordFile == "" {
		opt.PasswordFile = filepath.Join(dir, "admin-password.hash")
	}
	if opt.SetupCodeFile == "" {
		opt.SetupCodeFile = filepath.Join(dir, "setup-code")
	}
	require.NoError(t, os.WriteFile(opt.ConfigPath, []byte(fakeConfig), 0o640))
	cfg, err := config.Parse([]byte(fakeConfig))
	require.NoError(t, err)
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	b := &fake{cfg: cfg, labels: reg}
	logs := &testenv.Buffer{}
	s, err := New(opt, b, zerolog.New(io.MultiWriter(zerolog.NewTestWriter(t), logs)))
	require.NoError(t, err)
	srv := httptest.NewServer(openapitest.Checked(t, openAPIPath, s.Handler()))
	t.Cleanup(srv.Close)
	t.Cleanup(s.Close)
	jar, _ := cookiejar.New(nil)
	return &site{t: t, srv: srv, s: s, b: b, client: &http.Client{Jar: jar}, path: opt.ConfigPath, logs: logs}
}

func (st *site) do(method, path string, body any, hdr ...string) (int, map[string]any) {
	st.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, st.srv.URL+path, rd)
	require.NoError(st.t, err)
	req.Header.Set("Content-Type", "application/json")
	if st.csrf != "" {
		req.Header.Set(csrfHeader, st.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := st.client.Do(req)
	require.NoError(st.t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// setupCode is the first-start code as the technician reads it from the
// file in the data directory.
func (st *site) setupCode() string {
	st.t.Helper()
	b, err := os.ReadFile(st.s.opt.SetupCodeFile)
	require.NoError(st.t, err)
	return strings.TrimSpace(string(b))
}

func (st *site) signIn() {
	code, out := st.do("POST", "/api/v1/setup", setupRequest{User: AdminUser, Password: "a long enough secret", Code: st.setupCode()})
	require.Equal(st.t, http.StatusOK, code, "%v", out)
	st.csrf = out["csrf"].(string)
}

// Until the admin password is set, only someone who can read the setup
// code from the gateway's data directory can set it: setup without the
// code or with a wrong one is refused (and counts as a failed sign-in),
// with it it works once, and the code file is gone afterwards.
func TestFirstStartNeedsTheSetupCodeAndWorksOnce(t *testing.T) {
	var logs strings.Builder
	st := newSite(t, Options{LoginFailures: 3, LoginWindow: time.Minute})
	s, err := New(st.s.opt, st.b, zerolog.New(&logs))
	require.NoError(t, err, "a restart before setup keeps the code")
	assert.Equal(t, st.s.auth.setupCode, s.auth.setupCode)
	fi, err := os.Stat(st.s.opt.SetupCodeFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "only the gateway's user reads it")
	code := st.setupCode()
	assert.Regexp(t, `^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`, code)
	assert.Contains(t, logs.String(), st.s.opt.SetupCodeFile, "the log names the file")
	assert.NotContains(t, logs.String(), code, "but never the code")

	_, out := st.do("GET", "/api/v1/session", nil)
	assert.Equal(t, true, out["setup_needed"])
	assert.NotContains(t, out, "code")
	status, out := st.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret"})
	assert.Equal(t, http.StatusForbidden, status, "no code")
	assert.Contains(t, out["fields"], "code")
	status, _ = st.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret", Code: "AAAA-BBBB-CCCC"})
	assert.Equal(t, http.StatusForbidden, status, "a wrong code")
	status, _ = st.do("GET", "/api/v1/overview", nil)
	assert.Equal(t, http.StatusUnauthorized, status, "refused setups sign no one in")
	assert.False(t, st.s.auth.passwordSet())
	_, err = os.Stat(st.s.opt.PasswordFile)
	assert.ErrorIs(t, err, os.ErrNotExist)

	status, out = st.do("POST", "/api/v1/setup", setupRequest{Password: "short", Code: code})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, out["fields"], "password")
	// The code may be typed in lower case and without dashes.
	status, out = st.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret", Code: strings.ToLower(strings.ReplaceAll(code, "-", ""))})
	require.Equal(t, http.StatusOK, status, "%v", out)
	st.csrf = out["csrf"].(string)
	b, err := os.ReadFile(st.s.opt.PasswordFile)
	require.NoError(t, err)
	assert.True(t, CheckPassword(strings.TrimSpace(string(b)), "a long enough secret"), "the hash is kept")
	fi, _ = os.Stat(st.s.opt.PasswordFile)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = os.Stat(st.s.opt.SetupCodeFile)
	assert.ErrorIs(t, err, os.ErrNotExist, "the code file is removed")
	status, _ = st.do("POST", "/api/v1/setup", setupRequest{Password: "another long secret", Code: code})
	assert.Equal(t, http.StatusConflict, status, "setup works once")

	// A restart keeps the password (sessions are gone) and makes no code.
	s2, err := New(st.s.opt, st.b, zerolog.Nop())
	require.NoError(t, err)
	assert.True(t, s2.auth.passwordSet())
	_, err = os.Stat(st.s.opt.SetupCodeFile)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// Wrong setup codes are rate-limited like sign-ins: after the allowed
// failures even the right code waits.
func TestWrongSetupCodesAreRateLimited(t *testing.T) {
	st := newSite(t, Options{LoginFailures: 3, LoginWindow: time.Minute})
	for range 3 {
		status, _ := st.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret", Code: "AAAA-AAAA-AAAA"})
		require.Equal(t, http.StatusForbidden, status)
	}
	status, out := st.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret", Code: st.setupCode()})
	assert.Equal(t, http.StatusTooManyRequests, status, "%v", out)
	status, _ = st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "a long enough secret"})
	assert.Equal(t, http.StatusTooManyRequests, status, "one count for setup and sign-in")
	now := time.Now()
	st.s.auth.now = func() time.Time { return now.Add(2 * time.Minute) }
	st.signIn()
}

// A hash from the configuration skips setup: no code file, and a stale
// one is removed. A code file that others may read is replaced.
func TestSetupCodeFileOnlyWhileNeeded(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "setup-code")
	require.NoError(t, os.WriteFile(file, []byte("AAAA-BBBB-CCCC\n"), 0o644))
	s, err := New(Options{PasswordFile: filepath.Join(dir, "pw"), SetupCodeFile: file}, &fake{}, zerolog.Nop())
	require.NoError(t, err)
	assert.NotEqual(t, "AAAA-BBBB-CCCC", s.auth.setupCode, "a world-readable code is not trusted")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	hash, err := HashPassword("a long enough secret")
	require.NoError(t, err)
	s, err = New(Options{PasswordHash: hash, PasswordFile: filepath.Join(dir, "pw"), SetupCodeFile: file}, &fake{}, zerolog.Nop())
	require.NoError(t, err)
	assert.False(t, s.sessionInfo(nil).SetupNeeded)
	_, err = os.Stat(file)
	assert.ErrorIs(t, err, os.ErrNotExist, "the hash in the configuration makes the code useless")

	// No place to keep a code: the gateway still starts, setup says why.
	bad := newSite(t, Options{SetupCodeFile: filepath.Join(dir, "no", "such", "dir", "setup-code")})
	status, out := bad.do("POST", "/api/v1/setup", setupRequest{Password: "a long enough secret", Code: "AAAA-BBBB-CCCC"})
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, out["error"], "http.admin_password_hash")
}

func TestCookieIsHttpOnlyStrictAndSecureUnderTLS(t *testing.T) {
	st := newSite(t, Options{})
	req, _ := http.NewRequest("POST", st.srv.URL+"/api/v1/setup", strings.NewReader(`{"password":"a long enough secret","code":"`+st.setupCode()+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	c := resp.Cookies()[0]
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
	assert.False(t, c.Secure)

	tls := newSite(t, Options{CertFile: "cert.pem", KeyFile: "key.pem"}) // only the cookie flag is under test here
	rec := httptest.NewRecorder()
	tls.s.auth.newSession(rec)
	assert.True(t, rec.Result().Cookies()[0].Secure)
}

func TestEveryChangeNeedsASessionAndTheCSRFToken(t *testing.T) {
	st := newSite(t, Options{})
	code, _ := st.do("GET", "/api/v1/overview", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = st.do("DELETE", "/api/v1/config/devices/light-1", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = st.do("POST", "/api/v1/config/stations", itemRequest{Fields: map[string]string{"id": "pack-1", "role": "pack"}})
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = st.do("PUT", "/api/v1/config/stations/dock-1", itemRequest{Fields: map[string]string{"role": "pack"}})
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = st.do("GET", "/api/v1/config", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	st.signIn()
	code, _ = st.do("GET", "/api/v1/overview", nil)
	assert.Equal(t, http.StatusOK, code)

	token := st.csrf
	st.csrf = ""
	code, _ = st.do("DELETE", "/api/v1/config/devices/light-1", nil)
	assert.Equal(t, http.StatusForbidden, code, "no token")
	code, _ = st.do("POST", "/api/v1/config/stations", itemRequest{Fields: map[string]string{"id": "pack-1", "role": "pack"}})
	assert.Equal(t, http.StatusForbidden, code, "no token")
	code, _ = st.do("PUT", "/api/v1/config/stations/dock-1", itemRequest{Fields: map[string]string{"role": "pack"}})
	assert.Equal(t, http.StatusForbidden, code, "no token")
	st.csrf = "forged"
	code, _ = st.do("POST", "/api/v1/identify", map[string]string{"station": "dock-1"})
	assert.Equal(t, http.StatusForbidden, code, "wrong token")
	code, _ = st.do("DELETE", "/api/v1/config/stations/dock-1", nil)
	assert.Equal(t, http.StatusForbidden, code, "wrong token")
	st.csrf = token
	code, _ = st.do("POST", "/api/v1/identify", map[string]string{"station": "dock-1"}, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, code, "a foreign origin")
	code, _ = st.do("PUT", "/api/v1/config/stations/dock-1", itemRequest{Fields: map[string]string{"role": "pack"}}, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, code, "a foreign origin")
	code, _ = st.do("POST", "/api/v1/identify", map[string]string{"station": "dock-1"})
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, st.b.applied, "nothing was changed by the refused requests")
	b, _ := os.ReadFile(st.path)
	assert.Equal(t, fakeConfig, string(b), "nor written")

	code, _ = st.do("POST", "/api/v1/logout", nil)
	assert.Equal(t, http.StatusOK, code)
	code, _ = st.do("GET", "/api/v1/overview", nil)
	assert.Equal(t, http.StatusUnauthorized, code, "signed out")
}

func TestSessionsExpire(t *testing.T) {
	st := newSite(t, Options{SessionIdle: time.Minute, SessionMax: time.Hour})
	st.signIn()
	now := time.Now()
	st.s.auth.now = func() time.Time { return now.Add(2 * time.Minute) }
	code, _ := st.do("GET", "/api/v1/overview", nil)
	assert.Equal(t, http.StatusUnauthorized, code, "idle too long")
}

// A wrong user and a wrong password get the same answer; after the
// allowed failures the client waits, even with the right password.
func TestLoginIsRateLimitedAndRevealsNoUser(t *testing.T) {
	st := newSite(t, Options{LoginFailures: 3, LoginWindow: time.Minute})
	st.signIn()
	st.csrf = ""
	code1, out1 := st.do("POST", "/api/v1/login", credentials{User: "root", Password: "a long enough secret"})
	code2, out2 := st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "wrong password"})
	assert.Equal(t, http.StatusUnauthorized, code1)
	assert.Equal(t, code1, code2)
	assert.Equal(t, out1, out2, "no difference between an unknown user and a wrong password")
	st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "wrong again"})
	code, out := st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "a long enough secret"})
	assert.Equal(t, http.StatusTooManyRequests, code, "%v", out)
	now := time.Now()
	st.s.auth.now = func() time.Time { return now.Add(2 * time.Minute) }
	code, _ = st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "a long enough secret"})
	assert.Equal(t, http.StatusOK, code, "after the window")

	code, _ = st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "x"}, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusForbidden, code, "a cross-site form cannot sign in")
}

func TestArgon2idHashesFromTheConfigWork(t *testing.T) {
	// Vector made with the argon2 reference implementation's CLI (Debian
	// package argon2), not with the library under test:
	// echo -n "password" | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
	const hash = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	assert.True(t, CheckPassword(hash, "password"))
	assert.False(t, CheckPassword(hash, "Password"))
	assert.False(t, CheckPassword("$argon2id$v=19$m=0,t=2,p=4$c29tZXNhbHQ$CTFh", "password"), "malformed")
	st := newSite(t, Options{PasswordHash: hash})
	code, _ := st.do("POST", "/api/v1/login", credentials{User: AdminUser, Password: "password"})
	assert.Equal(t, http.StatusOK, code)
}

// A device change is checked like `gatewayd --check`: the reason comes
// back next to the field and the file is untouched; a good change is saved
// with a backup and applied.
func TestDeviceChangesAreValidatedSavedAndApplied(t *testing.T) {
	st := newSite(t, Options{})
	st.signIn()
	code, out := st.do("POST", "/api/v1/config/devices", itemRequest{Fields: map[string]string{
		"id": "scanner-1", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0", "baud": "12345"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, "12345 is not a standard baud rate", out["fields"].(map[string]any)["baud"])
	code, out = st.do("POST", "/api/v1/config/devices", itemRequest{Fields: map[string]string{
		"id": "scanner-1", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0", "colour": "red"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, out["fields"].(map[string]any)["colour"], "unknown key; known keys here")
	b, _ := os.ReadFile(st.path)
	assert.Equal(t, fakeConfig, string(b), "a refused change leaves the file alone")

	code, out = st.do("POST", "/api/v1/config/devices", itemRequest{Fields: map[string]string{
		"id": "<script>", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, out["fields"].(map[string]any)["id"], "may use only letters")

	code, out = st.do("POST", "/api/v1/config/devices", itemRequest{Fields: map[string]string{
		"id": "scanner-1", "kind": "scanner", "station": "dock-1", "port": "/dev/ttyUSB0", "suffix": "\r\n"}})
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.Len(t, st.b.applied, 1)
	assert.Equal(t, "\r\n", st.b.applied[0].Devices[2].Suffix)
	bak, _ := os.ReadFile(st.path + ".bak")
	assert.Equal(t, fakeConfig, string(bak))

	code, _ = st.do("POST", "/api/v1/config/devices", itemRequest{Fields: map[string]string{"id": "scanner-1", "kind": "scanner"}})
	assert.Equal(t, http.StatusUnprocessableEntity, code, "ids are unique")
	code, _ = st.do("DELETE", "/api/v1/config/devices/nope", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = st.do("DELETE", "/api/v1/config/devices/..%2f..%2fetc", nil)
	assert.Equal(t, http.StatusBadRequest, code, "not an id")
	code, _ = st.do("DELETE", "/api/v1/config/devices/scanner-1", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Len(t, st.b.applied[len(st.b.applied)-1].Devices, 2)
}

// Stations are added, given another role and removed like devices: checked
// like `gatewayd --check` (the reason next to the field, the file left
// alone when refused), saved with a backup, applied, and logged with who
// changed what. A station that devices name cannot be removed.
func TestStationChangesAreValidatedSavedAndApplied(t *testing.T) {
	st := newSite(t, Options{})
	st.signIn()
	station := func(id, role string) itemRequest {
		return itemRequest{Fields: map[string]string{"id": id, "role": role}}
	}
	fields := func(out map[string]any) map[string]any { f, _ := out["fields"].(map[string]any); return f }
	unchanged := func(why string) {
		b, _ := os.ReadFile(st.path)
		assert.Equal(t, fakeConfig, string(b), why)
		assert.Empty(t, st.b.applied, why)
	}

	code, out := st.do("POST", "/api/v1/config/stations", station("pack-1", "dispatch"))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, `"dispatch" is not one of inbound-dock, putaway, pack, outbound-dock, count`, fields(out)["role"])
	code, out = st.do("POST", "/api/v1/config/stations", station("pack-1", ""))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, fields(out)["role"], `"" is not one of`, "a role is required")
	code, out = st.do("POST", "/api/v1/config/stations", station("dock-1", "pack"))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, `"dock-1" is used by another station`, fields(out)["id"])
	for _, bad := range []string{"dock/1", "dock+", "#", "", strings.Repeat("d", 65)} {
		code, out = st.do("POST", "/api/v1/config/stations", station(bad, "pack"))
		require.Equal(t, http.StatusUnprocessableEntity, code, "%q", bad)
		assert.NotEmpty(t, fields(out)["id"], "%q is no topic level", bad)
	}
	code, out = st.do("POST", "/api/v1/config/stations", itemRequest{Fields: map[string]string{"id": "pack-1", "role": "pack", "colour": "red"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, fields(out)["colour"], "unknown key; known keys here: id, role")

	// A station id with markup is refused, and shown escaped in the JSON.
	req, _ := http.NewRequest("POST", st.srv.URL+"/api/v1/config/stations", strings.NewReader(`{"fields":{"id":"<script>alert(1)</script>","role":"pack"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, st.csrf)
	resp, err := st.client.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Contains(t, string(raw), `\u003cscript\u003ealert(1)\u003c/script\u003e`)
	assert.NotContains(t, string(raw), "<script>", "no markup reaches the page")
	unchanged("refused changes leave the file alone")

	code, out = st.do("POST", "/api/v1/config/stations", station("pack-1", "pack"))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.Len(t, st.b.applied, 1)
	assert.Equal(t, []config.Station{{ID: "dock-1", Role: "inbound-dock"}, {ID: "pack-1", Role: "pack"}}, st.b.applied[0].Stations)
	bak, _ := os.ReadFile(st.path + ".bak")
	assert.Equal(t, fakeConfig, string(bak), "the previous file is kept")
	saved, _ := os.ReadFile(st.path)
	assert.Contains(t, string(saved), "# the dock 1 gateway", "comments stay")
	assert.Contains(t, st.logs.String(), `"station":"pack-1","change":"added id=\"pack-1\", role=\"pack\""`)

	code, out = st.do("PUT", "/api/v1/config/stations/dock-1", itemRequest{Fields: map[string]string{"role": "outbound-dock"}})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, wire.RoleOutboundDock, st.b.applied[1].StationRole("dock-1"))
	assert.Len(t, st.b.applied[1].Devices, 2, "the devices stay where they were")
	assert.Contains(t, st.logs.String(), `"user":"admin","station":"dock-1","change":"changed role: \"inbound-dock\" -> \"outbound-dock\""`)
	code, out = st.do("PUT", "/api/v1/config/stations/dock-1", itemRequest{Fields: map[string]string{"role": "unloading"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, fields(out)["role"], `"unloading" is not one of`)
	code, out = st.do("PUT", "/api/v1/config/stations/dock-1", station("dock-9", "pack"))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, fields(out)["id"], "cannot be changed")
	code, _ = st.do("PUT", "/api/v1/config/stations/dock-7", itemRequest{Fields: map[string]string{"role": "pack"}})
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = st.do("PUT", "/api/v1/config/stations/..%2fetc", itemRequest{Fields: map[string]string{"role": "pack"}})
	assert.Equal(t, http.StatusBadRequest, code, "not an id")

	code, out = st.do("GET", "/api/v1/config", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{map[string]any{"id": "dock-1", "role": "outbound-dock"}, map[string]any{"id": "pack-1", "role": "pack"}}, out["stations"])

	before, _ := os.ReadFile(st.path)
	code, out = st.do("DELETE", "/api/v1/config/stations/dock-1", nil)
	require.Equal(t, http.StatusConflict, code)
	assert.Equal(t, "station dock-1 still has devices: light-1, printer-1; move them to another station or remove them first", out["error"])
	after, _ := os.ReadFile(st.path)
	assert.Equal(t, string(before), string(after), "a station in use stays")
	code, _ = st.do("DELETE", "/api/v1/config/stations/nope", nil)
	assert.Equal(t, http.StatusNotFound, code)

	// A device's station is one of the stations, whatever is typed.
	code, out = st.do("PUT", "/api/v1/config/devices/light-1", itemRequest{Fields: map[string]string{"id": "light-1", "kind": "light", "station": "pack-2"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, `"pack-2" is not one of the stations`, fields(out)["station"])

	// Its devices moved away, it can go.
	code, out = st.do("PUT", "/api/v1/config/devices/light-1", itemRequest{Fields: map[string]string{"id": "light-1", "kind": "light", "station": "pack-1"}})
	require.Equal(t, http.StatusOK, code, "%v", out)
	code, out = st.do("DELETE", "/api/v1/config/stations/dock-1", nil)
	require.Equal(t, http.StatusConflict, code)
	assert.Equal(t, "station dock-1 still has devices: printer-1; move them to another station or remove them first", out["error"])
	code, _ = st.do("DELETE", "/api/v1/config/devices/printer-1", nil)
	require.Equal(t, http.StatusOK, code)
	code, out = st.do("DELETE", "/api/v1/config/stations/dock-1", nil)
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, []config.Station{{ID: "pack-1", Role: "pack"}}, st.b.applied[len(st.b.applied)-1].Stations)
	assert.Contains(t, st.logs.String(), `"station":"dock-1","change":"removed"`)
	code, out = st.do("DELETE", "/api/v1/config/stations/pack-1", nil)
	require.Equal(t, http.StatusConflict, code, "%v", out)
}

// A printer's resolution and label profile are set on the page like any
// other key and checked like gatewayd --check does.
func TestPrinterDPIAndProfileAreChecked(t *testing.T) {
	st := newSite(t, Options{})
	st.signIn()
	printer := map[string]string{"id": "printer-1", "kind": "printer", "station": "dock-1", "address": "127.0.0.1:9100"}
	with := func(k, v string) itemRequest {
		f := maps.Clone(printer)
		f[k] = v
		return itemRequest{Fields: f}
	}
	code, out := st.do("PUT", "/api/v1/config/devices/printer-1", with("dpi", "250"))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, "250 is not a printer resolution (203, 300 or 600)", out["fields"].(map[string]any)["dpi"])
	code, out = st.do("PUT", "/api/v1/config/devices/printer-1", with("profile", "A5"))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, out["fields"].(map[string]any)["profile"], `"A5" is not a printer profile (4x6, 4x8, 6.5x8`)
	code, out = st.do("PUT", "/api/v1/config/devices/light-1", itemRequest{Fields: map[string]string{"id": "light-1", "kind": "light", "station": "dock-1", "dpi": "300"}})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, "is only for a device of kind printer", out["fields"].(map[string]any)["dpi"])
	b, _ := os.ReadFile(st.path)
	assert.Equal(t, fakeConfig, string(b), "refused changes leave the file alone")

	f := with("dpi", "600")
	f.Fields["profile"] = "6.5x8"
	code, out = st.do("PUT", "/api/v1/config/devices/printer-1", f)
	require.Equal(t, http.StatusOK, code, "%v", out)
	cfg := st.b.applied[len(st.b.applied)-1]
	assert.Equal(t, zpl.Options{DPI: 600, Profile: "6.5x8"}, cfg.LabelOptions(cfg.Devices[1]))
	code, out = st.do("PUT", "/api/v1/config/devices/printer-1", itemRequest{Fields: printer})
	require.Equal(t, http.StatusOK, code, "%v", out)
	cfg = st.b.applied[len(st.b.applied)-1]
	assert.Equal(t, zpl.Options{DPI: 203, Profile: "4x6"}, cfg.LabelOptions(cfg.Devices[1]), "left empty: the labels: defaults")
}

// A bad scan reaches the live view with its error and error_at, the byte
// offset in data of the offending character, as central gets it.
func TestLiveScansCarryErrorAt(t *testing.T) {
	st := newSite(t, Options{})
	st.signIn()
	req, _ := http.NewRequest("GET", st.srv.URL+"/api/v1/events", nil)
	resp, err := st.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	require.Eventually(t, func() bool { return st.b.hub.Subscribers() == 1 }, 5*time.Second, 5*time.Millisecond)
	at := 20
	st.b.hub.Publish(live.Event{Type: live.TypeScan, Data: live.Scan{Stored: true, Scan: &wire.Scan{Symbology: "]C1", GS1: true,
		Data: "0109501101530003172513<b>", Error: "at byte 20: AI (17): month 13", ErrorAt: &at}}})
	for {
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		if line != "event: scan\n" {
			continue
		}
		data, err := rd.ReadString('\n')
		require.NoError(t, err)
		assert.Contains(t, data, `"error_at":20`)
		assert.Contains(t, data, `\u003cb\u003e`, "markup escaped in the JSON")
		var v scanView
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(data, "data: ")), &v))
		require.NotNil(t, v.ErrorAt)
		assert.Equal(t, "13<b>", v.Data[*v.ErrorAt:])
		return
	}
}

func TestNoPathTraversalAndEscapedJSON(t *testing.T) {
	st := newSite(t, Options{})
	for _, p := range []string{"/../../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/web.go", "/assets/app.js", "/web.go"} {
		resp, err := http.Get(st.srv.URL + p)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.NotContains(t, string(body), "root:", p)
		assert.NotContains(t, string(body), "package web", p)
	}
	resp, err := http.Get(st.srv.URL + "/app.js")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")

	st.signIn()
	req, _ := http.NewRequest("GET", st.srv.URL+"/api/v1/devices", nil)
	resp, err = st.client.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(raw), "<b>", "markup in names is escaped in JSON")
	assert.Contains(t, string(raw), `\u003cb\u003e`)

	code, _ := st.do("GET", "/api/v1/logs?device=../../x", nil)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = st.do("POST", "/api/v1/print/preview", labelRequest{Template: "../../etc/passwd"})
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = st.do("POST", "/api/v1/print/preview", map[string]any{"template": "sscc-pallet", "data": map[string]string{"x": strings.Repeat("a", 70000)}})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
}

// Every built-in template prints with the sample data the page offers.
func TestSamplesFitEveryTemplate(t *testing.T) {
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	for _, name := range reg.Names() {
		fields, err := reg.Fields(name)
		require.NoError(t, err)
		data := map[string]string{}
		for _, f := range fields {
			data[f.Name] = Sample(f)
		}
		_, err = reg.Render(name, data, zpl.Options{})
		assert.NoError(t, err, name)
	}
}

// A preview is drawn for the chosen printer's resolution and label stock;
// without a printer for the labels: defaults (203 dpi, 4 x 6 in, where
// the 4 x 8 in pallet label does not fit).
func TestPreviewNamesTheBadField(t *testing.T) {
	st := newSite(t, Options{})
	st.signIn()
	pallet := map[string]string{"sscc": "106141410000000019"}
	code, out := st.do("POST", "/api/v1/print/preview", labelRequest{Template: "sscc-pallet", Data: map[string]string{"sscc": "123"}, Device: "printer-1"})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, out["fields"].(map[string]any)["sscc"], "SSCC")
	code, out = st.do("POST", "/api/v1/print/preview", labelRequest{Template: "sscc-pallet", Data: pallet, Device: "printer-1"})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.True(t, strings.HasPrefix(out["png"].(string), "data:image/png;base64,"))
	assert.Contains(t, out["zpl"], "^PW1200\n^LL2400\n", "printer-1: 300 dpi, 4 x 8 in")
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(out["png"].(string), "data:image/png;base64,"))
	require.NoError(t, err)
	img, err := pngDecode(png)
	require.NoError(t, err)
	assert.Equal(t, image.Pt(1200, 2400), img.Bounds().Size(), "drawn at the printer's resolution")

	code, out = st.do("POST", "/api/v1/print/preview", labelRequest{Template: "sscc-pallet", Data: pallet})
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, out["problems"], "render sscc-pallet: label does not fit the printer's media: template sscc-pallet is 101.6 × 203.2 mm and printer profile 4x6 is 101.6 × 152.4 mm; load larger labels and set the printer's profile to 4x8 or 6.5x8")
	code, out = st.do("POST", "/api/v1/print/preview", labelRequest{Template: "bin-location", Data: map[string]string{"location": "A-1"}})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Contains(t, out["zpl"], "^PW812\n^LL406\n", "labels: defaults, 203 dpi")
	code, out = st.do("POST", "/api/v1/print/preview", labelRequest{Template: "bin-location", Data: map[string]string{"location": "A-1"}, Device: "light-1"})
	require.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["fields"], "device")

	code, out = st.do("GET", "/api/v1/config", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"dpi": 203.0, "profile": "4x6"}, out["labels"], "the page shows the defaults")
	assert.Len(t, out["profiles"], len(zpl.Profiles()))
}

// A browser that never reads its event stream costs the scan path
// nothing: publishing goes on at full speed, the stream is dropped after
// the write timeout, and its slot is freed.
func TestSlowBrowserNeverBlocksTheScanPath(t *testing.T) {
	st := newSite(t, Options{StreamWriteTimeout: 300 * time.Millisecond})
	st.signIn()
	// A raw connection that sends the request and then never reads.
	conn, err := net.Dial("tcp", st.srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	cookies := st.client.Jar.Cookies(mustURL(t, st.srv.URL))
	_, err = conn.Write([]byte("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + cookies[0].Name + "=" + cookies[0].Value + "\r\n\r\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return st.b.hub.Subscribers() == 1 }, 5*time.Second, 5*time.Millisecond)

	// Scans keep coming until the socket's buffers are full and the stream's
	// write times out. Were Publish to wait for the browser, this loop
	// would hang at the first full buffer.
	big := strings.Repeat("x", 4000)
	published := 0
	for until := time.Now().Add(30 * time.Second); st.b.hub.Subscribers() > 0 && time.Now().Before(until); {
		for range 1000 {
			st.b.hub.Publish(live.Event{Type: live.TypeScan, Data: live.Scan{Scan: &wire.Scan{Data: big}, Stored: true}})
		}
		published += 1000
		time.Sleep(time.Millisecond)
	}
	require.Zero(t, st.b.hub.Subscribers(), "the stuck stream is dropped (after %d scans)", published)
	assert.Empty(t, st.s.streams, "its slot is free")

	// A reading browser gets the current devices first.
	req, _ := http.NewRequest("GET", st.srv.URL+"/api/v1/events", nil)
	resp, err := st.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "event: devices\n", line)
}

func pngDecode(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestMain(m *testing.M) {
	hashCost = bcrypt.MinCost
	os.Exit(m.Run())
}
