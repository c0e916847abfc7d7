// Package mqttx builds paho client options the same way for every Dockhand
// process: broker URL, credentials, TLS, persistent session and reconnects.
package mqttx

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Config says how to reach a broker.
type Config struct {
	URL      string
	ClientID string
	Username string
	Password string
	CAFile   string
	CertFile string
	KeyFile  string
	// KeepAlive defaults to 10 s so a dead link is noticed within ~15 s.
	KeepAlive time.Duration
}

// ClientOptions returns paho options for a persistent session (clean
// session off, so QoS 1 subscriptions survive a reconnect) that retries the
// first connection and reconnects for ever.
func ClientOptions(c Config) (*mqtt.ClientOptions, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mqtt url %q: not a broker URL like tcp://host:1883", c.URL)
	}
	switch u.Scheme {
	case "mqtt":
		u.Scheme = "tcp"
	case "mqtts":
		u.Scheme = "ssl"
	}
	o := mqtt.NewClientOptions().
		AddBroker(u.String()).
		SetClientID(c.ClientID).
		SetCleanSession(false).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(5 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetWriteTimeout(5 * time.Second).
		SetKeepAlive(max(c.KeepAlive, 10*time.Second)).
		SetPingTimeout(5 * time.Second)
	if c.Username != "" {
		o.SetUsername(c.Username).SetPassword(c.Password)
	}
	if c.CAFile != "" || c.CertFile != "" || u.Scheme == "ssl" || u.Scheme == "tls" || u.Scheme == "wss" {
		tc, err := tlsConfig(c)
		if err != nil {
			return nil, err
		}
		o.SetTLSConfig(tc)
	}
	return o, nil
}

func tlsConfig(c Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt ca_file %s: no PEM certificates found", c.CAFile)
		}
		tc.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Wait waits for a token up to d and returns its error, or a timeout error.
func Wait(t mqtt.Token, d time.Duration, what string) error {
	if !t.WaitTimeout(d) {
		return fmt.Errorf("%s: no answer from broker within %s", what, d)
	}
	if err := t.Error(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
