// Package logging sets up the one zerolog logger a daemon passes down:
// readable console lines on a terminal, JSON lines otherwise (journald,
// log shippers).
package logging

import (
	"bytes"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// New returns a logger writing to w, and to each of also (e.g. a Ring for
// the daemon's page), at level ("info" when empty). Its lines carry
// "component": the daemon's name, or the part's that a sub-logger adds
// (log.With().Str("component", "link")); see Writer.
func New(w io.Writer, level, component string, also ...io.Writer) (zerolog.Logger, error) {
	lvl := zerolog.InfoLevel
	if level != "" {
		var err error
		if lvl, err = zerolog.ParseLevel(level); err != nil {
			return zerolog.Nop(), fmt.Errorf("log level %q: use trace, debug, info, warn or error", level)
		}
	}
	return zerolog.New(Writer(w, also...)).Level(lvl).With().Timestamp().Str("component", component).Logger(), nil
}

// Writer is what New writes to: each line goes to w (readable console
// lines on a terminal, JSON otherwise) and, as JSON, to each of also.
//
// zerolog does not de-duplicate keys, so a sub-logger's component follows
// the daemon's in its lines, and strict JSON log shippers refuse a line
// with a key twice. Writer keeps the last component of each line, the
// most specific one, before the line goes anywhere: every output gets the
// same de-duplicated line.
func Writer(w io.Writer, also ...io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	if len(also) > 0 {
		w = zerolog.MultiLevelWriter(append([]io.Writer{w}, also...)...)
	}
	return lastComponent{w}
}

// lastComponent writes zerolog's JSON lines (one object per Write) with
// every "component" field but the last one removed.
type lastComponent struct{ w io.Writer }

func (l lastComponent) Write(p []byte) (int, error) {
	q := dropEarlierComponents(p)
	if len(q) == len(p) {
		return l.w.Write(p)
	}
	if _, err := l.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

// componentKey starts a string-valued component field. In zerolog's JSON a
// quote inside a string is escaped, so this only matches a key; it is a
// field of the line when a '{' or ',' comes right before it.
var componentKey = []byte(`"component":"`)

// dropEarlierComponents returns the line without the component fields
// before the last one, or p itself when there is at most one.
func dropEarlierComponents(p []byte) []byte {
	var starts []int
	for i := 0; ; {
		j := bytes.Index(p[i:], componentKey)
		if j < 0 {
			break
		}
		j += i
		if j > 0 && (p[j-1] == '{' || p[j-1] == ',') {
			starts = append(starts, j)
		}
		i = j + len(componentKey)
	}
	if len(starts) < 2 {
		return p
	}
	out := make([]byte, 0, len(p))
	prev := 0
	for _, s := range starts[:len(starts)-1] {
		end := stringEnd(p, s+len(componentKey))
		if end < 0 {
			return p
		}
		if p[s-1] == ',' { // drop ",<field>"
			out = append(out, p[prev:s-1]...)
		} else { // first field: drop "<field>,"
			out = append(out, p[prev:s]...)
			if end < len(p) && p[end] == ',' {
				end++
			}
		}
		prev = end
	}
	return append(out, p[prev:]...)
}

// stringEnd returns the index after the closing quote of the JSON string
// whose content starts at i, or -1.
func stringEnd(p []byte, i int) int {
	for ; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// Std adapts log for libraries that log through the standard library
// (net/http's ErrorLog: TLS handshake failures, accept errors), so their
// lines are structured warnings like every other line of the daemon.
func Std(log zerolog.Logger) *stdlog.Logger { return stdlog.New(warnWriter{log}, "", 0) }

type warnWriter struct{ log zerolog.Logger }

func (w warnWriter) Write(p []byte) (int, error) {
	w.log.Warn().Msg(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
