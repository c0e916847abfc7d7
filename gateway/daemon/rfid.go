package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/epc"
	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/llrp"
	"github.com/dockhand/dockhand/drivers/rfid/mercury"
	"github.com/dockhand/dockhand/drivers/rfid/tags"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/gateway/live"
	"github.com/dockhand/dockhand/gateway/outbox"
	"github.com/dockhand/dockhand/internal/wire"
)

// identify decodes a tag's EPC where it is a GS1 scheme.
func identify(r rfid.Read) wire.TagIdentity {
	id := wire.TagIdentity{EPC: r.EPCHex()}
	if d, err := epc.Decode(r.EPC); err == nil {
		id.Scheme, id.URI, id.AI, id.Key, id.Serial, id.HRI = d.Scheme, d.URI, d.AI, d.GS1Key, d.Serial, d.ElementString
	}
	return id
}

// expireEvery is how often departures are checked; a pass is reported at
// most this long after its last tag's depart_after.
const expireEvery = 100 * time.Millisecond

// reporter is where a device reports its health (a *health.Handle).
type reporter interface {
	Set(state string, err error)
	Read(at time.Time)
}

// portalOut is where a portal's output goes: events to the outbox (emit),
// health to the board, what it sees to the live page.
type portalOut struct {
	emit   func(outbox.Event, string) bool
	health reporter
	tail   *live.Hub
}

// portal drives one reader: driver → tag pipeline → events. One goroutine
// (run) owns the pipeline's output and the pass, so no lock is needed there;
// gate inputs call SetGate on the pipeline, which locks itself.
type portal struct {
	dev config.Device
	// role is the station's role now (it may change while the reader runs).
	role func() wire.Role
	log  zerolog.Logger
	portalOut
	reader rfid.Reader
	pipe   *tags.Pipeline
	gate   *gate
	events chan rfid.Event
	raw    bool

	out     []tags.Event // pipeline output of the current step
	present int
	pass    []wire.PassTag
	index   map[string]int // EPC hex → pass index
	state   string         // last device state reported
}

// newPortal builds the driver and pipeline a reader's configuration
// describes; nothing runs before run.
func newPortal(d config.Device, role func() wire.Role, gated bool, log zerolog.Logger, out portalOut, now func() time.Time) (*portal, error) {
	log = log.With().Str("device", d.ID).Logger()
	p := &portal{dev: d, role: role, log: log, portalOut: out, events: make(chan rfid.Event, 256),
		raw: d.RFID.RawRate > 0, index: map[string]int{}}
	var antennas []int
	sides := map[int]tags.Side{}
	for ant, side := range d.RFID.Antennas {
		antennas = append(antennas, ant)
		switch side {
		case config.SideOutside:
			sides[ant] = tags.Outside
		case config.SideInside:
			sides[ant] = tags.Inside
		}
	}
	var err error
	switch d.RFID.Protocol {
	case config.ProtocolLLRP:
		p.reader, err = llrp.New(llrp.Config{Addr: d.Address, Name: d.ID, Antennas: antennas, Log: log})
	case config.ProtocolMercury:
		p.reader, err = mercury.New(mercury.Config{Port: d.Port, Baud: d.Baud, Name: d.ID, Region: d.RFID.Region,
			Antennas: antennas, ReadPower: d.RFID.ReadPower, Log: log})
	default:
		err = errors.New("unknown protocol " + d.RFID.Protocol)
	}
	if err != nil {
		return nil, err
	}
	p.pipe, err = tags.New(tags.Config{
		DedupWindow: time.Duration(d.RFID.DedupWindow),
		MinRSSI:     d.RFID.MinRSSI,
		Antennas:    sides,
		ArriveReads: d.RFID.ArriveReads,
		DepartAfter: time.Duration(d.RFID.DepartAfter),
		Gated:       gated || d.RFID.GateGPI != 0,
		GateHold:    time.Duration(*d.RFID.GateHold),
		RawRate:     d.RFID.RawRate,
		Now:         now,
	}, func(e tags.Event) { p.out = append(p.out, e) })
	if err != nil {
		return nil, err
	}
	p.gate = newGate(p.pipe)
	return p, nil
}

// run drives the reader until ctx ends. The driver's events are handed to
// this goroutine through a channel, which also holds a slow outbox back
// against the reader instead of growing memory.
func (p *portal) run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.reader.Run(ctx, func(ev rfid.Event) {
			select {
			case p.events <- ev:
			case <-ctx.Done():
			}
		})
	}()
	tick := time.NewTicker(expireEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case ev := <-p.events:
			p.handle(ev)
		case <-tick.C:
			p.pipe.Expire()
			p.flush()
		}
	}
}

// handle processes one driver event and emits what it leads to.
func (p *portal) handle(ev rfid.Event) {
	switch ev := ev.(type) {
	case rfid.Read:
		p.health.Read(ev.FirstSeen)
		p.pipe.Process(ev)
		p.flush()
	case rfid.GPI:
		if p.dev.RFID.GateGPI != 0 && ev.Port == p.dev.RFID.GateGPI {
			p.log.Debug().Bool("blocked", ev.High).Msg("reader photo-eye")
			p.gate.set("gpi", ev.High)
		}
	case rfid.Status:
		p.status(ev)
	}
}

// status reports a change of the reader's state to its health, which
// tells central. The driver reports every failed reconnect attempt;
// central hears about the first one only, and about the first fault of a
// connection.
func (p *portal) status(s rfid.Status) {
	state := s.State.String()
	p.log.Debug().Str("state", state).Str("detail", s.Detail).AnErr("reason", s.Err).Msg("rfid reader")
	if state == p.state {
		return
	}
	p.state = state
	p.health.Set(state, s.Err)
}

// flush turns the pipeline's output into events: raw reads go out as they
// come; arrivals and departures build the pass, which is reported once no
// tag is present any more.
func (p *portal) flush() {
	for _, e := range p.out {
		switch e.Kind {
		case tags.Raw:
			if p.raw {
				p.emitRaw(e)
			}
		case tags.Arrived:
			p.tail.Publish(live.Event{Type: live.TypeTag, Data: live.Tag{Device: p.dev.ID, Station: p.dev.Station,
				Tag: identify(e.Read), Antenna: e.Read.Antenna, RSSI: e.Read.RSSI, At: e.FirstSeen}})
			p.present++
			if _, ok := p.index[e.Read.EPCHex()]; !ok {
				p.index[e.Read.EPCHex()] = len(p.pass)
				p.pass = append(p.pass, wire.PassTag{TagIdentity: identify(e.Read), FirstSeen: e.FirstSeen})
			}
		case tags.Departed:
			p.present--
			t := &p.pass[p.index[e.Read.EPCHex()]]
			t.Reads += e.Reads
			t.LastSeen = e.LastSeen
			if e.Direction != "" {
				t.Direction = string(e.Direction)
			}
			if p.present == 0 {
				p.emitPass()
			}
		}
	}
	clear(p.out)
	p.out = p.out[:0]
}

func (p *portal) emitPass() {
	ev := &wire.RFIDRead{Envelope: newEnvelope(wire.EvtRFID), Station: p.dev.Station, Role: p.role(), Tags: p.pass}
	ev.TS = p.pass[0].FirstSeen.UTC()
	for _, t := range p.pass {
		ev.EPCs = append(ev.EPCs, t.EPC)
	}
	p.log.Info().Int("tags", len(p.pass)).Msg("portal pass")
	// A refused pass is logged (and reported) by emit; the tags are
	// forgotten either way: they have left the door.
	p.emit(ev, p.dev.ID)
	p.tail.Publish(live.Event{Type: live.TypePass, Data: ev})
	p.pass, p.index = nil, map[string]int{}
}

func (p *portal) emitRaw(e tags.Event) {
	ev := &wire.RFIDRaw{Envelope: newEnvelope(wire.EvtRFIDRaw), Station: p.dev.Station, TagIdentity: identify(e.Read),
		Antenna: e.Read.Antenna, Side: string(e.Side), RSSI: e.Read.RSSI}
	ev.Lane = wire.LaneBulk
	if !e.Read.FirstSeen.IsZero() {
		ev.TS = e.Read.FirstSeen.UTC()
	}
	p.emit(ev, p.dev.ID)
}

// startRFID starts every RFID reader of cfg and the inputs that gate
// them, as one unit (see rfidGroup). The caller holds devMu.
func (g *Gateway) startRFID(cfg *config.Config) error {
	portals := map[string]*portal{}
	var errs []error
	for _, d := range cfg.Devices {
		if d.Kind != config.KindRFID {
			continue
		}
		h := g.board.Add(d.ID, d.Kind, d.Station)
		role := func() wire.Role { return g.config().StationRole(d.Station) }
		p, err := newPortal(d, role, len(cfg.GatedBy(d.ID)) > 0, g.log,
			portalOut{emit: g.emit, health: h, tail: &g.live}, nil)
		if err != nil {
			h.Set(health.Disconnected, err)
			errs = append(errs, configError(d, err))
			continue
		}
		portals[d.ID] = p
	}
	inputs, err := g.openInputs(cfg, portals)
	errs = append(errs, err)
	if len(portals)+len(inputs) == 0 {
		return errors.Join(errs...)
	}
	u, ctx := g.newUnit()
	for _, p := range portals {
		u.run(func() { p.run(ctx) })
	}
	for _, in := range inputs {
		u.run(func() { in.run(ctx) })
	}
	g.units[rfidGroup] = u
	return errors.Join(errs...)
}
