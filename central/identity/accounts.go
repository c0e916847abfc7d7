// Package identity keeps the site's MQTT accounts: one per gateway (its
// username is its gateway id), central's own, and read-only operations
// accounts. Each account has a random secret that central issues once and
// never stores: the file keeps a bcrypt hash of it for broker logins and,
// for a gateway, the key derived from it (wire.MessageKey) that seals the
// messages between that gateway and central.
//
// The accounts live in one small file in central's data directory (mode
// 0600, replaced atomically under a lock), not in central's database: the
// command line changes it while centrald runs, and centrald reloads it
// when it changes.
package identity

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"

	"github.com/dockhand/dockhand/internal/wire"
)

// Role is what an account may do on the site's broker.
type Role string

// Roles.
const (
	// RoleGateway publishes its own events and state and reads its own
	// commands; its username is its gateway id.
	RoleGateway Role = "gateway"
	// RoleCentral reads every gateway's events and publishes commands and
	// operations topics.
	RoleCentral Role = "central"
	// RoleOps reads the site's topics and publishes nothing.
	RoleOps Role = "ops"
)

// CentralName is the account central uses on its embedded broker.
const CentralName = "central"

// FileName is the accounts file in central's data directory.
const FileName = "mqtt-accounts.json"

// Account is one MQTT login. Its secret is never stored.
type Account struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Hash is the bcrypt hash of the secret (broker logins).
	Hash string `json:"hash"`
	// Key is the hex message key of a gateway (wire.MessageKey(secret)).
	Key     string    `json:"key,omitempty"`
	Created time.Time `json:"created"`
	Rotated time.Time `json:"rotated,omitzero"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// Active reports whether the account may log in.
func (a Account) Active() bool { return a.Revoked.IsZero() }

// MessageKey is a gateway account's message key (nil for other roles).
func (a Account) MessageKey() []byte {
	k, err := hex.DecodeString(a.Key)
	if err != nil || len(k) == 0 {
		return nil
	}
	return k
}

type fileDoc struct {
	Accounts []Account `json:"accounts"`
}

// Errors.
var (
	ErrExists   = errors.New("an account of that name exists")
	ErrNotFound = errors.New("no such account")
)

// Path is the accounts file of a data directory.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// newSecret is 256 random bits in hex: safe in YAML, in shell arguments and
// in mosquitto_passwd, and within bcrypt's 72-byte limit.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// bcryptCost is bcrypt's default work factor (about 80 ms per check on a
// server core); logins are checked once per connection and the broker
// remembers a verified secret for reconnects. Test binaries use the
// minimum: under the race detector factor 10 costs over a second per
// login, and with secrets of 256 random bits the factor only slows down
// guessing from a stolen accounts file, which cannot succeed anyway.
var bcryptCost = func() int {
	if testing.Testing() {
		return bcrypt.MinCost
	}
	return bcrypt.DefaultCost
}()

func credentials(a *Account) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcryptCost)
	if err != nil {
		return "", err
	}
	a.Hash = string(h)
	a.Key = ""
	if a.Role == RoleGateway {
		a.Key = hex.EncodeToString(wire.MessageKey(secret))
	}
	return secret, nil
}

func validRole(r Role) bool { return r == RoleGateway || r == RoleCentral || r == RoleOps }

// Add creates an account and returns its secret (shown once, never kept).
// Names are unique across roles: a gateway's name is its MQTT username,
// and the broker's rights follow the username.
func Add(dataDir, name string, role Role) (string, error) {
	if !wire.ValidName(name) {
		return "", fmt.Errorf("account name %q: use letters, digits, '-', '_' or '.' (at most 64)", name)
	}
	if !validRole(role) {
		return "", fmt.Errorf("role %q is not gateway, central or ops", role)
	}
	var secret string
	err := update(dataDir, func(d *fileDoc) error {
		if slices.ContainsFunc(d.Accounts, func(a Account) bool { return a.Name == name }) {
			return fmt.Errorf("%w: %s (rotate it, or revoke it and choose another name)", ErrExists, name)
		}
		a := Account{Name: name, Role: role, Created: time.Now().UTC()}
		var err error
		if secret, err = credentials(&a); err != nil {
			return err
		}
		d.Accounts = append(d.Accounts, a)
		return nil
	})
	return secret, err
}

// Rotate gives an account a new secret (and a revoked one its access back)
// and returns it; the old secret stops working at once.
func Rotate(dataDir, name string) (string, error) {
	var secret string
	err := update(dataDir, func(d *fileDoc) error {
		a := find(d, name)
		if a == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		var err error
		if secret, err = credentials(a); err != nil {
			return err
		}
		a.Rotated, a.Revoked = time.Now().UTC(), time.Time{}
		return nil
	})
	return secret, err
}

// Revoke refuses an account from now on. It stays listed (a name is never
// reused silently); Rotate gives it a new secret.
func Revoke(dataDir, name string) error {
	return update(dataDir, func(d *fileDoc) error {
		a := find(d, name)
		if a == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		if a.Active() {
			a.Revoked = time.Now().UTC()
		}
		return nil
	})
}

// List returns the accounts of a data directory.
func List(dataDir string) ([]Account, error) {
	d, err := load(Path(dataDir))
	return d.Accounts, err
}

// EnsureCentral gives central's account a fresh secret for this run of the
// embedded broker, creating the account on first start. Only the running
// centrald uses it, so it is kept in memory and renewed at every start.
func EnsureCentral(dataDir string) (string, error) {
	var secret string
	err := update(dataDir, func(d *fileDoc) error {
		a := find(d, CentralName)
		if a == nil {
			d.Accounts = append(d.Accounts, Account{Name: CentralName, Role: RoleCentral, Created: time.Now().UTC()})
			a = &d.Accounts[len(d.Accounts)-1]
		}
		if a.Role != RoleCentral {
			return fmt.Errorf("the account %q has role %s; central needs that name for itself", CentralName, a.Role)
		}
		var err error
		secret, err = credentials(a)
		a.Revoked = time.Time{}
		return err
	})
	return secret, err
}

func find(d *fileDoc, name string) *Account {
	for i := range d.Accounts {
		if d.Accounts[i].Name == name {
			return &d.Accounts[i]
		}
	}
	return nil
}

func load(path string) (fileDoc, error) {
	var d fileDoc
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("read accounts: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("accounts file %s: %w", path, err)
	}
	return d, nil
}

// update changes the accounts file under an exclusive lock (two commands
// at once must not lose an account) and replaces it atomically, so the
// daemon reading it never sees half a file.
func update(dataDir string, fn func(*fileDoc) error) error {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	path := Path(dataDir)
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("lock accounts: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock accounts: %w", err)
	}
	d, err := load(path)
	if err != nil {
		return err
	}
	if err := fn(&d); err != nil {
		return err
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(dataDir, path, append(b, '\n'))
}

func writeAtomic(dir, path string, b []byte) error {
	f, err := os.CreateTemp(dir, FileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("write accounts: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	// The file belongs to whoever owns the data directory, so that root
	// running the command leaves a file the centrald service user can read.
	if st, err := os.Stat(dir); err == nil && os.Geteuid() == 0 {
		if s, ok := st.Sys().(*syscall.Stat_t); ok {
			_ = f.Chown(int(s.Uid), int(s.Gid))
		}
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write accounts: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
