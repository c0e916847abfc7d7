// Package logging sets up the one zerolog logger a daemon passes down:
// readable console lines on a terminal, JSON lines otherwise (journald,
// log shippers).
package logging

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// New returns a logger writing to w at level ("info" when empty).
func New(w io.Writer, level, component string) (zerolog.Logger, error) {
	lvl := zerolog.InfoLevel
	if level != "" {
		var err error
		if lvl, err = zerolog.ParseLevel(level); err != nil {
			return zerolog.Nop(), fmt.Errorf("log level %q: use trace, debug, info, warn or error", level)
		}
	}
	return zerolog.New(Writer(w)).Level(lvl).With().Timestamp().Str("component", component).Logger(), nil
}

// Writer is what New writes to for w: readable console lines on a
// terminal, w itself otherwise. It lets a caller add writers beside it
// (logger.Output(zerolog.MultiLevelWriter(Writer(os.Stderr), ring))).
func Writer(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return w
}
