package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// AdminUser is the one account of the page.
const AdminUser = "admin"

// minPassword is the shortest password the page accepts.
const minPassword = 10

const (
	cookieName  = "dockhand_session"
	csrfHeader  = "X-CSRF-Token"
	maxSessions = 32
	maxClients  = 4096 // failed-login records kept
)

// hashCost is bcrypt's work factor for new hashes (tests lower it: under
// the race detector each hash takes seconds).
var hashCost = bcrypt.DefaultCost

// HashPassword returns a bcrypt hash for the configuration.
func HashPassword(password string) (string, error) {
	if len(password) < minPassword {
		return "", fmt.Errorf("the password must have at least %d characters", minPassword)
	}
	if len(password) > 72 {
		return "", errors.New("the password must have at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), hashCost)
	return string(h), err
}

// CheckPassword reports whether password matches hash, a bcrypt hash or an
// argon2id hash in the PHC string format
// ($argon2id$v=19$m=65536,t=3,p=4$<salt>$<key>, base64 without padding, as
// written by the argon2 reference implementation and most tools).
func CheckPassword(hash, password string) bool {
	if strings.HasPrefix(hash, "$argon2id$") {
		return checkArgon2id(hash, password)
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

func checkArgon2id(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[2] != "v=19" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 64 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is compared against when the user name is unknown, so that a
// wrong user takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("dockhand-no-such-user"), bcrypt.DefaultCost)

type session struct {
	csrf    string
	created time.Time
	seen    time.Time
}

type auth struct {
	opt Options
	log zerolog.Logger

	mu   sync.Mutex
	hash string
	// setupCode must be given to set the first password; setupErr says
	// why there is none (the file could not be written).
	setupCode string
	setupErr  error
	sessions  map[[32]byte]*session // by SHA-256 of the cookie value
	failures  map[string]*failures  // by client IP
	checking  chan struct{}         // bounds concurrent hash checks (CPU on a Pi)
	now       func() time.Time
}

type failures struct {
	n     int
	since time.Time
}

func newAuth(opt Options, log zerolog.Logger) (*auth, error) {
	a := &auth{opt: opt, log: log, hash: opt.PasswordHash, sessions: map[[32]byte]*session{},
		failures: map[string]*failures{}, checking: make(chan struct{}, 2), now: time.Now}
	if a.hash == "" && opt.PasswordFile != "" {
		b, err := os.ReadFile(opt.PasswordFile)
		switch {
		case err == nil:
			a.hash = strings.TrimSpace(string(b))
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("admin password file: %w", err)
		}
	}
	if a.hash != "" {
		a.removeSetupCode() // left over from before the password was set
		return a, nil
	}
	a.setupCode, a.setupErr = readOrWriteSetupCode(opt.SetupCodeFile)
	if a.setupErr != nil {
		// The gateway goes on (scans matter more than the page); the page
		// says why it cannot be set up.
		log.Error().Err(a.setupErr).Str("file", opt.SetupCodeFile).Msg("cannot write the setup code: the admin password can only come from http.admin_password_hash")
	} else {
		log.Warn().Str("file", opt.SetupCodeFile).Msg("the admin password is not set: open the technician page and enter the setup code from this file")
	}
	return a, nil
}

// setupCodeRE is the form of a setup code: 12 characters of the RFC 4648
// base32 alphabet in groups of four.
var setupCodeRE = regexp.MustCompile(`^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`)

// readOrWriteSetupCode returns the first-start setup code kept in path,
// making one when there is none yet (or the file is not private): a code
// survives restarts until the password is set. The file is written with
// mode 0600, atomically.
func readOrWriteSetupCode(path string) (string, error) {
	if path == "" {
		return "", errors.New("no file for the setup code")
	}
	if b, err := os.ReadFile(path); err == nil {
		code := strings.TrimSpace(string(b))
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 == 0 && setupCodeRE.MatchString(code) {
			return code, nil
		}
	}
	raw := make([]byte, 8)
	_, _ = rand.Read(raw) // never fails (crypto/rand)
	b32 := base32.StdEncoding.EncodeToString(raw)[:12]
	code := b32[:4] + "-" + b32[4:8] + "-" + b32[8:]
	f, err := os.CreateTemp(filepath.Dir(path), ".setup-code-*") // mode 0600
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(code + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return code, nil
}

// removeSetupCode deletes the setup code file: the password is set.
func (a *auth) removeSetupCode() {
	if a.opt.SetupCodeFile == "" {
		return
	}
	if err := os.Remove(a.opt.SetupCodeFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.log.Error().Err(err).Str("file", a.opt.SetupCodeFile).Msg("cannot remove the setup code file (it is no longer accepted)")
	}
}

// setupCodeOK compares a typed code with the setup code, in constant time,
// ignoring case, spaces and dashes.
func setupCodeOK(want, typed string) bool {
	norm := func(s string) []byte {
		return []byte(strings.Map(func(r rune) rune {
			if r == '-' || r == ' ' {
				return -1
			}
			return unicode.ToUpper(r)
		}, s))
	}
	return want != "" && len(typed) <= 64 && subtle.ConstantTimeCompare(norm(want), norm(typed)) == 1
}

func (a *auth) passwordSet() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hash != ""
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession stores a session and sets its cookie.
func (a *auth) newSession(w http.ResponseWriter) *session {
	token := randomToken()
	now := a.now()
	s := &session{csrf: randomToken(), created: now, seen: now}
	a.mu.Lock()
	if len(a.sessions) >= maxSessions {
		var oldest [32]byte
		var at time.Time
		for k, v := range a.sessions {
			if at.IsZero() || v.seen.Before(at) {
				oldest, at = k, v.seen
			}
		}
		delete(a.sessions, oldest)
	}
	a.sessions[sha256.Sum256([]byte(token))] = s
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: a.opt.CertFile != ""})
	return s
}

// current returns the request's live session, touching it.
func (a *auth) current(r *http.Request) (*session, [32]byte, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || len(c.Value) > 64 {
		return nil, [32]byte{}, false
	}
	key := sha256.Sum256([]byte(c.Value))
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[key]
	if !ok {
		return nil, key, false
	}
	now := a.now()
	if now.Sub(s.seen) > a.opt.SessionIdle || now.Sub(s.created) > a.opt.SessionMax {
		delete(a.sessions, key)
		return nil, key, false
	}
	s.seen = now
	return s, key, true
}

// require lets a request through only with a live session and, for a
// change, the session's CSRF token and no foreign Origin.
func (a *auth) require(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _, ok := a.current(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "sign in first")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(s.csrf)) != 1 {
				writeError(w, http.StatusForbidden, "missing or wrong CSRF token; reload the page")
				return
			}
		}
		next(w, r)
	})
}

// sameOrigin refuses a request whose Origin header names another site.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttled reports how long the client must wait before trying again.
func (a *auth) throttled(ip string) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, ok := a.failures[ip]
	if !ok {
		return 0
	}
	left := a.opt.LoginWindow - a.now().Sub(f.since)
	if left <= 0 {
		delete(a.failures, ip)
		return 0
	}
	if f.n >= a.opt.LoginFailures {
		return left
	}
	return 0
}

func (a *auth) failed(ip string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f, ok := a.failures[ip]; ok {
		f.n++
		return
	}
	if len(a.failures) >= maxClients {
		now := a.now()
		for k, f := range a.failures {
			if now.Sub(f.since) > a.opt.LoginWindow {
				delete(a.failures, k)
			}
		}
		if len(a.failures) >= maxClients {
			clear(a.failures) // a flood of addresses; start over rather than grow
		}
	}
	a.failures[ip] = &failures{n: 1, since: a.now()}
}

// check compares a password under the bound of concurrent checks.
func (a *auth) check(user, password string) bool {
	a.checking <- struct{}{}
	defer func() { <-a.checking }()
	a.mu.Lock()
	hash := a.hash
	a.mu.Unlock()
	if user != AdminUser || hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return CheckPassword(hash, password)
}

type sessionInfo struct {
	Authenticated bool   `json:"authenticated"`
	User          string `json:"user,omitempty"`
	CSRF          string `json:"csrf,omitempty"`
	SetupNeeded   bool   `json:"setup_needed"`
	Editable      bool   `json:"editable"`
}

func (s *Server) sessionInfo(ss *session) sessionInfo {
	info := sessionInfo{SetupNeeded: !s.auth.passwordSet(), Editable: s.opt.ConfigPath != ""}
	if ss != nil {
		info.Authenticated, info.User, info.CSRF = true, AdminUser, ss.csrf
	}
	return info
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	ss, _, _ := s.auth.current(r)
	writeJSON(w, http.StatusOK, s.sessionInfo(ss))
}

type credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// jsonOnly keeps other sites' forms out: a cross-site form cannot send
// application/json without the browser asking first.
func jsonOnly(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "send JSON from the gateway's own page")
		return false
	}
	return true
}

type setupRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
	// Code is the setup code from the file in the gateway's data
	// directory: only someone who can read it there may set the password.
	Code string `json:"code"`
}

// setup sets the admin password while none is set (first start), given
// the setup code, and signs the technician in. Wrong codes count as
// failed sign-ins.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	var c setupRequest
	if !jsonOnly(w, r) || !readJSON(w, r, &c) {
		return
	}
	a := s.auth
	a.mu.Lock()
	done, code, codeErr := a.hash != "", a.setupCode, a.setupErr
	a.mu.Unlock()
	ip := clientIP(r)
	switch wait := a.throttled(ip); {
	case done:
		writeError(w, http.StatusConflict, "the admin password is already set")
		return
	case wait > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many failed attempts; try again in %s", wait.Round(time.Second)))
		return
	case codeErr != nil:
		writeError(w, http.StatusServiceUnavailable, "first-start setup is not possible on this gateway ("+codeErr.Error()+"); put a hash in http.admin_password_hash")
		return
	case !setupCodeOK(code, c.Code):
		a.failed(ip)
		s.log.Warn().Str("client", ip).Bool("code_given", c.Code != "").Msg("first-start setup refused: wrong setup code")
		reason := "not the setup code: read it from the file " + filepath.Base(s.opt.SetupCodeFile) + " in the gateway's data directory (the gateway logs its path at start)"
		writeJSON(w, http.StatusForbidden, apiError{Error: reason, Fields: map[string]string{"code": reason}})
		return
	}
	hash, err := HashPassword(c.Password)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error(), Fields: map[string]string{"password": err.Error()}})
		return
	}
	a.mu.Lock()
	if a.hash != "" {
		a.mu.Unlock()
		writeError(w, http.StatusConflict, "the admin password is already set")
		return
	}
	if err := os.WriteFile(s.opt.PasswordFile, []byte(hash+"\n"), 0o600); err != nil {
		a.mu.Unlock()
		s.log.Error().Err(err).Str("file", s.opt.PasswordFile).Msg("cannot keep the admin password")
		writeError(w, http.StatusInternalServerError, "cannot keep the password: "+err.Error())
		return
	}
	a.hash, a.setupCode = hash, ""
	a.mu.Unlock()
	a.removeSetupCode()
	s.log.Warn().Str("client", ip).Str("file", s.opt.PasswordFile).Msg("admin password set on first use with the setup code")
	writeJSON(w, http.StatusOK, s.sessionInfo(a.newSession(w)))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !jsonOnly(w, r) || !readJSON(w, r, &c) {
		return
	}
	ip := clientIP(r)
	if wait := s.auth.throttled(ip); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many failed sign-ins; try again in %s", wait.Round(time.Second)))
		return
	}
	if len(c.Password) > 1024 || !s.auth.check(c.User, c.Password) {
		s.auth.failed(ip)
		s.log.Warn().Str("client", ip).Msg("failed sign-in")
		// The same answer whether the user exists or not.
		writeError(w, http.StatusUnauthorized, "wrong user name or password")
		return
	}
	s.log.Info().Str("client", ip).Str("user", AdminUser).Msg("signed in")
	writeJSON(w, http.StatusOK, s.sessionInfo(s.auth.newSession(w)))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	_, key, _ := s.auth.current(r)
	s.auth.mu.Lock()
	delete(s.auth.sessions, key)
	s.auth.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opt.CertFile != ""})
	s.log.Info().Str("client", clientIP(r)).Msg("signed out")
	writeJSON(w, http.StatusOK, s.sessionInfo(nil))
}
