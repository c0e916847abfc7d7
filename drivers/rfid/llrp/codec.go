package llrp

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Value is one field of a parameter or message; which member is set depends
// on the field's kind.
type Value struct {
	N    uint64   // u1, u2, u8, u16, u32, u64; s8 and s16 sign-extended
	B    []byte   // u96, u8v, u1v (bits, most significant first), bytesToEnd
	Bits int      // u1v: number of bits in B
	W    []uint32 // u16v, u32v
	S    string   // utf8v
}

// BitString is a u1v value of Bits bits held in B.
type BitString struct {
	Bits int
	B    []byte
}

// Param is a parameter, or the body of a message when Type is a message
// type. Fields hold the non-reserved fields in the order the standard lists
// them; Subs the sub-parameters in wire order. A parameter whose type the
// tables do not know keeps its body in Raw (only TLVs can be kept: a TV
// parameter of unknown type cannot be skipped).
type Param struct {
	Type   uint16
	Fields []Value
	Subs   []*Param
	Raw    []byte
	def    *def
}

var (
	paramByType   = map[uint16]*def{}
	messageByType = map[uint16]*def{}
	tvLen         [128]int // value size of each known TV parameter
)

func init() {
	for _, d := range paramDefs {
		paramByType[d.typ] = d
		if d.typ < 128 {
			n := 0
			for _, f := range d.fields {
				n += f.kind.bits()
			}
			tvLen[d.typ] = n / 8
		}
	}
	for _, d := range messageDefs {
		messageByType[d.typ] = d
	}
}

// Name is the standard's name of the parameter or message type.
func (p *Param) Name() string {
	if p.def != nil {
		return p.def.name
	}
	return fmt.Sprintf("parameter %d", p.Type)
}

// Known reports whether the tables define p's type.
func (p *Param) Known() bool { return p.def != nil }

// field returns the index in Fields of the named field; an unknown name is
// a programming error.
func (p *Param) field(name string) int {
	if p.def != nil {
		i := 0
		for _, f := range p.def.fields {
			if f.kind == kReserved {
				continue
			}
			if f.name == name {
				if i < len(p.Fields) {
					return i
				}
				break
			}
			i++
		}
	}
	panic(fmt.Sprintf("llrp: %s has no field %q", p.Name(), name))
}

// FieldNum is the number of the named field as FieldError counts it:
// from 0, in the table's order, reserved bits not counted.
func (p *Param) FieldNum(name string) int { return p.field(name) }

// Get returns the named field.
func (p *Param) Get(name string) Value { return p.Fields[p.field(name)] }

// U returns the named integer field.
func (p *Param) U(name string) uint64 { return p.Get(name).N }

// I returns the named signed field.
func (p *Param) I(name string) int64 { return int64(p.Get(name).N) }

// Flag returns the named one-bit field.
func (p *Param) Flag(name string) bool { return p.Get(name).N != 0 }

// Sub returns the first sub-parameter of type t, or nil.
func (p *Param) Sub(t ParamType) *Param {
	for _, s := range p.Subs {
		if s.Type == uint16(t) {
			return s
		}
	}
	return nil
}

// All returns the sub-parameters of type t.
func (p *Param) All(t ParamType) []*Param {
	var out []*Param
	for _, s := range p.Subs {
		if s.Type == uint16(t) {
			out = append(out, s)
		}
	}
	return out
}

// P builds a parameter of type t. Arguments are the fields in the table's
// order (reserved ones left out), then the sub-parameters: integers and
// bools for numeric fields, string for utf8v, []byte for u96, u8v and
// bytesToEnd, BitString or []byte for u1v, []uint16 or []uint32 for u16v
// and u32v; *Param (nil ones are skipped) and []*Param for sub-parameters.
// A type or field list that does not match the tables is a programming
// error and panics.
func P(t ParamType, args ...any) *Param {
	d := paramByType[uint16(t)]
	if d == nil {
		panic(fmt.Sprintf("llrp: no parameter type %d", t))
	}
	return build(d, args)
}

func build(d *def, args []any) *Param {
	p := &Param{Type: d.typ, def: d}
	var kinds []kind
	for _, f := range d.fields {
		if f.kind != kReserved {
			kinds = append(kinds, f.kind)
		}
	}
	for _, a := range args {
		switch a := a.(type) {
		case *Param:
			if a != nil {
				p.Subs = append(p.Subs, a)
			}
		case []*Param:
			p.Subs = append(p.Subs, a...)
		default:
			if len(p.Subs) > 0 || len(p.Fields) == len(kinds) {
				panic(fmt.Sprintf("llrp: %s: field value %v out of place", d.name, a))
			}
			p.Fields = append(p.Fields, toValue(kinds[len(p.Fields)], a))
		}
	}
	if len(p.Fields) != len(kinds) {
		panic(fmt.Sprintf("llrp: %s: %d field values, want %d", d.name, len(p.Fields), len(kinds)))
	}
	return p
}

func toValue(k kind, a any) Value {
	switch a := a.(type) {
	case Value:
		return a
	case bool:
		if a {
			return Value{N: 1}
		}
		return Value{}
	case int:
		return Value{N: uint64(a)}
	case int8:
		return Value{N: uint64(a)}
	case int16:
		return Value{N: uint64(a)}
	case int32:
		return Value{N: uint64(a)}
	case int64:
		return Value{N: uint64(a)}
	case uint:
		return Value{N: uint64(a)}
	case uint8:
		return Value{N: uint64(a)}
	case uint16:
		return Value{N: uint64(a)}
	case uint32:
		return Value{N: uint64(a)}
	case uint64:
		return Value{N: a}
	case string:
		return Value{S: a}
	case []byte:
		if k == kU1v {
			return Value{B: a, Bits: len(a) * 8}
		}
		return Value{B: a}
	case BitString:
		return Value{B: a.B, Bits: a.Bits}
	case []uint16:
		w := make([]uint32, len(a))
		for i, v := range a {
			w[i] = uint32(v)
		}
		return Value{W: w}
	case []uint32:
		return Value{W: a}
	}
	panic(fmt.Sprintf("llrp: cannot encode %T", a))
}

// NewMsg builds a message of type t from its fields and parameters (see P).
func NewMsg(t MessageType, id uint32, args ...any) Message {
	d := messageByType[uint16(t)]
	if d == nil {
		panic(fmt.Sprintf("llrp: no message type %d", t))
	}
	return Message{Version: Version101, Type: t, ID: id, Body: build(d, args).encodeBody(nil)}
}

// Encode returns the parameter in wire format.
func (p *Param) Encode() []byte { return p.appendTo(nil) }

func (p *Param) appendTo(b []byte) []byte {
	if p.Type < 128 {
		b = append(b, 0x80|byte(p.Type))
		return p.encodeBody(b)
	}
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, p.Type&0x3ff)
	b = append(b, 0, 0)
	if p.def == nil {
		b = append(b, p.Raw...)
	} else {
		b = p.encodeBody(b)
	}
	n := len(b) - start
	if n > 0xffff {
		panic(fmt.Sprintf("llrp: %s is %d bytes, more than a TLV can carry", p.Name(), n))
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(n))
	return b
}

// encodeBody appends the fields and sub-parameters.
func (p *Param) encodeBody(b []byte) []byte {
	w := bitWriter{b: b}
	i := 0
	for _, f := range p.def.fields {
		if f.kind == kReserved {
			w.put(0, f.rsv)
			continue
		}
		v := p.Fields[i]
		i++
		switch f.kind {
		case kU96:
			var e [12]byte
			copy(e[:], v.B)
			w.b = append(w.b, e[:]...)
		case kU8v:
			w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(v.B)))
			w.b = append(w.b, v.B...)
		case kU16v, kU32v:
			w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(v.W)))
			for _, x := range v.W {
				if f.kind == kU16v {
					w.b = binary.BigEndian.AppendUint16(w.b, uint16(x))
				} else {
					w.b = binary.BigEndian.AppendUint32(w.b, x)
				}
			}
		case kU1v:
			w.b = binary.BigEndian.AppendUint16(w.b, uint16(v.Bits))
			n := (v.Bits + 7) / 8
			bits := make([]byte, n)
			copy(bits, v.B)
			w.b = append(w.b, bits...)
		case kUTF8v:
			w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(v.S)))
			w.b = append(w.b, v.S...)
		case kBytesToEnd:
			w.b = append(w.b, v.B...)
		default:
			w.put(v.N, f.kind.bits())
		}
	}
	b = w.b
	for _, s := range p.Subs {
		b = s.appendTo(b)
	}
	return b
}

// bitWriter appends big-endian bit fields; the tables keep every run of
// bit fields to whole bytes.
type bitWriter struct {
	b   []byte
	bit int // bits used in the last byte, 0 = aligned
}

func (w *bitWriter) put(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		if w.bit == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (7 - w.bit)
		w.bit = (w.bit + 1) % 8
	}
}

// Decoding limits: the depth of the deepest parameter in the tables is 7;
// the count bounds the memory a hostile frame can make us hold (each
// parameter costs some hundred bytes however short it is on the wire).
const (
	maxDepth  = 16
	maxParams = 1 << 16
)

// Decode decodes the message body. It checks framing and field sizes, keeps
// TLV parameters of unknown type (vendor parameters besides Custom) as Raw,
// and accepts any parameter anywhere: a client's way to read what real
// readers send. Validate adds the checks a reader makes.
func (m Message) Decode() (*Param, error) {
	d := messageByType[uint16(m.Type)]
	if d == nil {
		return nil, &Error{Code: M_UnsupportedMessage, Field: -1, Msg: fmt.Sprintf("unknown message type %d", m.Type)}
	}
	dc := decoder{}
	p := &Param{Type: d.typ, def: d}
	if err := dc.body(p, m.Body, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// DecodeParams decodes a run of parameters (for instance a Custom
// parameter's data, or a fixture).
func DecodeParams(b []byte) ([]*Param, error) {
	dc := decoder{}
	return dc.params(b, nil)
}

type decoder struct{ count int }

// params decodes consecutive parameters; path locates their parent.
func (dc *decoder) params(b []byte, path []uint16) ([]*Param, error) {
	if len(path) >= maxDepth {
		return nil, &Error{Path: path, Field: -1, Code: P_ParameterError, Msg: "parameters nested too deep"}
	}
	var out []*Param
	for len(b) > 0 {
		dc.count++
		if dc.count > maxParams {
			return nil, &Error{Path: path, Field: -1, Code: P_OverflowParameter, Msg: fmt.Sprintf("more than %d parameters", maxParams)}
		}
		var typ uint16
		var body []byte
		if b[0]&0x80 != 0 {
			typ = uint16(b[0] & 0x7f)
			n := tvLen[typ]
			at := append(path[:len(path):len(path)], typ)
			if n == 0 {
				return nil, &Error{Path: at, Field: -1, Code: P_UnknownParameter, Msg: fmt.Sprintf("unknown TV parameter type %d", typ)}
			}
			if len(b) < 1+n {
				return nil, &Error{Path: at, Field: -1, Code: P_ParameterError, Msg: fmt.Sprintf("TV parameter %d truncated", typ)}
			}
			body, b = b[1:1+n], b[1+n:]
		} else {
			if len(b) < 4 {
				return nil, &Error{Path: path, Field: -1, Code: P_ParameterError, Msg: fmt.Sprintf("%d bytes left, too short for a TLV header", len(b))}
			}
			typ = binary.BigEndian.Uint16(b) & 0x3ff
			n := int(binary.BigEndian.Uint16(b[2:]))
			at := append(path[:len(path):len(path)], typ)
			if typ < 128 || n < 4 || n > len(b) {
				return nil, &Error{Path: at, Field: -1, Code: P_ParameterError, Msg: fmt.Sprintf("TLV parameter %d: length %d with %d bytes left", typ, n, len(b))}
			}
			body, b = b[4:n], b[n:]
		}
		p := &Param{Type: typ, def: paramByType[typ]}
		if p.def == nil {
			p.Raw = body
		} else if err := dc.body(p, body, path); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// body decodes the fields and sub-parameters of p from b; path locates p's
// parent (nil for a message).
func (dc *decoder) body(p *Param, b []byte, path []uint16) error {
	at := path
	if !isMessage(p) {
		at = append(path[:len(path):len(path)], p.Type)
	}
	r := bitReader{b: b}
	num := 0
	for _, f := range p.def.fields {
		if f.kind == kReserved {
			if !r.skip(f.rsv) {
				return fieldErr(at, num, "reserved bits truncated")
			}
			continue
		}
		v, ok := r.value(f.kind)
		if !ok {
			return fieldErr(at, num, fmt.Sprintf("%s.%s truncated or longer than the parameter", p.def.name, f.name))
		}
		p.Fields = append(p.Fields, v)
		num++
	}
	if r.bit != 0 {
		panic("llrp: table error: bit fields of " + p.def.name + " do not fill whole bytes")
	}
	subs, err := dc.params(r.b, at)
	p.Subs = subs
	return err
}

// isMessage tells a message body from a parameter: messages are decoded
// through Message.Decode with their def from messageByType.
func isMessage(p *Param) bool { return messageByType[p.Type] == p.def }

func fieldErr(path []uint16, num int, msg string) error {
	return &Error{Path: path, Field: num, Code: A_Invalid, Msg: msg}
}

type bitReader struct {
	b   []byte
	bit int
}

func (r *bitReader) skip(n int) bool {
	_, ok := r.bits(n)
	return ok
}

func (r *bitReader) bits(n int) (uint64, bool) {
	if r.bit+n > len(r.b)*8 {
		return 0, false
	}
	var v uint64
	for range n {
		v = v<<1 | uint64(r.b[0]>>(7-r.bit)&1)
		r.bit++
		if r.bit == 8 {
			r.b, r.bit = r.b[1:], 0
		}
	}
	return v, true
}

// take returns the next n whole bytes.
func (r *bitReader) take(n int) ([]byte, bool) {
	if r.bit != 0 || n < 0 || n > len(r.b) {
		return nil, false
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v, true
}

func (r *bitReader) count() (int, bool) {
	v, ok := r.bits(16)
	return int(v), ok
}

func (r *bitReader) value(k kind) (Value, bool) {
	switch k {
	case kU96:
		b, ok := r.take(12)
		return Value{B: b}, ok
	case kU8v:
		n, ok := r.count()
		if !ok {
			return Value{}, false
		}
		b, ok := r.take(n)
		return Value{B: b}, ok
	case kU16v, kU32v:
		n, ok := r.count()
		size := 2
		if k == kU32v {
			size = 4
		}
		if !ok || n*size > len(r.b) { // checked before allocating
			return Value{}, false
		}
		w := make([]uint32, n)
		for i := range w {
			v, _ := r.bits(size * 8)
			w[i] = uint32(v)
		}
		return Value{W: w}, true
	case kU1v:
		n, ok := r.count()
		if !ok {
			return Value{}, false
		}
		b, ok := r.take((n + 7) / 8)
		return Value{B: b, Bits: n}, ok
	case kUTF8v:
		n, ok := r.count()
		if !ok {
			return Value{}, false
		}
		b, ok := r.take(n)
		return Value{S: string(b)}, ok
	case kBytesToEnd:
		b, ok := r.take(len(r.b))
		return Value{B: b}, ok
	case kS8, kS16:
		v, ok := r.bits(k.bits())
		if k == kS8 {
			return Value{N: uint64(int64(int8(v)))}, ok
		}
		return Value{N: uint64(int64(int16(v)))}, ok
	}
	v, ok := r.bits(k.bits())
	return Value{N: v}, ok
}

// Validate checks a decoded message the way a reader must (§16.2 and the
// "sub-parameter" columns of each table): every parameter known, in the
// listed order, each present as often as allowed, text fields valid UTF-8.
// The error is an *Error locating the first fault.
func Validate(p *Param) error {
	return validate(p, nil)
}

func validate(p *Param, path []uint16) error {
	at := path
	if !isMessage(p) {
		at = append(path[:len(path):len(path)], p.Type)
	}
	num := 0
	for i, f := range p.def.fields {
		if f.kind == kReserved {
			continue
		}
		if f.kind == kUTF8v && !utf8.ValidString(p.Fields[num].S) {
			return fieldErr(at, num, fmt.Sprintf("%s.%s is not UTF-8", p.def.name, p.def.fields[i].name))
		}
		num++
	}
	counts := make([]int, len(p.def.subs))
	k := 0
	for _, c := range p.Subs {
		cat := append(at[:len(at):len(at)], c.Type)
		if c.def == nil {
			return &Error{Path: cat, Field: -1, Code: P_UnknownParameter, Msg: fmt.Sprintf("unknown parameter type %d in %s", c.Type, p.def.name)}
		}
		j := k
		for j < len(p.def.subs) && !allows(p.def.subs[j], c.Type) {
			j++
		}
		if j == len(p.def.subs) {
			return &Error{Path: cat, Field: -1, Code: P_UnexpectedParameter, Msg: fmt.Sprintf("%s not allowed in %s here", c.def.name, p.def.name)}
		}
		k = j
		counts[k]++
		if max := p.def.subs[k].max; max >= 0 && counts[k] > max {
			code := P_OverflowParameter
			if max == 1 {
				code = P_DuplicateParameter
			}
			return &Error{Path: cat, Field: -1, Code: code, Msg: fmt.Sprintf("%s more than %d times in %s", c.def.name, max, p.def.name)}
		}
	}
	for j, sd := range p.def.subs {
		if counts[j] < sd.min {
			miss := paramByType[uint16(sd.types[0])]
			return &Error{Path: append(at[:len(at):len(at)], miss.typ), Field: -1, Code: P_MissingParameter,
				Msg: fmt.Sprintf("%s missing in %s", miss.name, p.def.name)}
		}
	}
	for _, c := range p.Subs {
		if err := validate(c, at); err != nil {
			return err
		}
	}
	return nil
}

func allows(sd subDef, t uint16) bool {
	for _, a := range sd.types {
		if uint16(a) == t {
			return true
		}
	}
	return false
}
