package broker

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/internal/wire"
)

// Accounts checks logins; identity.Registry is the implementation.
type Accounts interface {
	Authenticate(name, secret string) (identity.Account, error)
	Lookup(name string) (identity.Account, bool)
}

// anonymous stands for a client without a login when anonymous access is
// allowed (development only): it may do anything, as on an open broker.
const anonymous = ""

// authHook enforces logins and rights in mochi-mqtt. mochi asks it at
// CONNECT (OnConnectAuthenticate), before a publish is accepted and
// before each delivery (OnACLCheck with the topic), and at SUBSCRIBE
// (OnACLCheck with the filter). mochi does not check a client's Will
// against the ACL when it sends it, so the Will is checked at CONNECT.
type authHook struct {
	mqtt.HookBase
	srv      *mqtt.Server
	accounts Accounts
	rights   rights
	allowAny bool
	log      zerolog.Logger // sampled: refusals cannot flood the log

	mu sync.Mutex
	// hashes holds, per connected client id, the hash its login was
	// checked against: a rotated secret disconnects it.
	hashes map[string]string

	refused atomic.Uint64
}

func newAuthHook(srv *mqtt.Server, site string, accounts Accounts, allowAny bool, log zerolog.Logger) *authHook {
	return &authHook{srv: srv, accounts: accounts, rights: newRights(site), allowAny: allowAny,
		log:    log.Sample(&zerolog.BurstSampler{Burst: 10, Period: time.Minute}),
		hashes: map[string]string{}}
}

func (h *authHook) ID() string { return "dockhand-rights" }

func (h *authHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPublish, mqtt.OnDisconnect:
		return true
	}
	return false
}

// account is the account a connected client logged in with; ok is false
// for a client that must be refused everything (revoked since).
func (h *authHook) account(cl *mqtt.Client) (identity.Account, bool) {
	name := string(cl.Properties.Username)
	if name == anonymous {
		return identity.Account{}, h.allowAny
	}
	a, ok := h.accounts.Lookup(name)
	return a, ok && a.Active()
}

func (h *authHook) refuse(cl *mqtt.Client, what, topic string) {
	h.refused.Add(1)
	h.log.Warn().Str("client", cl.ID).Str("username", string(cl.Properties.Username)).Str("remote", cl.Net.Remote).
		Str("topic", topic).Msg(what)
}

func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	name := string(pk.Connect.Username)
	var hash string
	if name == anonymous && !pk.Connect.PasswordFlag {
		if !h.allowAny {
			h.refuse(cl, "refused login: no username (anonymous access is off)", "")
			return false
		}
	} else {
		a, err := h.accounts.Authenticate(name, string(pk.Connect.Password))
		if err != nil {
			h.refuse(cl, "refused login: "+err.Error(), "")
			return false
		}
		hash = a.Hash
	}
	// A client id belongs to the login that holds its session: taking over
	// central's id would inherit its subscriptions and queued events.
	if old, ok := h.srv.Clients.Get(cl.ID); ok && !bytes.Equal(old.Properties.Username, pk.Connect.Username) {
		h.refuse(cl, "refused login: client id is in use by another account", "")
		return false
	}
	if pk.Connect.WillFlag {
		a, _ := h.accounts.Lookup(name)
		if name != anonymous && !h.rights.canPublish(a, pk.Connect.WillTopic) || len(pk.Connect.WillPayload) > wire.MaxEventBytes {
			h.refuse(cl, "refused login: Last Will on a topic this account may not publish, or too large", pk.Connect.WillTopic)
			return false
		}
	}
	h.mu.Lock()
	h.hashes[cl.ID] = hash
	h.mu.Unlock()
	return true
}

func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	a, ok := h.account(cl)
	if !ok {
		h.refuse(cl, "refused: account revoked", topic)
		return false
	}
	if a.Name == anonymous {
		return true
	}
	if write && h.rights.canPublish(a, topic) || !write && h.rights.canRead(a, topic) {
		return true
	}
	if write {
		h.refuse(cl, "refused publish: not this account's topic", topic)
	} else {
		h.refuse(cl, "refused subscription or delivery: not this account's topic", topic)
	}
	return false
}

// OnPublish bounds gateway events and states to wire.MaxEventBytes (the
// packet limit allows the larger commands). An oversized one ends the
// connection, as a refused publish does.
func (h *authHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if len(pk.Payload) <= wire.MaxEventBytes {
		return pk, nil
	}
	if t, ok := wire.ParseGatewayTopic(pk.TopicName); ok && t.Kind != wire.KindCommand {
		h.refuse(cl, "refused publish: event larger than the limit", pk.TopicName)
		_ = h.srv.DisconnectClient(cl, packets.ErrPacketTooLarge)
		return pk, packets.ErrRejectPacket
	}
	return pk, nil
}

func (h *authHook) OnDisconnect(cl *mqtt.Client, _ error, _ bool) {
	h.mu.Lock()
	delete(h.hashes, cl.ID)
	h.mu.Unlock()
}

// revalidate disconnects every client whose account was revoked, removed
// or given a new secret since it logged in.
func (h *authHook) revalidate() {
	for _, cl := range h.srv.Clients.GetAll() {
		if cl.Closed() || cl.Net.Inline {
			continue
		}
		name := string(cl.Properties.Username)
		h.mu.Lock()
		hash := h.hashes[cl.ID]
		h.mu.Unlock()
		if name == anonymous {
			continue
		}
		if a, ok := h.accounts.Lookup(name); ok && a.Active() && a.Hash == hash {
			continue
		}
		h.log.Warn().Str("client", cl.ID).Str("username", name).Msg("disconnecting a client whose account was revoked or rotated")
		_ = h.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
	}
}
