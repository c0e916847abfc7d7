// Dockhand technician page. Plain JavaScript, no framework, no download:
// everything shown comes from the gateway's JSON API and is put on the page
// with textContent, never as HTML, so a device name or a scan cannot become
// markup.
"use strict";

const state = { csrf: "", editable: false, config: null, devices: new Map(), templates: [], view: "", events: null, overviewTimer: 0 };

const $ = (sel) => document.querySelector(sel);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  if (method !== "GET") opts.headers["X-CSRF-Token"] = state.csrf;
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (_) { data = { error: r.statusText }; }
  if (r.status === 401 && !path.endsWith("/login")) { showSignIn(); }
  return { ok: r.ok, status: r.status, data };
}

// ---------- signing in ----------
function show(id) {
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== id;
}
function showSignIn(setup) {
  stopLive();
  $("#nav").hidden = true;
  show(setup ? "view-setup" : "view-login");
}
async function start() {
  const r = await api("GET", "/api/v1/session");
  if (!r.ok) { banner("The gateway did not answer: " + (r.data.error || r.status)); return; }
  if (r.data.authenticated) { signedIn(r.data); return; }
  showSignIn(r.data.setup_needed);
}
function signedIn(info) {
  state.csrf = info.csrf;
  state.editable = info.editable;
  $("#nav").hidden = false;
  startLive();
  route();
}
$("#setup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const p = $("#setup-password").value;
  const errs = (fields) => { for (const e of document.querySelectorAll("#setup-form .field-error")) e.textContent = fields[e.dataset.for] || ""; };
  if (p !== $("#setup-password2").value) { errs({ password: "the two passwords differ" }); return; }
  const r = await api("POST", "/api/v1/setup", { user: "admin", password: p, code: $("#setup-code").value });
  if (!r.ok) { errs(r.data.fields || { code: r.data.error }); return; }
  errs({});
  $("#setup-code").value = "";
  signedIn(r.data);
});
$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await api("POST", "/api/v1/login", { user: $("#login-user").value, password: $("#login-password").value });
  if (!r.ok) { $("#login-error").textContent = r.data.error; return; }
  $("#login-error").textContent = "";
  $("#login-password").value = "";
  signedIn(r.data);
});
$("#logout").addEventListener("click", async () => {
  await api("POST", "/api/v1/logout");
  state.csrf = "";
  showSignIn(false);
});

// ---------- navigation ----------
window.addEventListener("hashchange", route);
function route() {
  if (!state.csrf) return;
  const view = (location.hash || "#overview").slice(1);
  const known = ["overview", "devices", "test", "live", "logs"];
  state.view = known.includes(view) ? view : "overview";
  show("view-" + state.view);
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === state.view);
  clearInterval(state.overviewTimer);
  if (state.view === "overview") { loadOverview(); state.overviewTimer = setInterval(loadOverview, 5000); }
  if (state.view === "devices") loadDevices();
  if (state.view === "test") loadTest();
  if (state.view === "logs") loadLogs();
}
function banner(text) { const b = $("#banner"); b.textContent = text; b.hidden = !text; }

// ---------- formatting ----------
function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function duration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  if (d) return d + " d " + h + " h"; if (h) return h + " h " + m + " min"; if (m) return m + " min " + (s % 60) + " s";
  return s + " s";
}
function when(t) { return t ? new Date(t).toLocaleString() : "—"; }
// Control characters of scan data (GS separators) shown as symbols.
function visible(s) { return String(s).replace(/[\x00-\x1f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0))); }

// ---------- overview ----------
async function loadOverview() {
  const r = await api("GET", "/api/v1/overview");
  if (!r.ok) return;
  const o = r.data;
  $("#title-gateway").textContent = o.gateway + " · " + o.site;
  $("#ov-gateway").textContent = o.gateway;
  $("#ov-site").textContent = o.site;
  $("#ov-version").textContent = o.version;
  $("#ov-uptime").textContent = duration(o.uptime_seconds);
  const m = $("#ov-mqtt");
  m.textContent = o.mqtt.connected ? "connected" : "not connected";
  m.className = o.mqtt.connected ? "ok" : "bad";
  $("#ov-mqtt-since").textContent = when(o.mqtt.since);
  $("#ov-mqtt-error").textContent = o.mqtt.last_error || "—";
  $("#ov-outbox").textContent = o.outbox.events + " events, " + bytes(o.outbox.bytes) + " of " + bytes(o.outbox.budget_bytes);
  $("#ov-oldest").textContent = o.outbox.events ? duration(o.outbox.oldest_age_seconds) : "—";
  $("#ov-buffer").textContent = o.outbox.buffer_left_hours === null ? "no events arriving" : o.outbox.buffer_left_hours.toFixed(1) + " h at the current rate";
  $("#ov-disk").textContent = o.disk.error ? o.disk.error : bytes(o.disk.free_bytes) + " free of " + bytes(o.disk.total_bytes);
  $("#ov-memory").textContent = "gateway " + bytes(o.memory.rss_bytes) + "; machine " + bytes(o.memory.system_available_bytes) + " free of " + bytes(o.memory.system_total_bytes);
  const ul = $("#ov-ready"); clear(ul);
  if (!o.not_ready.length) ul.append(el("li", { class: "ok" }, "ready: every device works and central is reachable"));
  for (const x of o.not_ready) ul.append(el("li", { class: "bad" }, x.reason));
}

// ---------- devices ----------
// A station's role as configured ("" when unknown).
function roleOf(station) {
  const s = state.config && state.config.stations.find((x) => x.id === station);
  return s ? s.role : "";
}
function deviceRow(d) {
  const role = roleOf(d.station);
  const tr = el("tr", { "data-device": d.id },
    el("td", {}, d.id), el("td", {}, d.kind), el("td", { class: "station" }, d.station + (role ? " (" + role + ")" : "")),
    el("td", { class: "state state-" + d.state }, d.state + (d.printer && d.printer.problem ? " (" + d.printer.problem + ")" : "")),
    el("td", {}, d.reads), el("td", {}, d.errors), el("td", {}, d.last_error || ""));
  const actions = el("td", {});
  if (state.editable) {
    actions.append(el("button", { type: "button", class: "secondary", onclick: () => editDevice(d.id) }, "Edit"),
      el("button", { type: "button", class: "danger", onclick: () => removeDevice(d.id) }, "Remove"));
  }
  tr.append(actions);
  return tr;
}
function renderDevices() {
  const body = $("#device-list"); clear(body);
  for (const d of state.devices.values()) body.append(deviceRow(d));
}
async function loadDevices() {
  const [devs, cfg] = await Promise.all([api("GET", "/api/v1/devices"), api("GET", "/api/v1/config")]);
  if (cfg.ok) { state.config = cfg.data; renderStations(); }
  if (devs.ok) { state.devices = new Map(devs.data.map((d) => [d.id, d])); renderDevices(); }
  $("#add-device").hidden = !state.editable;
  $("#add-station").hidden = !state.editable;
}
async function removeDevice(id) {
  if (!confirm("Remove " + id + " from the configuration?")) return;
  const r = await api("DELETE", "/api/v1/config/devices/" + encodeURIComponent(id));
  banner(r.ok ? (r.data.warning || "") : r.data.error + (r.data.problems ? ": " + r.data.problems.join("; ") : ""));
  loadDevices();
}

// What the form shows for each kind: [key, label, type, help].
const COMMON = [["id", "Device id", "text", "letters, digits, - _ ."], ["kind", "Kind", "kind"], ["station", "Station", "station"]];
const SERIAL = [["port", "Serial port", "port", "pick a port that is plugged in, or type a path"], ["baud", "Baud", "number"],
  ["data_bits", "Data bits", "number", "5 to 8; default 8"], ["parity", "Parity", "text", "none, odd or even"], ["stop_bits", "Stop bits", "text", "1, 1.5 or 2"]];
const FORM = {
  scanner: [...SERIAL, ["suffix", "Frame end", "escaped", "default \\r"], ["prefix", "Prefix to strip", "escaped"], ["fnc1", "FNC1 stand-in", "escaped"]],
  printer: [["address", "Network address", "text", "host:port, e.g. 10.0.0.31:9100 (or a serial port below)"],
    ["dpi", "Resolution (dpi)", "number", "203, 300 or 600, as the print head; empty: the gateway's default"],
    ["profile", "Label profile", "profile", "the labels loaded, as in firmware-config/printers; empty: the gateway's default"], ...SERIAL],
  rfid: [["protocol", "Protocol", "text", "llrp (network) or mercury (serial)"], ["address", "Reader address", "text", "e.g. 10.0.0.40"],
    ["port", "Serial port", "port"], ["baud", "Baud", "number"], ["region", "Region", "text", "mercury: na, eu, ..."],
    ["read_power", "Read power (dBm)", "text"], ["antennas", "Antennas", "text", "{1: outside, 2: inside}"], ["min_rssi", "Min RSSI (dBm)", "text"],
    ["arrive_reads", "Reads to arrive", "number"], ["depart_after", "Depart after", "text", "e.g. 3s"], ["dedup_window", "Dedup window", "text", "e.g. 1s"],
    ["raw_rate", "Raw reads per second", "text"], ["gate_hold", "Gate hold", "text", "e.g. 2s"], ["gate_gpi", "Reader GPI gate", "number"]],
  light: [["driver", "Driver", "text", "log or gpio"], ["pins", "Pins", "text", "{green: GPIO17, amber: GPIO27, red: GPIO22, buzzer: GPIO23}"]],
  input: [["pin", "Pin", "text", "e.g. GPIO5"], ["pull", "Pull", "text", "up, down or float"], ["edge", "Edge", "text", "both, rising or falling"],
    ["active", "Active level", "text", "low or high"], ["debounce", "Debounce", "text", "e.g. 50ms"], ["gates", "Gates readers", "text", "rfid-1 or [rfid-1, rfid-2]"]],
};
// Escaped fields show control characters as \r, \n, \t, \x1d.
function escapeText(s) { return String(s).replace(/[\\\x00-\x1f]/g, (c) => c === "\\" ? "\\\\" : c === "\r" ? "\\r" : c === "\n" ? "\\n" : c === "\t" ? "\\t" : "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")); }
function unescapeText(s) {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e) => e === "r" ? "\r" : e === "n" ? "\n" : e === "t" ? "\t" : e[0] === "x" && e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e);
}

let editing = null; // id of the device being edited, "" when adding
async function openForm(id, values) {
  editing = id;
  $("#device-form-title").textContent = id ? "Edit " + id : "Add a device";
  const ports = await api("GET", "/api/v1/ports");
  const dl = $("#port-list"); clear(dl);
  for (const p of ports.ok ? ports.data : []) dl.append(el("option", { value: p }));
  const pl = $("#profile-list"); clear(pl);
  for (const p of state.config.profiles) pl.append(el("option", { value: p.name, label: p.name + ": " + p.about }));
  renderForm(values.kind || "scanner", values);
  setFormErrors({});
  $("#device-form").hidden = false;
  $("#device-form").scrollIntoView();
}
function renderForm(kind, values) {
  const box = $("#device-fields"); clear(box);
  for (const [key, label, type, help] of [...COMMON, ...(FORM[kind] || [])]) {
    let input;
    if (type === "kind" || type === "station") {
      // The configured stations; a station the file names that is not one
      // of them is offered as written, for the server to refuse.
      const opts = type === "kind" ? state.config.kinds : state.config.stations.map((s) => s.id);
      if (type === "station" && values[key] && !opts.includes(values[key])) opts.push(values[key]);
      input = el("select", { name: key }, ...opts.map((o) => el("option", { value: o }, type === "station" ? o + (roleOf(o) ? " (" + roleOf(o) + ")" : "") : o)));
      input.value = values[key] || (type === "kind" ? kind : opts[0]);
      if (type === "kind") input.addEventListener("change", () => renderForm(input.value, collectForm(true)));
    } else {
      input = el("input", { name: key, type: "text" });
      if (type === "number") input.inputMode = "numeric";
      if (type === "port") input.setAttribute("list", "port-list");
      if (type === "profile") input.setAttribute("list", "profile-list");
      if (key in state.config.labels && kind === "printer") input.placeholder = state.config.labels[key]; // the default
      const v = values[key] || "";
      input.value = type === "escaped" ? escapeText(v) : v;
      if (type === "escaped") input.dataset.escaped = "1";
    }
    box.append(el("label", {}, label, input, help ? el("span", { class: "help" }, help) : null, el("span", { class: "field-error", "data-for": key })));
  }
}
function collectForm(raw) {
  const f = {};
  for (const i of document.querySelectorAll("#device-fields [name]")) {
    f[i.name] = i.dataset.escaped && !raw ? unescapeText(i.value) : i.value;
  }
  return f;
}
function setFormErrors(fields, problems, message) {
  for (const e of document.querySelectorAll("#device-fields .field-error")) e.textContent = (fields || {})[e.dataset.for] || "";
  for (const i of document.querySelectorAll("#device-fields [name]")) i.classList.toggle("invalid", !!(fields || {})[i.name]);
  $("#device-form-error").textContent = message || "";
  const ul = $("#device-form-problems"); clear(ul);
  for (const p of problems || []) ul.append(el("li", {}, p));
}
async function editDevice(id) {
  if (!state.config) await loadDevices();
  const values = state.config.devices.find((d) => d.id === id) || { id };
  openForm(id, values);
}
$("#add-device").addEventListener("click", async () => { if (!state.config) await loadDevices(); openForm("", {}); });
$("#device-cancel").addEventListener("click", () => { $("#device-form").hidden = true; });
$("#device-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const fields = collectForm(false);
  const r = editing ? await api("PUT", "/api/v1/config/devices/" + encodeURIComponent(editing), { fields })
    : await api("POST", "/api/v1/config/devices", { fields });
  if (!r.ok) { setFormErrors(r.data.fields, r.data.problems, r.data.error); return; }
  setFormErrors({});
  $("#device-form").hidden = true;
  banner(r.data.warning || "Saved and applied (previous file kept as " + r.data.backup + ").");
  loadDevices();
});

// ---------- stations ----------
function renderStations() {
  const body = $("#station-list"); clear(body);
  for (const s of state.config.stations) {
    const devs = state.config.devices.filter((d) => d.station === s.id).map((d) => d.id);
    const tr = el("tr", { "data-station": s.id }, el("td", {}, s.id), el("td", { class: "role" }, s.role), el("td", {}, devs.join(", ") || "—"));
    const actions = el("td", {});
    if (state.editable) {
      actions.append(el("button", { type: "button", class: "secondary", onclick: () => openStationForm(s) }, "Edit"),
        el("button", { type: "button", class: "danger", onclick: () => removeStation(s.id) }, "Remove"));
    }
    tr.append(actions);
    body.append(tr);
  }
}
let editingStation = null; // id of the station being edited, "" when adding
function openStationForm(s) {
  editingStation = s ? s.id : "";
  $("#station-form-title").textContent = s ? "Change the role of " + s.id : "Add a station";
  const id = $("#station-id");
  id.value = s ? s.id : "";
  id.readOnly = !!s;
  const role = $("#station-role"); clear(role);
  for (const r of state.config.roles) role.append(el("option", { value: r }, r));
  role.value = s ? s.role : state.config.roles[0];
  setStationErrors({});
  $("#station-form").hidden = false;
  $("#station-form").scrollIntoView();
}
function setStationErrors(fields, problems, message) {
  for (const e of document.querySelectorAll("#station-form .field-error")) e.textContent = (fields || {})[e.dataset.for] || "";
  for (const i of document.querySelectorAll("#station-form [name]")) i.classList.toggle("invalid", !!(fields || {})[i.name]);
  $("#station-form-error").textContent = message || "";
  const ul = $("#station-form-problems"); clear(ul);
  for (const p of problems || []) ul.append(el("li", {}, p));
}
async function removeStation(id) {
  if (!confirm("Remove station " + id + " from the configuration?")) return;
  const r = await api("DELETE", "/api/v1/config/stations/" + encodeURIComponent(id));
  banner(r.ok ? (r.data.warning || "") : r.data.error + (r.data.problems ? ": " + r.data.problems.join("; ") : ""));
  loadDevices();
}
$("#add-station").addEventListener("click", async () => { if (!state.config) await loadDevices(); openStationForm(null); });
$("#station-cancel").addEventListener("click", () => { $("#station-form").hidden = true; });
$("#station-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const fields = { id: $("#station-id").value, role: $("#station-role").value };
  const r = editingStation ? await api("PUT", "/api/v1/config/stations/" + encodeURIComponent(editingStation), { fields: { role: fields.role } })
    : await api("POST", "/api/v1/config/stations", { fields });
  if (!r.ok) { setStationErrors(r.data.fields, r.data.problems, r.data.error); return; }
  setStationErrors({});
  $("#station-form").hidden = true;
  banner(r.data.warning || "Saved and applied (previous file kept as " + r.data.backup + ").");
  loadDevices();
});

// ---------- test print and identify ----------
async function loadTest() {
  const [t, cfg] = await Promise.all([api("GET", "/api/v1/templates"), api("GET", "/api/v1/config")]);
  if (!t.ok || !cfg.ok) return;
  state.templates = t.data; state.config = cfg.data;
  const sel = $("#tp-template"); const keep = sel.value; clear(sel);
  for (const x of t.data) sel.append(el("option", { value: x.name }, x.name));
  if (keep) sel.value = keep;
  const printers = $("#tp-printer"); const keepPrinter = printers.value; clear(printers);
  for (const d of cfg.data.devices.filter((d) => d.kind === "printer")) {
    printers.append(el("option", { value: d.id }, d.id + " @ " + d.station + " · " + printerLabels(d).dpi + " dpi, " + printerLabels(d).profile));
  }
  if (!printers.options.length) printers.append(el("option", { value: "" }, "no printer: preview at " + cfg.data.labels.dpi + " dpi, " + cfg.data.labels.profile));
  if (keepPrinter) printers.value = keepPrinter;
  renderTemplateFields();
  const st = $("#id-station"); clear(st);
  for (const d of cfg.data.devices.filter((d) => d.kind === "light")) st.append(el("option", { value: d.station }, d.station + " (" + d.id + ")"));
}
// A printer's resolution and label profile: its own, else the defaults.
function printerLabels(d) {
  return { dpi: d.dpi || state.config.labels.dpi, profile: d.profile || state.config.labels.profile };
}
function mm(l) { return l.width_mm.toFixed(1) + " × " + l.height_mm.toFixed(1) + " mm"; }
function renderTemplateFields() {
  const t = state.templates.find((x) => x.name === $("#tp-template").value);
  const box = $("#tp-fields"); clear(box);
  $("#tp-preview-box").hidden = true;
  if (!t) return;
  const d = state.config.devices.find((x) => x.id === $("#tp-printer").value);
  const pl = printerLabels(d || {});
  const p = state.config.profiles.find((x) => x.name === pl.profile);
  const layout = t.layouts.find((l) => l.profile === pl.profile) || t.layouts[0];
  $("#tp-media").textContent = (d ? d.id : "The default") + ": " + pl.dpi + " dpi, labels " + pl.profile + (p ? " (" + mm({ width_mm: p.width_mm, height_mm: p.length_mm }) + ")" : "") +
    "; " + t.name + " prints " + mm(layout) + (layout.profile ? " (its " + layout.profile + " layout)" : "");
  for (const f of t.fields) {
    const input = el("input", { name: f.name, value: f.sample });
    box.append(el("label", {}, f.name + (f.required ? " *" : ""), input, el("span", { class: "help" }, f.help || f.kind), el("span", { class: "field-error", "data-for": f.name })));
  }
}
$("#tp-template").addEventListener("change", renderTemplateFields);
$("#tp-printer").addEventListener("change", renderTemplateFields);
// The label as the form has it, for the chosen printer.
function labelData() {
  const data = {};
  for (const i of document.querySelectorAll("#tp-fields input")) if (i.value !== "") data[i.name] = i.value;
  return { template: $("#tp-template").value, data, device: $("#tp-printer").value };
}
function labelErrors(r) {
  for (const e of document.querySelectorAll("#tp-fields .field-error")) e.textContent = (r.data.fields || {})[e.dataset.for] || "";
  $("#tp-error").textContent = r.ok ? "" : r.data.error + (r.data.problems ? ": " + r.data.problems.join("; ") : "");
}
$("#tp-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await api("POST", "/api/v1/print/preview", labelData());
  labelErrors(r);
  if (!r.ok) { $("#tp-preview-box").hidden = true; return; }
  $("#tp-image").src = r.data.png;
  const w = $("#tp-warnings"); clear(w);
  for (const x of r.data.warnings) w.append(el("li", {}, x));
  clear($("#tp-result"));
  $("#tp-preview-box").hidden = false;
});
$("#tp-send").addEventListener("click", async () => {
  const out = $("#tp-result"); clear(out); out.append(el("p", { class: "muted" }, "Printing…"));
  const r = await api("POST", "/api/v1/print/test", labelData());
  clear(out);
  if (!r.ok) { out.append(el("p", { class: "bad" }, r.data.error)); return; }
  out.append(el("p", { class: r.data.printed ? "ok" : "bad", id: "tp-outcome" }, r.data.printed ? "Printed." : "Not printed: " + r.data.reason));
  const st = r.data.after || r.data.before;
  if (st) {
    out.append(el("h3", {}, "Printer status (~HS) after the label"));
    out.append(el("dl", { id: "tp-status" },
      el("dt", {}, "Problem"), el("dd", {}, st.problem || "none"),
      el("dt", {}, "Paper out"), el("dd", {}, st.paper_out ? "yes" : "no"),
      el("dt", {}, "Ribbon out"), el("dd", {}, st.ribbon_out ? "yes" : "no"),
      el("dt", {}, "Head open"), el("dd", {}, st.head_open ? "yes" : "no"),
      el("dt", {}, "Paused"), el("dd", {}, st.paused ? "yes" : "no"),
      el("dt", {}, "Formats in buffer"), el("dd", {}, st.formats_in_buffer),
      el("dt", {}, "Labels remaining"), el("dd", {}, st.labels_remaining)));
  }
});
$("#id-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await api("POST", "/api/v1/identify", { station: $("#id-station").value });
  $("#id-result").textContent = r.ok ? "lamp test running on " + r.data.station : r.data.error;
});

// ---------- live ----------
function startLive() {
  stopLive();
  const es = new EventSource("/api/v1/events");
  state.events = es;
  es.addEventListener("devices", (e) => { state.devices = new Map(JSON.parse(e.data).map((d) => [d.id, d])); renderDevices(); });
  es.addEventListener("device", (e) => { const d = JSON.parse(e.data); state.devices.set(d.id, d); renderDevices(); });
  es.addEventListener("scan", (e) => addLive(scanItem(JSON.parse(e.data))));
  es.addEventListener("tag", (e) => { const t = JSON.parse(e.data); addLive(el("li", {}, el("b", {}, "tag "), t.device + " @ " + t.station + " antenna " + t.antenna + ": ", el("span", { class: "data" }, t.tag.hri || t.tag.uri || t.tag.epc))); });
  es.addEventListener("pass", (e) => { const p = JSON.parse(e.data); addLive(el("li", {}, el("b", {}, "portal pass "), p.device + ": " + p.tags.length + " tags sent to central")); });
  es.addEventListener("dropped", (e) => addLive(el("li", { class: "bad" }, JSON.parse(e.data).events + " events skipped (this page read too slowly)")));
  es.onerror = () => { if (es.readyState === EventSource.CLOSED) start(); };
}
function stopLive() { if (state.events) { state.events.close(); state.events = null; } }
function addLive(li) {
  const list = $("#live-list");
  list.prepend(li);
  while (list.children.length > 200) list.lastChild.remove();
}
// The scanned data, the character a bad scan's error is about marked.
// error_at counts bytes of the UTF-8 data; the text is cut there as bytes
// and each part shown as text.
function scanData(s) {
  const box = el("div", { class: "data" });
  if (typeof s.error_at !== "number") { box.append(visible(s.data)); return box; }
  const bytes = new TextEncoder().encode(s.data), dec = new TextDecoder();
  const before = dec.decode(bytes.slice(0, s.error_at)), rest = dec.decode(bytes.slice(s.error_at));
  const at = rest.length ? String.fromCodePoint(rest.codePointAt(0)) : "";
  box.append(visible(before),
    el("mark", { class: "error-at", title: "byte " + s.error_at + ": the error is about this character" }, at ? visible(at) : "⟂ (the data ends here)"),
    visible(rest.slice(at.length)));
  return box;
}
function scanItem(s) {
  const li = el("li", { class: s.error || !s.stored ? "bad" : "", "data-scan": s.id },
    el("div", {}, el("b", {}, "scan "), s.device + " @ " + s.station + (s.role ? " (" + s.role + ")" : "") + " · " + new Date(s.at).toLocaleTimeString() + (s.symbology ? " · " + s.symbology : "")),
    scanData(s));
  if (s.error) li.append(el("div", { class: "bad scan-error" }, s.error));
  if (!s.stored) li.append(el("div", { class: "bad" }, "not stored: the outbox refused it"));
  if (s.elements && s.elements.length) {
    const t = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "AI"), el("th", {}, "Meaning"), el("th", {}, "Value"))));
    const b = el("tbody", {});
    for (const x of s.elements) b.append(el("tr", {}, el("td", {}, "(" + x.ai + ")"), el("td", {}, x.name), el("td", {}, x.value)));
    t.append(b);
    li.append(t);
  }
  return li;
}

// ---------- logs ----------
async function loadLogs() {
  const dev = $("#log-device"); const keep = dev.value;
  if (dev.options.length <= 1) for (const id of state.devices.keys()) dev.append(el("option", { value: id }, id));
  dev.value = keep;
  const q = new URLSearchParams({ n: "300" });
  if ($("#log-level").value) q.set("level", $("#log-level").value);
  if (dev.value) q.set("device", dev.value);
  const r = await api("GET", "/api/v1/logs?" + q);
  const body = $("#log-list"); clear(body);
  if (!r.ok) { body.append(el("tr", {}, el("td", { colSpan: 4, class: "bad" }, r.data.error))); return; }
  for (const l of r.data.slice().reverse()) {
    const extra = Object.entries(l.fields || {}).filter(([k]) => k !== "component" && k !== "gateway").map(([k, v]) => k + "=" + v).join(" ");
    body.append(el("tr", { class: l.level === "error" || l.level === "warn" ? "bad" : "" },
      el("td", {}, l.time ? new Date(l.time).toLocaleTimeString() : ""), el("td", {}, l.level), el("td", {}, l.device || ""),
      el("td", {}, (l.message || l.raw || "") + (extra ? " · " + extra : ""))));
  }
}
$("#log-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadLogs(); });

start();
