package wire

import (
	"fmt"
	"strings"
)

// Root is the first level of every Dockhand topic; the version lets a site
// run old and new gateways side by side during an upgrade.
const Root = "dockhand/v1"

// Topic kinds below a gateway.
const (
	KindEvent   = "evt"
	KindCommand = "cmd"
	KindState   = "state"
)

// EventTopic is where a gateway publishes events of one type.
func EventTopic(site, gateway string, typ MessageType) string {
	return fmt.Sprintf("%s/%s/gw/%s/evt/%s", Root, site, gateway, typ)
}

// CommandTopic is where central sends a gateway commands of one type.
func CommandTopic(site, gateway string, typ MessageType) string {
	return fmt.Sprintf("%s/%s/gw/%s/cmd/%s", Root, site, gateway, typ)
}

// StateTopic carries a gateway's retained birth and death (Last Will) message.
func StateTopic(site, gateway string) string {
	return fmt.Sprintf("%s/%s/gw/%s/state", Root, site, gateway)
}

// OpsTopic is where central publishes for operations staff.
func OpsTopic(site string, typ MessageType) string {
	return fmt.Sprintf("%s/%s/ops/%s", Root, site, typ)
}

// AllEvents is central's subscription to every gateway's events.
func AllEvents(site string) string { return fmt.Sprintf("%s/%s/gw/+/evt/+", Root, site) }

// AllStates is central's subscription to every gateway's birth/death.
func AllStates(site string) string { return fmt.Sprintf("%s/%s/gw/+/state", Root, site) }

// AllCommands is a gateway's subscription to its own commands.
func AllCommands(site, gateway string) string {
	return fmt.Sprintf("%s/%s/gw/%s/cmd/+", Root, site, gateway)
}

// GatewayTopic is a parsed topic below .../gw/{gateway}/.
type GatewayTopic struct {
	Site, Gateway, Kind string
	Type                MessageType
}

// ParseGatewayTopic splits a gateway topic; ok is false for any other topic.
func ParseGatewayTopic(topic string) (GatewayTopic, bool) {
	rest, found := strings.CutPrefix(topic, Root+"/")
	if !found {
		return GatewayTopic{}, false
	}
	p := strings.Split(rest, "/")
	switch {
	case len(p) == 4 && p[1] == "gw" && p[3] == KindState:
		return GatewayTopic{Site: p[0], Gateway: p[2], Kind: KindState}, true
	case len(p) == 5 && p[1] == "gw" && (p[3] == KindEvent || p[3] == KindCommand):
		return GatewayTopic{Site: p[0], Gateway: p[2], Kind: p[3], Type: MessageType(p[4])}, true
	}
	return GatewayTopic{}, false
}

// ValidName reports whether s can be used as one topic level (site, gateway,
// station or device id): non-empty, at most 64 bytes, and made only of
// letters, digits, '-', '_' and '.', so it never contains MQTT wildcards or
// separators.
func ValidName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}
