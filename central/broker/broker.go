// Package broker runs the embedded MQTT broker (mochi-mqtt) so that one
// machine runs the whole system with no server installed. In production a
// site points gateways and central at Mosquitto, EMQX or HiveMQ instead.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/rs/zerolog"
)

// Options configure the embedded broker.
type Options struct {
	// Listen is the TCP address, e.g. ":1883".
	Listen string
	// FallbackToFreePort picks a free port on the same host when Listen is
	// taken (the demo uses it; a production broker should fail instead).
	FallbackToFreePort bool
	// Username and Password, when set, are required of every client.
	Username, Password string
}

// Broker is a running embedded broker.
type Broker struct {
	srv  *mqtt.Server
	addr string
}

// Start starts the broker and returns once it accepts connections.
func Start(opt Options, log zerolog.Logger) (*Broker, error) {
	caps := mqtt.NewDefaultServerCapabilities()
	// Match the Mosquitto settings we ship (firmware-config/mosquitto):
	// sessions of offline clients are kept a day, and a client may have
	// many QoS 1 messages queued. Loss beyond that is covered end to end
	// by the gateway's outbox and central's acknowledgements.
	caps.MaximumSessionExpiryInterval = 24 * 60 * 60
	caps.MaximumInflight = 1 << 15
	caps.MaximumClientWritesPending = 1 << 14
	srv := mqtt.New(&mqtt.Options{
		Capabilities: caps,
		Logger:       slog.New(slogHandler{log: log.With().Str("component", "broker").Logger()}),
	})
	if err := addAuth(srv, opt); err != nil {
		return nil, err
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
	if err := srv.Serve(); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	return &Broker{srv: srv, addr: tcp.Address()}, nil
}

func addAuth(srv *mqtt.Server, opt Options) error {
	if opt.Username == "" {
		return srv.AddHook(new(auth.AllowHook), nil)
	}
	return srv.AddHook(new(auth.Hook), &auth.Options{Ledger: &auth.Ledger{
		Auth: auth.AuthRules{{Username: auth.RString(opt.Username), Password: auth.RString(opt.Password), Allow: true}},
	}})
}

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
