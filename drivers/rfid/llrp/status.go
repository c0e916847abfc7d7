package llrp

import (
	"fmt"
	"strings"
)

// StatusCode is an LLRPStatus code (LLRP 1.0.1 §14.2.1 "Status codes";
// M_UnexpectedMessage from LLRP 1.1). The scope is in the name: M_ the
// message, P_ a parameter, A_ a field, R_ the reader.
type StatusCode uint16

// Status codes, named as in the standard (§14.2.1).
const (
	M_Success              StatusCode = 0
	M_ParameterError       StatusCode = 100
	M_FieldError           StatusCode = 101
	M_UnexpectedParameter  StatusCode = 102
	M_MissingParameter     StatusCode = 103
	M_DuplicateParameter   StatusCode = 104
	M_OverflowParameter    StatusCode = 105
	M_OverflowField        StatusCode = 106
	M_UnknownParameter     StatusCode = 107
	M_UnknownField         StatusCode = 108
	M_UnsupportedMessage   StatusCode = 109
	M_UnsupportedVersion   StatusCode = 110
	M_UnsupportedParameter StatusCode = 111
	M_UnexpectedMessage    StatusCode = 112
	P_ParameterError       StatusCode = 200
	P_FieldError           StatusCode = 201
	P_UnexpectedParameter  StatusCode = 202
	P_MissingParameter     StatusCode = 203
	P_DuplicateParameter   StatusCode = 204
	P_OverflowParameter    StatusCode = 205
	P_OverflowField        StatusCode = 206
	P_UnknownParameter     StatusCode = 207
	P_UnknownField         StatusCode = 208
	P_UnsupportedParameter StatusCode = 209
	A_Invalid              StatusCode = 300
	A_OutOfRange           StatusCode = 301
	R_DeviceError          StatusCode = 401
)

var statusNames = map[StatusCode]string{
	M_Success: "M_Success", M_ParameterError: "M_ParameterError", M_FieldError: "M_FieldError",
	M_UnexpectedParameter: "M_UnexpectedParameter", M_MissingParameter: "M_MissingParameter",
	M_DuplicateParameter: "M_DuplicateParameter", M_OverflowParameter: "M_OverflowParameter",
	M_OverflowField: "M_OverflowField", M_UnknownParameter: "M_UnknownParameter", M_UnknownField: "M_UnknownField",
	M_UnsupportedMessage: "M_UnsupportedMessage", M_UnsupportedVersion: "M_UnsupportedVersion",
	M_UnsupportedParameter: "M_UnsupportedParameter", M_UnexpectedMessage: "M_UnexpectedMessage",
	P_ParameterError: "P_ParameterError", P_FieldError: "P_FieldError", P_UnexpectedParameter: "P_UnexpectedParameter",
	P_MissingParameter: "P_MissingParameter", P_DuplicateParameter: "P_DuplicateParameter",
	P_OverflowParameter: "P_OverflowParameter", P_OverflowField: "P_OverflowField",
	P_UnknownParameter: "P_UnknownParameter", P_UnknownField: "P_UnknownField",
	P_UnsupportedParameter: "P_UnsupportedParameter", A_Invalid: "A_Invalid", A_OutOfRange: "A_OutOfRange",
	R_DeviceError: "R_DeviceError",
}

func (c StatusCode) String() string {
	if n, ok := statusNames[c]; ok {
		return n
	}
	return fmt.Sprintf("StatusCode(%d)", uint16(c))
}

// messageScope maps a parameter-scope code to the message-scope code of the
// same fault, used when the culprit is a parameter of the message itself.
func messageScope(c StatusCode) StatusCode {
	switch {
	case c == P_UnsupportedParameter:
		return M_UnsupportedParameter
	case c >= P_ParameterError && c <= P_UnknownField:
		return c - 100
	}
	return c
}

// Status is an LLRPStatus parameter (§14.2.2, §16.2.8.1): a code, a text,
// and for errors the field (FieldError, §16.2.8.1.1) or the chain of
// parameters (ParameterError, §16.2.8.1.2) that caused it.
type Status struct {
	Code        StatusCode
	Description string
	FieldErr    *FieldError
	ParamErr    *ParameterError
}

// FieldError names a field by its number in the message or parameter body
// (counted from 0, reserved bits not counted).
type FieldError struct {
	Num  uint16
	Code StatusCode
}

// ParameterError names a parameter type; Field or Param then say what in
// it was wrong.
type ParameterError struct {
	Type     uint16
	Code     StatusCode
	FieldErr *FieldError
	ParamErr *ParameterError
}

// Err returns nil for M_Success and an error describing the status
// otherwise.
func (s Status) Err() error {
	if s.Code == M_Success {
		return nil
	}
	return fmt.Errorf("LLRP status %d %s: %s%s", uint16(s.Code), s.Code, s.Description, s.detail())
}

func (s Status) detail() string {
	var b strings.Builder
	if s.FieldErr != nil {
		fmt.Fprintf(&b, " (field %d: %s)", s.FieldErr.Num, s.FieldErr.Code)
	}
	for pe := s.ParamErr; pe != nil; pe = pe.ParamErr {
		name := fmt.Sprintf("parameter %d", pe.Type)
		if d := paramByType[pe.Type]; d != nil {
			name = d.name
		}
		fmt.Fprintf(&b, " (%s: %s", name, pe.Code)
		if pe.FieldErr != nil {
			fmt.Fprintf(&b, ", field %d: %s", pe.FieldErr.Num, pe.FieldErr.Code)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Param returns s as an LLRPStatus parameter.
func (s Status) Param() *Param {
	return P(PLLRPStatus, uint16(s.Code), s.Description, fieldErrorParam(s.FieldErr), parameterErrorParam(s.ParamErr))
}

func fieldErrorParam(f *FieldError) *Param {
	if f == nil {
		return nil
	}
	return P(PFieldError, f.Num, uint16(f.Code))
}

func parameterErrorParam(pe *ParameterError) *Param {
	if pe == nil {
		return nil
	}
	return P(PParameterError, pe.Type, uint16(pe.Code), fieldErrorParam(pe.FieldErr), parameterErrorParam(pe.ParamErr))
}

// StatusOf reads an LLRPStatus parameter.
func StatusOf(p *Param) Status {
	s := Status{Code: StatusCode(p.U("StatusCode")), Description: p.Get("ErrorDescription").S}
	s.FieldErr = fieldErrorOf(p.Sub(PFieldError))
	s.ParamErr = parameterErrorOf(p.Sub(PParameterError))
	return s
}

func fieldErrorOf(p *Param) *FieldError {
	if p == nil {
		return nil
	}
	return &FieldError{Num: uint16(p.U("FieldNum")), Code: StatusCode(p.U("ErrorCode"))}
}

func parameterErrorOf(p *Param) *ParameterError {
	if p == nil {
		return nil
	}
	return &ParameterError{Type: uint16(p.U("ParameterType")), Code: StatusCode(p.U("ErrorCode")),
		FieldErr: fieldErrorOf(p.Sub(PFieldError)), ParamErr: parameterErrorOf(p.Sub(PParameterError))}
}

// Error is a fault in a received message, located the way LLRPStatus
// reports it: Path lists the parameter types from the message down to the
// culprit (empty: the message itself); Field is the culprit field's number
// (-1: the parameter as a whole). Code is the field's code (A_...) when
// Field is set, else the parameter's (P_...), or a message code (M_...)
// when Path is empty.
type Error struct {
	Path  []uint16
	Field int
	Code  StatusCode
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

// Status is the LLRPStatus a reader returns for e (§14.2.2): a fault in
// the message's own fields is M_FieldError with a FieldError; a missing,
// unexpected or unknown parameter of the message takes the message-scope
// code of its fault with a ParameterError naming it; anything deeper is
// M_ParameterError with one ParameterError per level (P_ParameterError on
// the way down) ending in the culprit's code.
func (e *Error) Status() Status {
	st := Status{Description: e.Msg}
	if len(e.Path) == 0 {
		if e.Field >= 0 {
			st.Code, st.FieldErr = M_FieldError, &FieldError{Num: uint16(e.Field), Code: e.Code}
		} else {
			st.Code = e.Code
		}
		return st
	}
	pe := &ParameterError{Type: e.Path[len(e.Path)-1], Code: e.Code}
	if e.Field >= 0 {
		pe.Code, pe.FieldErr = P_FieldError, &FieldError{Num: uint16(e.Field), Code: e.Code}
	}
	for i := len(e.Path) - 2; i >= 0; i-- {
		pe = &ParameterError{Type: e.Path[i], Code: P_ParameterError, ParamErr: pe}
	}
	st.ParamErr, st.Code = pe, M_ParameterError
	if len(e.Path) == 1 && e.Field < 0 {
		st.Code = messageScope(e.Code)
	}
	return st
}
