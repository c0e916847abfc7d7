package allocator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/ops"
	"github.com/dockhand/dockhand/central/putaway"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
)

// This file maps gateway events onto the domain workflows; allocator.go
// owns ordering, exactly-once application and acknowledgements.

// Station roles central gives meaning to.
const (
	RoleInboundDock = "inbound-dock"
	RolePutaway     = "putaway"
	RoleCount       = "count"
)

func (a *Allocator) dispatch(tx store.Tx, env wire.Envelope, in Incoming) error {
	switch env.Type {
	case wire.EvtScan:
		var s wire.Scan
		if err := json.Unmarshal(in.Payload, &s); err != nil {
			return a.raise(tx, in.Gateway, "", stock.Alert{Kind: "malformed-event", Severity: "warning", Class: "undecodable scan",
				Message: "scan event could not be decoded: " + err.Error(), Ref: env.ID})
		}
		return a.onScan(tx, s)
	case wire.EvtRFID:
		var r wire.RFIDRead
		if err := json.Unmarshal(in.Payload, &r); err != nil {
			return a.raise(tx, in.Gateway, "", stock.Alert{Kind: "malformed-event", Severity: "warning", Class: "undecodable rfid",
				Message: "rfid event could not be decoded: " + err.Error(), Ref: env.ID})
		}
		return a.onRFID(tx, r)
	case wire.EvtDevice:
		var d wire.Device
		if err := json.Unmarshal(in.Payload, &d); err != nil {
			return nil
		}
		if d.State == "connected" {
			return nil
		}
		msg := fmt.Sprintf("device %s (%s) on gateway %s is %s", d.Device, d.Kind, d.Gateway, d.State)
		if d.Error != "" {
			msg += ": " + d.Error
		}
		return a.raise(tx, in.Gateway, d.Station, stock.Alert{Kind: "device", Severity: "warning", Message: msg, Ref: d.Device,
			Device: d.Device, Class: d.State})
	case wire.EvtPrint:
		var p wire.PrintResult
		if err := json.Unmarshal(in.Payload, &p); err != nil || p.Printed {
			return nil
		}
		return a.raise(tx, in.Gateway, p.Station, stock.Alert{Kind: "print-failed", Severity: "warning", Device: p.Device, Class: p.Reason,
			Message: fmt.Sprintf("label for command %s was not printed: %s", p.Command, p.Reason), Ref: p.Command})
	case wire.EvtRefused:
		var r wire.Refused
		if err := json.Unmarshal(in.Payload, &r); err != nil {
			return nil
		}
		return a.raise(tx, in.Gateway, "", stock.Alert{Kind: "gateway-refused", Severity: "warning",
			Message: fmt.Sprintf("gateway %s refused %d message(s) on %s: %s", in.Gateway, r.Count, r.Topic, r.Reason), Ref: r.Topic,
			Class: r.Topic + " " + r.Reason, Details: map[string]string{"topic": r.Topic, "reason": r.Reason, "count": fmt.Sprint(r.Count)}})
	default:
		// Event types no workflow uses (count) are accepted and
		// acknowledged so they never block the stream.
		a.log.Debug().Str("type", env.Type).Str("gateway", in.Gateway).Msg("event type not used yet")
		return nil
	}
}

func (a *Allocator) onScan(tx store.Tx, s wire.Scan) error {
	switch s.Role {
	case RoleInboundDock, RolePutaway, RoleCount:
	default:
		a.log.Info().Str("role", s.Role).Str("station", s.Station).Msg("scan at a station role central does not handle yet")
		return nil
	}
	if s.Error != "" {
		// The gateway has already shown red; operations get the reason.
		return a.raise(tx, s.Gateway, s.Station, stock.Alert{Kind: "bad-scan", Severity: "warning", Device: s.Device, Class: "bad-scan",
			Message: "bad scan at " + s.Station + ": " + s.Error, Ref: s.ID, Details: map[string]string{"data": s.Data}})
	}
	switch s.Role {
	case RolePutaway:
		return a.onPutawayScan(tx, s)
	case RoleCount:
		return a.onCountScan(tx, s)
	}
	return a.onInboundScan(tx, s)
}

func (a *Allocator) scanContext(s wire.Scan) inbound.Scan {
	return inbound.Scan{Gateway: s.Gateway, Station: s.Station, Event: s.ID, At: s.TS, Into: a.cfg.Receiving, NewID: wire.NewID}
}

// onInboundScan receives a pallet by its SSCC or cases by GTIN + lot +
// expiry (+ count).
func (a *Allocator) onInboundScan(tx store.Tx, s wire.Scan) error {
	var out inbound.Outcome
	var err error
	sscc, isPallet := s.Get("00")
	c, isCase, why := caseOf(s)
	if isPallet && isCase {
		// A logistic label that also lists its contents: by SSCC when the
		// pallet is announced, else as cases onto a plate with that SSCC.
		if _, _, err := tx.ExpectedPallet(sscc); err == nil {
			isCase = false
		} else if !errors.Is(err, stock.ErrNotFound) {
			return err
		}
		c.SSCC = sscc
	}
	switch {
	case isCase:
		out, err = inbound.ReceiveCases(receiving{tx}, c, a.scanContext(s))
	case isPallet:
		out, err = inbound.ReceivePallet(receiving{tx}, sscc, a.scanContext(s))
	default:
		if why == "" {
			why = fmt.Sprintf("scan %s at inbound dock %s carries no SSCC (AI 00) and no GTIN (AI 01 or 02)", orDash(s.HRI), s.Station)
		}
		if err := a.light(tx, s, "reject", why); err != nil {
			return err
		}
		return a.raise(tx, s.Gateway, s.Station, stock.Alert{Kind: "unexpected-scan", Severity: "warning", Message: why, Ref: s.ID,
			Device: s.Device, Class: "unusable scan"})
	}
	if err != nil {
		return err
	}
	switch out.Kind {
	case inbound.Unknown, inbound.Refused:
		if err := a.light(tx, s, "reject", out.Message); err != nil {
			return err
		}
	case inbound.Duplicate:
		if err := a.light(tx, s, "attention", out.Message); err != nil {
			return err
		}
	}
	for _, al := range out.Alerts {
		if err := a.raise(tx, s.Gateway, s.Station, al); err != nil {
			return err
		}
	}
	if out.Kind != inbound.Received {
		return nil
	}
	return a.received(tx, s, out)
}

// caseOf reads a case label's elements: GTIN from AI 01 or 02, lot (10),
// expiry (17, else best-before 15), count (37) and serial (21). why says
// what is wrong with a label that has a GTIN but bad data.
func caseOf(s wire.Scan) (inbound.Case, bool, string) {
	gtin, ok := s.Get("01")
	if !ok {
		if gtin, ok = s.Get("02"); !ok {
			return inbound.Case{}, false, ""
		}
	}
	c := inbound.Case{GTIN: gtin}
	c.Lot, _ = s.Get("10")
	c.Serial, _ = s.Get("21")
	exp, ok := s.Get("17")
	if !ok {
		exp, ok = s.Get("15")
	}
	if ok {
		d, err := gs1.ParseDate(exp, s.TS)
		if err != nil {
			return c, false, fmt.Sprintf("case label %s: %v", s.HRI, err)
		}
		c.Expiry = d.Format("2006-01-02")
	}
	if n, ok := s.Get("37"); ok {
		if _, err := fmt.Sscan(n, &c.Count); err != nil || c.Count <= 0 {
			return c, false, fmt.Sprintf("case label %s: count (37) %q is not a positive number", s.HRI, n)
		}
	}
	return c, true, ""
}

func (a *Allocator) received(tx store.Tx, s wire.Scan, out inbound.Outcome) error {
	pub := a.publisher()
	if err := pub.Stock(tx, out.Movements...); err != nil {
		return err
	}
	r := out.Receipt
	if err := pub.Receipt(tx, *r); err != nil {
		return err
	}
	label := map[string]string{"sku": r.SKU, "item": out.Item.Name, "quantity": fmt.Sprint(r.Quantity)}
	optional := map[string]string{"lot": r.Lot, "expiry": r.Expiry}
	switch out.Label {
	case inbound.LabelPallet:
		label["sscc"], label["putaway"], label["to"], label["from"] = r.SSCC, orDash(r.Putaway), a.cfg.Site, orDash(out.ASN.Supplier)
		optional["gtin"] = stock.GTIN14(r.GTIN)
	default:
		label["lpn"], label["location"] = r.LPN, orDash(r.Putaway)
	}
	for k, v := range optional {
		if v != "" {
			label[k] = v
		}
	}
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: s.Station, Template: out.Label, Data: label}
	return a.enqueue(tx, wire.CommandTopic(a.cfg.Site, s.Gateway, wire.CmdPrint), cmd)
}

// putawayState is what a putaway station waits for: the location for the
// licence plate scanned first.
type putawayState struct {
	LPN string `json:"lpn"`
}

// onPutawayScan handles the two scans of a putaway: the licence plate,
// then the location it was put to.
func (a *Allocator) onPutawayScan(tx store.Tx, s wire.Scan) error {
	code := strings.TrimSpace(s.Data)
	if sscc, ok := s.Get("00"); ok {
		code = sscc
	}
	station := s.Gateway + "/" + s.Station
	if _, err := tx.LPN(code); err == nil {
		return tx.SetStationState(station, putawayState{LPN: code})
	} else if !errors.Is(err, stock.ErrNotFound) {
		return err
	}
	var st putawayState
	if err := tx.StationState(station, &st); errors.Is(err, stock.ErrNotFound) {
		msg := fmt.Sprintf("%s is not a licence plate central knows; scan the plate first, then the location", code)
		return a.refuse(tx, s, stock.Alert{Kind: "unknown-lpn", Severity: "warning", Message: msg, Ref: code})
	} else if err != nil {
		return err
	}
	res, err := putaway.Confirm(tx, putaway.Confirmation{LPN: st.LPN, Location: code, By: s.Gateway + "/" + s.Station,
		Event: s.ID, At: s.TS, NewID: wire.NewID})
	var refused *putaway.Refused
	if errors.As(err, &refused) {
		return a.refuse(tx, s, stock.Alert{Kind: refused.Kind, Severity: "warning", Message: refused.Message, Ref: st.LPN,
			Details: map[string]string{"location": code}})
	}
	if err != nil {
		return err
	}
	if err := tx.SetStationState(station, nil); err != nil {
		return err
	}
	if res.MoveOrder != "" {
		if err := moves.CompleteMove(tx, res.MoveOrder, res.LPN.Location, s.TS); err != nil {
			return err
		}
	}
	if err := a.publisher().Stock(tx, res.Movements...); err != nil {
		return err
	}
	if res.Deviated {
		return a.raise(tx, s.Gateway, s.Station, stock.Alert{Kind: "putaway-deviation", Severity: "info", Ref: st.LPN,
			Message: fmt.Sprintf("licence plate %s put away to %s instead of %s", st.LPN, res.LPN.PutawayTo, orDash(res.LPN.Suggested))})
	}
	return nil
}

// countState is a count station's count in progress: the task, its
// location and what has been scanned so far.
type countState struct {
	Task     string          `json:"task"`
	Location string          `json:"location"`
	Tally    []counting.Line `json:"tally,omitempty"`
}

// stationReason is the adjustment reason of counts made by scanning.
const stationReason = "counted at station"

// onCountScan runs a count by scanning: the location starts it, each item
// label adds its units (GTIN × AI 37/30 count, lot from AI 10), and the
// location again finishes it.
func (a *Allocator) onCountScan(tx store.Tx, s wire.Scan) error {
	station := s.Gateway + "/" + s.Station
	var st countState
	err := tx.StationState(station, &st)
	if err != nil && !errors.Is(err, stock.ErrNotFound) {
		return err
	}
	busy := err == nil
	code := strings.TrimSpace(s.Data)
	if gtin, ok := s.Get("01"); ok || !busy {
		if !busy {
			return a.startCount(tx, s, station, code)
		}
		return a.tally(tx, s, station, st, gtin)
	}
	if gtin, ok := s.Get("02"); ok {
		return a.tally(tx, s, station, st, gtin)
	}
	if code != st.Location {
		return a.refuse(tx, s, stock.Alert{Kind: "wrong-location", Severity: "warning", Ref: code,
			Message: fmt.Sprintf("finish the count of %s first: scan %s again", st.Location, st.Location)})
	}
	return a.finishCount(tx, s, station, st)
}

func (a *Allocator) startCount(tx store.Tx, s wire.Scan, station, code string) error {
	t, err := counting.StartCount(tx, code, s.TS, wire.NewID)
	if errors.Is(err, stock.ErrNotFound) {
		return a.refuse(tx, s, stock.Alert{Kind: "unknown-location", Severity: "warning", Ref: code,
			Message: fmt.Sprintf("%s is not a location: scan the location to count first", code)})
	} else if err != nil {
		return err
	}
	return tx.SetStationState(station, countState{Task: t.ID, Location: t.Location})
}

func (a *Allocator) tally(tx store.Tx, s wire.Scan, station string, st countState, gtin string) error {
	item, err := tx.ItemByGTIN(gtin)
	if errors.Is(err, stock.ErrNotFound) {
		return a.refuse(tx, s, stock.Alert{Kind: "unknown-item", Severity: "warning", Ref: gtin, Message: "no item has GTIN " + gtin})
	} else if err != nil {
		return err
	}
	per, _ := item.UnitsPer(gtin)
	n := int64(1)
	for _, ai := range []string{"37", "30"} {
		if v, ok := s.Get(ai); ok {
			if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 {
				return a.refuse(tx, s, stock.Alert{Kind: "bad-scan", Severity: "warning", Ref: s.ID,
					Message: fmt.Sprintf("count (%s) %q is not a positive number", ai, v)})
			}
		}
	}
	lot, _ := s.Get("10")
	i := slices.IndexFunc(st.Tally, func(l counting.Line) bool { return l.SKU == item.SKU && l.Lot == lot })
	if i < 0 {
		st.Tally, i = append(st.Tally, counting.Line{SKU: item.SKU, Lot: lot}), len(st.Tally)
	}
	units, ok := stock.Mul(per, n)
	total, fits := stock.Add(st.Tally[i].Quantity, units)
	if !ok || !fits || total > stock.MaxQuantity {
		return a.refuse(tx, s, stock.Alert{Kind: "bad-scan", Severity: "warning", Ref: s.ID,
			Message: fmt.Sprintf("counting %d × %d more units of %s would exceed %d", n, per, item.SKU, stock.MaxQuantity)})
	}
	st.Tally[i].Quantity = total
	return tx.SetStationState(station, st)
}

func (a *Allocator) finishCount(tx store.Tx, s wire.Scan, station string, st countState) error {
	res, err := counting.Submit(tx, st.Task, st.Tally, stationReason, s.Gateway+"/"+s.Station, s.TS, wire.NewID)
	if err != nil {
		return err
	}
	if res.Recount {
		if err := tx.SetStationState(station, countState{Task: st.Task, Location: st.Location}); err != nil {
			return err
		}
		if err := a.light(tx, s, "attention", "count differs: count "+st.Location+" again"); err != nil {
			return err
		}
		return a.raise(tx, s.Gateway, s.Station, stock.Alert{Kind: "count-recount", Severity: "info", Ref: st.Task,
			Message: fmt.Sprintf("the count of %s differs from stock by more than the threshold; counting again", st.Location)})
	}
	if err := tx.SetStationState(station, nil); err != nil {
		return err
	}
	if len(res.Movements) == 0 {
		return nil
	}
	if err := a.publisher().Stock(tx, res.Movements...); err != nil {
		return err
	}
	return a.raise(tx, s.Gateway, s.Station, stock.Alert{Kind: "count-adjusted", Severity: "info", Ref: st.Task,
		Message: fmt.Sprintf("count of %s adjusted stock with %d movements", st.Location, len(res.Movements))})
}

func (a *Allocator) onRFID(tx store.Tx, r wire.RFIDRead) error {
	sc := inbound.Scan{Gateway: r.Gateway, Station: r.Station, Event: r.ID, At: r.TS, NewID: wire.NewID}
	res, err := inbound.CountPortal(receiving{tx}, inbound.PortalRead{EPCs: r.EPCs, Scan: sc})
	if err != nil {
		return err
	}
	for _, al := range res.Alerts {
		if err := a.raise(tx, r.Gateway, r.Station, al); err != nil {
			return err
		}
	}
	return nil
}

// refuse shows red at the station and tells operations why.
func (a *Allocator) refuse(tx store.Tx, s wire.Scan, al stock.Alert) error {
	if err := a.light(tx, s, "reject", al.Message); err != nil {
		return err
	}
	return a.raise(tx, s.Gateway, s.Station, al)
}

func (a *Allocator) publisher() ops.Publisher { return ops.Publisher{Site: a.cfg.Site} }

func (a *Allocator) light(tx store.Tx, s wire.Scan, pattern, reason string) error {
	cmd := wire.Light{Envelope: wire.NewEnvelope(wire.CmdLight), Station: s.Station, Pattern: pattern, Reason: reason}
	return a.enqueue(tx, wire.CommandTopic(a.cfg.Site, s.Gateway, wire.CmdLight), cmd)
}

// alert is raise for callers that build the alert from parts.
func (a *Allocator) alert(tx store.Tx, gateway, station, kind, severity, msg, ref string, details map[string]string) error {
	return a.raise(tx, gateway, station, stock.Alert{Kind: kind, Severity: severity, Message: msg, Ref: ref, Details: details})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
