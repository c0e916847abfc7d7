package ingest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// maxStreams bounds the streams one birth message may announce (a gateway
// has two: its must and its bulk lane).
const maxStreams = 8

type refusal struct {
	reason wire.Refusal
	detail string
}

// open checks a message's size, its sender and its seal before anything of
// it is decoded, and returns it without the seal.
func (g *Ingest) open(in Incoming) ([]byte, *refusal) {
	if size := max(in.Size, len(in.Payload)); size > wire.MaxEventBytes {
		return nil, &refusal{wire.RefusedOversized, fmt.Sprintf("%d bytes, more than the limit of %d", size, wire.MaxEventBytes)}
	}
	var key []byte
	ok := false
	if g.cfg.Keys != nil {
		key, ok = g.cfg.Keys.GatewayKey(in.Gateway)
	}
	if !ok {
		return nil, &refusal{wire.RefusedUnknownGateway, "no active account for this gateway (centrald gateway add/list)"}
	}
	p, err := wire.Open(key, g.topic(in), in.Payload)
	switch {
	case errors.Is(err, wire.ErrUnsigned):
		return nil, &refusal{wire.RefusedUnsealed, err.Error()}
	case err != nil:
		return nil, &refusal{wire.RefusedBadSeal, err.Error()}
	}
	return p, nil
}

// topic is the topic a message arrived on, which its seal covers.
func (g *Ingest) topic(in Incoming) string {
	if in.State {
		return wire.StateTopic(g.cfg.Site, in.Gateway)
	}
	return wire.EventTopic(g.cfg.Site, in.Gateway, in.Type)
}

// refuseMessage raises a refused-message alert; the message is neither
// applied nor acknowledged. A flood of them collapses per topic and
// reason, whatever the details.
func (g *Ingest) refuseMessage(tx store.Tx, in Incoming, r refusal) error {
	g.Metrics.Refused.Add(1)
	topic := g.topic(in)
	return g.h.Alert(tx, in.Gateway, "", stock.Alert{Kind: string(wire.AlertRefusedMessage), Severity: "warning",
		Message: fmt.Sprintf("refused a message on %s: %s: %s", topic, r.reason, r.detail), Ref: topic,
		Class: topic + " " + string(r.reason), Details: map[string]string{"topic": topic, "reason": string(r.reason)}})
}

// onState records the streams a gateway announces in its birth message;
// a stream keeps the lane it was first announced with.
func (g *Ingest) onState(tx store.Tx, in Incoming, payload []byte) error {
	var s wire.State
	if _, err := wire.Decode(payload, &s); err != nil {
		return g.refuseMessage(tx, in, refusal{wire.RefusedBadAnnouncement, err.Error()})
	}
	if s.Gateway != in.Gateway {
		return g.refuseMessage(tx, in, refusal{wire.RefusedGatewayMismatch, fmt.Sprintf("the state names gateway %q", s.Gateway)})
	}
	if len(s.Streams) > maxStreams {
		return g.refuseMessage(tx, in, refusal{wire.RefusedBadAnnouncement, fmt.Sprintf("%d streams announced, at most %d", len(s.Streams), maxStreams)})
	}
	for _, si := range s.Streams {
		if !wire.ValidName(si.ID) || !slices.Contains([]string{wire.LaneMust, wire.LaneBulk}, si.Lane) {
			return g.refuseMessage(tx, in, refusal{wire.RefusedBadAnnouncement, fmt.Sprintf("stream %q with lane %q", si.ID, si.Lane)})
		}
		lane, known, err := tx.StreamLane(in.Gateway, si.ID)
		if err != nil {
			return err
		}
		if known && lane != si.Lane {
			return g.refuseMessage(tx, in, refusal{wire.RefusedBadAnnouncement,
				fmt.Sprintf("stream %s was announced as %s, now as %s", si.ID, lane, si.Lane)})
		}
	}
	for _, si := range s.Streams {
		if err := tx.AnnounceStream(in.Gateway, si.ID, si.Lane); err != nil {
			return err
		}
	}
	g.log.Info().Str("gateway", in.Gateway).Str("state", s.State).Int("streams", len(s.Streams)).Msg("gateway state")
	return nil
}

// unannounced handles the first event of a batch on a stream its gateway
// never announced. The seal shows the gateway itself sent it, so it is
// held back (the gateway announces and re-publishes it), not lost. A
// gateway that announced other streams and then sends on this one is
// refused with an alert; a gateway never heard from before is most likely
// ahead of its own birth message (central subscribed between the two).
func (g *Ingest) unannounced(tx store.Tx, in Incoming, stream string) error {
	g.Metrics.Unannounced.Add(1)
	known, err := tx.HasStreams(in.Gateway)
	if err != nil || !known {
		g.log.Debug().Str("gateway", in.Gateway).Str("stream", stream).Msg("event before the gateway's birth message; asking for it again")
		return err
	}
	return g.refuseMessage(tx, in, refusal{reason: wire.RefusedUnannouncedStream,
		detail: fmt.Sprintf("stream %s was not announced in the gateway's birth message", stream)})
}

// checkRepeat looks at an event whose seq was already applied: the same
// event again is a normal redelivery, but another event with that seq
// means someone else holds the gateway's key or replays its stream.
func (g *Ingest) checkRepeat(tx store.Tx, in Incoming, env wire.Envelope) error {
	id, ok, err := tx.AppliedID(in.Gateway, env.Stream, env.Seq)
	if err != nil || !ok || id == env.ID {
		return err
	}
	g.Metrics.Conflicts.Add(1)
	return g.h.Alert(tx, in.Gateway, "", stock.Alert{Kind: string(wire.AlertConflictingEvent), Severity: "error",
		Message: fmt.Sprintf("gateway %s sent event %s as seq %d of stream %s, which already is event %s: a forgery or a replay; check who holds this gateway's secret (centrald gateway rotate)",
			in.Gateway, env.ID, env.Seq, env.Stream, id), Ref: env.ID, Class: env.Stream,
		Details: map[string]string{"stream": env.Stream, "seq": fmt.Sprint(env.Seq), "applied": id}})
}
