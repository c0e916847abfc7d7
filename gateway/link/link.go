// Package link is the gateway's MQTT connection: it announces the gateway
// (retained birth, Last Will death), publishes the outbox in sequence order
// with a bounded in-flight window, removes events when central acknowledges
// them, re-publishes what central has not acknowledged after a timeout, and
// hands central's commands to the gateway.
//
// Ordering and delivery are driven from the outbox, not from paho's own
// store: after any reconnect the link starts again from central's last
// acknowledgement, and central applies only the next sequence number.
package link

import (
	"context"
	"encoding/json"

	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

// minWindow is the smallest window the link shrinks to.
const minWindow = 8

// Options configure a link.
type Options struct {
	MQTT        mqttx.Config
	Site        string
	Gateway     string
	Stations    []string
	Version     string
	ResendAfter time.Duration
	Window      int
	// StallAfter is how long publishes may wait for the broker's PUBACK
	// before the session is torn down and rebuilt (default 4×ResendAfter).
	StallAfter time.Duration
}

// Command is a message from central for the gateway to apply.
type Command struct {
	Type    string
	Payload []byte
}

// Link is one gateway's MQTT session.
type Link struct {
	opt  Options
	ob   *outbox.Outbox
	log  zerolog.Logger
	sess *mqttx.Session
	cmds chan Command

	wake      chan struct{}
	ackSeq    atomic.Uint64
	rewind    atomic.Bool
	connected atomic.Bool

	published atomic.Uint64
	resent    atomic.Uint64
	// unconfirmed holds tokens of publishes the broker has not PUBACKed.
	// paho keeps each such message in memory, so the link stops
	// publishing when there are too many: a broker that never answers
	// costs a bounded amount of memory, and the rest waits on disk.
	unconfirmed []unconfirmed
	stalled     atomic.Int64
	// cwnd is the window in use, between minWindow and Options.Window:
	// halved when events are lost in transit, widened on clean progress.
	cwnd     int
	restarts atomic.Uint64
}

type unconfirmed struct {
	tok mqtt.Token
	at  time.Time
}

// New prepares a link; Run connects it.
func New(opt Options, ob *outbox.Outbox, log zerolog.Logger) (*Link, error) {
	if opt.Window <= 0 {
		opt.Window = 256
	}
	if opt.ResendAfter <= 0 {
		opt.ResendAfter = 5 * time.Second
	}
	if opt.StallAfter <= 0 {
		opt.StallAfter = max(4*opt.ResendAfter, 2*time.Second)
	}
	l := &Link{
		opt:  opt,
		ob:   ob,
		log:  log.With().Str("component", "link").Logger(),
		cmds: make(chan Command, 256),
		wake: make(chan struct{}, 1),
	}
	if opt.MQTT.ClientID == "" {
		l.opt.MQTT.ClientID = "dockhand-gw-" + opt.Site + "-" + opt.Gateway
	}
	co, err := mqttx.ClientOptions(l.opt.MQTT)
	if err != nil {
		return nil, err
	}
	death, _ := json.Marshal(l.state("offline"))
	co.SetWill(wire.StateTopic(opt.Site, opt.Gateway), string(death), 1, true).
		SetOnConnectHandler(l.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			l.connected.Store(false)
			l.log.Warn().Err(err).Msg("mqtt connection lost; events stay in the outbox")
		}).
		SetReconnectingHandler(func(mqtt.Client, *mqtt.ClientOptions) {
			l.log.Debug().Msg("mqtt reconnecting")
		})
	l.sess = mqttx.NewSession(co)
	return l, nil
}

// Commands delivers central's commands (except acks, which the link
// applies itself).
func (l *Link) Commands() <-chan Command { return l.cmds }

// Connected reports whether the broker session is up.
func (l *Link) Connected() bool { return l.connected.Load() }

// Published counts event publishes, Resent those that were re-publishes.
func (l *Link) Published() (published, resent uint64) { return l.published.Load(), l.resent.Load() }

func (l *Link) state(s string) wire.State {
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: s, Version: l.opt.Version, Stations: l.opt.Stations}
	st.Gateway = l.opt.Gateway
	return st
}

func (l *Link) onConnect(c mqtt.Client) {
	l.log.Info().Str("broker", l.opt.MQTT.URL).Msg("mqtt connected")
	birth, _ := json.Marshal(l.state("online"))
	c.Publish(wire.StateTopic(l.opt.Site, l.opt.Gateway), 1, true, birth)
	tok := c.Subscribe(wire.AllCommands(l.opt.Site, l.opt.Gateway), 1, l.onMessage)
	go func() {
		if err := mqttx.Wait(tok, 10*time.Second, "subscribe to commands"); err != nil {
			l.log.Error().Err(err).Msg("command subscription failed")
		}
	}()
	l.connected.Store(true)
	// Whatever was in flight on the old connection may be lost: start
	// again from central's acknowledgement.
	l.rewind.Store(true)
	l.poke()
}

func (l *Link) onMessage(_ mqtt.Client, m mqtt.Message) {
	t, ok := wire.ParseGatewayTopic(m.Topic())
	if !ok || t.Kind != wire.KindCommand {
		return
	}
	if t.Type == wire.CmdAck {
		l.onAck(m.Payload())
		return
	}
	select {
	case l.cmds <- Command{Type: t.Type, Payload: append([]byte(nil), m.Payload()...)}:
	default:
		// The command is not lost for good: central re-sends unanswered
		// commands. Blocking here would stall acks behind it.
		l.log.Error().Str("type", t.Type).Msg("command queue full; dropping command")
	}
}

func (l *Link) onAck(payload []byte) {
	var a wire.Ack
	if _, err := wire.Decode(payload, &a); err != nil {
		l.log.Warn().Err(err).Msg("bad ack from central")
		return
	}
	if a.Stream != l.ob.Stream() {
		return // an ack for an earlier life of this gateway's outbox
	}
	for {
		cur := l.ackSeq.Load()
		if a.Seq <= cur || l.ackSeq.CompareAndSwap(cur, a.Seq) {
			break
		}
	}
	if a.Resend {
		l.rewind.Store(true)
	}
	l.poke()
}

func (l *Link) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run connects and publishes until ctx ends, then announces "offline" and
// disconnects cleanly.
func (l *Link) Run(ctx context.Context) error {
	l.sess.Connect() // retries in the background until it succeeds
	defer l.shutdown()
	ticker := time.NewTicker(l.opt.ResendAfter / 4)
	defer ticker.Stop()

	sent := l.ob.Acked() // highest seq published on this connection
	lastAck, lastProgress := sent, time.Now()
	var lastRewind time.Time
	l.cwnd = l.opt.Window
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-l.ob.Notify():
		case <-ticker.C:
		case <-l.sess.Lost():
			// Publishes of the lost connection are void: the outbox
			// re-publishes them from central's ack on the new one.
			l.sess.Rebuild()
			l.unconfirmed = nil
		}
		if a := l.ackSeq.Load(); a > l.ob.Acked() {
			if err := l.ob.Ack(a); err != nil {
				l.log.Error().Err(err).Msg("apply ack")
			}
		}
		acked := l.ob.Acked()
		if acked != lastAck {
			// Clean progress: widen the window again (additive increase).
			l.cwnd = min(l.cwnd+int(min(acked-lastAck, 64)), l.opt.Window)
			lastAck, lastProgress = acked, time.Now()
		}
		if sent < acked {
			sent = acked
		}
		asked := l.rewind.Swap(false)
		timedOut := sent > acked && time.Since(lastProgress) > l.opt.ResendAfter
		// One rewind per round trip at most: the acks of a burst that
		// passed a gap all ask for a resend, and obeying each would
		// re-publish the same window many times.
		if (asked || timedOut) && time.Since(lastRewind) > l.opt.ResendAfter/4 {
			if sent > acked {
				l.log.Debug().Uint64("from", acked+1).Uint64("to", sent).Int("window", l.cwnd).Msg("re-publishing unacknowledged events")
				// Events were lost on the way: something (often a broker
				// queue limit) cannot take this many at once, so halve the
				// window (multiplicative decrease).
				l.cwnd = max(l.cwnd/2, minWindow)
			}
			l.resent.Add(sent - acked)
			sent, lastProgress, lastRewind = acked, time.Now(), time.Now()
		}
		if !l.sess.Client().IsConnectionOpen() {
			continue
		}
		if len(l.unconfirmed) > 0 && time.Since(l.unconfirmed[0].at) > l.opt.StallAfter {
			l.restart()
			sent = acked
			continue
		}
		var err error
		sent, err = l.publishWindow(sent, acked)
		if err != nil {
			l.log.Error().Err(err).Msg("publish from outbox")
		}
	}
}

// Unconfirmed is how many publishes await the broker's PUBACK.
func (l *Link) Unconfirmed() int { return int(l.stalled.Load()) }

// room is how many more events may be published now.
func (l *Link) room(sent, acked uint64) int {
	kept := l.unconfirmed[:0]
	for _, u := range l.unconfirmed {
		select {
		case <-u.tok.Done():
		default:
			kept = append(kept, u)
		}
	}
	clear(l.unconfirmed[len(kept):])
	l.unconfirmed = kept
	l.stalled.Store(int64(len(kept)))
	return min(l.cwnd-int(sent-acked), 2*l.opt.Window-len(kept))
}

// publishWindow publishes stored events after sent while fewer than Window
// are unacknowledged (and the broker keeps up), and returns the new highest
// published seq.
func (l *Link) publishWindow(sent, acked uint64) (uint64, error) {
	for room := l.room(sent, acked); room > 0; room = l.room(sent, acked) {
		recs, err := l.ob.Pending(sent, min(room, 128))
		if err != nil || len(recs) == 0 {
			return sent, err
		}
		for _, r := range recs {
			t := l.sess.Client().Publish(wire.EventTopic(l.opt.Site, l.opt.Gateway, r.Type), 1, false, r.Payload)
			l.unconfirmed = append(l.unconfirmed, unconfirmed{tok: t, at: time.Now()})
			l.published.Add(1)
			sent = r.Seq
		}
	}
	return sent, nil
}

// restart replaces a session whose broker stopped acknowledging publishes.
// paho keeps unacknowledged publishes in memory and its client cannot be
// reused after Disconnect, so the link builds a new one; the events are
// still in the outbox and are published again from central's ack.
func (l *Link) restart() {
	l.log.Warn().Int("unconfirmed", len(l.unconfirmed)).Dur("waited", time.Since(l.unconfirmed[0].at)).
		Msg("broker is not acknowledging publishes; rebuilding the MQTT session")
	l.restarts.Add(1)
	l.connected.Store(false)
	l.sess.Rebuild()
	l.unconfirmed = nil
	l.stalled.Store(0)
}

// Restarts counts sessions rebuilt because the broker stopped acknowledging.
func (l *Link) Restarts() uint64 { return l.restarts.Load() }

func (l *Link) shutdown() {
	if c := l.sess.Client(); c.IsConnectionOpen() {
		death, _ := json.Marshal(l.state("offline"))
		tok := c.Publish(wire.StateTopic(l.opt.Site, l.opt.Gateway), 1, true, death)
		if err := mqttx.Wait(tok, 2*time.Second, "publish offline state"); err != nil {
			l.log.Warn().Err(err).Msg("offline state not confirmed")
		}
	}
	l.sess.Close(250)
	l.connected.Store(false)
	l.log.Info().Msg("mqtt disconnected")
}
