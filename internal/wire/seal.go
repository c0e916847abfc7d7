package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Messages between central and one gateway (events, the gateway's state,
// central's commands) are sealed with a key only those two hold, derived
// from the secret central issued to the gateway. The broker's rights are
// the first wall; the seal is the second, so that a broker left open by
// mistake still cannot be used to forge a scan, an ack or a print command.
//
// A sealed message is the JSON object with one more member appended,
// "sig": the hex HMAC-SHA256 of the topic, a zero byte and the object
// without that member. Binding the topic stops a message from being
// replayed on another gateway's or another type's topic; replays on the
// same topic are refused by sequence numbers (events) and command ids.

// Size limits of the contract. Both sides refuse larger messages before
// decoding them, and the embedded broker refuses larger packets.
const (
	// MaxEventBytes bounds a gateway event or state message.
	MaxEventBytes = 64 << 10
	// MaxCommandBytes bounds a command to a gateway (raw ZPL with an
	// embedded graphic is the largest).
	MaxCommandBytes = 256 << 10
	// MaxPacketBytes bounds any MQTT packet on a Dockhand broker: the
	// largest message plus room for the topic and packet header.
	MaxPacketBytes = MaxCommandBytes + 4<<10
)

// Errors of Open.
var (
	ErrUnsigned     = errors.New("message is not sealed")
	ErrBadSignature = errors.New("message seal does not match (forged, altered or sent on another topic)")
)

const (
	sigMember = `"sig":"`
	sigHexLen = sha256.Size * 2
	// sigTail is the length of `"sig":"<hex>"}`.
	sigTail = len(sigMember) + sigHexLen + 2
)

// MessageKey derives the key that seals messages between central and a
// gateway from the gateway's secret (its MQTT password).
func MessageKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte("dockhand/v1 message key"))
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// macs keeps, per key, keyed HMACs to reuse: every event and command is
// sealed or opened, and a fresh HMAC computes its key schedule and
// allocates each time. The keys are those of central's accounts (or the
// one of a gateway), never chosen by a sender.
var macs sync.Map // string(key) → *sync.Pool of hash.Hash

func mac(key []byte, topic string, payload []byte) []byte {
	p, ok := macs.Load(string(key))
	if !ok {
		k := bytes.Clone(key)
		p, _ = macs.LoadOrStore(string(k), &sync.Pool{New: func() any { return hmac.New(sha256.New, k) }})
	}
	pool := p.(*sync.Pool)
	m := pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(topic))
	m.Write([]byte{0})
	m.Write(payload)
	sum := m.Sum(nil)
	pool.Put(m)
	return sum
}

// Seal appends the "sig" member to a JSON object payload.
func Seal(key []byte, topic string, payload []byte) ([]byte, error) {
	p := bytes.TrimRight(payload, " \t\r\n")
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return nil, fmt.Errorf("seal message for %s: payload is not a JSON object", topic)
	}
	sum := mac(key, topic, p)
	out := make([]byte, 0, len(p)+sigTail+1)
	out = append(out, p[:len(p)-1]...)
	if len(bytes.TrimSpace(p[1:len(p)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, sigMember...)
	out = hex.AppendEncode(out, sum)
	return append(out, '"', '}'), nil
}

// Open checks a sealed payload against the topic it arrived on and returns
// the payload without its seal.
func Open(key []byte, topic string, payload []byte) ([]byte, error) {
	n := len(payload)
	if n < sigTail+1 || !bytes.Equal(payload[n-sigTail:n-sigTail+len(sigMember)], []byte(sigMember)) ||
		!bytes.HasSuffix(payload, []byte(`"}`)) {
		return nil, ErrUnsigned
	}
	got := make([]byte, sha256.Size)
	if _, err := hex.Decode(got, payload[n-sigTail+len(sigMember):n-2]); err != nil {
		return nil, ErrUnsigned
	}
	var orig []byte
	switch payload[n-sigTail-1] {
	case ',':
		orig = append(append(make([]byte, 0, n-sigTail), payload[:n-sigTail-1]...), '}')
	case '{':
		if n-sigTail-1 != 0 {
			return nil, ErrUnsigned
		}
		orig = []byte("{}")
	default:
		return nil, ErrUnsigned
	}
	if !hmac.Equal(got, mac(key, topic, orig)) {
		return nil, ErrBadSignature
	}
	return orig, nil
}
