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

// editor changes the devices of the configuration file: one change at a
// time, checked by config.Parse (the check of `gatewayd --check`), saved
// atomically, then applied to the running gateway.
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

// get returns the devices as written in the file (so a form shows what
// the technician wrote, not the defaults), or as in force when the file
// cannot be read.
func (e *editor) get(w http.ResponseWriter, _ *http.Request) {
	cfg := e.s.b.Config()
	v := configView{Editable: e.s.opt.ConfigPath != "", Path: e.s.opt.ConfigPath, Stations: []stationView{},
		Kinds: config.Kinds, Roles: config.Roles, Devices: []configfile.Fields{},
		Labels: labelDefaults{DPI: cfg.Labels.DPI, Profile: cfg.Labels.Profile}, Profiles: zpl.Profiles()}
	for _, st := range cfg.Stations {
		v.Stations = append(v.Stations, stationView{ID: st.ID, Role: st.Role})
	}
	if doc, err := e.read(); err == nil {
		v.Devices = nonNil(doc.Devices())
	} else {
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

// deviceRequest is a device's fields as the form sends them: every value
// as text, as it would be written in the file.
type deviceRequest struct {
	Fields map[string]string `json:"fields"`
}

func (e *editor) add(w http.ResponseWriter, r *http.Request) { e.change(w, r, "") }

func (e *editor) replace(w http.ResponseWriter, r *http.Request) { e.change(w, r, r.PathValue("id")) }

// change adds a device (id "") or replaces device id.
func (e *editor) change(w http.ResponseWriter, r *http.Request, id string) {
	var req deviceRequest
	if !readJSON(w, r, &req) {
		return
	}
	if len(req.Fields) > 64 {
		writeError(w, http.StatusBadRequest, "too many fields")
		return
	}
	for k, v := range req.Fields {
		if len(k) > 64 || len(v) > 1024 || strings.ContainsAny(k, "\x00\n") {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("field %.64q is too long or not a key", k))
			return
		}
	}
	e.apply(w, r, id, func(doc *configfile.Doc) (int, error) {
		i := -1
		if id != "" {
			if i = doc.Index(id); i < 0 {
				return 0, errNoDevice
			}
		} else if doc.Index(req.Fields["id"]) >= 0 && req.Fields["id"] != "" {
			return 0, &configfile.FieldError{Key: "id", Reason: fmt.Sprintf("%q is used by another device", req.Fields["id"])}
		}
		return doc.PutDevice(i, req.Fields)
	})
}

func (e *editor) remove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.apply(w, r, id, func(doc *configfile.Doc) (int, error) {
		i := doc.Index(id)
		if i < 0 {
			return 0, errNoDevice
		}
		doc.RemoveDevice(i)
		return -1, nil
	})
}

var errNoDevice = errors.New("no such device in the configuration file")

// apply makes one change to the file: edit the document, check it as
// `gatewayd --check` would, save it (keeping the previous file), and put
// it into force. Problems of the changed device come back by field.
func (e *editor) apply(w http.ResponseWriter, r *http.Request, id string, edit func(*configfile.Doc) (int, error)) {
	if id != "" && !wire.ValidName(id) {
		writeError(w, http.StatusBadRequest, "not a device id")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	doc, err := e.read()
	if err != nil {
		writeError(w, http.StatusConflict, "cannot change the configuration: "+err.Error())
		return
	}
	before := doc.Devices()
	index, err := edit(doc)
	var fe *configfile.FieldError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "check the marked fields", Fields: map[string]string{fe.Key: fe.Reason}})
		return
	case errors.Is(err, errNoDevice):
		writeError(w, http.StatusNotFound, err.Error())
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
		writeJSON(w, http.StatusUnprocessableEntity, problemsAnswer(err, index))
		return
	}
	if err := configfile.Save(e.s.opt.ConfigPath, raw); err != nil {
		e.s.log.Error().Err(err).Msg("cannot save the configuration")
		writeError(w, http.StatusInternalServerError, "cannot save the configuration: "+err.Error())
		return
	}
	e.s.log.Info().Str("client", clientIP(r)).Str("user", AdminUser).Str("device", deviceID(id, doc, index)).
		Str("change", describe(before, doc.Devices(), id, index)).Str("file", e.s.opt.ConfigPath).Msg("configuration changed")
	answer := map[string]any{"saved": true, "backup": e.s.opt.ConfigPath + configfile.BackupSuffix}
	if err := e.s.b.Apply(cfg); err != nil {
		answer["warning"] = "saved, but " + err.Error()
	}
	writeJSON(w, http.StatusOK, answer)
}

func deviceID(id string, doc *configfile.Doc, index int) string {
	if index >= 0 {
		return doc.Devices()[index]["id"]
	}
	return id
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

// problemsAnswer sorts configuration problems into the changed device's
// fields (devices[index].baud → baud) and the rest.
func problemsAnswer(err error, index int) apiError {
	a := apiError{Error: "the configuration was not changed: check the marked fields", Fields: map[string]string{}}
	ps := config.Problems(err)
	if ps == nil {
		a.Problems = []string{err.Error()}
		return a
	}
	prefix := fmt.Sprintf("devices[%d].", index)
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
