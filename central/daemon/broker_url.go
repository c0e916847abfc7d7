package daemon

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// brokerSchemes are the URL schemes mqttx connects with: tcp (mqtt) and
// TLS (ssl, tls, mqtts), and MQTT over WebSocket (ws, wss).
var brokerSchemes = []string{"tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss"}

// CheckBrokerURL refuses a broker URL central could never connect to, at
// start rather than by retrying for ever: a known scheme, a host, a port
// (required except for ws and wss, whose default ports apply), no
// credentials in the URL (they belong in --mqtt-user and
// DOCKHAND_MQTT_PASSWORD), a path only for WebSocket.
func CheckBrokerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	ws := u.Scheme == "ws" || u.Scheme == "wss"
	port := u.Port()
	switch {
	case !slices.Contains(brokerSchemes, u.Scheme):
		return fmt.Errorf("%q: scheme %q is not one of tcp, mqtt, ssl, tls, mqtts, ws, wss (e.g. tcp://broker:1883)", raw, u.Scheme)
	case u.Opaque != "" || u.Hostname() == "":
		return fmt.Errorf("%q has no broker host (e.g. %s://broker:1883)", raw, u.Scheme)
	case u.User != nil:
		return fmt.Errorf("%q carries credentials: use --mqtt-user and DOCKHAND_MQTT_PASSWORD", u.Redacted())
	case port == "" && !ws:
		return fmt.Errorf("%q has no port (e.g. %s://%s:1883)", raw, u.Scheme, u.Hostname())
	case !ws && u.Path != "" && u.Path != "/":
		return fmt.Errorf("%q: a path is only meaningful for ws:// and wss://", raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: a broker URL has no query or fragment", raw)
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: port %q is not 1-65535", raw, port)
		}
	}
	return nil
}
