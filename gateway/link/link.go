// Package link is the gateway's MQTT connection: it announces the gateway
// and its event streams (retained birth, Last Will death), publishes the
// outbox in sequence order with a bounded in-flight window, removes events
// when central acknowledges them, re-publishes what central has not
// acknowledged after a timeout, and hands central's commands to the
// gateway.
//
// Every message it sends is sealed with the key derived from the gateway's
// MQTT password (wire.Seal), and every command must carry central's seal
// for this gateway: a command that is too large, unsealed or sealed with
// another key is refused before it is decoded, and so is an ack for
// another stream or for events never issued. Refusals are logged, counted
// and reported to central as refused events, collapsed per topic and
// reason (refusals.go).
//
// Ordering and delivery are driven from the outbox, not from paho's own
// store: after any reconnect the link starts again from central's last
// acknowledgement, and central applies only the next sequence number.
package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// Defaults of the gateway configuration's link section.
const (
	DefaultResendAfter = 5 * time.Second
	DefaultWindow      = 256
)

// Options configure a link.
type Options struct {
	// MQTT is the broker and this gateway's login: the username defaults
	// to the gateway id, and the password (issued by central) is required,
	// since the key that seals messages is derived from it.
	MQTT    mqttx.Config
	Site    string
	Gateway string
	// Stations are announced in the state messages; SetStations changes
	// them.
	Stations []Station
	Version  string
	// ResendAfter (default DefaultResendAfter) and Window (default
	// DefaultWindow) are the link section of the gateway configuration.
	ResendAfter time.Duration
	Window      int
	// StallAfter is how long publishes may wait for the broker's PUBACK
	// before the session is torn down and rebuilt (default 4×ResendAfter).
	StallAfter time.Duration
	// RefusalWindow is the period over which refusals of one topic and
	// reason are collapsed into one report (default one minute).
	RefusalWindow time.Duration
}

// Station is a station of the gateway and its role, as the state
// messages announce them.
type Station struct {
	ID   string
	Role wire.Role
}

// CheckCredentials tells whether a link could start with this login.
func CheckCredentials(c mqttx.Config) error {
	if c.Password == "" {
		return errors.New("no MQTT password: central issues one per gateway (centrald gateway add ID); " +
			"set mqtt.password in the configuration or DOCKHAND_MQTT_PASSWORD")
	}
	return nil
}

// Command is a message from central for the gateway to apply.
type Command struct {
	Type    wire.MessageType
	Payload []byte
}

// Link is one gateway's MQTT session.
type Link struct {
	opt  Options
	ob   *outbox.Outbox
	log  zerolog.Logger
	sess *mqttx.Session
	cmds chan Command

	wake  chan struct{}
	lanes [2]*laneState
	// bornOn is the client the birth was last published on (Run only):
	// each connection is a new client, and its birth must go out before
	// its first event, which paho's OnConnect (run in its own goroutine,
	// possibly after the session is Ready) cannot ensure. needBirth asks
	// for the birth again on the same connection.
	bornOn    mqtt.Client
	needBirth atomic.Bool
	stations  atomic.Pointer[[]Station]
	connected atomic.Bool
	since     atomic.Int64 // unix ns of the last change of connected
	lastErr   atomic.Pointer[string]

	key      []byte // seals what this gateway sends, opens central's commands
	refusals *refusals
	refused  atomic.Uint64

	published atomic.Uint64
	resent    atomic.Uint64
	// unconfirmed holds tokens of publishes the broker has not PUBACKed.
	// paho keeps each such message in memory, so the link stops
	// publishing when there are too many: a broker that never answers
	// costs a bounded amount of memory, and the rest waits on disk.
	unconfirmed []unconfirmed
	stalled     atomic.Int64
	restarts    atomic.Uint64
}

// laneState is the publishing state of one outbox lane. ackSeq and rewind
// are set by the MQTT goroutine; the rest belongs to Run.
type laneState struct {
	lane   outbox.Lane
	ackSeq atomic.Uint64
	rewind atomic.Bool

	sent uint64 // highest seq published on this connection
	// published is the highest seq published since the link started: an
	// ack never deletes beyond it.
	published    atomic.Uint64
	lastApplied  time.Time
	lastAck      uint64
	lastProgress time.Time
	lastRewind   time.Time
	// cwnd is the window in use, between minWindow and Options.Window:
	// halved when events are lost in transit, widened on clean progress.
	cwnd int
}

type unconfirmed struct {
	tok mqtt.Token
	at  time.Time
}

// New prepares a link; Run connects it.
func New(opt Options, ob *outbox.Outbox, log zerolog.Logger) (*Link, error) {
	if err := CheckCredentials(opt.MQTT); err != nil {
		return nil, err
	}
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.ResendAfter <= 0 {
		opt.ResendAfter = DefaultResendAfter
	}
	if opt.StallAfter <= 0 {
		opt.StallAfter = max(4*opt.ResendAfter, 2*time.Second)
	}
	if opt.RefusalWindow <= 0 {
		opt.RefusalWindow = time.Minute
	}
	if opt.MQTT.Username == "" {
		opt.MQTT.Username = opt.Gateway
	}
	l := &Link{
		opt:      opt,
		ob:       ob,
		log:      log.With().Str("component", "link").Logger(),
		cmds:     make(chan Command, 256),
		wake:     make(chan struct{}, 1),
		key:      wire.MessageKey(opt.MQTT.Password),
		refusals: newRefusals(opt.RefusalWindow),
	}
	l.since.Store(time.Now().UnixNano())
	l.stations.Store(&opt.Stations)
	if opt.MQTT.ClientID == "" {
		l.opt.MQTT.ClientID = "dockhand-gw-" + opt.Site + "-" + opt.Gateway
	}
	co, err := mqttx.ClientOptions(l.opt.MQTT)
	if err != nil {
		return nil, err
	}
	death, err := l.stateMessage("offline")
	if err != nil {
		return nil, err
	}
	co.SetWill(wire.StateTopic(opt.Site, opt.Gateway), string(death), 1, true).
		SetOnConnectHandler(l.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			l.note(false, err)
			l.log.Warn().Err(err).Msg("mqtt connection lost; events stay in the outbox")
		}).
		SetReconnectingHandler(func(mqtt.Client, *mqtt.ClientOptions) {
			l.log.Debug().Msg("mqtt reconnecting")
		})
	l.sess = mqttx.NewSession(co)
	for _, ln := range outbox.Lanes {
		l.lanes[ln] = &laneState{lane: ln}
	}
	return l, nil
}

// Commands delivers central's commands (except acks, which the link
// applies itself).
func (l *Link) Commands() <-chan Command { return l.cmds }

// Connected reports whether the broker session is up.
func (l *Link) Connected() bool { return l.connected.Load() }

// Published counts event publishes, Resent those that were re-publishes.
func (l *Link) Published() (published, resent uint64) { return l.published.Load(), l.resent.Load() }

// SetStations changes the stations the state messages announce, as the
// technician changed them without a restart: the birth is published again
// at once (or when the link is next connected), and the Last Will of the
// next MQTT session names them too.
func (l *Link) SetStations(stations []Station) {
	stations = slices.Clone(stations)
	l.stations.Store(&stations)
	if death, err := l.stateMessage("offline"); err == nil {
		l.sess.SetWill(wire.StateTopic(l.opt.Site, l.opt.Gateway), death, 1, true)
	}
	l.needBirth.Store(true)
	l.poke()
}

// stateMessage is the sealed birth ("online", announcing the outbox's
// streams and their lanes) or death ("offline") message, both with the
// stations and their roles.
func (l *Link) stateMessage(s string) ([]byte, error) {
	st := wire.State{Envelope: wire.NewEnvelope(wire.TypeState), State: s, Version: l.opt.Version}
	st.Gateway = l.opt.Gateway
	for _, stn := range *l.stations.Load() {
		st.Stations = append(st.Stations, stn.ID)
		if st.Roles == nil {
			st.Roles = map[string]wire.Role{}
		}
		st.Roles[stn.ID] = stn.Role
	}
	if s == "online" {
		st.Streams = []wire.StreamInfo{{ID: l.ob.LaneStream(outbox.Must), Lane: wire.LaneMust}, {ID: l.ob.LaneStream(outbox.Bulk), Lane: wire.LaneBulk}}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return wire.Seal(l.key, wire.StateTopic(l.opt.Site, l.opt.Gateway), b)
}

func (l *Link) onConnect(c mqtt.Client) {
	l.log.Info().Str("broker", l.opt.MQTT.URL).Msg("mqtt connected")
	tok := c.Subscribe(wire.AllCommands(l.opt.Site, l.opt.Gateway), 1, l.onMessage)
	go func() {
		if err := mqttx.Wait(tok, 10*time.Second, "subscribe to commands"); err != nil {
			l.log.Error().Err(err).Msg("command subscription failed")
		}
	}()
	l.note(true, nil)
	l.poke() // Run starts the new connection with the birth and a rewind

}

func (l *Link) onMessage(_ mqtt.Client, m mqtt.Message) {
	t, ok := wire.ParseGatewayTopic(m.Topic())
	if !ok || t.Kind != wire.KindCommand || t.Site != l.opt.Site || t.Gateway != l.opt.Gateway {
		return
	}
	// The size first: a forged 10 MB command is never decoded.
	if n := len(m.Payload()); n > wire.MaxCommandBytes {
		l.refuse(m.Topic(), wire.RefusedOversized, fmt.Sprintf("%d bytes, more than the limit of %d", n, wire.MaxCommandBytes))
		return
	}
	payload, err := wire.Open(l.key, m.Topic(), m.Payload())
	switch {
	case errors.Is(err, wire.ErrUnsigned):
		l.refuse(m.Topic(), wire.RefusedUnsealed, err.Error())
		return
	case err != nil:
		l.refuse(m.Topic(), wire.RefusedBadSeal, err.Error())
		return
	}
	if t.Type == wire.CmdAck {
		l.onAck(m.Topic(), payload)
		return
	}
	select {
	case l.cmds <- Command{Type: t.Type, Payload: payload}:
	default:
		// The command is not lost for good: central re-sends unanswered
		// commands. Blocking here would stall acks behind it.
		l.log.Error().Str("type", string(t.Type)).Msg("command queue full; dropping command")
	}
}

func (l *Link) onAck(topic string, payload []byte) {
	var a wire.Ack
	if _, err := wire.Decode(payload, &a); err != nil {
		l.refuse(topic, wire.RefusedMalformed, err.Error())
		return
	}
	lane, ok := l.ob.LaneOf(a.Stream)
	if !ok {
		l.refuse(topic, wire.RefusedAckOtherStream, fmt.Sprintf("stream %q is not one of this gateway's", a.Stream))
		return
	}
	if issued := l.ob.Issued(lane); a.Seq > issued {
		l.refuse(topic, wire.RefusedAckBeyondIssued, fmt.Sprintf("ack for %s seq %d, but only %d were issued", lane, a.Seq, issued))
		return
	}
	ls := l.lanes[lane]
	// Never delete what this run has not published: an ack beyond it
	// (central's watermark after this gateway restarted) counts only up
	// to what was published; the rest is acknowledged on its repeat.
	seq := min(a.Seq, ls.published.Load())
	for {
		cur := ls.ackSeq.Load()
		if seq <= cur || ls.ackSeq.CompareAndSwap(cur, seq) {
			break
		}
	}
	if a.Resend {
		ls.rewind.Store(true)
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
	// The ticker also ends refusal windows, so it runs at least twice a
	// window.
	ticker := time.NewTicker(min(l.opt.ResendAfter/4, l.opt.RefusalWindow/2))
	defer ticker.Stop()
	reportCtx, stopReports := context.WithCancel(ctx)
	reportsDone := make(chan struct{})
	go func() { defer close(reportsDone); l.storeReports(reportCtx) }()
	defer func() { stopReports(); <-reportsDone }()

	for _, ls := range l.lanes {
		ls.sent = l.ob.Acked(ls.lane)
		ls.lastAck, ls.lastProgress, ls.cwnd = ls.sent, time.Now(), l.opt.Window
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-l.ob.Notify():
		case <-ticker.C:
			l.flushRefusals()
		case <-l.sess.Readied():
		case <-l.sess.Lost():
			// Publishes of the lost connection are void: the outbox
			// re-publishes them from central's ack on the new one.
			l.sess.Rebuild()
			l.unconfirmed = nil
		}
		for _, ls := range l.lanes {
			l.track(ls)
		}
		if !l.sess.Ready() {
			continue
		}
		if c := l.sess.Client(); c != l.bornOn || l.needBirth.Swap(false) {
			if c != l.bornOn {
				// A new connection: whatever was in flight on the old one
				// may be lost, so start again from central's ack.
				for _, ls := range l.lanes {
					l.rewind(ls, l.acked(ls))
				}
			}
			if birth, err := l.stateMessage("online"); err == nil {
				c.Publish(wire.StateTopic(l.opt.Site, l.opt.Gateway), 1, true, birth)
				l.bornOn = c
			}
		}
		if len(l.unconfirmed) > 0 && time.Since(l.unconfirmed[0].at) > l.opt.StallAfter {
			l.restart()
			for _, ls := range l.lanes {
				ls.sent = l.acked(ls)
			}
			continue
		}
		// Must-lane events go first; raw reads use what is left, so a
		// backlog of raw reads never delays a scan.
		for _, ls := range l.lanes {
			if err := l.publishWindow(ls); err != nil {
				l.log.Error().Err(err).Str("lane", ls.lane.String()).Msg("publish from outbox")
			}
			if ls.sent < l.ob.Issued(ls.lane) {
				break
			}
		}
	}
}

// track applies central's latest ack to a lane, adapts its window, and
// rewinds it when central asked for a resend or stopped acknowledging.
func (l *Link) track(ls *laneState) {
	// Deleting acknowledged events is a durable write of its own (an
	// fsync, and SD-card wear on a Pi), and it shares Badger's one write
	// pipeline with the appends a green light waits for; so acks are
	// applied to the disk at most every ackApplyEvery. Losing one in a
	// crash only means a few repeats, which central ignores.
	if a := ls.ackSeq.Load(); a > l.ob.Acked(ls.lane) && time.Since(ls.lastApplied) >= ackApplyEvery {
		l.applyAck(ls, a)
	}
	acked := l.acked(ls)
	if acked != ls.lastAck {
		// Clean progress: widen the window again (additive increase).
		ls.cwnd = min(ls.cwnd+int(min(acked-ls.lastAck, 64)), l.opt.Window)
		ls.lastAck, ls.lastProgress = acked, time.Now()
	}
	if ls.sent < acked {
		ls.sent = acked
	}
	asked := ls.rewind.Swap(false)
	timedOut := ls.sent > acked && time.Since(ls.lastProgress) > l.opt.ResendAfter
	// One rewind per round trip at most: the acks of a burst that passed a
	// gap all ask for a resend, and obeying each would re-publish the same
	// window many times.
	if (asked || timedOut) && time.Since(ls.lastRewind) > l.opt.ResendAfter/4 {
		l.rewind(ls, acked)
		// Central may not know this stream yet (it holds back events of
		// streams not announced and asks for them again): announce the
		// streams again before re-publishing.
		l.needBirth.Store(true)
	}
}

// rewind makes a lane publish again from central's acknowledgement.
func (l *Link) rewind(ls *laneState, acked uint64) {
	if ls.sent > acked {
		l.log.Debug().Str("lane", ls.lane.String()).Uint64("from", acked+1).Uint64("to", ls.sent).Int("window", ls.cwnd).
			Msg("re-publishing unacknowledged events")
		// Events were lost on the way: something (often a broker queue
		// limit) cannot take this many at once, so halve the window
		// (multiplicative decrease).
		ls.cwnd = max(ls.cwnd/2, minWindow)
	}
	l.resent.Add(ls.sent - acked)
	ls.sent, ls.lastProgress, ls.lastRewind = acked, time.Now(), time.Now()
}

// Unconfirmed is how many publishes await the broker's PUBACK.
func (l *Link) Unconfirmed() int { return int(l.stalled.Load()) }

// ackApplyEvery bounds how often acknowledged events are deleted. Each
// deletion is a synchronous commit that a scan arriving at that moment
// queues behind; at 100 ms that was about 1 % of a busy dock's scans,
// which is exactly the commit-latency p99. Acknowledged events staying a
// second longer cost a second of disk budget and, after a crash, a second
// of repeats central ignores.
const ackApplyEvery = time.Second

// Acked is the highest seq of a lane central has acknowledged (the outbox
// deletes those events shortly after).
func (l *Link) Acked(lane outbox.Lane) uint64 { return l.acked(l.lanes[lane]) }

// acked is the highest seq of a lane that needs no more publishing:
// acknowledged by central (even if not yet deleted) or shed.
func (l *Link) acked(ls *laneState) uint64 { return max(ls.ackSeq.Load(), l.ob.Acked(ls.lane)) }

func (l *Link) applyAck(ls *laneState, a uint64) {
	ls.lastApplied = time.Now()
	if err := l.ob.Ack(ls.lane, a); err != nil {
		l.log.Error().Err(err).Msg("apply ack")
	}
}

// room is how many more events of a lane may be published now.
func (l *Link) room(ls *laneState) int {
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
	return min(ls.cwnd-int(ls.sent-l.acked(ls)), 2*l.opt.Window-len(kept))
}

// publishWindow publishes a lane's stored events after sent while its
// window has room (and the broker keeps up).
func (l *Link) publishWindow(ls *laneState) error {
	for room := l.room(ls); room > 0; room = l.room(ls) {
		recs, err := l.ob.Pending(ls.lane, ls.sent, min(room, 128))
		if err != nil || len(recs) == 0 {
			return err
		}
		for _, r := range recs {
			topic := wire.EventTopic(l.opt.Site, l.opt.Gateway, r.Type)
			sealed, err := wire.Seal(l.key, topic, r.Payload)
			if err != nil {
				return fmt.Errorf("event %d: %w", r.Seq, err)
			}
			t := l.sess.Client().Publish(topic, 1, false, sealed)
			l.unconfirmed = append(l.unconfirmed, unconfirmed{tok: t, at: time.Now()})
			l.published.Add(1)
			ls.sent = r.Seq
			if r.Seq > ls.published.Load() {
				ls.published.Store(r.Seq)
			}
		}
	}
	return nil
}

// restart replaces a session whose broker stopped acknowledging publishes.
// paho keeps unacknowledged publishes in memory and its client cannot be
// reused after Disconnect, so the link builds a new one; the events are
// still in the outbox and are published again from central's ack.
func (l *Link) restart() {
	l.log.Warn().Int("unconfirmed", len(l.unconfirmed)).Dur("waited", time.Since(l.unconfirmed[0].at)).
		Msg("broker is not acknowledging publishes; rebuilding the MQTT session")
	l.restarts.Add(1)
	l.note(false, errNotAcknowledging)
	l.sess.Rebuild()
	l.unconfirmed = nil
	l.stalled.Store(0)
}

// Restarts counts sessions rebuilt because the broker stopped acknowledging.
func (l *Link) Restarts() uint64 { return l.restarts.Load() }

func (l *Link) shutdown() {
	for _, ls := range l.lanes {
		if a := ls.ackSeq.Load(); a > l.ob.Acked(ls.lane) {
			l.applyAck(ls, a)
		}
	}
	if c := l.sess.Client(); c.IsConnectionOpen() {
		death, _ := l.stateMessage("offline")
		tok := c.Publish(wire.StateTopic(l.opt.Site, l.opt.Gateway), 1, true, death)
		if err := mqttx.Wait(tok, 2*time.Second, "publish offline state"); err != nil {
			l.log.Warn().Err(err).Msg("offline state not confirmed")
		}
	}
	l.sess.Close(250)
	l.connected.Store(false)
	l.log.Info().Msg("mqtt disconnected")
}
