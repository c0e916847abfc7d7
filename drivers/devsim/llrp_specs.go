package devsim

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// ROSpec states (§16.2.4.1 ROSpecState).
type roState uint8

const (
	roDisabled roState = iota
	roInactive
	roActive
)

// Trigger types (§16.2.4.1.1.1, §16.2.4.1.1.2, §16.2.4.2.1).
const (
	startNull, startImmediate, startPeriodic, startGPI  = 0, 1, 2, 3
	stopNull, stopDuration, stopGPI, stopTagObservation = 0, 1, 2, 3
)

// roSpec is a ROSpec on the reader and its execution state.
type roSpec struct {
	id        uint32
	state     roState
	param     *llrp.Param // as added, for GET_ROSPECS
	start     trigger
	stop      trigger
	ais       []*aiSpec
	report    *llrp.Param // own ROReportSpec; nil: the reader's default
	next      time.Time   // periodic: next start
	started   time.Time
	cur       int // AISpec executing
	effReport *llrp.Param
	acc       accumulator
}

// trigger is a start or stop trigger: its type, a duration (stop
// duration, GPI timeout, periodic period), an offset (periodic) and the GPI
// it waits for.
type trigger struct {
	typ      uint64
	duration time.Duration
	offset   time.Duration
	utc      time.Time // periodic: first start reference, zero = time of ENABLE_ROSPEC
	gpiPort  uint16
	gpiHigh  bool
	obs      *llrp.Param // TagObservationTrigger
}

// aiSpec is one AISpec of a ROSpec and its execution state.
type aiSpec struct {
	antennas []uint16 // nil: all
	stop     trigger
	inv      []*llrp.Param // InventoryParameterSpecs
	started  time.Time
	seen     map[string]bool
	observed int // tag observations
	attempts int // inventory rounds
	lastNew  time.Time
}

func (s *LLRPReader) findRO(id uint32) *roSpec {
	for _, r := range s.rospecs {
		if r.id == id {
			return r
		}
	}
	return nil
}

// addROSpec checks and stores an ADD_ROSPEC's ROSpec (§16.1.3, §16.2.4).
func (s *LLRPReader) addROSpec(p *llrp.Param, now time.Time) error {
	at := []uint16{p.Type}
	id := uint32(p.U("ROSpecID"))
	switch {
	case id == 0:
		return fieldError(at, p, "ROSpecID", llrp.A_Invalid, "ROSpecID 0 is reserved (it means all ROSpecs)")
	case s.findRO(id) != nil:
		return fieldError(at, p, "ROSpecID", llrp.A_Invalid, "ROSpec %d exists already", id)
	case len(s.rospecs) >= maxROSpecs:
		return paramError(at, llrp.P_OverflowParameter, "the reader holds at most %d ROSpecs", maxROSpecs)
	case p.U("Priority") >= maxPriorities:
		return fieldError(at, p, "Priority", llrp.A_OutOfRange, "priority %d out of range 0..%d", p.U("Priority"), maxPriorities-1)
	case p.U("CurrentState") != uint64(roDisabled):
		return fieldError(at, p, "CurrentState", llrp.A_Invalid, "a ROSpec must be added disabled (§10.1.1)")
	}
	r := &roSpec{id: id, param: p, report: p.Sub(llrp.PROReportSpec)}
	bound := p.Sub(llrp.PROBoundarySpec)
	bat := append(at[:1:1], bound.Type)
	var err error
	if r.start, err = s.startTrigger(bound.Sub(llrp.PROSpecStartTrigger), bat); err != nil {
		return err
	}
	if r.stop, err = s.stopTrigger(bound.Sub(llrp.PROSpecStopTrigger), "ROSpecStopTriggerType", "DurationTriggerValue", stopGPI, bat); err != nil {
		return err
	}
	specs := p.All(llrp.PAISpec)
	if len(specs) > maxSpecsPerRO {
		return paramError(append(at, uint16(llrp.PAISpec)), llrp.P_OverflowParameter, "%d AISpecs, at most %d", len(specs), maxSpecsPerRO)
	}
	for _, a := range specs {
		ai, err := s.aiSpecOf(a, append(at[:1:1], a.Type))
		if err != nil {
			return err
		}
		r.ais = append(r.ais, ai)
	}
	if r.report != nil {
		if err := checkROReportSpec(r.report, append(at[:1:1], r.report.Type)); err != nil {
			return err
		}
	}
	s.rospecs = append(s.rospecs, r)
	s.cfg.state++
	return nil
}

func (s *LLRPReader) startTrigger(p *llrp.Param, outer []uint16) (trigger, error) {
	at := append(outer[:len(outer):len(outer)], p.Type)
	t := trigger{typ: p.U("ROSpecStartTriggerType")}
	switch t.typ {
	case startNull, startImmediate:
	case startPeriodic:
		pv := p.Sub(llrp.PPeriodicTriggerValue)
		if pv == nil {
			return t, paramError(append(at, uint16(llrp.PPeriodicTriggerValue)), llrp.P_MissingParameter, "a periodic start trigger needs PeriodicTriggerValue")
		}
		t.offset = time.Duration(pv.U("Offset")) * time.Millisecond
		t.duration = time.Duration(pv.U("Period")) * time.Millisecond
		if utc := pv.Sub(llrp.PUTCTimestamp); utc != nil {
			t.utc = time.UnixMicro(int64(utc.U("Microseconds")))
		}
	case startGPI:
		g, err := s.gpiTrigger(p, at, "a GPI start trigger")
		if err != nil {
			return t, err
		}
		t.gpiPort, t.gpiHigh = uint16(g.U("GPIPortNum")), g.Flag("GPIEvent")
	default:
		return t, fieldError(at, p, "ROSpecStartTriggerType", llrp.A_OutOfRange, "start trigger type %d out of range 0..3", t.typ)
	}
	return t, nil
}

// stopTrigger reads a ROSpecStopTrigger or AISpecStopTrigger: types up to
// maxType, with the named type and duration fields.
func (s *LLRPReader) stopTrigger(p *llrp.Param, typeField, durationField string, maxType uint64, outer []uint16) (trigger, error) {
	at := append(outer[:len(outer):len(outer)], p.Type)
	t := trigger{typ: p.U(typeField), duration: time.Duration(p.U(durationField)) * time.Millisecond}
	switch t.typ {
	case stopNull:
	case stopDuration:
		if t.duration == 0 {
			return t, fieldError(at, p, durationField, llrp.A_OutOfRange, "a duration stop trigger of 0 ms")
		}
	case stopGPI:
		g, err := s.gpiTrigger(p, at, "a GPI stop trigger")
		if err != nil {
			return t, err
		}
		t.gpiPort, t.gpiHigh = uint16(g.U("GPIPortNum")), g.Flag("GPIEvent")
		t.duration = time.Duration(g.U("Timeout")) * time.Millisecond
	case stopTagObservation:
		if maxType < stopTagObservation {
			return t, fieldError(at, p, typeField, llrp.A_OutOfRange, "stop trigger type %d out of range 0..%d", t.typ, maxType)
		}
		t.obs = p.Sub(llrp.PTagObservationTrigger)
		if t.obs == nil {
			return t, paramError(append(at, uint16(llrp.PTagObservationTrigger)), llrp.P_MissingParameter, "a tag observation stop trigger needs TagObservationTrigger")
		}
		if typ := t.obs.U("TriggerType"); typ > 2 {
			return t, fieldError(append(at, t.obs.Type), t.obs, "TriggerType", llrp.A_OutOfRange, "TagObservationTrigger type %d out of range 0..2", typ)
		}
		t.duration = time.Duration(t.obs.U("Timeout")) * time.Millisecond
	default:
		return t, fieldError(at, p, typeField, llrp.A_OutOfRange, "stop trigger type %d out of range 0..%d", t.typ, maxType)
	}
	return t, nil
}

// gpiTrigger returns p's GPITriggerValue after checking its port.
func (s *LLRPReader) gpiTrigger(p *llrp.Param, at []uint16, what string) (*llrp.Param, error) {
	g := p.Sub(llrp.PGPITriggerValue)
	if g == nil {
		return nil, paramError(append(at, uint16(llrp.PGPITriggerValue)), llrp.P_MissingParameter, "%s needs GPITriggerValue", what)
	}
	if port := g.U("GPIPortNum"); port < 1 || port > uint64(s.opt.GPIs) {
		return nil, fieldError(append(at, g.Type), g, "GPIPortNum", llrp.A_OutOfRange, "no GPI %d", port)
	}
	return g, nil
}

func (s *LLRPReader) aiSpecOf(p *llrp.Param, at []uint16) (*aiSpec, error) {
	ai := &aiSpec{}
	ants := p.Get("AntennaIDs").W
	if len(ants) == 0 {
		return nil, fieldError(at, p, "AntennaIDs", llrp.A_Invalid, "no antenna")
	}
	for _, a := range ants {
		if a > uint32(s.opt.Antennas) {
			return nil, fieldError(at, p, "AntennaIDs", llrp.A_OutOfRange, "no antenna %d", a)
		}
		if a == 0 { // 0 = all antennas
			ai.antennas = nil
			break
		}
		ai.antennas = append(ai.antennas, uint16(a))
	}
	var err error
	if ai.stop, err = s.stopTrigger(p.Sub(llrp.PAISpecStopTrigger), "AISpecStopTriggerType", "DurationTrigger", stopTagObservation, at); err != nil {
		return nil, err
	}
	ai.inv = p.All(llrp.PInventoryParameterSpec)
	if len(ai.inv) > maxInvSpecsPerAI {
		return nil, paramError(append(at, uint16(llrp.PInventoryParameterSpec)), llrp.P_OverflowParameter, "%d InventoryParameterSpecs, at most %d", len(ai.inv), maxInvSpecsPerAI)
	}
	for _, inv := range ai.inv {
		iat := append(at[:len(at):len(at)], inv.Type)
		if proto := inv.U("ProtocolID"); proto != 1 {
			return nil, fieldError(iat, inv, "ProtocolID", llrp.A_Invalid, "air protocol %d not supported (1 = EPCglobal C1G2)", proto)
		}
		for _, ac := range inv.All(llrp.PAntennaConfiguration) {
			if _, err := s.antennaConfig(ac, append(iat[:len(iat):len(iat)], ac.Type)); err != nil {
				return nil, err
			}
		}
	}
	return ai, nil
}

// roSpecCommand runs DELETE, ENABLE, DISABLE, START or STOP_ROSPEC
// (§16.1.5-§16.1.14): ID 0 means all ROSpecs except for START and STOP,
// where it is disallowed.
func (s *LLRPReader) roSpecCommand(t llrp.MessageType, body *llrp.Param, now time.Time) error {
	id := uint32(body.U("ROSpecID"))
	bad := func(format string, args ...any) error {
		return &llrp.Error{Field: body.FieldNum("ROSpecID"), Code: llrp.A_Invalid, Msg: fmt.Sprintf(format, args...)}
	}
	targets := s.rospecs
	if id != 0 {
		r := s.findRO(id)
		if r == nil {
			return bad("no ROSpec %d", id)
		}
		targets = []*roSpec{r}
	} else if t == llrp.StartROSpec || t == llrp.StopROSpec {
		return bad("ROSpecID 0 is disallowed in %s", t)
	}
	switch t {
	case llrp.DeleteROSpec:
		for _, r := range targets {
			if r.state == roActive {
				s.endRO(r, now, llrp.ROSpecEnded)
			}
			s.removeRO(r)
		}
		s.cfg.state++
	case llrp.EnableROSpec:
		for _, r := range targets {
			if r.state == roDisabled {
				s.enableRO(r, now)
			}
		}
	case llrp.DisableROSpec:
		for _, r := range targets {
			if r.state == roActive {
				s.endRO(r, now, llrp.ROSpecEnded)
			}
			r.state = roDisabled
		}
	case llrp.StartROSpec:
		r := targets[0]
		switch r.state {
		case roDisabled:
			return bad("ROSpec %d is disabled", id)
		case roInactive:
			s.startRO(r, now)
		}
	case llrp.StopROSpec:
		r := targets[0]
		if r.state != roActive {
			return bad("ROSpec %d is not executing", id)
		}
		s.endRO(r, now, llrp.ROSpecEnded)
	}
	return nil
}

func (s *LLRPReader) removeRO(r *roSpec) {
	for i, x := range s.rospecs {
		if x == r {
			s.rospecs = append(s.rospecs[:i], s.rospecs[i+1:]...)
			return
		}
	}
}

// enableRO moves a ROSpec to Inactive and arms its start trigger: an
// Immediate one starts it now, a periodic one schedules it.
func (s *LLRPReader) enableRO(r *roSpec, now time.Time) {
	r.state = roInactive
	switch r.start.typ {
	case startImmediate:
		s.startRO(r, now)
	case startPeriodic:
		first := r.start.utc
		if first.IsZero() {
			first = now
		}
		r.next = first.Add(r.start.offset)
	}
}

// roSpecParams lists the ROSpecs with their current state, for
// GET_ROSPECS_RESPONSE (§16.1.16).
func (s *LLRPReader) roSpecParams() []*llrp.Param {
	var out []*llrp.Param
	for _, r := range s.rospecs {
		p := *r.param
		p.Fields = append([]llrp.Value(nil), p.Fields...)
		p.Fields[p.FieldNum("CurrentState")] = llrp.Value{N: uint64(r.state)}
		out = append(out, &p)
	}
	return out
}

// accessSpec is an AccessSpec on the reader (§16.2.5.1).
type accessSpec struct {
	id        uint32
	antenna   uint16
	rospec    uint32
	active    bool
	param     *llrp.Param
	targets   []*llrp.Param // C1G2TargetTag
	ops       []*llrp.Param // C1G2Read
	stopCount uint64        // 0: no stop trigger
	count     uint64
	report    *llrp.Param      // own AccessReportSpec
	pending   []llrp.TagReport // results held for the end of the AccessSpec
}

func (s *LLRPReader) findAccess(id uint32) *accessSpec {
	for _, a := range s.access {
		if a.id == id {
			return a
		}
	}
	return nil
}

// addAccessSpec checks and stores an ADD_ACCESSSPEC's AccessSpec (§16.1.17,
// §16.2.5).
func (s *LLRPReader) addAccessSpec(p *llrp.Param) error {
	at := []uint16{p.Type}
	id := uint32(p.U("AccessSpecID"))
	switch {
	case id == 0:
		return fieldError(at, p, "AccessSpecID", llrp.A_Invalid, "AccessSpecID 0 is reserved (it means all AccessSpecs)")
	case s.findAccess(id) != nil:
		return fieldError(at, p, "AccessSpecID", llrp.A_Invalid, "AccessSpec %d exists already", id)
	case len(s.access) >= maxAccessSpecs:
		return paramError(at, llrp.P_OverflowParameter, "the reader holds at most %d AccessSpecs", maxAccessSpecs)
	case p.U("AntennaID") > uint64(s.opt.Antennas):
		return fieldError(at, p, "AntennaID", llrp.A_OutOfRange, "no antenna %d", p.U("AntennaID"))
	case p.U("ProtocolID") != 1:
		return fieldError(at, p, "ProtocolID", llrp.A_Invalid, "air protocol %d not supported (1 = EPCglobal C1G2)", p.U("ProtocolID"))
	case p.Flag("CurrentState"):
		return fieldError(at, p, "CurrentState", llrp.A_Invalid, "an AccessSpec must be added disabled (§11.1.1)")
	}
	a := &accessSpec{id: id, antenna: uint16(p.U("AntennaID")), rospec: uint32(p.U("ROSpecID")), param: p,
		report: p.Sub(llrp.PAccessReportSpec)}
	stop := p.Sub(llrp.PAccessSpecStopTrigger)
	switch stop.U("AccessSpecStopTrigger") {
	case 0:
	case 1:
		a.stopCount = stop.U("OperationCountValue")
	default:
		return fieldError(append(at, stop.Type), stop, "AccessSpecStopTrigger", llrp.A_OutOfRange, "stop trigger %d out of range 0..1", stop.U("AccessSpecStopTrigger"))
	}
	cmd := p.Sub(llrp.PAccessCommand)
	cat := append(at[:1:1], cmd.Type)
	spec := cmd.Sub(llrp.PC1G2TagSpec)
	a.targets = spec.All(llrp.PC1G2TargetTag)
	if len(a.targets) > 2 {
		return paramError(append(cat, spec.Type, uint16(llrp.PC1G2TargetTag)), llrp.P_OverflowParameter, "%d C1G2TargetTags, at most 2", len(a.targets))
	}
	a.ops = cmd.All(llrp.PC1G2Read)
	if len(a.ops) > maxOpSpecs {
		return paramError(append(cat, uint16(llrp.PC1G2Read)), llrp.P_OverflowParameter, "%d OpSpecs, at most %d", len(a.ops), maxOpSpecs)
	}
	for _, op := range a.ops {
		if n := op.U("WordCount"); n > maxReadWords {
			return fieldError(append(cat, op.Type), op, "WordCount", llrp.A_OutOfRange, "reads of more than %d words are not supported", maxReadWords)
		}
	}
	if a.report != nil && a.report.U("AccessReportTrigger") > 1 {
		return fieldError(append(at, a.report.Type), a.report, "AccessReportTrigger", llrp.A_OutOfRange, "AccessReportTrigger %d out of range 0..1", a.report.U("AccessReportTrigger"))
	}
	s.access = append(s.access, a)
	s.cfg.state++
	return nil
}

// accessSpecCommand runs DELETE, ENABLE or DISABLE_ACCESSSPEC (§16.1.19 to
// §16.1.24); ID 0 means all.
func (s *LLRPReader) accessSpecCommand(t llrp.MessageType, body *llrp.Param) error {
	id := uint32(body.U("AccessSpecID"))
	targets := s.access
	if id != 0 {
		a := s.findAccess(id)
		if a == nil {
			return &llrp.Error{Field: body.FieldNum("AccessSpecID"), Code: llrp.A_Invalid, Msg: fmt.Sprintf("no AccessSpec %d", id)}
		}
		targets = []*accessSpec{a}
	}
	for _, a := range append([]*accessSpec(nil), targets...) {
		switch t {
		case llrp.DeleteAccessSpec:
			s.deleteAccess(a)
		case llrp.EnableAccessSpec:
			a.active = true
		case llrp.DisableAccessSpec:
			a.active = false
		}
	}
	return nil
}

// deleteAccess removes an AccessSpec, sending the results it held for its
// end (AccessReportTrigger 1).
func (s *LLRPReader) deleteAccess(a *accessSpec) {
	for i, x := range s.access {
		if x == a {
			s.access = append(s.access[:i], s.access[i+1:]...)
			break
		}
	}
	s.cfg.state++
	if len(a.pending) > 0 {
		s.sendReport(a.pending)
		a.pending = nil
	}
}

// accessSpecParams lists the AccessSpecs with their current state, for
// GET_ACCESSSPECS_RESPONSE (§16.1.26).
func (s *LLRPReader) accessSpecParams() []*llrp.Param {
	var out []*llrp.Param
	for _, a := range s.access {
		p := *a.param
		p.Fields = append([]llrp.Value(nil), p.Fields...)
		p.Fields[p.FieldNum("CurrentState")] = llrp.Value{N: boolN(a.active)}
		out = append(out, &p)
	}
	return out
}

func boolN(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
