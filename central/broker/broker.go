// Package broker runs the embedded MQTT broker (mochi-mqtt) so that one
// machine runs the whole system with no server installed. It logs every
// client in against central's accounts and enforces what each may publish
// and read (rights.go). Sites may run Mosquitto, EMQX or HiveMQ instead,
// with the same rights (firmware-config/mosquitto).
package broker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/internal/wire"
)

// Options configure the embedded broker.
type Options struct {
	// Listen is the plain TCP address, e.g. ":1883".
	Listen string
	// FallbackToFreePort picks a free port on the same host when Listen is
	// taken (the demo uses it; a production broker should fail instead).
	FallbackToFreePort bool
	// Site is the site whose topics the accounts' rights name.
	Site string
	// Accounts checks logins and gives each account its role.
	Accounts Accounts
	// AllowAnonymous lets clients without a login do anything (development
	// only: a warning is logged at start).
	AllowAnonymous bool
	// TLS adds a TLS listener when TLS.Listen is set.
	TLS TLS
}

// TLS configures the broker's TLS listener.
type TLS struct {
	Listen   string // e.g. ":8883"
	CertFile string // PEM certificate chain of the broker
	KeyFile  string // PEM private key
	// ClientCAFile, when set, makes the listener require a client
	// certificate signed by one of these CAs (on top of the login).
	ClientCAFile string
}

// Broker is a running embedded broker.
type Broker struct {
	srv     *mqtt.Server
	hook    *authHook
	addr    string
	tlsAddr string
}

// Start starts the broker and returns once it accepts connections.
func Start(opt Options, log zerolog.Logger) (*Broker, error) {
	if opt.Accounts == nil || !wire.ValidName(opt.Site) {
		return nil, errors.New("embedded broker: a site and its accounts are required")
	}
	caps := mqtt.NewDefaultServerCapabilities()
	// Match the Mosquitto settings we ship (firmware-config/mosquitto):
	// sessions of offline clients are kept a day, and a client may have
	// many QoS 1 messages queued. Loss beyond that is covered end to end
	// by the gateway's outbox and central's acknowledgements.
	caps.MaximumSessionExpiryInterval = 24 * 60 * 60
	caps.MaximumInflight = 1 << 15
	caps.MaximumClientWritesPending = 1 << 14
	// A packet larger than any Dockhand message is refused before it is
	// read into memory.
	caps.MaximumPacketSize = wire.MaxPacketBytes
	blog := log.With().Str("component", "broker").Logger()
	srv := mqtt.New(&mqtt.Options{
		Capabilities: caps,
		Logger:       slog.New(slogHandler{log: blog}),
	})
	b := &Broker{srv: srv, hook: newAuthHook(srv, opt.Site, opt.Accounts, opt.AllowAnonymous, blog)}
	if err := srv.AddHook(b.hook, nil); err != nil {
		return nil, err
	}
	if opt.AllowAnonymous {
		blog.Warn().Msg("anonymous MQTT access is ON: anyone who reaches the broker may publish anything (development only)")
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: opt.Listen})
	err := srv.AddListener(tcp)
	if err != nil && opt.FallbackToFreePort && errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(opt.Listen)
		tcp = listeners.NewTCP(listeners.Config{ID: "tcp", Address: net.JoinHostPort(host, "0")})
		err = srv.AddListener(tcp)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded broker listen on %s: %w", opt.Listen, err)
	}
	b.addr = tcp.Address()
	if opt.TLS.Listen != "" {
		tc, err := opt.TLS.config()
		if err != nil {
			_ = srv.Close()
			return nil, err
		}
		tl := listeners.NewTCP(listeners.Config{ID: "tls", Address: opt.TLS.Listen, TLSConfig: tc})
		if err := srv.AddListener(tl); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("embedded broker TLS listen on %s: %w", opt.TLS.Listen, err)
		}
		b.tlsAddr = tl.Address()
	}
	if err := srv.Serve(); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	return b, nil
}

func (t TLS) config() (*tls.Config, error) {
	if t.CertFile == "" || t.KeyFile == "" {
		return nil, errors.New("--broker-tls-listen needs --broker-tls-cert and --broker-tls-key")
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("broker TLS certificate: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("broker client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("broker client CA %s: no PEM certificates found", t.ClientCAFile)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// Revalidate disconnects clients whose account was revoked or rotated;
// call it after the accounts changed.
func (b *Broker) Revalidate() { b.hook.revalidate() }

// Refused counts logins, publishes, subscriptions and deliveries refused.
func (b *Broker) Refused() uint64 { return b.hook.refused.Load() }

// TLSAddr is the address of the TLS listener ("" without one).
func (b *Broker) TLSAddr() string { return b.tlsAddr }

// Addr is the address the broker listens on.
func (b *Broker) Addr() string { return b.addr }

// URL is a client URL for the broker, using loopback for a wildcard host.
func (b *Broker) URL() string {
	host, port, _ := net.SplitHostPort(b.addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "tcp://" + net.JoinHostPort(host, port)
}

// Close stops the broker.
func (b *Broker) Close() error { return b.srv.Close() }

// slogHandler sends mochi's slog records to zerolog, one level down: the
// broker's routine chatter is debug for us.
type slogHandler struct {
	log   zerolog.Logger
	attrs []slog.Attr
}

func (h slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.log.GetLevel() <= zerolog.DebugLevel || l >= slog.LevelWarn
}

func (h slogHandler) Handle(_ context.Context, r slog.Record) error {
	ev := h.log.Debug()
	if r.Level >= slog.LevelError {
		ev = h.log.Warn()
	}
	for _, a := range h.attrs {
		ev = ev.Str(a.Key, a.Value.String())
	}
	r.Attrs(func(a slog.Attr) bool { ev = ev.Str(a.Key, a.Value.String()); return true })
	ev.Msg(r.Message)
	return nil
}

func (h slogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return slogHandler{log: h.log, attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}

func (h slogHandler) WithGroup(string) slog.Handler { return h }
