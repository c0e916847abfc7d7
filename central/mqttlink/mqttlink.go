// Package mqttlink moves bytes between the site broker and central: it
// subscribes to every gateway's events and states with a persistent
// session, feeds them to ingest in batches (which opens and checks each
// against its gateway), publishes the acknowledgements, and drains the
// store's outgoing queue (commands and ops messages) to the broker,
// deleting each message only after the broker has it. Every command to a
// gateway is sealed with that gateway's key as it is published, so a
// rotated key applies to commands already queued.
package mqttlink

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/ingest"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

// maxBatch bounds how many events share one transaction.
const maxBatch = 256

// Link is central's MQTT session.
type Link struct {
	ing       *ingest.Ingest
	st        store.Store
	keys      ingest.Keys
	site      string
	log       zerolog.Logger
	sess      *mqttx.Session
	incoming  chan ingest.Incoming
	connected atomic.Bool
	// subscribed wakes the publisher once the session has subscribed.
	subscribed chan struct{}
	// unsendable counts queued commands dropped because their gateway has
	// no active account any more.
	unsendable atomic.Uint64
}

// New prepares the link of site; Run connects it. keys seals commands
// (the same keys ingest opens events with).
func New(cfg mqttx.Config, site string, ing *ingest.Ingest, st store.Store, keys ingest.Keys, log zerolog.Logger) (*Link, error) {
	l := &Link{ing: ing, st: st, keys: keys, site: site, log: log.With().Str("component", "mqtt").Logger(),
		incoming: make(chan ingest.Incoming, 4096), subscribed: make(chan struct{}, 1)}
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

// Unsendable counts commands dropped because their gateway had no active
// account when they were due.
func (l *Link) Unsendable() uint64 { return l.unsendable.Load() }

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
		select {
		case l.subscribed <- struct{}{}:
		default:
		}
	}()
}

func (l *Link) onMessage(_ mqtt.Client, m mqtt.Message) {
	t, ok := wire.ParseGatewayTopic(m.Topic())
	if !ok || t.Site != l.site {
		return
	}
	if t.Kind == wire.KindCommand {
		return
	}
	in := ingest.Incoming{Gateway: t.Gateway, Type: t.Type, State: t.Kind == wire.KindState, Size: len(m.Payload())}
	if in.Size <= wire.MaxEventBytes {
		// An oversized message is not kept: ingest refuses it by
		// its size, and thousands of them queued here cost no memory.
		in.Payload = append([]byte(nil), m.Payload()...)
	}
	// Blocking here is the backpressure: paho stops reading, the broker
	// queues, and the gateways' outboxes hold the rest.
	l.incoming <- in
}

// seal seals a message to a gateway with its key; ok is false when the
// gateway has no active account (the message cannot be sent).
func (l *Link) seal(topic string, payload []byte) ([]byte, bool) {
	t, isGW := wire.ParseGatewayTopic(topic)
	if !isGW || t.Kind != wire.KindCommand {
		return payload, true // ops topics are for everyone and not sealed
	}
	key, ok := l.keys.GatewayKey(t.Gateway)
	if !ok {
		return nil, false
	}
	b, err := wire.Seal(key, topic, payload)
	return b, err == nil
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
		var batch []ingest.Incoming
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
		acks, err := l.ing.Apply(ctx, batch)
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
			topic := wire.CommandTopic(l.site, a.Gateway, wire.CmdAck)
			if sealed, ok := l.seal(topic, b); ok {
				l.sess.Client().Publish(topic, 1, false, sealed)
			}
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
		case <-l.st.Queued():
		case <-l.subscribed:
		case <-tick.C:
		case <-l.sess.Readied():
		}
		for c := l.sess.Client(); ctx.Err() == nil && l.sess.Ready(); c = l.sess.Client() {
			msgs, err := l.st.Outgoing(ctx, sentUpTo, 128)
			if err != nil {
				l.log.Error().Err(err).Msg("read outgoing queue")
				break
			}
			if len(msgs) == 0 {
				break
			}
			toks := make([]mqtt.Token, len(msgs))
			for i, m := range msgs {
				p, ok := l.seal(m.Topic, m.Payload)
				if !ok {
					// Its gateway was revoked or removed since: a command
					// it cannot open is dropped, not queued for ever.
					l.unsendable.Add(1)
					l.log.Warn().Str("topic", m.Topic).Msg("dropping a command for a gateway without an active account")
					continue
				}
				toks[i] = c.Publish(m.Topic, 1, m.Retain, p)
			}
			var sent []uint64
			for i, t := range toks {
				if t != nil && mqttx.Wait(t, 10*time.Second, "publish") != nil {
					break // keep order: retry from here next round
				}
				sent = append(sent, msgs[i].Seq)
			}
			if err := l.st.Sent(ctx, sent...); err != nil {
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
