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

// Options configure a link.
type Options struct {
	MQTT        mqttx.Config
	Site        string
	Gateway     string
	Stations    []string
	Version     string
	ResendAfter time.Duration
	Window      int
}

// Command is a message from central for the gateway to apply.
type Command struct {
	Type    string
	Payload []byte
}

// Link is one gateway's MQTT session.
type Link struct {
	opt    Options
	ob     *outbox.Outbox
	log    zerolog.Logger
	client mqtt.Client
	cmds   chan Command

	wake      chan struct{}
	ackSeq    atomic.Uint64
	rewind    atomic.Bool
	connected atomic.Bool

	published atomic.Uint64
	resent    atomic.Uint64
}

// New prepares a link; Run connects it.
func New(opt Options, ob *outbox.Outbox, log zerolog.Logger) (*Link, error) {
	if opt.Window <= 0 {
		opt.Window = 256
	}
	if opt.ResendAfter <= 0 {
		opt.ResendAfter = 5 * time.Second
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
	l.client = mqtt.NewClient(co)
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
	l.client.Connect() // retries in the background until it succeeds
	defer l.shutdown()
	ticker := time.NewTicker(l.opt.ResendAfter / 4)
	defer ticker.Stop()

	sent := l.ob.Acked() // highest seq published on this connection
	lastAck, lastProgress := sent, time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-l.ob.Notify():
		case <-ticker.C:
		}
		if a := l.ackSeq.Load(); a > l.ob.Acked() {
			if err := l.ob.Ack(a); err != nil {
				l.log.Error().Err(err).Msg("apply ack")
			}
		}
		acked := l.ob.Acked()
		if acked != lastAck {
			lastAck, lastProgress = acked, time.Now()
		}
		if sent < acked {
			sent = acked
		}
		if l.rewind.Swap(false) || (sent > acked && time.Since(lastProgress) > l.opt.ResendAfter) {
			if sent > acked {
				l.log.Debug().Uint64("from", acked+1).Uint64("to", sent).Msg("re-publishing unacknowledged events")
			}
			l.resent.Add(sent - acked)
			sent, lastProgress = acked, time.Now()
		}
		if !l.client.IsConnectionOpen() {
			continue
		}
		var err error
		sent, err = l.publishWindow(sent, acked)
		if err != nil {
			l.log.Error().Err(err).Msg("publish from outbox")
		}
	}
}

// publishWindow publishes stored events after sent while fewer than Window
// are unacknowledged, and returns the new highest published seq.
func (l *Link) publishWindow(sent, acked uint64) (uint64, error) {
	for room := l.opt.Window - int(sent-acked); room > 0; room = l.opt.Window - int(sent-acked) {
		recs, err := l.ob.Pending(sent, min(room, 128))
		if err != nil || len(recs) == 0 {
			return sent, err
		}
		for _, r := range recs {
			l.client.Publish(wire.EventTopic(l.opt.Site, l.opt.Gateway, r.Type), 1, false, r.Payload)
			l.published.Add(1)
			sent = r.Seq
		}
	}
	return sent, nil
}

func (l *Link) shutdown() {
	if l.client.IsConnectionOpen() {
		death, _ := json.Marshal(l.state("offline"))
		tok := l.client.Publish(wire.StateTopic(l.opt.Site, l.opt.Gateway), 1, true, death)
		if err := mqttx.Wait(tok, 2*time.Second, "publish offline state"); err != nil {
			l.log.Warn().Err(err).Msg("offline state not confirmed")
		}
	}
	l.client.Disconnect(250)
	l.connected.Store(false)
	l.log.Info().Msg("mqtt disconnected")
}
