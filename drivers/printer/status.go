package printer

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// HostStatus is a Zebra printer's answer to ~HS (Host Status Return).
//
// Field layout from the ZPL II Programming Guide (Zebra P/N 45541L-004
// Rev. A, "~HS Host Status Return"); the printer sends three strings, each
// <STX>...<ETX><CR><LF>:
//
//	1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l
//	   interface settings, paper out, pause, label length (dots), formats in
//	   receive buffer, buffer full, comm diagnostic mode, partial format,
//	   unused (000), corrupt RAM, under temperature, over temperature
//	2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www
//	   function settings, unused, head up, ribbon out, thermal transfer mode,
//	   print mode, print width mode, label waiting (peel-off), labels
//	   remaining in batch, format while printing (always 1), graphic images
//	   stored
//	3: xxxx,y
//	   password, static RAM installed
type HostStatus struct {
	// String 1
	InterfaceSettings int  // aaa: baud/parity/handshake bit field (decimal)
	PaperOut          bool // b
	Paused            bool // c
	LabelLength       int  // dddd, in dots
	FormatsInBuffer   int  // eee: formats received but not yet printed
	BufferFull        bool // f
	DiagnosticMode    bool // g: communications diagnostic mode
	PartialFormat     bool // h: a format is being received
	CorruptRAM        bool // j: configuration data lost
	UnderTemperature  bool // k
	HeadTooHot        bool // l: over temperature
	// String 2
	FunctionSettings int  // mmm: media type/sensor bit field (decimal)
	HeadOpen         bool // o: head in up position
	RibbonOut        bool // p
	ThermalTransfer  bool // q: thermal transfer (ribbon) mode selected
	PrintMode        byte // r: '0' rewind, '1' peel-off, '2' tear-off, '3' cutter, '4' applicator, ...
	PrintWidthMode   int  // s
	LabelWaiting     bool // t: a label waits to be taken in peel-off mode
	LabelsRemaining  int  // uuuuuuuu: labels remaining in the batch being printed
	GraphicsStored   int  // www
	// String 3
	Password  string // xxxx
	StaticRAM bool   // y
}

// Problem names the first condition that keeps the printer from printing,
// or returns "" when it is ready. The names are stable and meant for
// operators ("paper out", "head open", ...).
func (h HostStatus) Problem() string {
	switch {
	case h.PaperOut:
		return "paper out"
	case h.RibbonOut:
		return "ribbon out"
	case h.HeadOpen:
		return "head open"
	case h.HeadTooHot:
		return "head too hot"
	case h.UnderTemperature:
		return "head too cold"
	case h.CorruptRAM:
		return "configuration lost (corrupt RAM)"
	case h.DiagnosticMode:
		return "diagnostic mode"
	case h.BufferFull:
		return "buffer full"
	case h.Paused:
		return "paused"
	}
	return ""
}

// Idle reports that the printer is ready and has nothing left to print.
func (h HostStatus) Idle() bool {
	return h.Problem() == "" && h.FormatsInBuffer == 0 && h.LabelsRemaining == 0 && !h.PartialFormat
}

const (
	stx = 0x02
	etx = 0x03
)

// ParseHostStatus parses the three STX..ETX strings of a ~HS answer. Bytes
// outside the strings (CR LF, leftovers) are ignored; extra trailing fields
// in a string, sent by newer firmware, are ignored too.
func ParseHostStatus(b []byte) (HostStatus, error) {
	strs, err := splitStatus(b)
	if err != nil {
		return HostStatus{}, err
	}
	var h HostStatus
	p := fieldParser{}
	p.start(1, strs[0], 12)
	h.InterfaceSettings = p.number("aaa interface settings")
	h.PaperOut = p.flag("b paper out")
	h.Paused = p.flag("c pause")
	h.LabelLength = p.number("dddd label length")
	h.FormatsInBuffer = p.number("eee formats in buffer")
	h.BufferFull = p.flag("f buffer full")
	h.DiagnosticMode = p.flag("g diagnostic mode")
	h.PartialFormat = p.flag("h partial format")
	p.number("iii unused")
	h.CorruptRAM = p.flag("j corrupt RAM")
	h.UnderTemperature = p.flag("k under temperature")
	h.HeadTooHot = p.flag("l over temperature")

	p.start(2, strs[1], 11)
	h.FunctionSettings = p.number("mmm function settings")
	p.skip() // n: unused
	h.HeadOpen = p.flag("o head up")
	h.RibbonOut = p.flag("p ribbon out")
	h.ThermalTransfer = p.flag("q thermal transfer")
	h.PrintMode = p.char("r print mode")
	h.PrintWidthMode = p.number("s print width mode")
	h.LabelWaiting = p.flag("t label waiting")
	h.LabelsRemaining = p.number("uuuuuuuu labels remaining")
	p.skip() // v: format while printing, always 1
	h.GraphicsStored = p.number("www graphics stored")

	p.start(3, strs[2], 2)
	h.Password = p.text()
	h.StaticRAM = p.flag("y static RAM")
	if p.err != nil {
		return HostStatus{}, p.err
	}
	return h, nil
}

// splitStatus returns the contents of the first three STX..ETX strings.
func splitStatus(b []byte) ([3][]byte, error) {
	var out [3][]byte
	rest := b
	for i := range out {
		s := bytes.IndexByte(rest, stx)
		if s < 0 {
			return out, fmt.Errorf("host status: got %d of 3 <STX>..<ETX> strings in %q", i, clip(b))
		}
		e := bytes.IndexByte(rest[s+1:], etx)
		if e < 0 {
			return out, fmt.Errorf("host status: string %d has no <ETX> in %q", i+1, clip(b))
		}
		body := rest[s+1 : s+1+e]
		if bytes.IndexByte(body, stx) >= 0 {
			return out, fmt.Errorf("host status: string %d has <STX> before its <ETX> in %q", i+1, clip(b))
		}
		out[i] = body
		rest = rest[s+1+e+1:]
	}
	return out, nil
}

// fieldParser walks comma-separated fields and keeps the first error, so
// the parse reads like the manual's field list.
type fieldParser struct {
	str    int
	fields []string
	i      int
	err    error
}

func (p *fieldParser) start(str int, body []byte, want int) {
	if p.err != nil {
		return
	}
	p.str, p.i = str, 0
	p.fields = strings.Split(string(body), ",")
	if len(p.fields) < want {
		p.err = fmt.Errorf("host status string %d: %d fields, want %d in %q", str, len(p.fields), want, body)
	}
}

func (p *fieldParser) next() (string, bool) {
	if p.err != nil {
		return "", false
	}
	f := strings.TrimSpace(p.fields[p.i])
	p.i++
	return f, true
}

func (p *fieldParser) skip() { p.next() }

// fail records why field name, read as f, is bad; problem reads after the
// value ("is not a number").
func (p *fieldParser) fail(name, f, problem string) {
	p.err = fmt.Errorf("host status string %d field %s: %q %s", p.str, name, f, problem)
}

func (p *fieldParser) text() string {
	f, _ := p.next()
	return f
}

func (p *fieldParser) number(name string) int {
	f, ok := p.next()
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(f)
	if err != nil || n < 0 {
		p.fail(name, f, "is not a number")
	}
	return n
}

func (p *fieldParser) flag(name string) bool {
	f, ok := p.next()
	if !ok {
		return false
	}
	if f != "0" && f != "1" {
		p.fail(name, f, "is not 0 or 1")
	}
	return f == "1"
}

func (p *fieldParser) char(name string) byte {
	f, ok := p.next()
	if !ok {
		return 0
	}
	if len(f) != 1 {
		p.fail(name, f, "is not one character")
		return 0
	}
	return f[0]
}

// clip keeps error messages short when a printer answers with junk.
func clip(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}
