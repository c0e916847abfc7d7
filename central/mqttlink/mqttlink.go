// Package mqttlink connects central's allocator to the site broker: it
// subscribes to every gateway's events with a persistent session, feeds
// them to the allocator in batches, publishes the acknowledgements, and
// drains the store's outgoing queue (commands and ops messages) to the
// broker, deleting each message only after the broker has it.
package mqttlink

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/allocator"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

// maxBatch bounds how many events share one transaction.
const maxBatch = 256

// Link is central's MQTT session.
type Link struct {
	alloc     *allocator.Allocator
	st        *store.Store
	site      string
	log       zerolog.Logger
	sess      *mqttx.Session
	incoming  chan allocator.Incoming
	connected atomic.Bool
}

// New prepares the link; Run connects it.
func New(cfg mqttx.Config, alloc *allocator.Allocator, st *store.Store, log zerolog.Logger) (*Link, error) {
	l := &Link{alloc: alloc, st: st, site: alloc.Site(), log: log.With().Str("component", "mqtt").Logger(),
		incoming: make(chan allocator.Incoming, 4096)}
	if cfg.ClientID == "" {
		cfg.ClientID = "dockhand-central-" + l.site
	}
	co, err := mqttx.ClientOptions(cfg)
	if err != nil {
		return nil, err
	}
	co.SetOnConnectHandler(l.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			l.connected.Store(false)
			l.log.Warn().Err(err).Msg("mqtt connection lost")
		})
	l.sess = mqttx.NewSession(co)
	return l, nil
}

// Connected reports whether the broker session is up.
func (l *Link) Connected() bool { return l.connected.Load() }

func (l *Link) onConnect(c mqtt.Client) {
	l.log.Info().Msg("mqtt connected")
	tok := c.SubscribeMultiple(map[string]byte{wire.AllEvents(l.site): 1, wire.AllStates(l.site): 1}, l.onMessage)
	go func() {
		if err := mqttx.Wait(tok, 10*time.Second, "subscribe to gateway events"); err != nil {
			l.log.Error().Err(err).Msg("subscription failed")
			return
		}
		l.connected.Store(true)
		l.alloc.Update(func(*store.Tx) error { return nil }) // wake the publisher
	}()
}

func (l *Link) onMessage(_ mqtt.Client, m mqtt.Message) {
	t, ok := wire.ParseGatewayTopic(m.Topic())
	if !ok || t.Site != l.site {
		return
	}
	if t.Kind == wire.KindState {
		l.onState(t.Gateway, m.Payload())
		return
	}
	// Blocking here is the backpressure: paho stops reading, the broker
	// queues, and the gateways' outboxes hold the rest.
	l.incoming <- allocator.Incoming{Gateway: t.Gateway, Type: t.Type, Payload: append([]byte(nil), m.Payload()...)}
}

func (l *Link) onState(gateway string, payload []byte) {
	var s wire.State
	if _, err := wire.Decode(payload, &s); err != nil {
		return
	}
	l.log.Info().Str("gateway", gateway).Str("state", s.State).Msg("gateway state")
}

// Run connects and serves until ctx ends.
func (l *Link) Run(ctx context.Context) error {
	l.sess.Connect()
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); l.publishLoop(ctx) }()
	go func() {
		defer func() { done <- struct{}{} }()
		for {
			select {
			case <-ctx.Done():
				return
			case <-l.sess.Lost():
				l.sess.Rebuild()
			}
		}
	}()
	l.applyLoop(ctx)
	<-done
	<-done
	l.sess.Close(250)
	return nil
}

func (l *Link) applyLoop(ctx context.Context) {
	for {
		var batch []allocator.Incoming
		select {
		case <-ctx.Done():
			return
		case in := <-l.incoming:
			batch = append(batch, in)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case in := <-l.incoming:
				batch = append(batch, in)
			default:
				break more
			}
		}
		acks, err := l.alloc.Apply(batch)
		if err != nil {
			// What failed is not acknowledged: the gateways re-send it
			// after their timeout. What was applied is acknowledged below.
			l.log.Error().Err(err).Msg("apply events")
		}
		if !l.sess.Ready() {
			// Not acknowledged now: the gateways re-send, and the repeat
			// is acknowledged then.
			continue
		}
		for _, a := range acks {
			msg := wire.Ack{Envelope: wire.NewEnvelope(wire.CmdAck), Resend: a.Resend}
			msg.Stream, msg.Seq = a.Stream, a.Seq
			b, _ := json.Marshal(msg)
			l.sess.Client().Publish(wire.CommandTopic(l.site, a.Gateway, wire.CmdAck), 1, false, b)
		}
	}
}

// publishLoop drains the outgoing queue in order, waiting for the broker's
// PUBACK before deleting each message.
func (l *Link) publishLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var sentUpTo uint64 // messages up to here are published and deleted
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.alloc.Queued():
		case <-tick.C:
		case <-l.sess.Readied():
		}
		for c := l.sess.Client(); ctx.Err() == nil && l.sess.Ready(); c = l.sess.Client() {
			msgs, err := l.st.Outgoing(sentUpTo, 128)
			if err != nil {
				l.log.Error().Err(err).Msg("read outgoing queue")
				break
			}
			if len(msgs) == 0 {
				break
			}
			toks := make([]mqtt.Token, len(msgs))
			for i, m := range msgs {
				toks[i] = c.Publish(m.Topic, 1, m.Retain, m.Payload)
			}
			var sent []uint64
			for i, t := range toks {
				if mqttx.Wait(t, 10*time.Second, "publish") != nil {
					break // keep order: retry from here next round
				}
				sent = append(sent, msgs[i].Seq)
			}
			if err := l.st.Sent(sent...); err != nil {
				l.log.Error().Err(err).Msg("remove published messages")
				break
			}
			if len(sent) > 0 {
				sentUpTo = sent[len(sent)-1]
			}
			if len(sent) < len(msgs) {
				break
			}
		}
	}
}
