package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/testenv"
)

// chromium finds Debian's chromium (installed by .ci/run).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Unavailable(t, "no chromium on PATH (apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium with a fresh profile and nothing that
// reaches out to the network.
func browser(t *testing.T) context.Context {
	path := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// rig is a gateway with a virtual printer and a light, its MQTT broker
// absent (the page must work with the uplink down), and a virtual scanner
// plugged in but not configured yet.
type rig struct {
	g       *daemon.Gateway
	url     string
	printer *devsim.Printer
	scanner *devsim.Scanner
	config  string
	data    string // the gateway's data directory
}

func newRig(t *testing.T) *rig {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ring := logging.NewRing(500)
	glog := zerolog.New(logging.Writer(zerolog.NewTestWriter(t), ring)).Level(zerolog.InfoLevel).With().Timestamp().Logger() // as gatewayd wires it
	prn, err := devsim.NewPrinter("127.0.0.1:0", t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(func() { prn.Close() })
	serialDir := t.TempDir()
	sc, err := devsim.NewScanner(devsim.ScannerOptions{Dir: serialDir, Log: log})
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	dir := t.TempDir()
	path := filepath.Join(dir, "gateway.yaml")
	require.NoError(t, os.WriteFile(path, fmt.Appendf(nil, `# the dock 1 gateway
site: t1
gateway: gw-1
mqtt: {url: "tcp://127.0.0.1:%d", password: no-central}
http: {listen: "127.0.0.1:0"}
stations: [{id: dock-1, role: inbound-dock}]
devices:
  - {id: printer-1, kind: printer, station: dock-1, address: %q, profile: 4x8}
  - {id: light-1, kind: light, station: dock-1}
`, testenv.FreePort(t), prn.Addr()), 0o640))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	g, err := daemon.StartWith(cfg, filepath.Join(dir, "data"), glog, daemon.Options{ConfigPath: path, Version: "v0.test",
		Logs: ring, SerialDirs: []string{serialDir}, PrinterPoll: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(g.Close)
	return &rig{g: g, url: "http://" + g.HTTPAddr, printer: prn, scanner: sc, config: path, data: filepath.Join(dir, "data")}
}

// waitText waits until the element sel contains text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.querySelector(%q)||{textContent:""}).textContent.includes(%q)`, sel, text),
		chromedp.WithPollingTimeout(20*time.Second))
}

func clearField(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel))
}

// screenshot saves the page as docs/screenshots/name.png (quality 100 is PNG) when
// DOCKHAND_SCREENSHOTS names that directory (make screenshots).
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("DOCKHAND_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		t.Fatalf("%s: %v\npage text:\n%s", what, err, text)
	}
}

// previewWidth waits for the preview image and returns its width in
// pixels: the label's width in dots at the printer's resolution.
func previewWidth(t *testing.T, ctx context.Context) int {
	do(t, ctx, "the preview is drawn",
		chromedp.WaitVisible("#tp-image"),
		chromedp.Poll[chromedp.Void](`document.querySelector("#tp-image").src.startsWith("data:image/png") && document.querySelector("#tp-image").naturalWidth > 100`))
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("#tp-image").naturalWidth`))
	require.NoError(t, err)
	return w
}

// The technician's whole visit, in a real browser, with the uplink down:
// set the password with the setup code from the data directory (a wrong
// code is refused), sign in, add the virtual scanner from the ports that
// are plugged in, see its scans live (a hostile one and a bad one with
// the offending character marked), preview and test-print a label, be
// told next to the field why a value is refused, change the printer's
// resolution and see the preview follow, see an unplugged scanner go red,
// sign out, and be refused without a session.
func TestTechnicianPageInABrowser(t *testing.T) {
	ctx := browser(t)
	r := newRig(t)
	require.False(t, r.g.Connected(), "the link is down for the whole visit")
	started := time.Now()

	code, err := os.ReadFile(filepath.Join(r.data, "setup-code"))
	require.NoError(t, err, "the setup code is in the data directory")
	do(t, ctx, "first start asks for the setup code and a password; a wrong code is refused",
		chromedp.Navigate(r.url),
		chromedp.WaitVisible("#view-setup"),
		chromedp.SendKeys("#setup-code", "AAAA-BBBB-CCCC"),
		chromedp.SendKeys("#setup-password", "dock door 7 key"),
		chromedp.SendKeys("#setup-password2", "dock door 7 key"),
		chromedp.Click("#setup-submit"),
		waitText(`#setup-form .field-error[data-for="code"]`, "not the setup code"))
	screenshot(t, ctx, "setup")
	do(t, ctx, "the right code sets the password",
		clearField("#setup-code"),
		chromedp.SendKeys("#setup-code", strings.TrimSpace(string(code))),
		chromedp.Click("#setup-submit"),
		chromedp.WaitVisible("#view-overview"),
		waitText("#ov-gateway", "gw-1"),
		waitText("#ov-version", "v0.test"),
		waitText("#ov-mqtt", "not connected"),
		waitText("#ov-ready", "not connected to the broker"))
	screenshot(t, ctx, "overview")

	do(t, ctx, "sign out and in again",
		chromedp.Click("#logout"),
		chromedp.WaitVisible("#view-login"),
		chromedp.WaitNotVisible("#nav")) // no menu without a session
	screenshot(t, ctx, "sign-in")
	do(t, ctx, "a wrong password is refused",
		chromedp.SendKeys("#login-password", "wrong password"),
		chromedp.Click("#login-submit"),
		waitText("#login-error", "wrong user name or password"))
	do(t, ctx, "the right one signs in",
		clearField("#login-password"),
		chromedp.SendKeys("#login-password", "dock door 7 key"),
		chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#view-overview"))

	do(t, ctx, "add the virtual scanner",
		chromedp.Click(`nav a[data-view="devices"]`),
		chromedp.WaitVisible("#view-devices"),
		waitText(`#device-list tr[data-device="printer-1"]`, "connected"),
		chromedp.Click("#add-device"),
		chromedp.WaitVisible("#device-form"),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll("#port-list option")].some(o => o.value === %q)`, r.scanner.Path()),
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.SendKeys(`#device-fields [name="id"]`, "scanner-1"),
		chromedp.SendKeys(`#device-fields [name="port"]`, r.scanner.Path()),
		chromedp.Click("#device-save"),
		waitText(`#device-list tr[data-device="scanner-1"] .state`, "connected"))
	screenshot(t, ctx, "devices")
	saved, err := os.ReadFile(r.config)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "id: scanner-1", "the change is saved to the file")
	assert.Contains(t, string(saved), "# the dock 1 gateway", "and the file's comments stay")
	_, err = os.Stat(r.config + ".bak")
	assert.NoError(t, err, "the previous configuration is kept")

	sscc := "106141410000000019"
	do(t, ctx, "open the live view", chromedp.Click(`nav a[data-view="live"]`), chromedp.WaitVisible("#view-live"))
	require.NoError(t, r.scanner.Scan("]C100"+sscc))
	require.NoError(t, r.scanner.Scan("<script>window.pwned=1</script><img src=x onerror=window.pwned=1>"))
	require.NoError(t, r.scanner.Scan("]C1010950110153000317251301")) // month 13
	require.NoError(t, r.scanner.Scan("]C100<img src=x onerror=window.pwned=1>"))
	do(t, ctx, "scans appear live with their GS1 meaning, hostile data as text, a bad one's character marked",
		waitText("#live-list", sscc),
		waitText("#live-list", "SSCC"),
		waitText("#live-list", "<script>window.pwned=1</script>"),
		waitText("#live-list", "0109501101530003172513"),
		waitText("#live-list", "00<img src=x onerror=window.pwned=1>"))
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#live-list mark.error-at")].map(m => m.previousSibling.textContent + "[" + m.textContent + "]" + m.nextSibling.textContent)`))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"01095011015300031725[1]301", "00[<]img src=x onerror=window.pwned=1>"}, marks, "the character at error_at is marked")
	hostile, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned === 1 || document.querySelectorAll("#live-list script, #live-list img").length > 0`))
	require.NoError(t, err)
	assert.False(t, hostile, "scan data is never markup")
	screenshot(t, ctx, "live")

	choosePallet := chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#tp-template"); s.value = "sscc-pallet"; s.dispatchEvent(new Event("change")); })()`)
	do(t, ctx, "preview a label for the printer",
		chromedp.Click(`nav a[data-view="test"]`),
		chromedp.WaitVisible("#view-test"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#tp-template option").length > 0`),
		choosePallet,
		waitText("#tp-media", "printer-1: 203 dpi, labels 4x8"),
		chromedp.Click("#tp-preview"))
	assert.Equal(t, 812, previewWidth(t, ctx), "4 in at 203 dpi")
	do(t, ctx, "print it and read the printer's answer",
		chromedp.Click("#tp-send"),
		waitText("#tp-outcome", "Printed."),
		waitText("#tp-status", "Paper out"))
	screenshot(t, ctx, "test-print")
	jobs := r.printer.Jobs()
	require.Len(t, jobs, 1, "the test label reached the printer")
	assert.Contains(t, string(jobs[0].ZPL), "^PW812\n^LL1624\n")

	do(t, ctx, "a bad value is refused next to its field",
		chromedp.Click(`nav a[data-view="devices"]`),
		chromedp.WaitVisible(`#device-list tr[data-device="scanner-1"]`),
		chromedp.Click(`#device-list tr[data-device="scanner-1"] button.secondary`),
		chromedp.WaitVisible("#device-form"),
		clearField(`#device-fields [name="baud"]`),
		chromedp.SendKeys(`#device-fields [name="baud"]`, "fast"),
		chromedp.Click("#device-save"),
		waitText(`#device-fields .field-error[data-for="baud"]`, `must be a whole number, got "fast"`))
	screenshot(t, ctx, "device-error")
	saved2, err := os.ReadFile(r.config)
	require.NoError(t, err)
	assert.Equal(t, string(saved), string(saved2), "a refused change leaves the file alone")

	do(t, ctx, "a printer's resolution is checked next to its field",
		chromedp.Click("#device-cancel"),
		chromedp.Click(`#device-list tr[data-device="printer-1"] button.secondary`),
		chromedp.WaitVisible("#device-form"),
		chromedp.SendKeys(`#device-fields [name="dpi"]`, "250"),
		chromedp.Click("#device-save"),
		waitText(`#device-fields .field-error[data-for="dpi"]`, "250 is not a printer resolution (203, 300 or 600)"))
	do(t, ctx, "and changed",
		clearField(`#device-fields [name="dpi"]`),
		chromedp.SendKeys(`#device-fields [name="dpi"]`, "300"),
		chromedp.Click("#device-save"),
		chromedp.WaitNotVisible("#device-form"), // hidden once saved and applied
		chromedp.Click(`nav a[data-view="test"]`),
		chromedp.WaitVisible("#view-test"),
		choosePallet,
		waitText("#tp-media", "printer-1: 300 dpi, labels 4x8"),
		chromedp.Click("#tp-preview"))
	assert.Equal(t, 1200, previewWidth(t, ctx), "4 in at 300 dpi")
	do(t, ctx, "the printer gets the label at its new resolution", chromedp.Click("#tp-send"), waitText("#tp-outcome", "Printed."))
	jobs = r.printer.Jobs()
	require.Len(t, jobs, 2)
	assert.Contains(t, string(jobs[1].ZPL), "^PW1200\n^LL2400\n")
	saved3, err := os.ReadFile(r.config)
	require.NoError(t, err)
	assert.Contains(t, string(saved3), "dpi: 300")

	do(t, ctx, "add a station",
		chromedp.Click(`nav a[data-view="devices"]`),
		chromedp.WaitVisible(`#station-list tr[data-station="dock-1"]`),
		chromedp.Click("#add-station"),
		chromedp.WaitVisible("#station-form"),
		chromedp.SendKeys("#station-id", "pack 7"),
		chromedp.SetValue("#station-role", "pack"),
		chromedp.Click("#station-save"),
		waitText(`#station-form .field-error[data-for="id"]`, `"pack 7" may use only letters`),
		clearField("#station-id"),
		chromedp.SendKeys("#station-id", "pack-7"),
		chromedp.Click("#station-save"),
		waitText(`#station-list tr[data-station="pack-7"] .role`, "pack"))
	do(t, ctx, "move the scanner to it: the form offers the configured stations",
		chromedp.Click(`#device-list tr[data-device="scanner-1"] button.secondary`),
		chromedp.WaitVisible("#device-form"),
		waitText(`#device-fields [name="station"]`, "pack-7 (pack)"),
		chromedp.SetValue(`#device-fields [name="station"]`, "pack-7"),
		chromedp.Click("#device-save"),
		chromedp.WaitNotVisible("#device-form"),
		waitText(`#device-list tr[data-device="scanner-1"] .station`, "pack-7 (pack)"),
		waitText(`#device-list tr[data-device="scanner-1"] .state`, "connected"),
		waitText(`#station-list tr[data-station="pack-7"]`, "scanner-1"))
	screenshot(t, ctx, "stations")
	do(t, ctx, "a station with devices cannot be removed",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(`#station-list tr[data-station="pack-7"] button.danger`),
		waitText("#banner", "station pack-7 still has devices: scanner-1"))
	saved4, err := os.ReadFile(r.config)
	require.NoError(t, err)
	assert.Contains(t, string(saved4), "{id: pack-7, role: pack}", "the station is saved")
	do(t, ctx, "the next scan carries the new station and role",
		chromedp.Click(`nav a[data-view="live"]`),
		chromedp.WaitVisible("#view-live"))
	require.NoError(t, r.scanner.Scan("]C100106141410000000026"))
	do(t, ctx, "seen live", waitText(`#live-list li:first-child`, "scanner-1 @ pack-7 (pack)"))

	require.NoError(t, r.scanner.Unplug())
	do(t, ctx, "an unplugged scanner shows disconnected",
		chromedp.Click(`nav a[data-view="devices"]`),
		waitText(`#device-list tr[data-device="scanner-1"] .state`, "disconnected"))

	do(t, ctx, "the log shows the warning",
		chromedp.Click(`nav a[data-view="logs"]`),
		chromedp.WaitVisible("#view-logs"),
		chromedp.SetValue("#log-level", "warn"),
		chromedp.Click("#log-refresh"),
		waitText("#log-list", "device state"))
	screenshot(t, ctx, "logs")

	do(t, ctx, "on a phone", chromedp.EmulateViewport(390, 844), chromedp.Click(`nav a[data-view="overview"]`), waitText("#ov-gateway", "gw-1"))
	screenshot(t, ctx, "phone")
	do(t, ctx, "back", chromedp.EmulateViewport(1200, 900))

	do(t, ctx, "sign out", chromedp.Click("#logout"), chromedp.WaitVisible("#view-login"))
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/v1/overview").then(r => r.status)`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Equal(t, 401, status, "without a session the API refuses")
	status, err = chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/v1/config/devices/scanner-1", {method: "DELETE"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Equal(t, 401, status)
	do(t, ctx, "reloading shows the sign-in", chromedp.Navigate(r.url), chromedp.WaitVisible("#view-login"))
	t.Logf("browser visit took %s", time.Since(started).Round(time.Millisecond))
}
