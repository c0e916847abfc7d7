package daemon

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

const (
	site   = "t"
	token  = "tok"
	sscc1  = "106141410000000019"
	failIn = 30 * time.Second // a failing run's bound, never the assertion
)

func startCentral(t *testing.T, opt Options) *Central {
	opt.Site, opt.DataDir, opt.BrokerListen, opt.HTTPAddr, opt.APIToken = site, t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", token
	c, err := Start(opt, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	require.Eventually(t, c.Subscribed, failIn, 10*time.Millisecond, "central subscribes")
	return c
}

func post(t *testing.T, c *Central, path, body string) {
	req, err := http.NewRequest("POST", "http://"+c.HTTPAddr+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s: %s", path, b)
}

// palletScan is what a gateway's inbound dock sends for one SSCC label.
func palletScan(gateway, stream string, seq uint64, sscc string) wire.Scan {
	s := wire.Scan{Envelope: wire.NewEnvelope(wire.EvtScan), Station: "dock-1", Role: "inbound-dock", Symbology: "]C1",
		Data: "00" + sscc, GS1: true, Elements: []wire.Element{{AI: "00", Value: sscc}}, HRI: "(00)" + sscc}
	s.Gateway, s.Device, s.Stream, s.Seq = gateway, "scanner-1", stream, seq
	return s
}

// slowRequest sends the headers of a POST with a 1000-byte body and
// Expect: 100-continue, waits for the server's "100 Continue" (sent when
// the handler starts reading the body), then trickles the body one byte
// every 50 ms. It returns a channel closed when the server has answered
// or closed the connection, with the status line it answered (if any).
func slowRequest(t *testing.T, addr string) (<-chan struct{}, *atomic.Value) {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	fmt.Fprintf(conn, "POST /api/v1/items HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n", addr, token)
	rd := bufio.NewReader(conn)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(failIn)))
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "100 Continue", "the handler is reading the body")
	_, _ = rd.ReadString('\n') // the blank line after 100 Continue
	done := make(chan struct{})
	status := &atomic.Value{}
	status.Store("")
	go func() {
		defer close(done)
		if line, err := rd.ReadString('\n'); err == nil {
			status.Store(strings.TrimSpace(line))
		}
	}()
	go func() {
		body := `{"sku":"SLOW","name":"` + strings.Repeat("x", 1000) // never completed in time
		for i := 0; i < len(body); i++ {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	return done, status
}

// Issue 10, finding 4: a token holder trickling a request body held every
// write, dock scans included, for as long as it trickled. Now the body is
// read before any write is serialised and the read timeout cuts the
// client off: the scan's receipt arrives while the slow request is still
// open, and the slow request then ends with 408.
func TestSlowClientDoesNotHoldBackAScan(t *testing.T) {
	c := startCentral(t, Options{HTTPTimeouts: HTTPTimeouts{Read: 5 * time.Second}})
	post(t, c, "/api/v1/items", `{"sku":"W-1","gtin":"10614141000415","name":"Widget"}`)
	post(t, c, "/api/v1/asns", `{"id":"ASN-1","pallets":[{"sscc":"`+sscc1+`","sku":"W-1","quantity":48}]}`)

	stream := wire.NewID()
	gw := gatewayLogin(t, c, "gw1", stream)
	receipts := make(chan wire.Receipt, 1)
	ops := opsLogin(t, c)
	require.NoError(t, mqttx.Wait(ops.Subscribe(wire.OpsTopic(site, wire.OpsReceipt), 1, func(_ mqtt.Client, m mqtt.Message) {
		var r wire.Receipt
		if json.Unmarshal(m.Payload(), &r) == nil {
			receipts <- r
		}
	}), 10*time.Second, "subscribe"))

	slowDone, slowStatus := slowRequest(t, c.HTTPAddr)

	gw.publish(t, wire.EventTopic(site, "gw1", wire.EvtScan), palletScan("gw1", stream, 1, sscc1))
	select {
	case r := <-receipts:
		assert.Equal(t, sscc1, r.SSCC)
	case <-slowDone:
		t.Fatalf("the slow request ended (%q) before the scan's receipt arrived", slowStatus.Load())
	case <-time.After(failIn):
		t.Fatal("no receipt for the scan")
	}
	select {
	case <-slowDone:
		t.Fatalf("the slow request ended (%q) before the scan's receipt was seen", slowStatus.Load())
	default: // still trickling: the scan did not wait for it
	}

	select {
	case <-slowDone:
		assert.Contains(t, slowStatus.Load(), "408", "the read timeout cut the slow client off")
	case <-time.After(failIn):
		t.Fatal("the slow client was never cut off")
	}
	// Nothing of the slow request was stored.
	req, _ := http.NewRequest("GET", "http://"+c.HTTPAddr+"/api/v1/items/SLOW", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// /healthz said ok while MQTT was down: it is liveness; /readyz says
// whether central can work, and why not.
func TestReadyzFollowsTheBrokerSession(t *testing.T) {
	c := startCentral(t, Options{})
	base := "http://" + c.HTTPAddr
	code, v := getJSON(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code, "%v", v)
	assert.Equal(t, "ready", v["status"])
	assert.Empty(t, v["reasons"])

	require.NoError(t, c.broker.Close())
	c.broker = nil // closed: Close must not close it again
	require.Eventually(t, func() bool { code, v = getJSON(t, base+"/readyz"); return code == http.StatusServiceUnavailable },
		failIn, 50*time.Millisecond, "not ready once the broker is gone")
	assert.Equal(t, "degraded", v["status"])
	reasons := v["reasons"].([]any)
	require.Len(t, reasons, 1, "the store is fine")
	assert.Equal(t, "mqtt", reasons[0].(map[string]any)["component"])
	assert.Contains(t, reasons[0].(map[string]any)["reason"], "not connected to the MQTT broker")
	code, _ = getJSON(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code, "central is alive all the same")
}

func TestStoreReadinessFailsWhenTheStoreCannotWrite(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), zerolog.Nop())
	require.NoError(t, err)
	c := &Central{Store: st}
	assert.Empty(t, c.storeReady())
	require.NoError(t, st.Close())
	assert.Contains(t, c.storeReady(), "the store does not take writes")
}

// `centrald --mqtt ftp://x` started and reported healthy.
func TestBadBrokerURLIsRefusedAtStart(t *testing.T) {
	_, err := Start(Options{Site: site, DataDir: t.TempDir(), MQTT: mqttx.Config{URL: "ftp://x"}, HTTPAddr: "127.0.0.1:0"}, zerolog.Nop())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `scheme "ftp"`)

	for _, bad := range []string{"ftp://x", "tcp://", "tcp://broker", "broker:1883", "tcp://broker:0", "tcp://broker:65536",
		"tcp://broker:http", "tcp://u:secret@broker:1883", "tcp://broker:1883/path", "tcp://broker:1883?x=1", "mqtt:broker", "://", "tcp://[::1"} {
		err := CheckBrokerURL(bad)
		assert.Error(t, err, bad)
		if err != nil {
			assert.NotContains(t, err.Error(), "secret", "credentials are never echoed")
		}
	}
	for _, good := range []string{"tcp://broker:1883", "mqtt://10.0.0.5:1883", "ssl://broker:8883", "tls://broker:8883",
		"mqtts://broker:8883", "ws://broker/mqtt", "wss://broker:443/mqtt", "tcp://[::1]:1883"} {
		assert.NoError(t, CheckBrokerURL(good), good)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "central"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestAPIOverTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	c := startCentral(t, Options{HTTPCertFile: certFile, HTTPKeyFile: keyFile})
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := cl.Get("https://" + c.HTTPAddr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get("http://" + c.HTTPAddr + "/healthz")
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP is not served")
	}

	_, err = Start(Options{Site: site, DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", BrokerListen: "127.0.0.1:0", HTTPCertFile: certFile}, zerolog.Nop())
	assert.ErrorContains(t, err, "--http-cert and --http-key go together")
	_, err = Start(Options{Site: site, DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", BrokerListen: "127.0.0.1:0", HTTPCertFile: keyFile, HTTPKeyFile: keyFile}, zerolog.Nop())
	assert.ErrorContains(t, err, "--http-cert/--http-key")
}
