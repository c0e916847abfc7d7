// Package logging sets up the one zerolog logger a daemon passes down:
// readable console lines on a terminal, JSON lines otherwise (journald,
// log shippers).
package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// New returns a logger writing to w at level ("info" when empty). Every
// line has exactly one "component": the part of the daemon that wrote it
// (sub-loggers add theirs with log.With().Str("component", "link")), else
// component, the daemon's name. zerolog does not de-duplicate keys, so the
// daemon's name is not in the logger's context, where a sub-logger's
// component would repeat the key (strict JSON log shippers refuse such
// lines); the writer adds it to the lines that have none.
func New(w io.Writer, level, component string) (zerolog.Logger, error) {
	lvl := zerolog.InfoLevel
	if level != "" {
		var err error
		if lvl, err = zerolog.ParseLevel(level); err != nil {
			return zerolog.Nop(), fmt.Errorf("log level %q: use trace, debug, info, warn or error", level)
		}
	}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	name, err := json.Marshal(component)
	if err != nil {
		return zerolog.Nop(), fmt.Errorf("log component %q: %w", component, err)
	}
	w = defaultComponent{w: w, field: append([]byte(`"component":`), name...)}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// defaultComponent writes zerolog's JSON lines (one object per Write) to
// w, adding field ("component":"<daemon>") first to those without a
// top-level component.
type defaultComponent struct {
	w     io.Writer
	field []byte
}

func (d defaultComponent) Write(p []byte) (int, error) {
	if len(p) < 2 || p[0] != '{' || bytes.HasPrefix(p, []byte(`{"component":`)) || bytes.Contains(p, []byte(`,"component":`)) {
		return d.w.Write(p)
	}
	line := make([]byte, 0, len(p)+len(d.field)+1)
	line = append(append(line, '{'), d.field...)
	if p[1] != '}' {
		line = append(line, ',')
	}
	if _, err := d.w.Write(append(line, p[1:]...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
