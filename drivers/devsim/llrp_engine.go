package devsim

import (
	"bytes"
	"encoding/binary"
	"hash/fnv"
	"time"

	"github.com/dockhand/dockhand/drivers/rfid"
	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// run is the reader's clock: every ReadPeriod it sends due keepalives,
// fires time triggers and runs one inventory round of each active ROSpec.
func (s *LLRPReader) run() {
	defer s.engineWG.Done()
	t := time.NewTicker(s.opt.ReadPeriod)
	defer t.Stop()
	for {
		select {
		case <-s.engine:
			return
		case now := <-t.C:
			tags := s.inField()
			s.mu.Lock()
			if s.ln != nil {
				s.tick(now, tags)
			}
			s.mu.Unlock()
		}
	}
}

func (s *LLRPReader) tick(now time.Time, tags []rfid.Read) {
	s.keepalive(now)
	for _, r := range s.rospecs {
		if r.state == roInactive && r.start.typ == startPeriodic && !r.next.IsZero() && !now.Before(r.next) {
			r.next = time.Time{}
			if r.start.duration > 0 { // period 0: one shot
				r.next = now.Add(r.start.duration)
			}
			s.startRO(r, now)
		}
	}
	s.rounds++
	channel := uint16(s.rounds%len(s.caps.freqs) + 1)
	if s.caps.hopping {
		s.event(llrp.EventHopping, llrp.ReaderEvent{Hopping: &llrp.HoppingEvent{HopTableID: 1, NextChannel: channel}})
	}
	for _, r := range append([]*roSpec(nil), s.rospecs...) {
		if r.state == roActive {
			s.roundRO(r, now, tags, channel)
		}
	}
}

// keepalive sends a KEEPALIVE when due; with LinkMonitor set, a client
// that left too many unanswered is disconnected.
func (s *LLRPReader) keepalive(now time.Time) {
	c := s.conn
	if c == nil || c.closing || s.cfg.keepalive <= 0 || now.Before(c.nextKA) {
		return
	}
	if s.opt.LinkMonitor > 0 && c.unacked >= s.opt.LinkMonitor {
		s.sendEvent(c, llrp.ReaderEvent{Closed: true})
		c.closing = true
		return
	}
	s.queue(c, llrp.NewMessage(llrp.Keepalive, 0), true)
	c.unacked++
	c.nextKA = now.Add(s.cfg.keepalive)
}

func (s *LLRPReader) startRO(r *roSpec, now time.Time) {
	r.state, r.started, r.cur = roActive, now, 0
	r.effReport = r.report
	if r.effReport == nil {
		r.effReport = s.cfg.roReport
	}
	s.event(llrp.EventROSpec, llrp.ReaderEvent{ROSpec: &llrp.ROSpecEvent{Type: llrp.ROSpecStarted, ID: r.id}})
	r.ais[0].begin(now)
}

func (ai *aiSpec) begin(now time.Time) {
	ai.started, ai.lastNew = now, now
	ai.seen, ai.observed, ai.attempts = map[string]bool{}, 0, 0
}

// endRO ends an execution; the ROSpec goes back to Inactive (how is the
// ROSpecEvent type: ended or preempted).
func (s *LLRPReader) endRO(r *roSpec, now time.Time, how uint8) {
	if reportTrigger(r) != 0 {
		s.flush(r)
	}
	r.state = roInactive
	s.event(llrp.EventROSpec, llrp.ReaderEvent{ROSpec: &llrp.ROSpecEvent{Type: how, ID: r.id}})
}

// endAI ends the current AISpec and moves to the next, or ends the ROSpec
// after the last.
func (s *LLRPReader) endAI(r *roSpec, now time.Time) {
	if reportTrigger(r) == 1 {
		s.flush(r)
	}
	s.event(llrp.EventAISpec, llrp.ReaderEvent{AISpec: &llrp.AISpecEvent{ROSpecID: r.id, SpecIndex: uint16(r.cur + 1)}})
	r.cur++
	if r.cur == len(r.ais) {
		s.endRO(r, now, llrp.ROSpecEnded)
		return
	}
	r.ais[r.cur].begin(now)
}

// elapsed reports whether a trigger's duration (0: none) has passed since t.
func elapsed(d time.Duration, since, now time.Time) bool {
	return d > 0 && !now.Before(since.Add(d))
}

// roundRO checks r's time triggers and runs one inventory round of its
// current AISpec.
func (s *LLRPReader) roundRO(r *roSpec, now time.Time, tags []rfid.Read, channel uint16) {
	if (r.stop.typ == stopDuration || r.stop.typ == stopGPI) && elapsed(r.stop.duration, r.started, now) {
		s.endRO(r, now, llrp.ROSpecEnded)
		return
	}
	ai := r.ais[r.cur]
	switch ai.stop.typ {
	case stopDuration, stopGPI:
		if elapsed(ai.stop.duration, ai.started, now) {
			s.endAI(r, now)
			return
		}
	case stopTagObservation:
		if elapsed(ai.stop.duration, ai.started, now) { // Timeout
			s.endAI(r, now)
			return
		}
	}
	sel := selectorOf(r.effReport)
	for invIndex, inv := range ai.inv {
		for _, t := range tags {
			ant := uint16(t.Antenna)
			if int(ant) > len(s.antUp) || !s.antUp[ant-1] || !antennaSelected(ai.antennas, ant) || !s.participates(inv, ant, t) {
				continue
			}
			tr := llrp.TagReport{EPC: t.EPC, ROSpecID: r.id, SpecIndex: uint16(r.cur + 1),
				InventoryParameterSpecID: uint16(inv.U("InventoryParameterSpecID")), Antenna: ant,
				PeakRSSI: int8(t.RSSI), HasRSSI: true, ChannelIndex: channel, FirstSeen: now, LastSeen: now, SeenCount: 1}
			if invIndex == 0 {
				ai.observed++
				if !ai.seen[string(t.EPC)] {
					ai.seen[string(t.EPC)] = true
					ai.lastNew = now
				}
			}
			if a := s.matchAccess(r.id, ant, t); a != nil {
				tr.AccessSpecID, tr.OpResults = a.id, a.execute(t)
				if s.accessReportTrigger(a) == 1 {
					a.pending = append(a.pending, sel.apply(tr, t))
				}
				a.count++
				if a.stopCount > 0 && a.count >= a.stopCount {
					s.deleteAccess(a)
				}
			}
			r.acc.add(sel.apply(tr, t))
		}
	}
	ai.attempts++
	if n := reportN(r); reportTrigger(r) != 0 && n > 0 && r.acc.len() >= n {
		s.flush(r)
	}
	if ai.stop.typ == stopTagObservation && tagObservationDone(ai, now) {
		s.endAI(r, now)
	}
}

// tagObservationDone evaluates a TagObservationTrigger after a round
// (§16.2.4.2.1.1): N tag observations; no new tag for T ms; N attempts.
func tagObservationDone(ai *aiSpec, now time.Time) bool {
	o := ai.stop.obs
	switch o.U("TriggerType") {
	case 0:
		return ai.observed >= int(o.U("NumberOfTags"))
	case 1:
		return elapsed(time.Duration(o.U("T"))*time.Millisecond, ai.lastNew, now)
	default:
		return ai.attempts >= int(o.U("NumberOfAttempts"))
	}
}

func antennaSelected(selected []uint16, a uint16) bool {
	if len(selected) == 0 {
		return true
	}
	for _, s := range selected {
		if s == a {
			return true
		}
	}
	return false
}

func reportTrigger(r *roSpec) uint64 { return r.effReport.U("ROReportTrigger") }
func reportN(r *roSpec) int          { return int(r.effReport.U("N")) }

// gpiEdge handles a GPI level change (caller holds mu): an enabled port
// reports a GPIEvent, then fires the GPI start and stop triggers waiting
// for this edge, in the order §16.2.7.6 requires.
func (s *LLRPReader) gpiEdge(port uint16, high bool, now time.Time) {
	if s.gpiLevel[port-1] == high {
		return
	}
	s.gpiLevel[port-1] = high
	if !s.cfg.gpiEnabled[port-1] {
		return
	}
	s.event(llrp.EventGPI, llrp.ReaderEvent{GPI: &llrp.GPIEvent{Port: port, High: high}})
	fires := func(t trigger) bool { return t.gpiPort == port && t.gpiHigh == high }
	for _, r := range append([]*roSpec(nil), s.rospecs...) {
		switch {
		case r.state == roInactive && r.start.typ == startGPI && fires(r.start):
			s.startRO(r, now)
		case r.state == roActive && r.stop.typ == stopGPI && fires(r.stop):
			s.endRO(r, now, llrp.ROSpecEnded)
		case r.state == roActive && r.ais[r.cur].stop.typ == stopGPI && fires(r.ais[r.cur].stop):
			s.endAI(r, now)
		}
	}
}

// flush sends r's accumulated tag reports.
func (s *LLRPReader) flush(r *roSpec) {
	if reports := r.acc.take(); len(reports) > 0 {
		s.sendReport(reports)
	}
}

// flushAll sends every accumulated report (GET_REPORT, §16.1.29).
func (s *LLRPReader) flushAll() {
	for _, r := range s.rospecs {
		s.flush(r)
	}
}

// sendReport delivers an RO_ACCESS_REPORT, with the vendor's parameters
// and the omissions the options ask for.
func (s *LLRPReader) sendReport(reports []llrp.TagReport) {
	var ps []*llrp.Param
	for _, tr := range reports {
		if s.opt.OmitUnchanged {
			last := s.lastTag
			s.lastTag = tr
			if tr.Antenna == last.Antenna {
				tr.Antenna = 0
			}
			if tr.HasRSSI && last.HasRSSI && tr.PeakRSSI == last.PeakRSSI {
				tr.HasRSSI = false
			}
		}
		if s.opt.VendorParams {
			tr.Custom = append(tr.Custom, s.vendorParam(6))
		}
		ps = append(ps, tr.Param())
	}
	s.deliver(llrp.NewMsg(llrp.ROAccessReport, 0, ps, s.vendorParams(7)))
}

// selector is what a TagReportContentSelector (§16.2.7.1.1) and its
// C1G2EPCMemorySelector (§16.3.1.5.1) ask to report.
type selector struct {
	rospec, specIndex, invSpec, antenna, channel, rssi, first, last, count, access, pc, crc bool
}

func selectorOf(spec *llrp.Param) selector {
	c := spec.Sub(llrp.PTagReportContentSelector)
	sel := selector{
		rospec: c.Flag("EnableROSpecID"), specIndex: c.Flag("EnableSpecIndex"), invSpec: c.Flag("EnableInventoryParameterSpecID"),
		antenna: c.Flag("EnableAntennaID"), channel: c.Flag("EnableChannelIndex"), rssi: c.Flag("EnablePeakRSSI"),
		first: c.Flag("EnableFirstSeenTimestamp"), last: c.Flag("EnableLastSeenTimestamp"), count: c.Flag("EnableTagSeenCount"),
		access: c.Flag("EnableAccessSpecID"),
	}
	for _, m := range c.All(llrp.PC1G2EPCMemorySelector) {
		sel.crc = sel.crc || m.Flag("EnableCRC")
		sel.pc = sel.pc || m.Flag("EnablePCBits")
	}
	return sel
}

// apply keeps the fields the selector asks for; the EPC and any OpSpec
// results always stay (§13.2.3).
func (sel selector) apply(tr llrp.TagReport, t rfid.Read) llrp.TagReport {
	out := llrp.TagReport{EPC: tr.EPC, OpResults: tr.OpResults}
	if sel.rospec {
		out.ROSpecID = tr.ROSpecID
	}
	if sel.specIndex {
		out.SpecIndex = tr.SpecIndex
	}
	if sel.invSpec {
		out.InventoryParameterSpecID = tr.InventoryParameterSpecID
	}
	if sel.antenna {
		out.Antenna = tr.Antenna
	}
	if sel.channel {
		out.ChannelIndex = tr.ChannelIndex
	}
	if sel.rssi {
		out.PeakRSSI, out.HasRSSI = tr.PeakRSSI, true
	}
	if sel.first {
		out.FirstSeen = tr.FirstSeen
	}
	if sel.last {
		out.LastSeen = tr.LastSeen
	}
	if sel.count {
		out.SeenCount = tr.SeenCount
	}
	if sel.access {
		out.AccessSpecID = tr.AccessSpecID
	}
	mem := epcBank(t.EPC)
	if sel.pc {
		out.PC, out.HasPC = binary.BigEndian.Uint16(mem[2:]), true
	}
	if sel.crc {
		out.CRC, out.HasCRC = binary.BigEndian.Uint16(mem), true
	}
	return out
}

// accumulator merges observations into one TagReportData per tag and
// reported values, as §13.2.3 allows: first and last seen, peak RSSI and
// a count.
type accumulator struct {
	order []string
	byKey map[string]*llrp.TagReport
}

func (a *accumulator) len() int { return len(a.order) }

func (a *accumulator) add(tr llrp.TagReport) {
	key := accumulationKey(tr)
	if a.byKey == nil {
		a.byKey = map[string]*llrp.TagReport{}
	}
	old, ok := a.byKey[key]
	if !ok {
		a.byKey[key] = &tr
		a.order = append(a.order, key)
		return
	}
	if !tr.LastSeen.IsZero() {
		old.LastSeen = tr.LastSeen
	}
	if tr.HasRSSI && tr.PeakRSSI > old.PeakRSSI {
		old.PeakRSSI = tr.PeakRSSI
	}
	if old.SeenCount != 0 && old.SeenCount < 0xffff { // the count saturates (§16.2.7.3.13)
		old.SeenCount++
	}
}

// accumulationKey: reports differing in EPC, an enabled identifying field
// or OpSpec results are not merged (§13.2.3).
func accumulationKey(tr llrp.TagReport) string {
	var b bytes.Buffer
	b.Write(tr.EPC)
	_ = binary.Write(&b, binary.BigEndian, []uint32{tr.ROSpecID, uint32(tr.SpecIndex), uint32(tr.InventoryParameterSpecID),
		uint32(tr.Antenna), tr.AccessSpecID, uint32(tr.PC), uint32(tr.CRC)})
	for _, r := range tr.OpResults {
		b.Write(r.Encode())
	}
	return b.String()
}

func (a *accumulator) take() []llrp.TagReport {
	out := make([]llrp.TagReport, 0, len(a.order))
	for _, k := range a.order {
		out = append(out, *a.byKey[k])
	}
	a.order, a.byKey = nil, nil
	return out
}

// Tag memory (EPC Gen2 banks): 0 reserved (kill and access passwords), 1
// EPC (StoredCRC, StoredPC, EPC), 2 TID, 3 user (empty on simulated tags).

// epcBank is the EPC memory bank of a tag with this EPC: CRC-16, PC (the
// EPC length in words in its top five bits) and the EPC.
func epcBank(epc []byte) []byte {
	words := (len(epc) + 1) / 2
	mem := make([]byte, 4, 4+words*2)
	binary.BigEndian.PutUint16(mem[2:], uint16(words)<<11)
	mem = append(mem, epc...)
	if len(epc)%2 == 1 {
		mem = append(mem, 0)
	}
	binary.BigEndian.PutUint16(mem, gen2CRC(mem[2:]))
	return mem
}

// gen2CRC is the EPC Gen2 CRC-16 (polynomial 0x1021, preset 0xFFFF, result
// inverted), as a tag computes its StoredCRC over PC and EPC.
func gen2CRC(b []byte) uint16 {
	crc := uint16(0xffff)
	for _, x := range b {
		crc ^= uint16(x) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return ^crc
}

// bank returns a tag's memory bank mb. A tag put in the field without TID
// gets one derived from its EPC (class E2, a made-up model).
func bank(t rfid.Read, mb uint64) []byte {
	switch mb {
	case 0:
		return make([]byte, 8)
	case 1:
		return epcBank(t.EPC)
	case 2:
		if t.TID != nil {
			return t.TID
		}
		h := fnv.New64a()
		h.Write(t.EPC)
		return append([]byte{0xE2, 0x80, 0x11, 0x60}, h.Sum(nil)...)
	}
	return nil
}

// bitsMatch compares the pattern's bits with mem from bit pointer on, only
// where mask (nil: all of them) has a one.
func bitsMatch(mem []byte, pointer int, pattern, mask llrp.Value) bool {
	bit := func(b []byte, i int) byte { return b[i/8] >> (7 - i%8) & 1 }
	if pointer+pattern.Bits > len(mem)*8 {
		return false
	}
	for i := range pattern.Bits {
		if mask.Bits > 0 && (i >= mask.Bits || bit(mask.B, i) == 0) {
			continue
		}
		if bit(mem, pointer+i) != bit(pattern.B, i) {
			return false
		}
	}
	return true
}

// participates applies the C1G2Filters (Gen2 Select) of the inventory
// command in effect for the antenna: with no filter every tag takes part;
// each filter sets or clears a tag's SL flag, matching or not, as its
// StateUnaware action says (§16.3.1.2.1.1.3, actions 0..5), and tags with
// SL set take part.
func (s *LLRPReader) participates(inv *llrp.Param, ant uint16, t rfid.Read) bool {
	cmd := s.cfg.antennas[ant-1].inventory
	for _, ac := range inv.All(llrp.PAntennaConfiguration) {
		if a := uint16(ac.U("AntennaID")); (a == 0 || a == ant) && ac.Sub(llrp.PC1G2InventoryCommand) != nil {
			cmd = ac.Sub(llrp.PC1G2InventoryCommand)
		}
	}
	filters := cmd.All(llrp.PC1G2Filter)
	if len(filters) == 0 {
		return true
	}
	// Action -> effect on matching and non-matching tags: 1 set SL, -1
	// clear, 0 leave.
	effects := [6][2]int{{1, -1}, {1, 0}, {0, -1}, {-1, 0}, {-1, 1}, {0, 1}}
	sl := false
	for _, f := range filters {
		m := f.Sub(llrp.PC1G2TagInventoryMask)
		action := uint64(0)
		if a := f.Sub(llrp.PC1G2TagInventoryStateUnawareFilterAction); a != nil {
			action = a.U("Action")
		}
		i := 1
		if bitsMatch(bank(t, m.U("MB")), int(m.U("Pointer")), m.Get("TagMask"), llrp.Value{}) {
			i = 0
		}
		switch effects[action][i] {
		case 1:
			sl = true
		case -1:
			sl = false
		}
	}
	return sl
}

// matchAccess returns the first enabled AccessSpec, in order of addition,
// that applies to this tag on this antenna under this ROSpec (§16.2.5.1.2).
func (s *LLRPReader) matchAccess(rospec uint32, ant uint16, t rfid.Read) *accessSpec {
	for _, a := range s.access {
		if !a.active || (a.antenna != 0 && a.antenna != ant) || (a.rospec != 0 && a.rospec != rospec) {
			continue
		}
		ok := true
		for _, tt := range a.targets { // all target tags must agree
			hit := bitsMatch(bank(t, tt.U("MB")), int(tt.U("Pointer")), tt.Get("TagData"), tt.Get("TagMask"))
			if tt.Get("TagMask").Bits == 0 {
				hit = true // an empty pattern matches every tag
			}
			ok = ok && hit == tt.Flag("Match")
		}
		if ok {
			return a
		}
	}
	return nil
}

// execute runs the AccessSpec's reads on a tag: C1G2ReadOpSpecResult with
// result 0 and the words, or 1 (non-specific tag error) for a read beyond
// the bank, as a real tag's memory overrun (§16.3.1.5.5.1).
func (a *accessSpec) execute(t rfid.Read) []*llrp.Param {
	var out []*llrp.Param
	for _, op := range a.ops {
		mem := bank(t, op.U("MB"))
		from := int(op.U("WordPointer")) * 2
		n := int(op.U("WordCount")) * 2
		if n == 0 {
			n = len(mem) - from // WordCount 0: to the end of the bank
		}
		if from+n > len(mem) || n <= 0 {
			out = append(out, llrp.P(llrp.PC1G2ReadOpSpecResult, 1, op.U("OpSpecID"), []uint16{}))
			break // a failed OpSpec stops the AccessSpec (§11.2.1.2)
		}
		words := make([]uint16, n/2)
		for i := range words {
			words[i] = binary.BigEndian.Uint16(mem[from+2*i:])
		}
		out = append(out, llrp.P(llrp.PC1G2ReadOpSpecResult, 0, op.U("OpSpecID"), words))
	}
	return out
}

func (s *LLRPReader) accessReportTrigger(a *accessSpec) uint64 {
	if a.report != nil {
		return a.report.U("AccessReportTrigger")
	}
	return s.cfg.accessReport
}
