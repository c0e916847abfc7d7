package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/dockhand/dockhand/internal/mqttx"
	"github.com/dockhand/dockhand/internal/wire"
)

// Message is one MQTT message the observer saw.
type Message struct {
	Topic   string
	Type    string
	Payload map[string]any
	Raw     []byte
}

// Str returns a string field of the payload.
func (m Message) Str(key string) string {
	s, _ := m.Payload[key].(string)
	return s
}

// observer watches every topic of the site with a read-only ops login, as
// an operations person with mosquitto_sub would.
type observer struct {
	client  mqtt.Client
	mu      sync.Mutex
	seen    []Message
	changed chan struct{}
}

func newObserver(url, site, user, secret string) (*observer, error) {
	o := &observer{changed: make(chan struct{})}
	co, err := mqttx.ClientOptions(mqttx.Config{URL: url, ClientID: "dockhand-demo-observer-" + wire.NewID(), Username: user, Password: secret})
	if err != nil {
		return nil, err
	}
	co.SetCleanSession(true)
	topic := wire.Root + "/" + site + "/#"
	co.SetOnConnectHandler(func(c mqtt.Client) { c.Subscribe(topic, 1, o.onMessage) })
	o.client = mqtt.NewClient(co)
	if err := mqttx.Wait(o.client.Connect(), 10*time.Second, "observer connect"); err != nil {
		return nil, err
	}
	if err := mqttx.Wait(o.client.Subscribe(topic, 1, o.onMessage), 10*time.Second, "observer subscribe"); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *observer) onMessage(_ mqtt.Client, m mqtt.Message) {
	msg := Message{Topic: m.Topic(), Raw: append([]byte(nil), m.Payload()...)}
	_ = json.Unmarshal(m.Payload(), &msg.Payload)
	msg.Type = msg.Str("type")
	o.mu.Lock()
	o.seen = append(o.seen, msg)
	close(o.changed)
	o.changed = make(chan struct{})
	o.mu.Unlock()
}

// all returns the messages seen so far whose topic ends with suffix.
func (o *observer) all(suffix string) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Message
	for _, m := range o.seen {
		if strings.HasSuffix(m.Topic, suffix) {
			out = append(out, m)
		}
	}
	return out
}

// wait returns the first message (from index from on) on a topic ending
// with suffix that matches pred.
func (o *observer) wait(ctx context.Context, suffix string, pred func(Message) bool) (Message, error) {
	for {
		o.mu.Lock()
		ch := o.changed
		for _, m := range o.seen {
			if strings.HasSuffix(m.Topic, suffix) && (pred == nil || pred(m)) {
				o.mu.Unlock()
				return m, nil
			}
		}
		o.mu.Unlock()
		select {
		case <-ctx.Done():
			return Message{}, fmt.Errorf("waiting for a message on .../%s: %w", suffix, ctx.Err())
		case <-ch:
		}
	}
}

func (o *observer) close() { o.client.Disconnect(100) }
