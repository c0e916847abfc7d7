package allocator

import (
	"encoding/json"
	"fmt"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// This file maps gateway events onto the domain workflows; allocator.go
// owns ordering, exactly-once application and acknowledgements.

func (a *Allocator) dispatch(tx *store.Tx, env wire.Envelope, in Incoming) error {
	switch env.Type {
	case wire.EvtScan:
		var s wire.Scan
		if err := json.Unmarshal(in.Payload, &s); err != nil {
			return a.alert(tx, in.Gateway, "", "malformed-event", "warning", "scan event could not be decoded: "+err.Error(), env.ID, nil)
		}
		return a.onScan(tx, s)
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
		return a.alert(tx, in.Gateway, d.Station, "device", "warning", msg, d.Device, nil)
	case wire.EvtPrint:
		var p wire.PrintResult
		if err := json.Unmarshal(in.Payload, &p); err != nil || p.Printed {
			return nil
		}
		return a.alert(tx, in.Gateway, p.Station, "print-failed", "warning",
			fmt.Sprintf("label for command %s was not printed: %s", p.Command, p.Reason), p.Command, nil)
	default:
		// Event types a later workflow will use (rfid, count) are
		// accepted and acknowledged so they never block the stream.
		a.log.Debug().Str("type", env.Type).Str("gateway", in.Gateway).Msg("event type not used yet")
		return nil
	}
}

func (a *Allocator) onScan(tx *store.Tx, s wire.Scan) error {
	if s.Role != "inbound-dock" {
		a.log.Info().Str("role", s.Role).Str("station", s.Station).Msg("scan at a station role central does not handle yet")
		return nil
	}
	if s.Error != "" {
		// The gateway has already shown red; operations get the reason.
		return a.alert(tx, s.Gateway, s.Station, "bad-scan", "warning", "bad scan at "+s.Station+": "+s.Error, s.ID,
			map[string]string{"data": s.Data})
	}
	sscc, ok := s.Get("00")
	if !ok {
		if err := a.light(tx, s, "reject", "scan the pallet's SSCC label (AI 00) at an inbound dock"); err != nil {
			return err
		}
		return a.alert(tx, s.Gateway, s.Station, "unexpected-scan", "warning",
			fmt.Sprintf("scan %s at inbound dock %s carries no SSCC (AI 00)", s.HRI, s.Station), s.ID, nil)
	}
	out, err := inbound.ReceivePallet(tx, inbound.PalletScan{SSCC: sscc, Gateway: s.Gateway, Station: s.Station,
		Event: s.ID, At: s.TS, Into: a.cfg.Receiving}, wire.NewID)
	if err != nil {
		return err
	}
	switch out.Kind {
	case inbound.Unknown:
		if err := a.light(tx, s, "reject", out.Message); err != nil {
			return err
		}
		return a.alert(tx, s.Gateway, s.Station, "unknown-pallet", "warning", out.Message, sscc, nil)
	case inbound.Duplicate:
		if err := a.light(tx, s, "attention", out.Message); err != nil {
			return err
		}
		return a.alert(tx, s.Gateway, s.Station, "duplicate-pallet", "info", out.Message, sscc, nil)
	}
	return a.received(tx, s, out)
}

func (a *Allocator) received(tx *store.Tx, s wire.Scan, out inbound.Outcome) error {
	for _, m := range out.Movements {
		if err := a.stockMessage(tx, m); err != nil {
			return err
		}
	}
	r := out.Receipt
	rm := wire.Receipt{Envelope: wire.NewEnvelope(wire.OpsReceipt), Receipt: r.ID, ASN: r.ASN, SSCC: r.SSCC, SKU: r.SKU,
		GTIN: r.GTIN, Quantity: r.Quantity, Lot: r.Lot, Expiry: r.Expiry, Location: r.Location, Putaway: r.Putaway,
		Station: r.Station, Event: r.Event}
	rm.Gateway = r.Gateway
	if err := a.enqueue(tx, wire.OpsTopic(a.cfg.Site, wire.OpsReceipt), rm); err != nil {
		return err
	}
	asn, err := tx.ASN(r.ASN)
	if err != nil {
		return err
	}
	label := map[string]string{
		"sscc": r.SSCC, "sku": r.SKU, "item": out.Item.Name, "quantity": fmt.Sprint(r.Quantity),
		"putaway": orDash(r.Putaway), "to": a.cfg.Site, "from": orDash(asn.Supplier),
	}
	for k, v := range map[string]string{"gtin": gtin14(r.GTIN), "lot": r.Lot, "expiry": r.Expiry} {
		if v != "" {
			label[k] = v
		}
	}
	cmd := wire.Print{Envelope: wire.NewEnvelope(wire.CmdPrint), Station: s.Station, Template: "sscc-pallet", Data: label}
	return a.enqueue(tx, wire.CommandTopic(a.cfg.Site, s.Gateway, wire.CmdPrint), cmd)
}

func (a *Allocator) stockMessage(tx *store.Tx, m inbound.Posted) error {
	sm := wire.Stock{Envelope: wire.NewEnvelope(wire.OpsStock), Movement: m.Seq, SKU: m.SKU, Quantity: m.Quantity,
		From: m.From, To: m.To, LPN: m.LPN, Lot: m.Lot, Expiry: m.Expiry, Status: string(m.ToStatus), Reason: m.Reason,
		Doc: m.Doc, FromBalance: m.Balances.From, ToBalance: m.Balances.To}
	return a.enqueue(tx, wire.OpsTopic(a.cfg.Site, wire.OpsStock), sm)
}

func (a *Allocator) light(tx *store.Tx, s wire.Scan, pattern, reason string) error {
	cmd := wire.Light{Envelope: wire.NewEnvelope(wire.CmdLight), Station: s.Station, Pattern: pattern, Reason: reason}
	return a.enqueue(tx, wire.CommandTopic(a.cfg.Site, s.Gateway, wire.CmdLight), cmd)
}

func (a *Allocator) alert(tx *store.Tx, gateway, station, kind, severity, msg, ref string, details map[string]string) error {
	al := wire.Alert{Envelope: wire.NewEnvelope(wire.OpsAlert), Kind: kind, Severity: severity, Message: msg,
		Station: station, Ref: ref, Details: details}
	al.Gateway = gateway
	a.Metrics.Alerts.Add(1)
	a.log.Info().Str("kind", kind).Str("gateway", gateway).Str("station", station).Msg(msg)
	return a.enqueue(tx, wire.OpsTopic(a.cfg.Site, wire.OpsAlert), al)
}

// gtin14 pads a GTIN to the 14 digits AI 01/02 carry.
func gtin14(g string) string {
	if g == "" || len(g) >= 14 {
		return g
	}
	return fmt.Sprintf("%014s", g)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
