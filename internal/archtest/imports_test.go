package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/dockhand/dockhand"

// Third-party and standard packages the rules name.
const (
	paho    = "github.com/eclipse/paho.mqtt.golang"
	mochi   = "github.com/mochi-mqtt/server"
	badger  = "github.com/dgraph-io/badger"
	netHTTP = "net/http"
)

// Dockhand's own packages the rules name, relative to the module.
var (
	daemons    = []string{"central/daemon", "gateway/daemon"}
	adapters   = []string{"central/httpapi", "central/mqttlink", "central/broker", "central/daemon"}
	mqttLibs   = []string{paho, mochi, "internal/mqttx"}
	badgerLibs = []string{badger, "internal/storage"}
	// Central's domain packages, beside the stock kernel. Those of later
	// issues are listed so that they are checked from the day they exist.
	domains = []string{"central/stock", "central/inbound", "central/purchasing", "central/quality",
		"central/putaway", "central/counting", "central/moves", "central/outbound", "central/signals", "central/reports"}
	// Packages that exist for tests: only tests (and each other) use them.
	testSupport = []string{"internal/testenv", "internal/openapitest", "drivers/rfid/rfidtest", "central/store/storetest", "central/sitetest"}
	// The application layer and the event intake of issue 12's shape.
	appLayer = []string{"central/app", "central/ingest"}
)

// rule says which packages may not depend on which. Paths without a dot in
// their first element and outside the standard library's names used here
// are relative to the module; a path stands for itself and everything
// below it.
type rule struct {
	name string
	why  string
	// from are the packages checked ("" is the whole module), less except.
	from, except []string
	forbid       []string
	// direct checks only a package's own imports; otherwise everything it
	// depends on, so that a rule cannot be dodged through a helper.
	direct bool
	// tests checks what the package's tests import too.
	tests bool
	// needs names packages of the target shape the rule is about; while
	// one does not exist the rule is pending, not checked.
	needs []string
}

var rules = []rule{
	{
		name: "no daemon below cmd", direct: true,
		why:  "daemons are wired together only by commands (cmd/...) and tests; a library that starts a daemon makes imports run back up",
		from: []string{""}, except: []string{"cmd"}, forbid: daemons,
	},
	{
		name: "no command below cmd", direct: true,
		why:  "harnesses and tools under cmd/ sit on top; only other commands and tests use them",
		from: []string{""}, except: []string{"cmd"}, forbid: []string{"cmd"},
	},
	{
		name: "test support only in tests", direct: true,
		why:  "test support (fakes, conformance suites, the OpenAPI validator and kin-openapi behind it) serves tests; no program links it",
		from: []string{""}, except: testSupport, forbid: append([]string{"github.com/getkin/kin-openapi"}, testSupport...),
	},
	{
		name: "internal holds foundations",
		why:  "internal/ is what every layer stands on (the wire contract, storage, MQTT options, logging); harnesses that drive a gateway or central live with their commands",
		from: []string{"internal"}, forbid: []string{"central", "gateway", "cmd"},
	},
	{
		name: "drivers know nothing of MQTT, Badger, gateway or central", tests: true,
		why:  "a driver talks to a device and is tested against it (or its simulator) alone",
		from: []string{"drivers"}, forbid: slices.Concat([]string{"gateway", "central", "internal/wire"}, mqttLibs, badgerLibs),
	},
	{
		name: "labels know nothing of gateway or central", tests: true,
		why:  "zpl renders labels for whoever asks; the gateway calls it, not the other way round",
		from: []string{"zpl"}, forbid: []string{"gateway", "central"},
	},
	{
		name: "gateway knows nothing of central",
		why:  "the gateway and central share only the MQTT contract (internal/wire); gateway tests may start a central",
		from: []string{"gateway"}, forbid: []string{"central"},
	},
	{
		name: "stock is the kernel",
		why:  "every other central package builds on central/stock; it builds on no other",
		from: []string{"central/stock"}, forbid: []string{"central"},
	},
	{
		name: "store implementations sit below the application layer",
		why:  "a store keeps records; it never calls the use cases, the event intake or the adapters that call it",
		from: []string{"central/store"}, forbid: slices.Concat(appLayer, adapters, []string{mochi, paho}),
	},
	{
		name: "the application layer knows no adapter and no Badger",
		why:  "use cases run the same for HTTP and MQTT and on any store implementation: adapters call app, never the reverse",
		from: []string{"central/app"}, forbid: slices.Concat(adapters, mqttLibs, badgerLibs, []string{"central/store/memstore"}),
		needs: []string{"central/app"},
	},
	{
		name: "the event intake knows no adapter and no Badger",
		why:  "ingest orders, de-duplicates and acknowledges events and hands them to app; mqttlink moves the bytes",
		from: []string{"central/ingest"}, forbid: slices.Concat(adapters, mqttLibs, badgerLibs),
		needs: []string{"central/ingest"},
	},
	{
		name: "adapters reach the store only through the application layer",
		why:  "no Badger types, iterators or key layouts above the store boundary, so another store implementation needs no adapter change",
		from: []string{"central/httpapi", "central/mqttlink", "central/broker"}, forbid: badgerLibs,
		needs: []string{"central/app"},
	},
	{
		name: "outbound builds on the stock kernel alone",
		why:  "orders, promising, routing, campaigns and layers are put together by central/app; of central they know only the kernel (and their own tree)",
		from: []string{"central/outbound"}, forbid: []string{"central/inbound", "central/purchasing", "central/quality", "central/putaway",
			"central/counting", "central/moves", "central/alerting", "central/identity", "central/signals", "central/reports"},
		needs: []string{"central/outbound"},
	},
	{
		name: "the HTTP adapter builds no MQTT message", direct: true,
		why:  "app is the only package that turns effects into wire messages; httpapi decodes, calls a use case and encodes",
		from: []string{"central/httpapi"}, forbid: []string{"internal/wire"},
		needs: []string{"central/app"},
	},
}

// domainRules gives each domain package its own rule, so that one not yet
// written is reported pending by name while the others are checked.
func domainRules() []rule {
	var out []rule
	for _, d := range domains {
		out = append(out, rule{
			name: "domain package " + d + " is pure",
			why:  "domain logic knows nothing of MQTT, HTTP, Badger, the wire contract, the store or the layers above it: it takes a narrow transaction interface and returns facts",
			from: []string{d},
			forbid: slices.Concat(mqttLibs, badgerLibs, adapters, appLayer,
				[]string{netHTTP, "internal/wire", "central/store", "central/ops", "central/allocator"}),
			needs: []string{d},
		})
	}
	return out
}

func TestImportDirection(t *testing.T) {
	g := loadGraph(t)
	for _, r := range append(slices.Clone(rules), domainRules()...) {
		t.Run(r.name, func(t *testing.T) {
			bad, pending, checked := r.check(g)
			if pending != "" {
				t.Skip("pending: " + pending)
			}
			if checked == 0 {
				t.Fatalf("rule checks no package: its from %v matches nothing", r.from)
			}
			for _, b := range bad {
				t.Error(b)
			}
		})
	}
}

// TestRulesCatchViolations runs the rules over a made-up module with one
// violation of each kind, so that a rule that can no longer fail shows.
func TestRulesCatchViolations(t *testing.T) {
	g := graph{}
	add := func(p string, imports []string, tests ...string) {
		g[mod(p)] = &pkg{ImportPath: mod(p), Imports: mods(imports), TestImports: mods(tests)}
	}
	add("cmd/devsim", []string{"internal/demo"})
	add("internal/demo", []string{"central/daemon", "gateway/daemon"})
	add("internal/bench", nil, "cmd/dockload/loadgen")
	add("internal/loadgen", []string{"gateway/link"})
	add("internal/openapitest", nil)
	add("central/broker", []string{"internal/openapitest"}, "internal/openapitest")
	add("cmd/dockload/loadgen", nil)
	add("central/daemon", []string{"central/store"})
	add("gateway/daemon", []string{"internal/wire"})
	add("central/store", []string{badger + "/v4", "central/stock", "central/httpapi"})
	add("central/stock", []string{"central/inbound"})
	add("central/inbound", []string{"central/stock", "central/helper"})
	add("central/helper", []string{"central/store"})
	add("central/httpapi", []string{netHTTP})
	add("drivers/scanner", nil, "gateway/link")
	add("gateway/link", []string{paho})
	add("zpl", []string{"central/stock"})
	add("central/outbound/orders", []string{"central/stock", "central/outbound/promise"})
	add("central/outbound/promise", []string{"central/moves"})
	add("central/moves", nil)
	g[badger+"/v4"] = &pkg{ImportPath: badger + "/v4"}
	g[paho] = &pkg{ImportPath: paho}
	g[netHTTP] = &pkg{ImportPath: netHTTP, Standard: true}

	got := map[string][]string{}
	pendings := map[string]string{}
	for _, r := range append(slices.Clone(rules), domainRules()...) {
		bad, pending, _ := r.check(g)
		got[r.name], pendings[r.name] = bad, pending
	}
	want := map[string][]string{
		"no daemon below cmd": {
			"internal/demo imports central/daemon",
			"internal/demo imports gateway/daemon",
		},
		"no command below cmd":       nil, // tests may use a harness
		"test support only in tests": {"central/broker imports internal/openapitest"},
		"internal holds foundations": {
			"internal/demo → central/daemon",
			"internal/demo → gateway/daemon",
			"internal/loadgen → gateway/link",
		},
		"drivers know nothing of MQTT, Badger, gateway or central": {"drivers/scanner (tests) → gateway/link"},
		"labels know nothing of gateway or central":                {"zpl → central/stock"},
		"stock is the kernel":                                      {"central/stock → central/inbound"},
		"store implementations sit below the application layer":    {"central/store → central/httpapi"},
		"domain package central/inbound is pure":                   {"central/inbound → central/helper → central/store"},
		"domain package central/stock is pure":                     {"central/stock → central/inbound → central/helper → central/store"},
		"outbound builds on the stock kernel alone": {
			"central/outbound/orders → central/stock → central/inbound",
			"central/outbound/orders → central/outbound/promise → central/moves",
			"central/outbound/promise → central/moves",
		},
		"domain package central/outbound is pure": {"central/outbound/orders → central/stock → central/inbound → central/helper → central/store"},
	}
	for name := range got {
		msgs := want[name]
		require(t, len(got[name]) == len(msgs), "%s: got %q, want %d violations", name, got[name], len(msgs))
		for i, m := range msgs {
			require(t, strings.HasPrefix(got[name][i], m), "%s: got %q, want it to start with %q", name, got[name][i], m)
		}
	}
	require(t, pendings["the application layer knows no adapter and no Badger"] == "central/app does not exist yet", "app rule: %q", pendings["the application layer knows no adapter and no Badger"])
	require(t, pendings["domain package central/inbound is pure"] == "", "inbound exists: not pending")
}

func require(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Standard                           bool
	Error                              *struct{ Err string }
}

type graph map[string]*pkg

// loadGraph lists the module's packages and everything they depend on.
func loadGraph(t *testing.T) graph {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Imports,TestImports,XTestImports,Standard,Error", "./...")
	cmd.Dir = strings.TrimSpace(string(root))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil && inModule(p.ImportPath) {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		g[p.ImportPath] = &p
	}
	if len(g) == 0 || g[mod("internal/wire")] == nil {
		t.Fatalf("go list found no module packages in %s", cmd.Dir)
	}
	return g
}

func mod(p string) string {
	if p == "" {
		return module
	}
	return module + "/" + p
}

// mods qualifies the module's own paths; others (with a dot in the first
// element, or the standard library's names used in the rules) stay.
func mods(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") || p == netHTTP {
			out[i] = p
		} else {
			out[i] = mod(p)
		}
	}
	return out
}

func inModule(p string) bool { return under(p, module) }

// under reports whether p is base or a package below it.
func under(p, base string) bool { return p == base || strings.HasPrefix(p, base+"/") }

func underAny(p string, bases []string) bool {
	return slices.ContainsFunc(bases, func(b string) bool { return under(p, b) })
}

func short(p string) string { return strings.TrimPrefix(p, module+"/") }

// check returns each violation of r in g with the import chain that causes
// it, or why the rule is pending; checked counts the packages it looked at.
func (r rule) check(g graph) (bad []string, pending string, checked int) {
	for _, n := range r.needs {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(g)), func(p string) bool { return under(p, mod(n)) }) {
			return nil, n + " does not exist yet", 0
		}
	}
	from, except, forbid := mods(r.from), mods(r.except), mods(r.forbid)
	var names []string
	for name := range g {
		if inModule(name) && underAny(name, from) && !underAny(name, except) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		checked++
		p := g[name]
		// A package may import its own tree (central/stock/x may use
		// central/stock), not a sibling's.
		own := name
		if i := slices.IndexFunc(from, func(b string) bool { return under(name, b) }); from[i] != module {
			own = from[i]
		}
		if r.direct {
			imports := p.Imports
			if r.tests {
				imports = slices.Concat(imports, p.TestImports, p.XTestImports)
			}
			for _, i := range imports {
				if underAny(i, forbid) && !under(i, own) {
					bad = append(bad, fmt.Sprintf("%s imports %s: %s", short(name), short(i), r.why))
				}
			}
			continue
		}
		for _, chain := range reach(g, p, r.tests, forbid, own) {
			bad = append(bad, fmt.Sprintf("%s: %s", chain, r.why))
		}
	}
	return bad, "", checked
}

// reach walks everything p depends on (breadth first, so each chain is a
// shortest one) and returns the chain to each forbidden package it meets;
// it does not walk on through a forbidden package. Packages under own are
// never forbidden.
func reach(g graph, p *pkg, tests bool, forbid []string, own string) []string {
	type step struct {
		from string
		test bool // reached through the package's tests
	}
	seen := map[string]step{p.ImportPath: {}}
	var queue, hits []string
	visit := func(from, to string, test bool) {
		if _, ok := seen[to]; ok {
			return
		}
		seen[to] = step{from, test}
		if underAny(to, forbid) && !under(to, own) {
			hits = append(hits, to)
			return
		}
		queue = append(queue, to)
	}
	for _, i := range p.Imports {
		visit(p.ImportPath, i, false)
	}
	if tests {
		for _, i := range slices.Concat(p.TestImports, p.XTestImports) {
			if i != p.ImportPath {
				visit(p.ImportPath, i, true)
			}
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if q := g[cur]; q != nil {
			for _, i := range q.Imports {
				visit(cur, i, false)
			}
		}
	}
	var chains []string
	for _, h := range hits {
		var path []string
		for at := h; at != p.ImportPath; at = seen[at].from {
			path = append(path, short(at))
			if seen[at].from == p.ImportPath && seen[at].test {
				path = append(path, "(tests)")
			}
		}
		path = append(path, short(p.ImportPath))
		slices.Reverse(path)
		chains = append(chains, strings.Replace(strings.Join(path, " → "), " → (tests)", " (tests)", 1))
	}
	return chains
}
