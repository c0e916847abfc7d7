package e2e

import (
	"bufio"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// pubackEater is a TCP proxy in front of a real broker that forwards every
// MQTT packet except the broker's PUBACKs to the client while eating is on:
// a broker that accepts publishes but never acknowledges them.
type pubackEater struct {
	ln      net.Listener
	target  string
	eating  atomic.Bool
	eaten   atomic.Int64
	mu      sync.Mutex
	conns   []net.Conn
	stopped chan struct{}
}

func newPubackEater(t *testing.T, target string) *pubackEater {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pubackEater{ln: ln, target: target, stopped: make(chan struct{})}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *pubackEater) url() string { return "tcp://" + p.ln.Addr().String() }

func (p *pubackEater) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			close(p.stopped)
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { p.filter(up, c); _ = c.Close() }()
	}
}

// filter copies broker → client packet by packet (MQTT fixed header:
// type in the high nibble, then a variable-length remaining length).
func (p *pubackEater) filter(from io.Reader, to io.Writer) {
	r := bufio.NewReader(from)
	for {
		first, err := r.ReadByte()
		if err != nil {
			return
		}
		hdr := []byte{first}
		var n, mult int = 0, 1
		for {
			b, err := r.ReadByte()
			if err != nil {
				return
			}
			hdr = append(hdr, b)
			n += int(b&0x7f) * mult
			mult *= 128
			if b&0x80 == 0 {
				break
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if first>>4 == 4 && p.eating.Load() {
			p.eaten.Add(1)
			continue
		}
		if _, err := to.Write(append(hdr, body...)); err != nil {
			return
		}
	}
}

func (p *pubackEater) close() {
	_ = p.ln.Close()
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
}
