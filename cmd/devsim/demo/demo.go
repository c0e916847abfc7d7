// Package demo plays Dockhand's scripted story — goods received, orders
// promised, a backorder served by a receipt: central with its
// embedded broker, one gateway and virtual devices (a scanner on a
// pseudo-terminal, a label printer on TCP) in one process. It backs
// `devsim demo` (make demo / make demo-once), and the same story runs as a
// Go test against the embedded broker and against a real Mosquitto.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	centrald "github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/devsim"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/gateway/config"
	gatewayd "github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/gateway/web"
	"github.com/dockhand/dockhand/internal/mqttx"
)

// Options configure one run of the story.
type Options struct {
	// Dir receives central's and the gateway's data, the gateway config and
	// the label files.
	Dir string
	// Site is the site id (topics are dockhand/v1/{site}/...).
	Site string
	// MQTT names an external broker; empty starts central's embedded one.
	MQTT string
	// BrokerListen is the embedded broker's preferred address; when it is
	// taken a free port is used.
	BrokerListen string
	// Out receives the story; Log receives the daemons' logs.
	Out io.Writer
	Log zerolog.Logger
	// StepTimeout bounds each step of the story.
	StepTimeout time.Duration
}

// Run is a running demo; Close stops it.
type Run struct {
	Central   *centrald.Central
	Gateway   *gatewayd.Gateway
	Printer   *devsim.Printer
	Scanner   *devsim.Scanner
	BrokerURL string
	Pallets   []inbound.ExpectedPallet
	hash      string
	Stranger  string // SSCC of the pallet that is on no ASN
	Password  string // the technician page's admin password
	// OpsUser and OpsSecret are the read-only login the demo issued for
	// watching the topics (mosquitto_sub); gwSecret is its gateway's.
	OpsUser, OpsSecret string
	gwSecret           string
	obs                *observer
	opt                Options
}

// Messages returns what the observer saw on topics ending with suffix.
func (r *Run) Messages(suffix string) []Message { return r.obs.all(suffix) }

// Close stops the gateway, central and the virtual devices.
func (r *Run) Close() {
	if r.obs != nil {
		r.obs.close()
	}
	if r.Gateway != nil {
		r.Gateway.Close()
	}
	if r.Central != nil {
		r.Central.Close()
	}
	if r.Scanner != nil {
		_ = r.Scanner.Close()
	}
	if r.Printer != nil {
		_ = r.Printer.Close()
	}
}

// sscc builds a valid SSCC from extension digit, company prefix and serial.
func sscc(body string) string {
	c, err := gs1.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

// Start brings up central, virtual devices and the gateway, and loads the
// master data and the ASN through central's HTTP API, as an ERP would.
func Start(opt Options) (*Run, error) {
	if opt.StepTimeout == 0 {
		opt.StepTimeout = 15 * time.Second
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	r := &Run{opt: opt}
	ok := false
	defer func() {
		if !ok {
			r.Close()
		}
	}()
	var err error
	if err := os.MkdirAll(opt.Dir, 0o750); err != nil {
		return nil, err
	}
	// The demo issues its own credentials, as an operator would with
	// `centrald gateway add` and `centrald account add --role ops`.
	centralDir := filepath.Join(opt.Dir, "central")
	if r.gwSecret, err = identity.Add(centralDir, demoGateway, identity.RoleGateway); err != nil {
		return nil, err
	}
	r.OpsUser = "ops"
	if r.OpsSecret, err = identity.Add(centralDir, r.OpsUser, identity.RoleOps); err != nil {
		return nil, err
	}
	r.Central, err = centrald.Start(centrald.Options{Site: opt.Site, DataDir: centralDir,
		MQTT: mqttx.Config{URL: opt.MQTT}, BrokerListen: opt.BrokerListen, BrokerFallback: true,
		HTTPAddr: "127.0.0.1:0", APIToken: "demo-token"}, opt.Log.With().Str("process", "centrald").Logger())
	if err != nil {
		return nil, fmt.Errorf("start central: %w", err)
	}
	r.BrokerURL = r.Central.BrokerURL
	if err := os.MkdirAll(filepath.Join(opt.Dir, "dev"), 0o750); err != nil {
		return nil, err
	}
	if r.Scanner, err = devsim.NewScanner(devsim.ScannerOptions{Dir: filepath.Join(opt.Dir, "dev"), Log: opt.Log}); err != nil {
		return nil, fmt.Errorf("virtual scanner: %w", err)
	}
	if r.Printer, err = devsim.NewPrinter("127.0.0.1:0", filepath.Join(opt.Dir, "labels"), opt.Log); err != nil {
		return nil, fmt.Errorf("virtual printer: %w", err)
	}
	if err := r.seed(); err != nil {
		return nil, fmt.Errorf("load master data: %w", err)
	}
	if r.obs, err = newObserver(r.BrokerURL, opt.Site, r.OpsUser, r.OpsSecret); err != nil {
		return nil, err
	}
	if r.Password, err = demoPassword(); err != nil {
		return nil, err
	}
	if r.hash, err = web.HashPassword(r.Password); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(opt.Dir, "gateway.yaml")
	if err := os.WriteFile(cfgPath, []byte(r.gatewayConfig()), 0o600); err != nil {
		return nil, err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	if r.Gateway, err = gatewayd.StartWith(cfg, filepath.Join(opt.Dir, "gateway"), opt.Log.With().Str("process", "gatewayd").Logger(),
		gatewayd.Options{ConfigPath: cfgPath, Version: "demo"}); err != nil {
		return nil, fmt.Errorf("start gateway: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opt.StepTimeout)
	defer cancel()
	if _, err := r.obs.wait(ctx, "/state", func(m Message) bool { return m.Str("state") == "online" }); err != nil {
		return nil, fmt.Errorf("gateway did not come online: %w", err)
	}
	ok = true
	return r, nil
}

// demoGateway is the demo gateway's id (and MQTT username).
const demoGateway = "dock-gw-1"

func (r *Run) gatewayConfig() string {
	return fmt.Sprintf(`# Written by the demo: a real gateway configuration (see README, "Gateway configuration").
site: %s
gateway: %s
mqtt:
  url: %s
  username: %s
  password: %q
http:
  listen: "127.0.0.1:0"
  admin_password_hash: '%s'
stations:
  - id: dock-1
    role: inbound-dock
devices:
  - id: scanner-1
    kind: scanner
    station: dock-1
    port: %s
    baud: 9600
  - id: printer-1
    kind: printer
    station: dock-1
    address: %s
    profile: 4x8             # 4 x 8 in labels: the GS1 pallet label
  - id: light-1
    kind: light
    station: dock-1
    driver: log
link:
  resend_after: 2s
`, r.opt.Site, demoGateway, r.BrokerURL, demoGateway, r.gwSecret, r.hash, r.Scanner.Path(), r.Printer.Addr())
}

// seed posts items, locations and the ASN to central's API.
func (r *Run) seed() error {
	r.Pallets = []inbound.ExpectedPallet{
		{SSCC: sscc("10614141" + "000000001"), SKU: "WIDGET-10", Quantity: 48, Lot: "L2611A", Expiry: "2027-06-30"},
		{SSCC: sscc("10614141" + "000000002"), SKU: "WIDGET-10", Quantity: 48, Lot: "L2611B", Expiry: "2027-07-31"},
		{SSCC: sscc("10614141" + "000000003"), SKU: "TEA-500", Quantity: 120, Lot: "T-0925", Expiry: "2027-09-25"},
	}
	r.Stranger = sscc("10614141" + "000000099")
	posts := []struct {
		path string
		body any
	}{
		{"/api/v1/items", stock.Item{SKU: "WIDGET-10", GTIN: "10614141000415", Name: "Widget, box of 10"}},
		{"/api/v1/items", stock.Item{SKU: "TEA-500", GTIN: "06901234567892", Name: "绿茶 Green tea 500 g"}},
		{"/api/v1/locations", stock.Location{Code: "A-01-1-01", Type: stock.LocReserve, Zone: "A"}},
		{"/api/v1/locations", stock.Location{Code: "A-01-1-02", Type: stock.LocReserve, Zone: "A"}},
		{"/api/v1/locations", stock.Location{Code: "A-03-2-05", Type: stock.LocReserve, Zone: "A"}},
		{"/api/v1/asns", inbound.ASN{ID: "ASN-1001", Supplier: "ACME Supplies", PO: "PO-7001", Pallets: r.Pallets}},
		{"/api/v1/channels", map[string]any{"id": "SHOP", "name": "Web shop", "shortage": "backorder"}},
	}
	for _, p := range posts {
		if err := r.api(http.MethodPost, p.path, p.body, nil); err != nil {
			return err
		}
	}
	return nil
}

func (r *Run) api(method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+r.Central.HTTPAddr+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.Central.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// Stock returns central's stock as the API reports it.
func (r *Run) Stock() ([]stock.Quant, error) {
	var q []stock.Quant
	return q, r.api(http.MethodGet, "/api/v1/stock", nil, &q)
}

// Ledger returns central's movements as the API reports them.
func (r *Run) Ledger() ([]stock.Movement, error) {
	var m []stock.Movement
	return m, r.api(http.MethodGet, "/api/v1/ledger", nil, &m)
}

// Play runs the scripted inbound and narrates it to opt.Out.
func (r *Run) Play() error {
	out := r.opt.Out
	say := func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }
	step := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), r.opt.StepTimeout)
	}
	say("\nDockhand demo — site %q", r.opt.Site)
	broker := r.BrokerURL
	if r.opt.MQTT == "" && r.opt.BrokerListen != "" && !strings.HasSuffix(r.BrokerURL, r.opt.BrokerListen[strings.LastIndex(r.opt.BrokerListen, ":"):]) {
		broker += "  (" + r.opt.BrokerListen + " was taken, so a free port is used)"
	}
	say("  MQTT broker      %s", broker)
	say("  central API      http://%s  (token: demo-token)", r.Central.HTTPAddr)
	say("  technician page  http://%s  (user admin, password %s)", r.Gateway.HTTPAddr, r.Password)
	say("  virtual scanner  %s", r.Scanner.Path())
	say("  virtual printer  %s  (labels in %s)", r.Printer.Addr(), filepath.Join(r.opt.Dir, "labels"))
	say("\nThe ERP posted ASN-1001 from ACME Supplies: %d pallets expected at dock-1.", len(r.Pallets))

	for i, p := range r.Pallets {
		say("\n▶ Scanning pallet %d at dock-1: ]C1 00 %s", i+1, p.SSCC)
		if err := r.Scanner.Scan("]C100" + p.SSCC); err != nil {
			return err
		}
		ctx, cancel := step()
		rc, err := r.obs.wait(ctx, "/ops/receipt", func(m Message) bool { return m.Str("sscc") == p.SSCC })
		if err != nil {
			cancel()
			return err
		}
		jobs, err := r.Printer.WaitJobs(ctx, i+1)
		cancel()
		if err != nil {
			return fmt.Errorf("label for pallet %s: %w", p.SSCC, err)
		}
		say("  ✔ central received %v × %s (lot %s, expiry %s) into %s — receipt %s",
			rc.Payload["quantity"], p.SKU, p.Lot, p.Expiry, rc.Str("location"), rc.Str("receipt"))
		say("  ✔ pallet label printed (%d bytes of ZPL): put away to %s → %s", len(jobs[i].ZPL), rc.Str("putaway"), jobs[i].File)
		var err2 error
		switch i {
		case 0:
			err2 = r.sell(say)
		case 1:
			err2 = r.served(say)
		}
		if err2 != nil {
			return err2
		}
	}

	say("\n▶ Scanning a pallet that is on no ASN: ]C1 00 %s", r.Stranger)
	if err := r.Scanner.Scan("]C100" + r.Stranger); err != nil {
		return err
	}
	ctx, cancel := step()
	defer cancel()
	al, err := r.obs.wait(ctx, "/ops/alert", func(m Message) bool { return m.Str("kind") == "unknown-pallet" })
	if err != nil {
		return err
	}
	say("  ✘ alert on dockhand/v1/%s/ops/alert: %s", r.opt.Site, al.Str("message"))
	lc, err := r.obs.wait(ctx, "/cmd/light", func(m Message) bool { return m.Str("pattern") == "reject" })
	if err != nil {
		return err
	}
	say("  ✘ station dock-1 light: %s (%s)", lc.Str("pattern"), lc.Str("reason"))

	bad := "]C100" + r.Stranger[:17] + string(wrongDigit(r.Stranger[17]))
	say("\n▶ Scanning a damaged label (wrong check digit): %s", bad)
	if err := r.Scanner.Scan(bad); err != nil {
		return err
	}
	ba, err := r.obs.wait(ctx, "/ops/alert", func(m Message) bool { return m.Str("kind") == "bad-scan" })
	if err != nil {
		return err
	}
	say("  ✘ gateway showed red at once; alert: %s", ba.Str("message"))

	say("\n▶ Scanning pallet 1 again")
	if err := r.Scanner.Scan("]C100" + r.Pallets[0].SSCC); err != nil {
		return err
	}
	du, err := r.obs.wait(ctx, "/ops/alert", func(m Message) bool { return m.Str("kind") == "duplicate-pallet" })
	if err != nil {
		return err
	}
	say("  ● no second receipt: %s", du.Str("message"))
	return r.summary(say)
}

// The demo's two shop orders: the first is promised from the first
// pallet, the second only in part; the second pallet serves the rest.
var demoOrders = []struct {
	id  string
	qty int
}{{"1001", 40}, {"1002", 30}}

// sell posts the shop's orders, as a web shop would, and shows what
// central promised.
func (r *Run) sell(say func(string, ...any)) error {
	say("\n▶ The web shop sends two orders for WIDGET-10 (POST /api/v1/orders)")
	for _, o := range demoOrders {
		var got struct {
			ID    string `json:"id"`
			Lines []struct {
				Promised, Backordered int64
			} `json:"lines"`
			Status string `json:"status"`
		}
		body := map[string]any{"channel": "SHOP", "channel_order": o.id, "payment": "paid", "region": "north",
			"ship_to": map[string]string{"name": "Customer " + o.id, "country": "DE"}, "lines": []map[string]any{{"sku": "WIDGET-10", "quantity": o.qty}}}
		if err := r.api(http.MethodPost, "/api/v1/orders", body, &got); err != nil {
			return err
		}
		say("  ✔ order %s (%s %s): %d × WIDGET-10 → %s: %d promised, %d backordered", got.ID, "SHOP", o.id, o.qty, got.Status,
			got.Lines[0].Promised, got.Lines[0].Backordered)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.opt.StepTimeout)
	defer cancel()
	al, err := r.obs.wait(ctx, "/ops/alert", func(m Message) bool { return m.Str("kind") == "backorder" })
	if err != nil {
		return err
	}
	say("  ● alert on dockhand/v1/%s/ops/alert: %s", r.opt.Site, al.Str("message"))
	return nil
}

// served shows the backordered order served by the receipt of the second
// pallet, in the receipt's own transaction.
func (r *Run) served(say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.opt.StepTimeout)
	defer cancel()
	m, err := r.obs.wait(ctx, "/ops/order", func(m Message) bool { return m.Str("event") == "served" && m.Str("channel_order") == demoOrders[1].id })
	if err != nil {
		return err
	}
	say("  ✔ the receipt served the backorder at once: order %s is %s on ops/order (%s)", m.Str("order"), m.Str("status"), m.Str("note"))
	return nil
}

func wrongDigit(b byte) byte { return '0' + (b-'0'+1)%10 }

func (r *Run) summary(say func(string, ...any)) error {
	q, err := r.Stock()
	if err != nil {
		return err
	}
	say("\nStock at central now (GET /api/v1/stock):")
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SKU\tLOCATION\tLPN\tLOT\tEXPIRY\tSTATUS\tQTY")
	for _, x := range q {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%d\n", x.SKU, x.Location, x.LPN, x.Lot, x.Expiry, x.Status, x.Quantity)
	}
	_ = tw.Flush()
	say("%s", strings.TrimRight(buf.String(), "\n"))
	var l struct {
		Sales []struct {
			Channel                string
			Sellable, Locked, Sold int64
		} `json:"sales"`
		Total struct {
			OnHand    int64 `json:"on_hand"`
			Available int64 `json:"available"`
			Allocated int64 `json:"allocated"`
		} `json:"total"`
	}
	if err := r.api(http.MethodGet, "/api/v1/stock-layers/WIDGET-10", nil, &l); err != nil {
		return err
	}
	say("\nWIDGET-10's layers (GET /api/v1/stock-layers/WIDGET-10; published on ops/layers):")
	say("  dispatch: on hand %d, available %d, allocated to orders %d", l.Total.OnHand, l.Total.Available, l.Total.Allocated)
	for _, s := range l.Sales {
		say("  sales, channel %s: sellable %d, locked %d, sold %d", s.Channel, s.Sellable, s.Locked, s.Sold)
	}
	host, port := splitURL(r.BrokerURL)
	say("\nWatch everything yourself:  mosquitto_sub -h %s -p %s -u %s -P %s -t 'dockhand/#' -v", host, port, r.OpsUser, r.OpsSecret)
	say("                            (a read-only login the demo issued: centrald account add --role ops)")
	say("Label files:                %s", filepath.Join(r.opt.Dir, "labels"))
	say("Technician page:            http://%s  (user admin, password %s)", r.Gateway.HTTPAddr, r.Password)
	return nil
}

func splitURL(u string) (string, string) {
	hp := u[strings.Index(u, "://")+3:]
	i := strings.LastIndex(hp, ":")
	return hp[:i], hp[i+1:]
}

// Main is `devsim demo [--once] [--dir DIR] [--broker-listen ADDR]`.
func Main(args []string) int {
	fs := flag.NewFlagSet("devsim demo", flag.ContinueOnError)
	once := fs.Bool("once", false, "play the story and exit (for scripts and CI)")
	dir := fs.String("dir", "demo-data", "directory for the demo's data, config and label files (emptied first)")
	listen := fs.String("broker-listen", "127.0.0.1:1883", "embedded broker address; a free port is used when it is taken")
	mqttURL := fs.String("mqtt", "", "use this external broker instead of the embedded one")
	verbose := fs.Bool("v", false, "show the daemons' logs on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := resetDir(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	logFile, err := os.Create(filepath.Join(*dir, "demo.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	defer logFile.Close()
	var logw io.Writer = logFile
	if *verbose {
		logw = io.MultiWriter(logFile, zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly})
	}
	log := zerolog.New(logw).With().Timestamp().Logger().Level(zerolog.InfoLevel)
	abs, _ := filepath.Abs(*dir)
	r, err := Start(Options{Dir: abs, Site: "demo", MQTT: *mqttURL, BrokerListen: *listen, Out: os.Stdout, Log: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: cannot start:", err, "(logs: "+logFile.Name()+")")
		return 1
	}
	defer r.Close()
	if err := r.Play(); err != nil {
		fmt.Fprintln(os.Stderr, "demo: story failed:", err, "(logs: "+logFile.Name()+")")
		return 1
	}
	fmt.Printf("Daemon logs:                %s\n", logFile.Name())
	if *once {
		fmt.Println("\nDemo complete.")
		return 0
	}
	fmt.Println("\nThe system keeps running. Press Ctrl-C to stop.")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Println("\nStopping…")
	return 0
}

// marker marks a directory the demo created, so it only ever empties its own.
const marker = ".dockhand-demo"

func resetDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			return fmt.Errorf("%s is not empty and was not made by the demo; choose another --dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, marker), nil, 0o640)
}

// AddASN posts one more ASN with n pallets of WIDGET-10 (for load tools)
// and returns their SSCCs in order; first numbers the pallets' serials so
// several ASNs can be posted.
func (r *Run) AddASN(id string, first, n int) ([]string, error) {
	a := inbound.ASN{ID: id, Supplier: "ACME Supplies"}
	for i := range n {
		a.Pallets = append(a.Pallets, inbound.ExpectedPallet{SSCC: sscc(fmt.Sprintf("3061414%010d", first+i)), SKU: "WIDGET-10", Quantity: 10, Lot: "LOAD"})
	}
	if err := r.api(http.MethodPost, "/api/v1/asns", a, nil); err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i, p := range a.Pallets {
		out[i] = p.SSCC
	}
	return out, nil
}

// demoPassword makes the page's password for one run of the demo.
func demoPassword() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "demo-" + hex.EncodeToString(b), nil
}
