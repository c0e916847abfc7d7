package mqttx

import (
	"sync"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Session keeps a broker session alive by building a fresh paho client for
// every connection instead of letting paho reconnect on its own. paho's
// reconnect re-sends the publishes held in its store (racing with its own
// writer goroutine) and never completes their tokens otherwise; Dockhand
// does not need that store — the gateway's outbox and central's queue
// re-publish whatever was not acknowledged — so each connection starts
// clean while the broker-side session (clean session off) keeps the
// subscriptions and queued messages.
type Session struct {
	co     *mqtt.ClientOptions
	mu     sync.Mutex
	client mqtt.Client
	tok    mqtt.Token // of the current client's Connect
	lost   chan struct{}
	ready  chan struct{}
}

// NewSession wraps options from ClientOptions; handlers already set on co
// are kept and still called.
func NewSession(co *mqtt.ClientOptions) *Session {
	s := &Session{co: co, lost: make(chan struct{}, 1), ready: make(chan struct{}, 1)}
	onLost := co.OnConnectionLost
	co.SetAutoReconnect(false).SetConnectRetry(true).
		SetConnectionLostHandler(func(c mqtt.Client, err error) {
			if onLost != nil {
				onLost(c, err)
			}
			select {
			case s.lost <- struct{}{}:
			default:
			}
		})
	s.client = mqtt.NewClient(co)
	return s
}

// Client is the current paho client.
func (s *Session) Client() mqtt.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Connect starts connecting (retrying in the background until it succeeds).
func (s *Session) Connect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.client.Connect()
	s.tok = tok
	go func() {
		<-tok.Done()
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}()
}

// Readied is signalled when a Connect has finished (see Ready).
func (s *Session) Readied() <-chan struct{} { return s.ready }

// Ready reports whether the current connection is up and paho has finished
// setting it up. Publishing earlier races with paho's own start-up (its
// resume re-marks stored publishes while its writer sends them), so
// callers publish only when Ready.
func (s *Session) Ready() bool {
	s.mu.Lock()
	c, t := s.client, s.tok
	s.mu.Unlock()
	if t == nil {
		return false
	}
	select {
	case <-t.Done():
		return t.Error() == nil && c.IsConnectionOpen()
	default:
		return false
	}
}

// Lost is signalled when an established connection is lost; call Rebuild.
func (s *Session) Lost() <-chan struct{} { return s.lost }

// Rebuild drops the current client and connects a new one.
func (s *Session) Rebuild() {
	s.mu.Lock()
	old := s.client
	s.client, s.tok = mqtt.NewClient(s.co), nil
	s.mu.Unlock()
	old.Disconnect(100)
	s.Connect()
}

// SetWill replaces the Last Will of the clients built from now on; a
// client hands its will to the broker when it connects, so the current
// one keeps the will it was built with.
func (s *Session) SetWill(topic string, payload []byte, qos byte, retained bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.co.SetBinaryWill(topic, payload, qos, retained)
}

// Close disconnects, waiting up to quiesce milliseconds for pending work.
func (s *Session) Close(quiesce uint) { s.Client().Disconnect(quiesce) }
