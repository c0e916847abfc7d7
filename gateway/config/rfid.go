package config

import (
	"fmt"
	"maps"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dockhand/dockhand/drivers/gpio"
	"github.com/dockhand/dockhand/drivers/rfid/mercury"
)

// Sides lists the valid values of an antenna's door side.
var Sides = []string{SideOutside, SideInside, SideNone}

// Gate-input levels: which electrical level means "beam broken / pressed".
const (
	ActiveLow  = "low"
	ActiveHigh = "high"
)

func (r *RFID) applyDefaults(tcp bool) {
	if r.Protocol == "" {
		r.Protocol = ProtocolMercury
		if tcp {
			r.Protocol = ProtocolLLRP
		}
	}
	if r.ArriveReads == 0 {
		r.ArriveReads = 1
	}
	if r.DedupWindow == 0 {
		r.DedupWindow = Duration(time.Second)
	}
	if r.DepartAfter == 0 {
		r.DepartAfter = Duration(3 * time.Second)
	}
	if r.GateHold == nil {
		hold := Duration(2 * time.Second)
		r.GateHold = &hold
	}
}

// validate checks a reader's keys; address and port are the device's.
func (r RFID) validate(key, address, port string, p *problems) {
	maxAntenna := 15 // Mercury modules
	switch r.Protocol {
	case ProtocolLLRP:
		maxAntenna = 0xffff
		if address == "" {
			p.add(key+".address", "is required for protocol llrp (the reader's host or host:port, e.g. 10.0.0.40)")
		} else if !validHost(address) {
			p.add(key+".address", fmt.Sprintf("%q is not a host or host:port (e.g. 10.0.0.40 or 10.0.0.40:5084)", address))
		}
		if r.Region != "" {
			p.add(key+".region", "is only for protocol mercury (an LLRP reader keeps its own region)")
		}
		if r.ReadPower != 0 {
			p.add(key+".read_power", "is only for protocol mercury (set an LLRP reader's power on the reader)")
		}
		if r.GateGPI < 0 || r.GateGPI > 0xffff {
			p.add(key+".gate_gpi", fmt.Sprintf("%d is not an LLRP GPI port (1..65535, or 0 for none)", r.GateGPI))
		}
	case ProtocolMercury:
		if port == "" {
			p.add(key+".port", "is required for protocol mercury (e.g. /dev/serial/by-id/usb-FTDI_...)")
		}
		regions := slices.Sorted(maps.Keys(mercury.Regions))
		switch {
		case r.Region == "":
			p.add(key+".region", "is required for protocol mercury: the region the site is licensed for ("+strings.Join(regions, ", ")+")")
		case !slices.Contains(regions, r.Region):
			p.add(key+".region", fmt.Sprintf("%q is not one of %s", r.Region, strings.Join(regions, ", ")))
		}
		if r.ReadPower < 0 || r.ReadPower > 31.5 {
			p.add(key+".read_power", fmt.Sprintf("%g dBm is outside 0..31.5 (0 keeps the module's setting)", r.ReadPower))
		}
		if r.GateGPI != 0 {
			p.add(key+".gate_gpi", "is only for protocol llrp (wire a photo-eye to a Pi input instead)")
		}
	default:
		p.add(key+".protocol", fmt.Sprintf("%q is not llrp or mercury", r.Protocol))
		return
	}
	for _, ant := range slices.Sorted(maps.Keys(r.Antennas)) {
		k := fmt.Sprintf("%s.antennas.%d", key, ant)
		if ant < 1 || ant > maxAntenna {
			p.add(k, fmt.Sprintf("antenna %d is outside 1..%d", ant, maxAntenna))
		}
		if side := r.Antennas[ant]; !slices.Contains(Sides, side) {
			p.add(k, fmt.Sprintf("%q is not one of %s", side, strings.Join(Sides, ", ")))
		}
	}
	if r.MinRSSI < -120 || r.MinRSSI > 0 {
		p.add(key+".min_rssi", fmt.Sprintf("%g is not a threshold in dBm: use a negative value like -65, or 0 for none", r.MinRSSI))
	}
	if r.ArriveReads < 1 || r.ArriveReads > 100 {
		p.add(key+".arrive_reads", fmt.Sprintf("%d is outside 1..100", r.ArriveReads))
	}
	between(p, key+".dedup_window", r.DedupWindow, 0, time.Hour)
	between(p, key+".depart_after", r.DepartAfter, 100*time.Millisecond, 10*time.Minute)
	between(p, key+".gate_hold", *r.GateHold, 0, time.Minute)
	if r.RawRate < 0 || r.RawRate > 1000 {
		p.add(key+".raw_rate", fmt.Sprintf("%g is outside 0..1000 raw reads per second (0 = no raw reads)", r.RawRate))
	}
}

// validHost accepts host:port or a bare host (LLRP's port 5084 is then used).
func validHost(s string) bool {
	if h, port, err := net.SplitHostPort(s); err == nil {
		_, perr := strconv.ParseUint(port, 10, 16)
		return h != "" && !strings.ContainsAny(h, "/ ") && perr == nil
	}
	return !strings.ContainsAny(s, ":/ ")
}

func between(p *problems, key string, d Duration, lo, hi time.Duration) {
	if v := time.Duration(d); v < lo || v > hi {
		p.add(key, fmt.Sprintf("%s is outside %s..%s", v, lo, hi))
	}
}

func (in *Input) applyDefaults() {
	if in.Edge == "" {
		in.Edge = "both"
	}
	if in.Pull == "" {
		in.Pull = "up"
	}
	if in.Debounce == 0 {
		in.Debounce = Duration(gpio.DefaultDebounce)
	}
	if in.Active == "" {
		in.Active = ActiveLow
	}
}

// Pulse reports whether the input reports single edges (a push button):
// each one opens its readers' gates for their gate_hold. Otherwise (edge
// both) the gate follows the input's level.
func (in Input) Pulse() bool { return in.Edge != "both" }

func (in Input) validate(key string, p *problems) {
	if in.Pin == "" {
		p.add(key+".pin", "is required for an input (periph.io name, e.g. GPIO5)")
	}
	if _, err := gpio.ParseEdge(in.Edge); err != nil || in.Edge != strings.ToLower(in.Edge) {
		p.add(key+".edge", fmt.Sprintf("%q is not rising, falling or both", in.Edge))
	}
	if _, err := gpio.ParsePull(in.Pull); err != nil || in.Pull != strings.ToLower(in.Pull) {
		p.add(key+".pull", fmt.Sprintf("%q is not up, down or float", in.Pull))
	}
	between(p, key+".debounce", in.Debounce, time.Millisecond, 2*time.Second)
	if in.Active != ActiveLow && in.Active != ActiveHigh {
		p.add(key+".active", fmt.Sprintf("%q is not low or high (the level that means beam broken / pressed)", in.Active))
	}
}

// validateGates checks that every gated device is an rfid reader that can
// use this input.
func (in Input) validateGates(key string, devices map[string]Device, p *problems) {
	if len(in.Gates) == 0 {
		p.add(key+".gates", "is required: the rfid devices whose reads this input gates (e.g. gates: rfid-1)")
	}
	seen := map[string]bool{}
	for _, id := range in.Gates {
		d, ok := devices[id]
		switch {
		case seen[id]:
			p.add(key+".gates", fmt.Sprintf("%q is named twice", id))
		case !ok:
			p.add(key+".gates", fmt.Sprintf("%q is not one of the devices", id))
		case d.Kind != KindRFID:
			p.add(key+".gates", fmt.Sprintf("%q is a %s, not an rfid reader", id, d.Kind))
		case in.Pulse() && d.RFID.GateHold != nil && *d.RFID.GateHold == 0:
			p.add(key+".gates", fmt.Sprintf("%q has gate_hold 0s: a %s-edge input would open its gate for no time", id, in.Edge))
		}
		seen[id] = true
	}
}

// GatedBy returns the ids of the inputs that gate reader id.
func (c *Config) GatedBy(id string) []string {
	var out []string
	for _, d := range c.Devices {
		if d.Kind == KindInput && slices.Contains(d.Input.Gates, id) {
			out = append(out, d.ID)
		}
	}
	return out
}

// refuseForeignKeys names rfid keys on a device that is not a reader, input
// keys on one that is not an input and label keys on one that is not a
// printer: they would be silently ignored.
func (d Device) refuseForeignKeys(key string, p *problems) {
	foreign := func(v any, kind string) {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if !rv.Field(i).IsZero() {
				p.add(key+"."+yamlName(rv.Type().Field(i)), "is only for a device of kind "+kind)
			}
		}
	}
	if d.Kind != KindRFID {
		foreign(d.RFID, KindRFID)
	} else {
		for i, set := range []bool{d.DataBits != 0, d.Parity != "", d.StopBits != ""} {
			if set {
				p.add(key+"."+[]string{"data_bits", "parity", "stop_bits"}[i], "is not used by RFID readers (Mercury modules always run 8N1)")
			}
		}
	}
	if d.Kind != KindInput {
		foreign(d.Input, KindInput)
	}
	if d.Kind != KindPrinter {
		foreign(struct {
			DPI     int    `yaml:"dpi"`
			Profile string `yaml:"profile"`
		}{d.DPI, d.Profile}, KindPrinter)
	}
}

func yamlName(f reflect.StructField) string { return strings.Split(f.Tag.Get("yaml"), ",")[0] }
