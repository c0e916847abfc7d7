package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Mosquitto is a private Mosquitto broker a test can stop and restart,
// on its own port with its own persistence file.
type Mosquitto struct {
	t    testing.TB
	bin  string
	conf string
	Port int
	cmd  *exec.Cmd
}

// StartMosquitto starts a private, open broker (anonymous clients may do
// anything) with the given extra config lines. It needs the mosquitto
// binary (.ci/run installs it).
func StartMosquitto(t testing.TB, extra string) *Mosquitto {
	t.Helper()
	return StartMosquittoWith(t, func(port int, dir string) string {
		return fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\n%s\n", port, dir, extra)
	})
}

// MosquittoBinary finds a program of the mosquitto package (mosquitto,
// mosquitto_passwd), skipping or failing t when it is not installed.
func MosquittoBinary(t testing.TB, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		for _, p := range []string{"/usr/sbin/" + name, "/usr/local/sbin/" + name, "/usr/bin/" + name} {
			if _, err2 := os.Stat(p); err2 == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		Unavailable(t, name+" not found (apt-get install mosquitto)")
	}
	return bin
}

// StartMosquittoWith starts a private broker whose whole configuration is
// conf(port, dir): port is free for its main listener, dir is its own
// directory (for persistence and any files conf writes there and names).
func StartMosquittoWith(t testing.TB, conf func(port int, dir string) string) *Mosquitto {
	t.Helper()
	bin := MosquittoBinary(t, "mosquitto")
	if bin == "" {
		return nil
	}
	// Not under t.TempDir: its parent is private to root, and Mosquitto
	// started as root reads its files as the mosquitto user.
	dir, err := os.MkdirTemp("", "dockhand-mosquitto-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(dir, "mosquitto.log"))
			t.Logf("mosquitto's output:\n%s", out)
		}
		_ = os.RemoveAll(dir)
	})
	m := &Mosquitto{t: t, bin: bin, Port: FreePort(t), conf: filepath.Join(dir, "mosquitto.conf")}
	if err := os.WriteFile(m.conf, []byte(conf(m.Port, dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{dir}
	for _, e := range entries {
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	giveToMosquitto(t, paths...)
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// URL is the broker's client URL.
func (m *Mosquitto) URL() string { return "tcp://127.0.0.1:" + strconv.Itoa(m.Port) }

// Start (re)starts the broker and waits until it accepts connections.
func (m *Mosquitto) Start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	logPath := filepath.Join(filepath.Dir(m.conf), "mosquitto.log")
	if f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
		defer f.Close()
		m.cmd.Stdout, m.cmd.Stderr = f, f
	}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(m.Port), 200*time.Millisecond); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(logPath)
	m.t.Fatalf("mosquitto did not listen on %d; its output:\n%s", m.Port, out)
}

// Stop stops the broker cleanly (it saves its persistence file).
func (m *Mosquitto) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	_ = m.cmd.Wait()
	m.cmd = nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// giveToMosquitto makes files the broker's: Mosquitto started as root
// drops to the mosquitto user before it reads its password and ACL files
// and writes its persistence file, so when the tests run as root these
// files are given to that user.
func giveToMosquitto(t testing.TB, paths ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("mosquitto")
	if err != nil {
		return // no such user: Mosquitto keeps running as root
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
}
