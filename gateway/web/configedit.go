package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/configfile"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// editor changes the devices and stations of the configuration file: one
// change at a time, checked by config.Parse (the check of `gatewayd
// --check`), saved atomically, then applied to the running gateway.
type editor struct {
	s  *Server
	mu sync.Mutex
}

type configView struct {
	Editable bool                `json:"editable"`
	Path     string              `json:"path,omitempty"`
	Stations []stationView       `json:"stations"`
	Devices  []configfile.Fields `json:"devices"`
	Kinds    []string            `json:"kinds"`
	Roles    []wire.Role         `json:"roles"`
	// Labels are the resolution and profile of printers that name none.
	Labels   labelDefaults `json:"labels"`
	Profiles []zpl.Profile `json:"profiles"`
}

type labelDefaults struct {
	DPI     int    `json:"dpi"`
	Profile string `json:"profile"`
}

// get returns the stations and devices as written in the file (so a form
// shows what the technician wrote, not the defaults), or as in force when
// the file cannot be read.
func (e *editor) get(w http.ResponseWriter, _ *http.Request) {
	cfg := e.s.b.Config()
	v := configView{Editable: e.s.opt.ConfigPath != "", Path: e.s.opt.ConfigPath, Stations: []stationView{},
		Kinds: config.Kinds, Roles: config.Roles, Devices: []configfile.Fields{},
		Labels: labelDefaults{DPI: cfg.Labels.DPI, Profile: cfg.Labels.Profile}, Profiles: zpl.Profiles()}
	if doc, err := e.read(); err == nil {
		for _, f := range doc.Items(configfile.Stations) {
			v.Stations = append(v.Stations, stationView{ID: f["id"], Role: wire.Role(f["role"])})
		}
		v.Devices = nonNil(doc.Items(configfile.Devices))
	} else {
		for _, st := range cfg.Stations {
			v.Stations = append(v.Stations, stationView{ID: st.ID, Role: st.Role})
		}
		for _, d := range cfg.Devices {
			v.Devices = append(v.Devices, configfile.Fields{"id": d.ID, "kind": d.Kind, "station": d.Station})
		}
	}
	writeJSON(w, http.StatusOK, v)
}

func (e *editor) read() (*configfile.Doc, error) {
	if e.s.opt.ConfigPath == "" {
		return nil, errors.New("the gateway was started without a configuration file to save to")
	}
	return configfile.Read(e.s.opt.ConfigPath)
}

type stationView struct {
	ID   string    `json:"id"`
	Role wire.Role `json:"role"`
}

// itemRequest is a device's or station's fields as the form sends them:
// every value as text, as it would be written in the file.
type itemRequest struct {
	Fields map[string]string `json:"fields"`
}

// readFields reads an itemRequest and bounds its fields.
func readFields(w http.ResponseWriter, r *http.Request) (configfile.Fields, bool) {
	var req itemRequest
	if !readJSON(w, r, &req) {
		return nil, false
	}
	if len(req.Fields) > 64 {
		writeError(w, http.StatusBadRequest, "too many fields")
		return nil, false
	}
	for k, v := range req.Fields {
		if len(k) > 64 || len(v) > 1024 || strings.ContainsAny(k, "\x00\n") {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("field %.64q is too long or not a key", k))
			return nil, false
		}
	}
	return req.Fields, true
}

func (e *editor) addDevice(w http.ResponseWriter, r *http.Request) { e.changeDevice(w, r, "") }

func (e *editor) replaceDevice(w http.ResponseWriter, r *http.Request) {
	e.changeDevice(w, r, r.PathValue("id"))
}

// changeDevice adds a device (id "") or replaces device id.
func (e *editor) changeDevice(w http.ResponseWriter, r *http.Request, id string) {
	fields, ok := readFields(w, r)
	if !ok {
		return
	}
	e.apply(w, r, configfile.Devices, id, func(doc *configfile.Doc) (int, error) {
		i := -1
		if id != "" {
			if i = doc.Index(configfile.Devices, id); i < 0 {
				return 0, errNotFound
			}
		} else if doc.Index(configfile.Devices, fields["id"]) >= 0 && fields["id"] != "" {
			return 0, &configfile.FieldError{Key: "id", Reason: fmt.Sprintf("%q is used by another device", fields["id"])}
		}
		return doc.Put(configfile.Devices, i, fields)
	})
}

func (e *editor) removeDevice(w http.ResponseWriter, r *http.Request) {
	e.remove(w, r, configfile.Devices)
}

// addStation adds a station; its id and role are checked by the
// configuration check (a valid name, unique; one of the roles).
func (e *editor) addStation(w http.ResponseWriter, r *http.Request) {
	fields, ok := readFields(w, r)
	if !ok {
		return
	}
	e.apply(w, r, configfile.Stations, "", func(doc *configfile.Doc) (int, error) {
		return doc.Put(configfile.Stations, -1, fields)
	})
}

// replaceStation changes a station's role. Its id stays: devices name it.
func (e *editor) replaceStation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fields, ok := readFields(w, r)
	if !ok {
		return
	}
	if v, given := fields["id"]; given && v != id {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "check the marked fields", Fields: map[string]string{
			"id": "a station's id cannot be changed: add a station with the new id, move the devices to it, then remove this one"}})
		return
	}
	fields["id"] = id
	e.apply(w, r, configfile.Stations, id, func(doc *configfile.Doc) (int, error) {
		i := doc.Index(configfile.Stations, id)
		if i < 0 {
			return 0, errNotFound
		}
		return doc.Put(configfile.Stations, i, fields)
	})
}

// removeStation removes a station; one that devices still name is
// refused (by the configuration check), naming those devices.
func (e *editor) removeStation(w http.ResponseWriter, r *http.Request) {
	e.remove(w, r, configfile.Stations)
}

func (e *editor) remove(w http.ResponseWriter, r *http.Request, sec configfile.Section) {
	id := r.PathValue("id")
	e.apply(w, r, sec, id, func(doc *configfile.Doc) (int, error) {
		i := doc.Index(sec, id)
		if i < 0 {
			return 0, errNotFound
		}
		doc.Remove(sec, i)
		return -1, nil
	})
}

var errNotFound = errors.New("not in the configuration file")

// logKey is the log field that names an item of a section (the log view
// filters on "device").
var logKey = map[configfile.Section]string{configfile.Devices: "device", configfile.Stations: "station"}

// apply makes one change to the file: edit the document, check it as
// `gatewayd --check` would, save it (keeping the previous file), and put
// it into force. Problems of the changed item come back by field; edit
// returns the changed item's index, -1 for a removal.
func (e *editor) apply(w http.ResponseWriter, r *http.Request, sec configfile.Section, id string, edit func(*configfile.Doc) (int, error)) {
	if id != "" && !wire.ValidName(id) {
		writeError(w, http.StatusBadRequest, "not a "+logKey[sec]+" id")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	doc, err := e.read()
	if err != nil {
		writeError(w, http.StatusConflict, "cannot change the configuration: "+err.Error())
		return
	}
	before := doc.Items(sec)
	index, err := edit(doc)
	var fe *configfile.FieldError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "check the marked fields", Fields: map[string]string{fe.Key: fe.Reason}})
		return
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s %q is %v", logKey[sec], id, err))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	raw, err := doc.Bytes()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		if sec == configfile.Stations && index < 0 {
			if devs := devicesAt(err, doc, id); len(devs) > 0 {
				writeJSON(w, http.StatusConflict, apiError{Error: fmt.Sprintf("station %s still has devices: %s; move them to another station or remove them first",
					id, strings.Join(devs, ", ")), Problems: problemsAnswer(err, sec, index).Problems})
				return
			}
		}
		writeJSON(w, http.StatusUnprocessableEntity, problemsAnswer(err, sec, index))
		return
	}
	if err := configfile.Save(e.s.opt.ConfigPath, raw); err != nil {
		e.s.log.Error().Err(err).Msg("cannot save the configuration")
		writeError(w, http.StatusInternalServerError, "cannot save the configuration: "+err.Error())
		return
	}
	after := doc.Items(sec)
	changed := id
	if index >= 0 {
		changed = after[index]["id"]
	}
	e.s.log.Info().Str("client", clientIP(r)).Str("user", AdminUser).Str(logKey[sec], changed).
		Str("change", describe(before, after, id, index)).Str("file", e.s.opt.ConfigPath).Msg("configuration changed")
	answer := map[string]any{"saved": true, "backup": e.s.opt.ConfigPath + configfile.BackupSuffix}
	if err := e.s.b.Apply(cfg); err != nil {
		answer["warning"] = "saved, but " + err.Error()
	}
	writeJSON(w, http.StatusOK, answer)
}

// devicesAt names the devices the check found at station, which is not
// one of the stations (any more).
func devicesAt(err error, doc *configfile.Doc, station string) []string {
	devs := doc.Items(configfile.Devices)
	var out []string
	for _, p := range config.Problems(err) {
		var i int
		if _, err := fmt.Sscanf(p.Key, "devices[%d].station", &i); err == nil && i >= 0 && i < len(devs) && devs[i]["station"] == station {
			out = append(out, devs[i]["id"])
		}
	}
	return out
}

// describe says what changed, key by key, for the log.
func describe(before, after []configfile.Fields, id string, index int) string {
	var old configfile.Fields
	for _, f := range before {
		if f["id"] == id {
			old = f
		}
	}
	if index < 0 {
		return "removed"
	}
	cur := after[index]
	if old == nil {
		return "added " + render(cur, nil)
	}
	return "changed " + render(cur, old)
}

func render(cur, old configfile.Fields) string {
	keys := map[string]bool{}
	for k := range cur {
		keys[k] = true
	}
	for k := range old {
		keys[k] = true
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		switch {
		case old == nil:
			parts = append(parts, fmt.Sprintf("%s=%q", k, cur[k]))
		case cur[k] != old[k]:
			parts = append(parts, fmt.Sprintf("%s: %q -> %q", k, old[k], cur[k]))
		}
	}
	if len(parts) == 0 {
		return "(nothing)"
	}
	return strings.Join(parts, ", ")
}

// problemsAnswer sorts configuration problems into the changed item's
// fields (devices[index].baud → baud) and the rest.
func problemsAnswer(err error, sec configfile.Section, index int) apiError {
	a := apiError{Error: "the configuration was not changed: check the marked fields", Fields: map[string]string{}}
	ps := config.Problems(err)
	if ps == nil {
		a.Problems = []string{err.Error()}
		return a
	}
	prefix := fmt.Sprintf("%s[%d].", sec, index)
	for _, p := range ps {
		reason := trimLine(p.Reason)
		if rest, ok := strings.CutPrefix(p.Key, prefix); ok && index >= 0 {
			field, _, _ := strings.Cut(rest, ".")
			if _, dup := a.Fields[field]; !dup {
				a.Fields[field] = reason
			}
			continue
		}
		a.Problems = append(a.Problems, p.Key+": "+reason)
	}
	return a
}

// lineRE matches the " (line N)" the file check adds: a form has no lines.
var lineRE = regexp.MustCompile(` \(line \d+\)`)

func trimLine(s string) string { return lineRE.ReplaceAllString(s, "") }
