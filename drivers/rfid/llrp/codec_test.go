package llrp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// decodeBody decodes a message of type typ with the given body and
// validates it as a reader does.
func decodeBody(typ MessageType, body []byte) (*Param, error) {
	p, err := Message{Version: Version101, Type: typ, ID: 1, Body: body}.Decode()
	if err != nil {
		return nil, err
	}
	return p, Validate(p)
}

// TestValidateReportsLikeLLRPStatus: each structural fault gives the
// LLRPStatus §14.2 describes. The bodies are hand-encoded from §16.
func TestValidateReportsLikeLLRPStatus(t *testing.T) {
	status := func(t *testing.T, err error) Status {
		var e *Error
		require.True(t, errors.As(err, &e), "%v", err)
		return e.Status()
	}
	t.Run("missing message parameter", func(t *testing.T) {
		_, err := decodeBody(AddROSpec, nil) // ADD_ROSPEC without ROSpec
		st := status(t, err)
		assert.Equal(t, M_MissingParameter, st.Code)
		assert.Equal(t, &ParameterError{Type: uint16(PROSpec), Code: P_MissingParameter}, st.ParamErr)
	})
	t.Run("missing nested parameter", func(t *testing.T) {
		// ROSpec (ID 1, priority 0, disabled) with only an ROReportSpec:
		// ROBoundarySpec and the AISpec are missing.
		body := mustHex(t, "00B10017"+"00000001"+"00"+"00"+
			"00ED000D"+"02"+"0001"+"00EE0006"+"0000")
		_, err := decodeBody(AddROSpec, body)
		st := status(t, err)
		assert.Equal(t, M_ParameterError, st.Code)
		assert.Equal(t, &ParameterError{Type: uint16(PROSpec), Code: P_ParameterError,
			ParamErr: &ParameterError{Type: uint16(PROBoundarySpec), Code: P_MissingParameter}}, st.ParamErr)
	})
	t.Run("duplicate parameter", func(t *testing.T) {
		ka := "00DC0009" + "00" + "00000000"
		_, err := decodeBody(SetReaderConfig, mustHex(t, "00"+ka+ka))
		st := status(t, err)
		assert.Equal(t, M_DuplicateParameter, st.Code)
		assert.Equal(t, uint16(PKeepaliveSpec), st.ParamErr.Type)
	})
	t.Run("out of order", func(t *testing.T) {
		// KeepaliveSpec before ReaderEventNotificationSpec: §16.1.38 lists them the other way.
		_, err := decodeBody(SetReaderConfig, mustHex(t, "00"+"00DC0009"+"00"+"00000000"+"00F4000B"+"00F50007"+"0001"+"80"))
		st := status(t, err)
		assert.Equal(t, M_UnexpectedParameter, st.Code)
		assert.Equal(t, uint16(PReaderEventNotificationSpec), st.ParamErr.Type)
	})
	t.Run("unknown parameter", func(t *testing.T) {
		_, err := decodeBody(SetReaderConfig, mustHex(t, "00"+"03E70004")) // TLV type 999
		st := status(t, err)
		assert.Equal(t, M_UnknownParameter, st.Code)
		assert.Equal(t, &ParameterError{Type: 999, Code: P_UnknownParameter}, st.ParamErr)
	})
	t.Run("message field", func(t *testing.T) {
		e := &Error{Field: 0, Code: A_Invalid, Msg: "no ROSpec 7"}
		assert.Equal(t, Status{Code: M_FieldError, Description: "no ROSpec 7", FieldErr: &FieldError{Num: 0, Code: A_Invalid}}, e.Status())
	})
	t.Run("bad UTF-8", func(t *testing.T) {
		// ERROR_MESSAGE whose description is 0xFF: not UTF-8.
		_, err := decodeBody(ErrorMessage, mustHex(t, "011F0009"+"0000"+"0001"+"FF"))
		st := status(t, err)
		assert.Equal(t, M_ParameterError, st.Code)
		assert.Equal(t, &ParameterError{Type: uint16(PLLRPStatus), Code: P_FieldError, FieldErr: &FieldError{Num: 1, Code: A_Invalid}}, st.ParamErr)
	})
	t.Run("client decoding is lenient", func(t *testing.T) {
		// An unknown TLV and a vendor parameter inside LLRPStatus: a client
		// skips them by length; only Validate objects.
		m := Message{Version: Version101, Type: ErrorMessage,
			Body: mustHex(t, "011F0018"+"0000"+"0000"+"03E70004"+"03FF000C"+"0000651A"+"00000001")}
		p, err := m.Decode()
		require.NoError(t, err)
		st := p.Sub(PLLRPStatus)
		require.Len(t, st.Subs, 2)
		assert.False(t, st.Subs[0].Known(), "type 999 kept as raw bytes")
		assert.Equal(t, uint64(25882), st.Subs[1].U("VendorIdentifier"))
		s, err := ParseStatus(m)
		require.NoError(t, err)
		assert.Equal(t, M_Success, s.Code)
		var e *Error
		require.True(t, errors.As(Validate(p), &e))
		assert.Equal(t, P_UnknownParameter, e.Code)
	})
}

// TestDecodeRejectsHostileFrames: what a hostile or broken reader can send
// gives an error, never a panic or an allocation beyond the frame.
func TestDecodeRejectsHostileFrames(t *testing.T) {
	cases := map[string]struct {
		typ  MessageType
		body string
	}{
		"unknown TV":                {ROAccessReport, "FF00"},
		"truncated TV":              {ROAccessReport, "00F00007" + "8D3074"},
		"TLV longer than message":   {ROAccessReport, "00F0004000"},
		"TLV length under 4":        {ROAccessReport, "00F00002"},
		"TLV header cut":            {ROAccessReport, "00F0"},
		"TLV type below 128":        {ROAccessReport, "000D0010" + "000000000000000000000000"},
		"nested length lies":        {ROAccessReport, "00F00008" + "00F1FFFF"},
		"u16v count beyond data":    {AddROSpec, "00B10014" + "00000001" + "0000" + "00B7000A" + "FFFF" + "00010002"},
		"u1v bit count beyond data": {ROAccessReport, "00F0000A" + "00F10006" + "FFFF"},
		"utf8v beyond data":         {ErrorMessage, "011F0009" + "0000" + "FFFF" + "41"},
		"field cut":                 {SetReaderConfig, "00" + "00DC0006" + "01" + "00"},
		"fixed fields missing":      {DeleteROSpec, "0000"},
		"unknown message":           {MessageType(999), ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Message{Version: Version101, Type: c.typ, Body: mustHex(t, c.body)}.Decode()
			var e *Error
			require.True(t, errors.As(err, &e), "want an *Error, got %v", err)
		})
	}
	t.Run("deep nesting", func(t *testing.T) {
		// ParameterError inside ParameterError, 40 deep: beyond maxDepth.
		b := []byte{}
		for range 40 {
			inner := b
			b = append([]byte{0x01, 0x21, 0, 0, 0x00, 0xB1, 0x00, 0xC8}, inner...)
			b[2], b[3] = byte(len(b)>>8), byte(len(b))
		}
		_, err := Message{Version: Version101, Type: ErrorMessage, Body: b}.Decode()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "nested too deep")
	})
	t.Run("parameter count budget", func(t *testing.T) {
		// 70,000 AntennaID TVs (3 bytes each, 210 kB) in one report: more
		// parameters than any reader sends; refused, not held.
		b := bytes.Repeat([]byte{0x81, 0x00, 0x01}, 70000)
		_, err := Message{Version: Version101, Type: ROAccessReport, Body: b}.Decode()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "more than 65536 parameters")
	})
}

func TestBuilderPanicsOnShapeErrors(t *testing.T) {
	assert.Panics(t, func() { P(PKeepaliveSpec, 1) }, "missing field")
	assert.Panics(t, func() { P(PKeepaliveSpec, 1, 2, 3) }, "extra field")
	assert.Panics(t, func() { P(ParamType(999)) }, "unknown type")
	assert.Panics(t, func() { P(PKeepaliveSpec, 1, 2).Get("NoSuchField") })
}

// FuzzDecode: no frame makes ReadMessage, Decode, Validate or the parsers
// panic, and whatever decodes re-encodes to bytes that decode the same.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"ro_access_report", "ro_access_report_vendor", "reader_event_gpi", "add_rospec_full",
		"set_reader_config", "status_parameter_error", "capabilities_response", "reader_event_antenna_vendor"} {
		f.Add(golden(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadMessage(bytes.NewReader(b))
		if err != nil {
			return
		}
		_, _ = ParseReaderEvent(m)
		_, _, _ = ParseCapabilities(m)
		_, _ = ParseStatus(m)
		_, _ = ParseROAccessReport(m)
		p, err := m.Decode()
		if err != nil {
			return
		}
		_ = Validate(p)
		enc := p.encodeBody(nil)
		again, err := Message{Version: m.Version, Type: m.Type, Body: enc}.Decode()
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(enc), hex.EncodeToString(again.encodeBody(nil)))
	})
}
