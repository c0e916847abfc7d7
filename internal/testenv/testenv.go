// Package testenv decides how integration tests reach outside services, so
// that every test follows the same rule: skip with a logged reason when a
// service is missing, fail instead when DOCKHAND_REQUIRE_SERVICES=1 (CI).
package testenv

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// Required reports whether missing services must fail tests.
func Required() bool { return os.Getenv("DOCKHAND_REQUIRE_SERVICES") == "1" }

// Unavailable skips t with reason, or fails it when services are required.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("required service unavailable (DOCKHAND_REQUIRE_SERVICES=1): %s", reason)
	}
	t.Skipf("skipping: %s", reason)
}

// ExternalMQTT returns the URL of the real broker named by DOCKHAND_TEST_MQTT
// after checking that it accepts TCP connections.
func ExternalMQTT(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("DOCKHAND_TEST_MQTT")
	if raw == "" {
		Unavailable(t, "DOCKHAND_TEST_MQTT is not set (e.g. tcp://127.0.0.1:1883)")
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		t.Fatalf("DOCKHAND_TEST_MQTT=%q is not a broker URL like tcp://127.0.0.1:1883", raw)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	if err != nil {
		Unavailable(t, "cannot reach MQTT broker "+raw+": "+err.Error())
		return ""
	}
	_ = conn.Close()
	return raw
}
