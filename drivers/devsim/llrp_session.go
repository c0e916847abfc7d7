package devsim

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/drivers/rfid/llrp"
)

// responses maps each client request to its response type (§16.1).
var responses = map[llrp.MessageType]llrp.MessageType{
	llrp.GetReaderCapabilities: llrp.GetReaderCapabilitiesResponse,
	llrp.GetReaderConfig:       llrp.GetReaderConfigResponse,
	llrp.SetReaderConfig:       llrp.SetReaderConfigResponse,
	llrp.CloseConnection:       llrp.CloseConnectionResponse,
	llrp.AddROSpec:             llrp.AddROSpecResponse,
	llrp.DeleteROSpec:          llrp.DeleteROSpecResponse,
	llrp.StartROSpec:           llrp.StartROSpecResponse,
	llrp.StopROSpec:            llrp.StopROSpecResponse,
	llrp.EnableROSpec:          llrp.EnableROSpecResponse,
	llrp.DisableROSpec:         llrp.DisableROSpecResponse,
	llrp.GetROSpecs:            llrp.GetROSpecsResponse,
	llrp.AddAccessSpec:         llrp.AddAccessSpecResponse,
	llrp.DeleteAccessSpec:      llrp.DeleteAccessSpecResponse,
	llrp.EnableAccessSpec:      llrp.EnableAccessSpecResponse,
	llrp.DisableAccessSpec:     llrp.DisableAccessSpecResponse,
	llrp.GetAccessSpecs:        llrp.GetAccessSpecsResponse,
	llrp.GetSupportedVersion:   llrp.GetSupportedVersionResponse,
	llrp.SetProtocolVersion:    llrp.SetProtocolVersionResponse,
}

// Client messages without a response (§16.1.29, §16.1.32, §16.1.34).
var unanswered = map[llrp.MessageType]bool{
	llrp.GetReport: true, llrp.KeepaliveAck: true, llrp.EnableEventsAndReports: true,
}

// unsupportedParams are parameters the standard lets a client send but
// this reader does not implement; they are refused with
// P_UnsupportedParameter, as §16.2.9 asks of vendor parameters and the
// capabilities announce for the rest (no RF survey, no tag writes, no state
// aware singulation, antenna properties read-only). Tags are read-only in
// the simulator: of the access operations only C1G2Read is served.
var unsupportedParams = map[llrp.ParamType]bool{
	llrp.PCustom: true, llrp.PRFSurveySpec: true, llrp.PAntennaProperties: true,
	llrp.PC1G2Write: true, llrp.PC1G2Kill: true, llrp.PC1G2Lock: true,
	llrp.PC1G2BlockErase: true, llrp.PC1G2BlockWrite: true,
	llrp.PC1G2TagInventoryStateAwareFilterAction: true, llrp.PC1G2TagInventoryStateAwareSingulationAction: true,
}

func unsupported(p *llrp.Param, at []uint16) error {
	for _, c := range p.Subs {
		cat := append(at[:len(at):len(at)], c.Type)
		if unsupportedParams[llrp.ParamType(c.Type)] {
			return paramError(cat, llrp.P_UnsupportedParameter, "%s is not supported by this reader", c.Name())
		}
		if err := unsupported(c, cat); err != nil {
			return err
		}
	}
	return nil
}

// request handles one client message; the caller holds mu.
func (s *LLRPReader) request(c *llrpConn, m llrp.Message, readErr error) {
	s.deferring = true
	defer func() {
		s.deferring = false
		deferred := s.deferred
		s.deferred = nil
		for _, d := range deferred {
			s.deliver(d)
		}
	}()
	reply := func(r llrp.Message) { s.queue(c, r, false) }
	errorMessage := func(st llrp.Status) {
		r := llrp.NewStatusResponse(llrp.ErrorMessage, m.ID, st)
		r.Version = c.version
		reply(r)
	}
	versionless := m.Type == llrp.GetSupportedVersion || m.Type == llrp.SetProtocolVersion
	if readErr != nil || (m.Version != c.version && !versionless) {
		// Same version and ID as the message, no parameter details (§16.1.35).
		r := llrp.NewStatusResponse(llrp.ErrorMessage, m.ID, llrp.Status{Code: llrp.M_UnsupportedVersion,
			Description: fmt.Sprintf("protocol version %d is not in use on this connection (version %d)", m.Version, c.version)})
		r.Version = m.Version
		reply(r)
		return
	}
	switch m.Type {
	case llrp.ErrorMessage:
		return // never answered (§16.1.35)
	case llrp.CustomMessage:
		errorMessage(llrp.Status{Code: llrp.M_UnsupportedMessage, Description: "this reader has no custom messages"})
		return
	}
	resp, answered := responses[m.Type]
	if !answered && !unanswered[m.Type] {
		errorMessage(llrp.Status{Code: llrp.M_UnsupportedMessage, Description: fmt.Sprintf("%s is not a client message", m.Type)})
		return
	}
	body, err := m.Decode()
	if err == nil {
		err = llrp.Validate(body)
	}
	if err == nil {
		err = unsupported(body, nil)
	}
	if err != nil {
		st := llrp.Status{Code: llrp.R_DeviceError, Description: err.Error()}
		var le *llrp.Error
		if errors.As(err, &le) {
			st = le.Status()
		}
		if answered {
			reply(s.statusResponse(c, resp, m.ID, st))
		} else {
			errorMessage(st)
		}
		return
	}
	ok := func(err error) llrp.Message {
		st := llrp.Status{}
		var le *llrp.Error
		if errors.As(err, &le) {
			st = le.Status()
		}
		return s.statusResponse(c, resp, m.ID, st)
	}
	now := time.Now()
	switch m.Type {
	case llrp.KeepaliveAck:
		s.acks++
		c.unacked = 0
	case llrp.GetReport:
		s.flushAll()
	case llrp.EnableEventsAndReports:
		if c.holding {
			s.release(c)
		}
	case llrp.GetSupportedVersion:
		reply(s.statusResponse(c, resp, m.ID, llrp.Status{}))
	case llrp.SetProtocolVersion:
		v := body.U("ProtocolVersion")
		switch {
		case c.versionSet:
			reply(ok(&llrp.Error{Field: -1, Code: llrp.M_UnexpectedMessage, Msg: "the protocol version was set already"}))
		case v != llrp.Version101 && v != llrp.Version11:
			reply(ok(&llrp.Error{Field: -1, Code: llrp.M_UnsupportedVersion, Msg: fmt.Sprintf("version %d not supported (1 = 1.0.1, 2 = 1.1)", v)}))
		default:
			c.version, c.versionSet = uint8(v), true
			reply(ok(nil))
		}
	case llrp.GetReaderCapabilities:
		if r := body.U("RequestedData"); r > capsAirProtocol {
			reply(ok(&llrp.Error{Field: body.FieldNum("RequestedData"), Code: llrp.A_OutOfRange,
				Msg: fmt.Sprintf("RequestedData %d out of range 0..%d", r, capsAirProtocol)}))
		} else {
			reply(s.capabilitiesResponse(m.ID, r))
		}
	case llrp.GetReaderConfig:
		reply(s.getReaderConfig(m, body))
	case llrp.SetReaderConfig:
		reply(ok(s.setReaderConfig(body)))
	case llrp.CloseConnection:
		reply(ok(nil))
		c.closing = true // the writer closes once the response is out (§16.1.41)
	case llrp.AddROSpec:
		reply(ok(s.addROSpec(body.Sub(llrp.PROSpec), now)))
	case llrp.DeleteROSpec, llrp.EnableROSpec, llrp.DisableROSpec, llrp.StartROSpec, llrp.StopROSpec:
		reply(ok(s.roSpecCommand(m.Type, body, now)))
	case llrp.GetROSpecs:
		reply(llrp.NewMsg(resp, m.ID, llrp.Status{}.Param(), s.roSpecParams()))
	case llrp.AddAccessSpec:
		reply(ok(s.addAccessSpec(body.Sub(llrp.PAccessSpec))))
	case llrp.DeleteAccessSpec, llrp.EnableAccessSpec, llrp.DisableAccessSpec:
		reply(ok(s.accessSpecCommand(m.Type, body)))
	case llrp.GetAccessSpecs:
		reply(llrp.NewMsg(resp, m.ID, llrp.Status{}.Param(), s.accessSpecParams()))
	}
}

// statusResponse is the response of type t carrying only st, with the
// fields the type has (GET_SUPPORTED_VERSION_RESPONSE reports versions).
func (s *LLRPReader) statusResponse(c *llrpConn, t llrp.MessageType, id uint32, st llrp.Status) llrp.Message {
	if t == llrp.GetSupportedVersionResponse {
		return llrp.NewMsg(t, id, c.version, llrp.Version11, st.Param())
	}
	return llrp.NewStatusResponse(t, id, st)
}
