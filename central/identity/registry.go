package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"
)

// ErrBadLogin is returned for an unknown or revoked account or a wrong
// secret; which of them is not said.
var ErrBadLogin = errors.New("unknown account, revoked account or wrong secret")

// Registry is the running centrald's view of the accounts file: it checks
// broker logins, gives the allocator and the MQTT link each gateway's
// message key, and reloads the file when the command line changes it.
type Registry struct {
	path string
	log  zerolog.Logger

	mu       sync.RWMutex
	accounts map[string]Account
	stamp    os.FileInfo

	// verified remembers, per account, a digest of the secret last found
	// to match its current hash: reconnects cost a hash, not a bcrypt.
	verifiedMu sync.Mutex
	verified   map[string]verifiedLogin
	// bcrypts bounds concurrent bcrypt checks, so a flood of bad logins
	// costs a bounded share of the CPU.
	bcrypts chan struct{}
}

type verifiedLogin struct {
	hash   string
	digest [sha256.Size]byte
}

// Open loads the accounts of a data directory (none yet is fine).
func Open(dataDir string, log zerolog.Logger) (*Registry, error) {
	r := &Registry{path: Path(dataDir), log: log.With().Str("component", "identity").Logger(),
		verified: map[string]verifiedLogin{}, bcrypts: make(chan struct{}, 2)}
	if _, err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// reload reads the file if it changed and reports whether it did.
func (r *Registry) reload() (bool, error) {
	st, err := os.Stat(r.path)
	if err != nil && !os.IsNotExist(err) {
		return false, err
	}
	r.mu.RLock()
	old, loaded := r.stamp, r.accounts != nil
	r.mu.RUnlock()
	if loaded && sameStamp(old, st) {
		return false, nil
	}
	d, err := load(r.path)
	if err != nil {
		return false, err
	}
	m := make(map[string]Account, len(d.Accounts))
	for _, a := range d.Accounts {
		m[a.Name] = a
	}
	r.mu.Lock()
	r.accounts, r.stamp = m, st
	r.mu.Unlock()
	return true, nil
}

// sameStamp compares two looks at the file: the command line replaces it
// by renaming, so a change is a new inode as well as a new time and size.
func sameStamp(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// Watch reloads the file every period until ctx ends and calls changed
// after each reload that found a change.
func (r *Registry) Watch(ctx context.Context, period time.Duration, changed func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		did, err := r.reload()
		if err != nil {
			r.log.Error().Err(err).Msg("reload accounts; keeping the previous ones")
			continue
		}
		if did {
			r.log.Info().Int("accounts", r.count()).Msg("accounts reloaded")
			if changed != nil {
				changed()
			}
		}
	}
}

// Reload reads the file now if it changed (for callers that just changed it).
func (r *Registry) Reload() error {
	_, err := r.reload()
	return err
}

func (r *Registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.accounts)
}

// Lookup returns an account by name, revoked or not.
func (r *Registry) Lookup(name string) (Account, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.accounts[name]
	return a, ok
}

// GatewayKey is the message key of an active gateway account.
func (r *Registry) GatewayKey(gateway string) ([]byte, bool) {
	a, ok := r.Lookup(gateway)
	if !ok || !a.Active() || a.Role != RoleGateway {
		return nil, false
	}
	k := a.MessageKey()
	return k, k != nil
}

// Authenticate checks a login and returns the account.
func (r *Registry) Authenticate(name, secret string) (Account, error) {
	a, ok := r.Lookup(name)
	if !ok || !a.Active() || secret == "" {
		return Account{}, ErrBadLogin
	}
	digest := sha256.Sum256([]byte(secret))
	r.verifiedMu.Lock()
	v, seen := r.verified[name]
	r.verifiedMu.Unlock()
	if seen && v.hash == a.Hash && subtle.ConstantTimeCompare(v.digest[:], digest[:]) == 1 {
		return a, nil
	}
	r.bcrypts <- struct{}{}
	err := bcrypt.CompareHashAndPassword([]byte(a.Hash), []byte(secret))
	<-r.bcrypts
	if err != nil {
		return Account{}, ErrBadLogin
	}
	r.verifiedMu.Lock()
	r.verified[name] = verifiedLogin{hash: a.Hash, digest: digest}
	r.verifiedMu.Unlock()
	return a, nil
}
