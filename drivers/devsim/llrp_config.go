package devsim

import (
	"fmt"
	"time"

	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// capabilities is what the simulated reader can do, as it reports in
// GET_READER_CAPABILITIES_RESPONSE (§16.1.2).
type capabilities struct {
	country, standard uint16   // RegulatoryCapabilities
	hopping           bool     // FrequencyInformation.Hopping
	freqs             []uint32 // kHz: the one hop table (ID 1), or the fixed channels
	power             []int16  // TransmitPowerLevelTable: index i+1 -> dBm*100
	modes             []rfMode // C1G2UHFRFModeTable; ModeIdentifier = index
}

// rfMode is one C1G2UHFRFModeTableEntry (§16.3.1.1.2.1).
type rfMode struct {
	m, flm, mask               uint8
	bdr, pie, minTari, maxTari uint32
}

// Limits reported in LLRPCapabilities (§16.2.3.2) and enforced.
const (
	maxPriorities    = 8
	maxROSpecs       = 8
	maxSpecsPerRO    = 4
	maxInvSpecsPerAI = 2
	maxAccessSpecs   = 8
	maxOpSpecs       = 4
	maxSelectFilters = 2
	maxReadWords     = 64  // a C1G2Read of more is refused (keeps a TagReportData well inside one TLV)
	antennaGain      = 600 // AntennaProperties.AntennaGain, dBi*100
)

func newCapabilities(opt LLRPReaderOptions) (capabilities, error) {
	c := capabilities{modes: []rfMode{
		// M (0 FM0 .. 3 Miller-8), forward link modulation (0 PR-ASK),
		// spectral mask (1 SI, 2 MI, 3 DI), BLF-derived data rate (bps),
		// PIE ratio x1000, Tari range (ns).
		{m: 0, flm: 0, mask: 1, bdr: 640000, pie: 1500, minTari: 6250, maxTari: 6250},
		{m: 1, flm: 0, mask: 2, bdr: 640000, pie: 1500, minTari: 6250, maxTari: 6250},
		{m: 2, flm: 0, mask: 3, bdr: 274000, pie: 2000, minTari: 20000, maxTari: 20000},
		{m: 3, flm: 0, mask: 3, bdr: 170600, pie: 2000, minTari: 12500, maxTari: 25000},
	}}
	for dBm := 10; dBm <= 30; dBm++ {
		c.power = append(c.power, int16(dBm*100))
	}
	switch opt.Region {
	case "", "fcc":
		// ISO 3166 840 (USA), US_FCC_Part_15: 50 channels, 500 kHz apart.
		c.country, c.standard, c.hopping = 840, 1, true
		for f := uint32(902750); f <= 927250; f += 500 {
			c.freqs = append(c.freqs, f)
		}
	case "etsi":
		// ISO 3166 276 (Germany), ETSI_302_208: the four high-power channels.
		c.country, c.standard = 276, 2
		c.freqs = []uint32{865700, 866300, 866900, 867500}
	default:
		return c, fmt.Errorf("devsim llrp: unknown region %q (fcc or etsi)", opt.Region)
	}
	return c, nil
}

// GET_READER_CAPABILITIES RequestedData (§16.1.1).
const (
	capsAll = iota
	capsGeneral
	capsLLRP
	capsRegulatory
	capsAirProtocol
)

// capabilitiesResponse answers GET_READER_CAPABILITIES with the requested
// parameters (all for RequestedData 0).
func (s *LLRPReader) capabilitiesResponse(id uint32, requested uint64) llrp.Message {
	want := func(r uint64) bool { return requested == capsAll || requested == r }
	var ps []*llrp.Param
	if want(capsGeneral) {
		var perAntenna []*llrp.Param
		for a := range s.opt.Antennas {
			perAntenna = append(perAntenna, llrp.P(llrp.PPerAntennaAirProtocol, a+1, []byte{1})) // EPCGlobal Class 1 Gen 2
		}
		ps = append(ps, llrp.P(llrp.PGeneralDeviceCapabilities,
			s.opt.Antennas, false, true, // CanSetAntennaProperties no, HasUTCClockCapability yes
			s.opt.Manufacturer, s.opt.Model, s.opt.Firmware,
			// One entry of value 0: receive sensitivity cannot be set (§16.2.3.1.1).
			llrp.P(llrp.PReceiveSensitivityTableEntry, 1, 0),
			llrp.P(llrp.PGPIOCapabilities, s.opt.GPIs, s.opt.GPOs),
			perAntenna))
	}
	if want(capsLLRP) {
		ps = append(ps, llrp.P(llrp.PLLRPCapabilities,
			false, false, false, false, true, // RF survey, buffer fill warning, client OpSpec, state-aware singulation, event holding
			maxPriorities, 0, maxROSpecs, maxSpecsPerRO, maxInvSpecsPerAI, maxAccessSpecs, maxOpSpecs))
	}
	if want(capsRegulatory) {
		var power []*llrp.Param
		for i, p := range s.caps.power {
			power = append(power, llrp.P(llrp.PTransmitPowerLevelTableEntry, i+1, p))
		}
		var freq *llrp.Param
		if s.caps.hopping {
			freq = llrp.P(llrp.PFrequencyInformation, true, llrp.P(llrp.PFrequencyHopTable, 1, s.caps.freqs))
		} else {
			freq = llrp.P(llrp.PFrequencyInformation, false, llrp.P(llrp.PFixedFrequencyTable, s.caps.freqs))
		}
		var modes []*llrp.Param
		for i, m := range s.caps.modes {
			modes = append(modes, llrp.P(llrp.PC1G2UHFRFModeTableEntry, i, true, false, // ModeIdentifier, DR 64/3, not HAG-tested
				m.m, m.flm, m.mask, m.bdr, m.pie, m.minTari, m.maxTari, 0))
		}
		ps = append(ps, llrp.P(llrp.PRegulatoryCapabilities, s.caps.country, s.caps.standard,
			llrp.P(llrp.PUHFBandCapabilities, power, freq, llrp.P(llrp.PC1G2UHFRFModeTable, modes)),
			s.vendorParams(3)))
	}
	if want(capsAirProtocol) {
		ps = append(ps, llrp.P(llrp.PC1G2LLRPCapabilities, false, false, maxSelectFilters))
	}
	return llrp.NewMsg(llrp.GetReaderCapabilitiesResponse, id, llrp.Status{}.Param(), ps, s.vendorParams(4))
}

// vendorParams is the reader's vendor parameter when VendorParams is set.
func (s *LLRPReader) vendorParams(subtype uint32) []*llrp.Param {
	if !s.opt.VendorParams {
		return nil
	}
	return []*llrp.Param{s.vendorParam(subtype)}
}

// readerConfig is the configuration SET_READER_CONFIG changes (§16.1.38).
type readerConfig struct {
	events       [9]bool       // EventNotificationState per NotificationEventType
	keepalive    time.Duration // 0: no KEEPALIVEs
	roReport     *llrp.Param   // default ROReportSpec
	accessReport uint64        // AccessReportSpec.AccessReportTrigger
	antennas     []antennaConfig
	gpiEnabled   []bool
	gpo          []bool
	hold         bool   // EventsAndReports.HoldEventsAndReportsUponReconnect
	state        uint32 // LLRPConfigurationStateValue
}

// antennaConfig is one antenna's AntennaConfiguration (§16.2.6.6).
type antennaConfig struct {
	receiver, hopTable, channel, power uint16
	inventory                          *llrp.Param // C1G2InventoryCommand
}

// factoryConfig is the configuration after a boot or ResetToFactoryDefault:
// no events, no keepalives, GPIs disabled, full power, and a default
// ROReportSpec that reports every tag at once with antenna, peak RSSI,
// first-seen time and seen count.
func (s *LLRPReader) factoryConfig() readerConfig {
	c := readerConfig{
		roReport: llrp.P(llrp.PROReportSpec, 2, 1, llrp.P(llrp.PTagReportContentSelector,
			false, false, false, true, false, true, true, false, true, false)),
		gpiEnabled: make([]bool, s.opt.GPIs),
		gpo:        make([]bool, s.opt.GPOs),
		state:      s.cfg.state + 1,
	}
	for range s.opt.Antennas {
		c.antennas = append(c.antennas, antennaConfig{receiver: 1, hopTable: 1, channel: 1, power: uint16(len(s.caps.power)),
			inventory: llrp.P(llrp.PC1G2InventoryCommand, false,
				llrp.P(llrp.PC1G2RFControl, 0, 0), llrp.P(llrp.PC1G2SingulationControl, 1, 32, 0))})
	}
	return c
}

// GET_READER_CONFIG RequestedData (§16.1.36).
const (
	cfgAll = iota
	cfgIdentification
	cfgAntennaProperties
	cfgAntennaConfiguration
	cfgROReportSpec
	cfgEventNotificationSpec
	cfgAccessReportSpec
	cfgStateValue
	cfgKeepaliveSpec
	cfgGPIPortCurrentState
	cfgGPOWriteData
	cfgEventsAndReports
)

// getReaderConfig answers GET_READER_CONFIG (§16.1.36, §16.1.37); the
// caller holds mu.
func (s *LLRPReader) getReaderConfig(m llrp.Message, body *llrp.Param) llrp.Message {
	fail := func(field string, format string, args ...any) llrp.Message {
		st := (&llrp.Error{Field: body.FieldNum(field), Code: llrp.A_OutOfRange, Msg: fmt.Sprintf(format, args...)}).Status()
		return llrp.NewStatusResponse(llrp.GetReaderConfigResponse, m.ID, st)
	}
	antenna, requested := int(body.U("AntennaID")), body.U("RequestedData")
	gpi, gpo := int(body.U("GPIPortNum")), int(body.U("GPOPortNum"))
	switch {
	case antenna > s.opt.Antennas:
		return fail("AntennaID", "no antenna %d", antenna)
	case requested > cfgEventsAndReports:
		return fail("RequestedData", "RequestedData %d out of range 0..%d", requested, cfgEventsAndReports)
	case gpi > s.opt.GPIs:
		return fail("GPIPortNum", "no GPI %d", gpi)
	case gpo > s.opt.GPOs:
		return fail("GPOPortNum", "no GPO %d", gpo)
	}
	want := func(r uint64) bool { return requested == cfgAll || requested == r }
	ports := func(n, only int) []int { // 0 = all ports (§16.1.37)
		if only != 0 {
			return []int{only}
		}
		var all []int
		for i := range n {
			all = append(all, i+1)
		}
		return all
	}
	c := &s.cfg
	var ps []*llrp.Param
	if want(cfgIdentification) {
		// IDType 0: the MAC address as EUI-64 (a locally administered one).
		ps = append(ps, llrp.P(llrp.PIdentification, 0, []byte{0x02, 0x00, 0x00, 0xFF, 0xFE, 0x00, 0x50, 0x84}))
	}
	if want(cfgAntennaProperties) {
		for _, a := range ports(s.opt.Antennas, antenna) {
			ps = append(ps, llrp.P(llrp.PAntennaProperties, s.antUp[a-1], a, antennaGain))
		}
	}
	if want(cfgAntennaConfiguration) {
		for _, a := range ports(s.opt.Antennas, antenna) {
			ac := c.antennas[a-1]
			ps = append(ps, llrp.P(llrp.PAntennaConfiguration, a,
				llrp.P(llrp.PRFReceiver, ac.receiver),
				llrp.P(llrp.PRFTransmitter, ac.hopTable, ac.channel, ac.power),
				ac.inventory))
		}
	}
	if want(cfgEventNotificationSpec) {
		var states []*llrp.Param
		for typ, on := range c.events {
			states = append(states, llrp.P(llrp.PEventNotificationState, typ, on))
		}
		ps = append(ps, llrp.P(llrp.PReaderEventNotificationSpec, states))
	}
	if want(cfgROReportSpec) {
		ps = append(ps, c.roReport)
	}
	if want(cfgAccessReportSpec) {
		ps = append(ps, llrp.P(llrp.PAccessReportSpec, c.accessReport))
	}
	if want(cfgStateValue) {
		ps = append(ps, llrp.P(llrp.PLLRPConfigurationStateValue, c.state))
	}
	if want(cfgKeepaliveSpec) {
		if c.keepalive > 0 {
			ps = append(ps, llrp.P(llrp.PKeepaliveSpec, 1, uint32(c.keepalive.Milliseconds())))
		} else {
			ps = append(ps, llrp.P(llrp.PKeepaliveSpec, 0, 0))
		}
	}
	if want(cfgGPIPortCurrentState) {
		for _, p := range ports(s.opt.GPIs, gpi) {
			state := 2 // unknown while disabled (GPIPortState)
			if c.gpiEnabled[p-1] {
				state = 0
				if s.gpiLevel[p-1] {
					state = 1
				}
			}
			ps = append(ps, llrp.P(llrp.PGPIPortCurrentState, p, c.gpiEnabled[p-1], state))
		}
	}
	if want(cfgGPOWriteData) {
		for _, p := range ports(s.opt.GPOs, gpo) {
			ps = append(ps, llrp.P(llrp.PGPOWriteData, p, c.gpo[p-1]))
		}
	}
	if want(cfgEventsAndReports) {
		ps = append(ps, llrp.P(llrp.PEventsAndReports, c.hold))
	}
	return llrp.NewMsg(llrp.GetReaderConfigResponse, m.ID, llrp.Status{}.Param(), ps, s.vendorParams(5))
}

// setReaderConfig applies SET_READER_CONFIG after checking all of it: a
// message with an error changes nothing (§16.1.35). The caller holds mu.
func (s *LLRPReader) setReaderConfig(body *llrp.Param) error {
	c := s.cfg
	if body.Flag("ResetToFactoryDefault") {
		c = s.factoryConfig()
	}
	c.antennas = append([]antennaConfig(nil), c.antennas...)
	c.gpiEnabled = append([]bool(nil), c.gpiEnabled...)
	c.gpo = append([]bool(nil), c.gpo...)
	for _, p := range body.Subs {
		at := []uint16{p.Type}
		switch llrp.ParamType(p.Type) {
		case llrp.PReaderEventNotificationSpec:
			for _, st := range p.Subs {
				typ := st.U("EventType")
				if typ >= uint64(len(c.events)) {
					return fieldError(append(at, st.Type), st, "EventType", llrp.A_OutOfRange, "event type %d out of range 0..8", typ)
				}
				c.events[typ] = st.Flag("NotificationState")
			}
		case llrp.PAntennaConfiguration:
			ac, err := s.antennaConfig(p, at)
			if err != nil {
				return err
			}
			for _, a := range configured(p, s.opt.Antennas) {
				c.antennas[a-1] = mergeAntenna(c.antennas[a-1], ac)
			}
		case llrp.PROReportSpec:
			if err := checkROReportSpec(p, at); err != nil {
				return err
			}
			c.roReport = p
		case llrp.PAccessReportSpec:
			if t := p.U("AccessReportTrigger"); t > 1 {
				return fieldError(at, p, "AccessReportTrigger", llrp.A_OutOfRange, "AccessReportTrigger %d out of range 0..1", t)
			}
			c.accessReport = p.U("AccessReportTrigger")
		case llrp.PKeepaliveSpec:
			trigger, period := p.U("KeepaliveTriggerType"), p.U("PeriodicTriggerValue")
			switch {
			case trigger > 1:
				return fieldError(at, p, "KeepaliveTriggerType", llrp.A_OutOfRange, "KeepaliveTriggerType %d out of range 0..1", trigger)
			case trigger == 1 && period == 0:
				return fieldError(at, p, "PeriodicTriggerValue", llrp.A_OutOfRange, "periodic keepalive with period 0")
			}
			c.keepalive = time.Duration(trigger*period) * time.Millisecond
		case llrp.PGPOWriteData:
			port := p.U("GPOPortNumber")
			if port < 1 || port > uint64(s.opt.GPOs) {
				return fieldError(at, p, "GPOPortNumber", llrp.A_OutOfRange, "no GPO %d", port)
			}
			c.gpo[port-1] = p.Flag("GPOData")
		case llrp.PGPIPortCurrentState:
			port := p.U("GPIPortNum")
			if port < 1 || port > uint64(s.opt.GPIs) {
				return fieldError(at, p, "GPIPortNum", llrp.A_OutOfRange, "no GPI %d", port)
			}
			c.gpiEnabled[port-1] = p.Flag("Config")
		case llrp.PEventsAndReports:
			c.hold = p.Flag("HoldEventsAndReportsUponReconnect")
		}
	}
	c.state++
	s.cfg = c
	if s.conn != nil {
		s.conn.nextKA = time.Now().Add(c.keepalive)
	}
	return nil
}

// configured lists the antennas an AntennaConfiguration applies to (ID 0:
// all).
func configured(p *llrp.Param, antennas int) []int {
	if a := int(p.U("AntennaID")); a != 0 {
		return []int{a}
	}
	var all []int
	for a := range antennas {
		all = append(all, a+1)
	}
	return all
}

// antennaConfig checks an AntennaConfiguration against the capabilities
// and returns what it sets (zero fields: not set). at locates p.
func (s *LLRPReader) antennaConfig(p *llrp.Param, at []uint16) (antennaConfig, error) {
	var ac antennaConfig
	if a := p.U("AntennaID"); a > uint64(s.opt.Antennas) {
		return ac, fieldError(at, p, "AntennaID", llrp.A_OutOfRange, "no antenna %d", a)
	}
	if r := p.Sub(llrp.PRFReceiver); r != nil {
		if v := r.U("ReceiverSensitivity"); v != 1 {
			return ac, fieldError(append(at, r.Type), r, "ReceiverSensitivity", llrp.A_OutOfRange, "receive sensitivity index %d: the table has only index 1", v)
		}
		ac.receiver = 1
	}
	if t := p.Sub(llrp.PRFTransmitter); t != nil {
		tat := append(at, t.Type)
		hop, ch, pw := t.U("HopTableID"), t.U("ChannelIndex"), t.U("TransmitPower")
		switch {
		case s.caps.hopping && hop != 1:
			return ac, fieldError(tat, t, "HopTableID", llrp.A_OutOfRange, "no hop table %d", hop)
		case !s.caps.hopping && (ch < 1 || ch > uint64(len(s.caps.freqs))):
			return ac, fieldError(tat, t, "ChannelIndex", llrp.A_OutOfRange, "no channel %d", ch)
		case pw < 1 || pw > uint64(len(s.caps.power)):
			return ac, fieldError(tat, t, "TransmitPower", llrp.A_OutOfRange, "transmit power index %d out of range 1..%d", pw, len(s.caps.power))
		}
		ac.hopTable, ac.channel, ac.power = uint16(max(hop, 1)), uint16(max(ch, 1)), uint16(pw)
	}
	for _, ic := range p.All(llrp.PC1G2InventoryCommand) {
		if err := s.checkInventoryCommand(ic, append(at, ic.Type)); err != nil {
			return ac, err
		}
		ac.inventory = ic
	}
	return ac, nil
}

func mergeAntenna(old, set antennaConfig) antennaConfig {
	if set.receiver != 0 {
		old.receiver = set.receiver
	}
	if set.power != 0 {
		old.hopTable, old.channel, old.power = set.hopTable, set.channel, set.power
	}
	if set.inventory != nil {
		old.inventory = set.inventory
	}
	return old
}

// checkInventoryCommand checks a C1G2InventoryCommand (§16.3.1.2.1).
func (s *LLRPReader) checkInventoryCommand(ic *llrp.Param, at []uint16) error {
	if ic.Flag("TagInventoryStateAware") {
		return fieldError(at, ic, "TagInventoryStateAware", llrp.A_Invalid, "tag inventory state aware singulation is not supported (LLRPCapabilities)")
	}
	if n := len(ic.All(llrp.PC1G2Filter)); n > maxSelectFilters {
		return paramError(append(at, uint16(llrp.PC1G2Filter)), llrp.P_OverflowParameter, "%d C1G2Filters, at most %d", n, maxSelectFilters)
	}
	for _, f := range ic.All(llrp.PC1G2Filter) {
		if a := f.Sub(llrp.PC1G2TagInventoryStateUnawareFilterAction); a != nil && a.U("Action") > 5 {
			return fieldError(append(at, f.Type, a.Type), a, "Action", llrp.A_OutOfRange, "filter action %d out of range 0..5", a.U("Action"))
		}
	}
	if rf := ic.Sub(llrp.PC1G2RFControl); rf != nil {
		mode, tari := rf.U("ModeIndex"), rf.U("Tari")
		if mode >= uint64(len(s.caps.modes)) {
			return fieldError(append(at, rf.Type), rf, "ModeIndex", llrp.A_OutOfRange, "no RF mode %d", mode)
		}
		m := s.caps.modes[mode]
		if tari != 0 && (tari < uint64(m.minTari) || tari > uint64(m.maxTari)) {
			return fieldError(append(at, rf.Type), rf, "Tari", llrp.A_OutOfRange, "Tari %d ns outside %d..%d of mode %d", tari, m.minTari, m.maxTari, mode)
		}
	}
	return nil
}

// checkROReportSpec checks an ROReportSpec (§16.2.7.1).
func checkROReportSpec(p *llrp.Param, at []uint16) error {
	if t := p.U("ROReportTrigger"); t > 2 {
		return fieldError(at, p, "ROReportTrigger", llrp.A_OutOfRange, "ROReportTrigger %d out of range 0..2", t)
	}
	return nil
}

// fieldError locates a bad field of p, which at locates.
func fieldError(at []uint16, p *llrp.Param, field string, code llrp.StatusCode, format string, args ...any) error {
	return &llrp.Error{Path: at, Field: p.FieldNum(field), Code: code, Msg: fmt.Sprintf(format, args...)}
}

// paramError blames the parameter at locates as a whole.
func paramError(at []uint16, code llrp.StatusCode, format string, args ...any) error {
	return &llrp.Error{Path: at, Field: -1, Code: code, Msg: fmt.Sprintf(format, args...)}
}
