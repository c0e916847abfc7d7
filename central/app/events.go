package app

import (
	"encoding/json"
	"fmt"

	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/internal/wire"
)

// Event applies one gateway event, in the transaction of its batch:
// ingest has checked its seal, stream and order and calls this once per
// event. Scans go to the station registry by role; the other types raise
// alerts or count portal reads.
func (a *App) Event(tx store.Tx, gateway string, env wire.Envelope, payload []byte) error {
	t := a.Within(tx)
	switch env.Type {
	case wire.EvtScan:
		var s wire.Scan
		if err := json.Unmarshal(payload, &s); err != nil {
			return t.Raise(gateway, "", stock.Alert{Kind: string(wire.AlertMalformedEvent), Severity: "warning", Class: "undecodable scan",
				Message: "scan event could not be decoded: " + err.Error(), Ref: env.ID})
		}
		if a.cfg.Stations == nil {
			return nil
		}
		return a.cfg.Stations.Scan(t, s)
	case wire.EvtRFID:
		var r wire.RFIDRead
		if err := json.Unmarshal(payload, &r); err != nil {
			return t.Raise(gateway, "", stock.Alert{Kind: string(wire.AlertMalformedEvent), Severity: "warning", Class: "undecodable rfid",
				Message: "rfid event could not be decoded: " + err.Error(), Ref: env.ID})
		}
		return t.CountPortal(At{Gateway: r.Gateway, Station: r.Station, Event: r.ID, Time: r.TS}, r.EPCs)
	case wire.EvtDevice:
		var d wire.Device
		if err := json.Unmarshal(payload, &d); err != nil {
			return nil
		}
		if d.State == "connected" {
			return nil
		}
		msg := fmt.Sprintf("device %s (%s) on gateway %s is %s", d.Device, d.Kind, d.Gateway, d.State)
		if d.Error != "" {
			msg += ": " + d.Error
		}
		return t.Raise(gateway, d.Station, stock.Alert{Kind: string(wire.AlertDevice), Severity: "warning", Message: msg, Ref: d.Device,
			Device: d.Device, Class: d.State})
	case wire.EvtPrint:
		var p wire.PrintResult
		if err := json.Unmarshal(payload, &p); err != nil || p.Printed {
			return nil
		}
		return t.Raise(gateway, p.Station, stock.Alert{Kind: string(wire.AlertPrintFailed), Severity: "warning", Device: p.Device, Class: p.Reason,
			Message: fmt.Sprintf("label for command %s was not printed: %s", p.Command, p.Reason), Ref: p.Command})
	case wire.EvtRefused:
		var r wire.Refused
		if err := json.Unmarshal(payload, &r); err != nil {
			return nil
		}
		return t.Raise(gateway, "", stock.Alert{Kind: string(wire.AlertGatewayRefused), Severity: "warning",
			Message: fmt.Sprintf("gateway %s refused %d message(s) on %s: %s", gateway, r.Count, r.Topic, r.Reason), Ref: r.Topic,
			Class: r.Topic + " " + string(r.Reason), Details: map[string]string{"topic": r.Topic, "reason": string(r.Reason), "count": fmt.Sprint(r.Count)}})
	default:
		// Event types no workflow uses (count) are accepted and
		// acknowledged so they never block the stream.
		a.log.Debug().Str("type", string(env.Type)).Str("gateway", gateway).Msg("event type not used yet")
		return nil
	}
}

// Alert raises an alert inside tx (ingest's refusals and set-aside
// events go through the same collapsing as every alert).
func (a *App) Alert(tx store.Tx, gateway, station string, al stock.Alert) error {
	return a.Within(tx).Raise(gateway, station, al)
}
