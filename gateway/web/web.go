// Package web serves a gateway's technician page and the JSON API behind
// it, /healthz, /readyz and /metrics. The page is plain HTML, CSS and
// JavaScript embedded in the binary: it needs no internet, no CDN and no
// build step, and works with the uplink to central down.
//
// Every /api/ call except signing in needs a session; every change also
// needs the session's CSRF token. The gateway itself is reached through
// Backend, so this package knows nothing of MQTT or the outbox.
package web

import (
	"context"
	"crypto/tls"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/zpl"
)

//go:embed assets
var assetsFS embed.FS

// Backend is the running gateway as the page sees it.
type Backend interface {
	Overview() Overview
	Devices() []health.Device
	Unready() []health.Reason
	Live() *live.Hub
	// Config is the configuration in force.
	Config() *config.Config
	// Apply puts a new configuration's stations and devices into force
	// (without a restart: a station's new role counts from the next scan).
	Apply(*config.Config) error
	Labels() *zpl.Registry
	// TestPrint sends zpl to printer device between its queued jobs.
	TestPrint(ctx context.Context, device string, zpl []byte) (printer.Result, error)
	// Identify plays the lamp test on a station's light.
	Identify(station string) error
	Logs(logging.Filter) []logging.Line
}

// Overview is the gateway at a glance.
type Overview struct {
	Gateway string      `json:"gateway"`
	Site    string      `json:"site"`
	Version string      `json:"version"`
	Started time.Time   `json:"started"`
	Uptime  float64     `json:"uptime_seconds"`
	Link    health.Link `json:"mqtt"`
	Outbox  Backlog     `json:"outbox"`
	Disk    Disk        `json:"disk"`
	Memory  Memory      `json:"memory"`
}

// Backlog is the outbox: events waiting for central.
type Backlog struct {
	Events      int     `json:"events"`
	Bytes       int64   `json:"bytes"`
	BudgetBytes int64   `json:"budget_bytes"`
	OldestAge   float64 `json:"oldest_age_seconds"`
	// BufferLeftHours is how long the budget lasts offline at the
	// current rate; null when nothing is arriving (no estimate).
	BufferLeftHours *float64 `json:"buffer_left_hours"`
	BytesPerSecond  float64  `json:"bytes_per_second"`
}

// Disk is the file system of the data directory.
type Disk struct {
	Path       string `json:"path"`
	FreeBytes  uint64 `json:"free_bytes"`
	TotalBytes uint64 `json:"total_bytes"`
	Error      string `json:"error,omitempty"`
}

// Memory is the gateway process's memory and the machine's.
type Memory struct {
	HeapBytes      uint64 `json:"heap_bytes"`
	RSSBytes       uint64 `json:"rss_bytes"`
	AvailableBytes uint64 `json:"system_available_bytes"`
	TotalBytes     uint64 `json:"system_total_bytes"`
}

// Options configure the server.
type Options struct {
	Listen            string // e.g. ":8080"
	CertFile, KeyFile string // HTTPS when set
	// PasswordHash is the admin password's hash from the configuration;
	// when empty the hash is kept in PasswordFile, set on first use by
	// someone who gives the code New writes into SetupCodeFile (removed
	// once the password is set).
	PasswordHash  string
	PasswordFile  string
	SetupCodeFile string
	// ConfigPath is the configuration file device and station changes are
	// saved to; "" refuses changes.
	ConfigPath string
	// SerialDirs are listed for the serial port picker.
	SerialDirs []string
	// Metrics serves /metrics.
	Metrics http.Handler
	// SessionIdle and SessionMax bound a session (defaults 30 min, 12 h).
	SessionIdle, SessionMax time.Duration
	// LoginFailures failed sign-ins per client per LoginWindow are
	// allowed before it must wait (defaults 5 per 5 min).
	LoginFailures int
	LoginWindow   time.Duration
	// StreamWriteTimeout bounds one write to an event stream (default
	// 10 s): a browser that stops reading is dropped after it.
	StreamWriteTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.SessionIdle <= 0 {
		o.SessionIdle = 30 * time.Minute
	}
	if o.SessionMax <= 0 {
		o.SessionMax = 12 * time.Hour
	}
	if o.LoginFailures <= 0 {
		o.LoginFailures = 5
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = 5 * time.Minute
	}
	if o.StreamWriteTimeout <= 0 {
		o.StreamWriteTimeout = 10 * time.Second
	}
	return o
}

// Server is the running web server.
type Server struct {
	opt     Options
	b       Backend
	log     zerolog.Logger
	auth    *auth
	edit    editor
	streams chan struct{} // one token per open event stream
	srv     *http.Server
	addr    string
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
}

// maxStreams bounds the event streams open at once.
const maxStreams = 16

// Start listens and serves until Close.
func Start(opt Options, b Backend, log zerolog.Logger) (*Server, error) {
	s, err := New(opt, b, log)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.opt.Listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", s.opt.Listen, err)
	}
	if s.opt.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.opt.CertFile, s.opt.KeyFile)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("http.cert_file: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	s.addr = ln.Addr().String()
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error().Err(err).Msg("http server")
		}
	}()
	scheme := "http"
	if s.opt.CertFile != "" {
		scheme = "https"
	}
	s.log.Info().Str("url", scheme+"://"+s.addr).Bool("password_set", s.auth.passwordSet()).Msg("technician page")
	return s, nil
}

// New builds the server without listening (tests serve its Handler).
func New(opt Options, b Backend, log zerolog.Logger) (*Server, error) {
	opt = opt.withDefaults()
	a, err := newAuth(opt, log)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, b: b, log: log, auth: a, streams: make(chan struct{}, maxStreams), done: make(chan struct{})}
	s.edit = editor{s: s}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: logging.Std(s.log.With().Str("component", "http").Logger())}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops the server, ending open event streams.
func (s *Server) Close() {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	if s.addr != "" {
		<-s.done
	}
}

// Handler is the whole site.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assetsFS, "assets")
	files := http.FileServerFS(static)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /{file}", files)
	if s.opt.Metrics != nil {
		mux.Handle("GET /metrics", s.opt.Metrics)
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)

	mux.HandleFunc("GET /api/v1/session", s.session)
	mux.HandleFunc("POST /api/v1/setup", s.setup)
	mux.HandleFunc("POST /api/v1/login", s.login)
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.auth.require(h)) }
	api("POST /api/v1/logout", s.logout)
	api("GET /api/v1/overview", s.overview)
	api("GET /api/v1/devices", s.devices)
	api("GET /api/v1/events", s.events)
	api("GET /api/v1/logs", s.logs)
	api("GET /api/v1/config", s.edit.get)
	api("GET /api/v1/ports", s.ports)
	api("POST /api/v1/config/devices", s.edit.addDevice)
	api("PUT /api/v1/config/devices/{id}", s.edit.replaceDevice)
	api("DELETE /api/v1/config/devices/{id}", s.edit.removeDevice)
	api("POST /api/v1/config/stations", s.edit.addStation)
	api("PUT /api/v1/config/stations/{id}", s.edit.replaceStation)
	api("DELETE /api/v1/config/stations/{id}", s.edit.removeStation)
	api("GET /api/v1/templates", s.templates)
	api("POST /api/v1/print/preview", s.preview)
	api("POST /api/v1/print/test", s.testPrint)
	api("POST /api/v1/identify", s.identify)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API call: "+r.Method+" "+r.URL.Path)
	})
	return securityHeaders(s.opt.CertFile != "", mux)
}

// securityHeaders keeps the page from being framed, sniffed or made to run
// script from anywhere but its own files.
func securityHeaders(tls bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// maxBody bounds a request body: the largest is a label's sample data.
const maxBody = 64 << 10

// readJSON decodes a request body into v, refusing unknown fields and
// anything but one JSON value.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than %d bytes", maxBody))
			return false
		}
		writeError(w, http.StatusBadRequest, "not a valid JSON request: "+err.Error())
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "not a valid JSON request: more than one value")
		return false
	}
	return true
}

// writeJSON answers with v. encoding/json escapes <, > and & in strings,
// so no device name or scan can become markup even in a careless client.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is the body of every error answer.
type apiError struct {
	Error string `json:"error"`
	// Fields maps a form field to the reason its value is refused.
	Fields map[string]string `json:"fields,omitempty"`
	// Problems are the configuration problems not tied to a field.
	Problems []string `json:"problems,omitempty"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	o := s.b.Overview()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": o.Version, "uptime_seconds": time.Since(o.Started).Seconds()})
}

// readyz is 200 when every configured device works and the link is up,
// else 503 with the reasons.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	reasons := s.b.Unready()
	if len(reasons) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "reasons": []health.Reason{}})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "degraded", "reasons": reasons})
}
