package web

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/drivers/printer"
	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/health"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
	"github.com/dockhand/dockhand/zpl/preview"
)

func (s *Server) overview(w http.ResponseWriter, _ *http.Request) {
	o := s.b.Overview()
	o.Uptime = time.Since(o.Started).Seconds()
	writeJSON(w, http.StatusOK, struct {
		Overview
		Ready   []health.Reason `json:"not_ready"`
		Devices []health.Device `json:"devices"`
	}{o, nonNil(s.b.Unready()), nonNil(s.b.Devices())})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) devices(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(s.b.Devices()))
}

// logs answers the last log lines: ?n= (default 200, at most 1000),
// ?level= (the least level shown), ?device=.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := logging.Filter{MinLevel: zerolog.NoLevel, Max: 200, Device: q.Get("device")}
	if v := q.Get("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "n must be a number from 1 to 1000")
			return
		}
		f.Max = n
	}
	if v := q.Get("level"); v != "" {
		lvl, err := zerolog.ParseLevel(v)
		if err != nil || lvl == zerolog.NoLevel {
			writeError(w, http.StatusBadRequest, "level must be trace, debug, info, warn or error")
			return
		}
		f.MinLevel = lvl
	}
	if f.Device != "" && !wire.ValidName(f.Device) {
		writeError(w, http.StatusBadRequest, "device must be a device id")
		return
	}
	writeJSON(w, http.StatusOK, nonNil(s.b.Logs(f)))
}

// ports lists the serial ports present now, by their stable names.
func (s *Server) ports(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(serialPorts(s.opt.SerialDirs)))
}

func serialPorts(dirs []string) []string {
	var out []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // no USB serial device plugged in: the directory is absent
		}
		for _, e := range entries {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out
}

type templateInfo struct {
	Name   string      `json:"name"`
	Fields []fieldInfo `json:"fields"`
	// Layouts are the label sizes: the default, and those for printer
	// profiles with a layout of their own.
	Layouts []zpl.Layout `json:"layouts"`
}

type fieldInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
	Help     string `json:"help,omitempty"`
	Max      int    `json:"max,omitempty"`
	Sample   string `json:"sample"`
}

func (s *Server) templates(w http.ResponseWriter, _ *http.Request) {
	reg := s.b.Labels()
	out := []templateInfo{}
	for _, name := range reg.Names() {
		fields, err := reg.Fields(name)
		if err != nil {
			continue
		}
		layouts, _ := reg.Layouts(name) // name is one of reg.Names()
		t := templateInfo{Name: name, Fields: []fieldInfo{}, Layouts: layouts}
		for _, f := range fields {
			t.Fields = append(t.Fields, fieldInfo{Name: f.Name, Kind: string(f.Kind), Required: f.Required, Help: f.Help,
				Max: f.Max, Sample: Sample(f)})
		}
		out = append(out, t)
	}
	writeJSON(w, http.StatusOK, out)
}

// Sample is a value a test print fills a field with: valid for its kind
// and short enough for any label.
func Sample(f zpl.Field) string {
	v := ""
	switch f.Kind {
	case zpl.KindCode:
		v = "TEST-0001"
	case zpl.KindCount:
		v = "12"
	case zpl.KindDate:
		v = time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	case zpl.KindGTIN:
		v = withCheckDigit("0950600013435") // GS1's example company prefix 950600
	case zpl.KindSSCC:
		v = withCheckDigit("00950600000000001")
	default:
		v = "Test " + strings.ReplaceAll(f.Name, "_", " ")
	}
	if f.Max > 0 && len(v) > f.Max {
		v = v[:f.Max]
	}
	return v
}

func withCheckDigit(body string) string {
	c, err := gs1.CheckDigit(body)
	if err != nil {
		panic(err) // a constant above is wrong
	}
	return body + string(c)
}

type labelRequest struct {
	Template string            `json:"template"`
	Data     map[string]string `json:"data"`
	// Device is the printer: a label is rendered for its resolution and
	// label stock (a preview without one: for the labels: defaults).
	Device string `json:"device,omitempty"`
}

// render turns a label request into ZPL for the request's printer and
// says which resolution it is for, answering the problems itself.
func (s *Server) render(w http.ResponseWriter, req labelRequest) ([]byte, int, bool) {
	if len(req.Data) > 100 {
		writeError(w, http.StatusBadRequest, "too many fields")
		return nil, 0, false
	}
	cfg := s.b.Config()
	var printer config.Device
	if req.Device != "" {
		i := slices.IndexFunc(cfg.Devices, func(d config.Device) bool { return d.ID == req.Device && d.Kind == config.KindPrinter })
		if i < 0 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "choose a printer", Fields: map[string]string{"device": "not a printer of this gateway"}})
			return nil, 0, false
		}
		printer = cfg.Devices[i]
	}
	opt := cfg.LabelOptions(printer)
	out, err := s.b.Labels().Render(req.Template, req.Data, opt)
	if err == nil {
		return out, opt.DPI, true
	}
	if errors.Is(err, zpl.ErrUnknownTemplate) {
		writeError(w, http.StatusNotFound, err.Error())
		return nil, 0, false
	}
	e := apiError{Error: "the label cannot be printed with this data", Fields: map[string]string{}}
	for _, fe := range fieldErrors(err) {
		if fe.Field == "" {
			e.Problems = append(e.Problems, fe.Reason)
		} else {
			e.Fields[fe.Field] = fe.Reason
		}
	}
	if len(e.Fields) == 0 && len(e.Problems) == 0 {
		e.Problems = []string{err.Error()}
	}
	writeJSON(w, http.StatusUnprocessableEntity, e)
	return nil, 0, false
}

func fieldErrors(err error) []*zpl.FieldError {
	var out []*zpl.FieldError
	var fe *zpl.FieldError
	if errors.As(err, &fe) {
		out = append(out, fe)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		out = out[:0]
		for _, e := range j.Unwrap() {
			out = append(out, fieldErrors(e)...)
		}
	}
	return out
}

type previewAnswer struct {
	ZPL      string   `json:"zpl"`
	PNG      string   `json:"png"` // data: URL
	Warnings []string `json:"warnings"`
}

func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	var req labelRequest
	if !readJSON(w, r, &req) {
		return
	}
	out, dpi, ok := s.render(w, req)
	if !ok {
		return
	}
	png, warns, err := preview.PNG(out, preview.Options{DPI: dpi})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "preview: "+err.Error())
		return
	}
	a := previewAnswer{ZPL: string(out), PNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), Warnings: []string{}}
	for _, w := range warns {
		a.Warnings = append(a.Warnings, w.String())
	}
	writeJSON(w, http.StatusOK, a)
}

// hostStatus is a printer's ~HS answer as the page shows it.
type hostStatus struct {
	Problem         string `json:"problem"`
	PaperOut        bool   `json:"paper_out"`
	RibbonOut       bool   `json:"ribbon_out"`
	HeadOpen        bool   `json:"head_open"`
	Paused          bool   `json:"paused"`
	BufferFull      bool   `json:"buffer_full"`
	FormatsInBuffer int    `json:"formats_in_buffer"`
	LabelsRemaining int    `json:"labels_remaining"`
	LabelLength     int    `json:"label_length_dots"`
}

func statusOf(h printer.HostStatus) *hostStatus {
	if h == (printer.HostStatus{}) {
		return nil
	}
	return &hostStatus{Problem: h.Problem(), PaperOut: h.PaperOut, RibbonOut: h.RibbonOut, HeadOpen: h.HeadOpen, Paused: h.Paused,
		BufferFull: h.BufferFull, FormatsInBuffer: h.FormatsInBuffer, LabelsRemaining: h.LabelsRemaining, LabelLength: h.LabelLength}
}

func (s *Server) testPrint(w http.ResponseWriter, r *http.Request) {
	var req labelRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Device == "" {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "choose a printer", Fields: map[string]string{"device": "choose a printer"}})
		return
	}
	out, _, ok := s.render(w, req)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	s.log.Info().Str("client", clientIP(r)).Str("device", req.Device).Str("template", req.Template).Msg("test print")
	res, err := s.b.TestPrint(ctx, req.Device, out)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "test print: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"printed": res.Printed, "reason": res.Reason, "attempts": res.Attempts,
		"sent": res.Sent, "before": statusOf(res.Before), "after": statusOf(res.After)})
}

func (s *Server) identify(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Station string `json:"station"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if _, ok := s.b.Config().DeviceAt(req.Station, config.KindLight); !ok {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "no light at this station", Fields: map[string]string{"station": "has no light"}})
		return
	}
	s.log.Info().Str("client", clientIP(r)).Str("station", req.Station).Msg("lamp test")
	if err := s.b.Identify(req.Station); err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"station": req.Station, "pattern": "test"})
}
