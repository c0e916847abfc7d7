package web

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/internal/testenv"
	"github.com/dockhand/dockhand/zpl"
)

// With http.cert_file and key_file the page is served over HTTPS only, the
// certificate is the configured one, and the session cookie is Secure.
func TestPageOverTLS(t *testing.T) {
	dir := t.TempDir()
	testenv.Certs(t, dir)
	logs := &testenv.Buffer{}
	cfg, err := config.Parse([]byte(fakeConfig))
	require.NoError(t, err)
	reg, err := zpl.NewRegistry("")
	require.NoError(t, err)
	hash, err := HashPassword("correct horse battery")
	require.NoError(t, err)
	s, err := Start(Options{Listen: "127.0.0.1:0", CertFile: filepath.Join(dir, "server.pem"), KeyFile: filepath.Join(dir, "server.key"),
		PasswordHash: hash, ConfigPath: filepath.Join(dir, "gateway.yaml")}, &fake{cfg: cfg, labels: reg}, zerolog.New(io.MultiWriter(zerolog.NewTestWriter(t), logs)))
	require.NoError(t, err)
	t.Cleanup(s.Close)

	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + s.Addr()

	resp, err := client.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, resp.TLS, "answered over TLS")
	assert.GreaterOrEqual(t, resp.TLS.Version, uint16(tls.VersionTLS12))

	resp, err = client.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"user":"admin","password":"correct horse battery"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.HttpOnly {
			session = c
		}
	}
	require.NotNil(t, session, "a session cookie is set")
	assert.True(t, session.Secure, "the session cookie is Secure under TLS")
	u, _ := url.Parse(base)
	assert.NotEmpty(t, jar.Cookies(u))

	// Plain HTTP on the same port gets no page, and the refusal is a
	// structured warning in the gateway's log, not a bare stderr line.
	plain, err := http.Get("http://" + s.Addr() + "/healthz")
	if err == nil {
		plain.Body.Close()
		assert.NotEqual(t, http.StatusOK, plain.StatusCode, "no page over plain HTTP")
	}
	assert.Eventually(t, func() bool {
		return strings.Contains(logs.String(), `"level":"warn","component":"http","message":"http: TLS handshake error`)
	}, 5*time.Second, 10*time.Millisecond)
}
