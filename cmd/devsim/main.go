// Command devsim runs virtual Dockhand devices (a serial barcode scanner on a
// pseudo-terminal and a ZPL printer on TCP) for development, CI and demos.
//
//	devsim run [--scanner] [--printer-listen 127.0.0.1:9100] [--dir DIR]
//	devsim demo ...
//	devsim help
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/cmd/devsim/demo"
	"github.com/dockhand/dockhand/drivers/devsim"
)

const usage = `devsim: virtual devices for Dockhand

usage:
  devsim run [--scanner] [--printer-listen ADDR] [--dir DIR] [--verbose]
      Start virtual devices and print where they are. Without --scanner or
      --printer-listen both start (printer on 127.0.0.1:9100).
      Each line typed on stdin is sent as one scan, e.g. ]C1010950123456789217
      Lines starting with "!" are commands:
        !unplug  !replug  !garbage N  !slow DURATION  !partial DATA
        !paperout on|off  !pause on|off  !headopen on|off  !offline on|off
        !media N  !cut N  !jobs
      Start a line with "!!" to scan data that begins with "!".
  devsim demo ...   play the scripted inbound demo (see devsim demo --help)
  devsim help       show this text
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runDevices(ctx, args[1:], stdin, stdout, stderr)
	case "demo":
		return demo.Main(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "devsim: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// devices are the virtual devices started by `devsim run`; either may be nil.
type devices struct {
	scanner *devsim.Scanner
	printer *devsim.Printer
}

func runDevices(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("devsim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withScanner := fs.Bool("scanner", false, "start a virtual scanner on a pseudo-terminal")
	printerAddr := fs.String("printer-listen", "", "start a virtual ZPL printer listening on this address (e.g. 127.0.0.1:9100)")
	dir := fs.String("dir", "", "directory for the scanner link and printed jobs (default: a new temporary directory)")
	verbose := fs.Bool("verbose", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*withScanner && *printerAddr == "" {
		*withScanner, *printerAddr = true, "127.0.0.1:9100"
	}
	level := zerolog.InfoLevel
	if *verbose {
		level = zerolog.DebugLevel
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: stderr, TimeFormat: time.TimeOnly}).Level(level).With().Timestamp().Logger()

	if *dir == "" {
		d, err := os.MkdirTemp("", "devsim-")
		if err != nil {
			log.Error().Err(err).Msg("cannot create a directory")
			return 1
		}
		defer os.RemoveAll(d)
		*dir = d
	}

	var dev devices
	if *withScanner {
		s, err := devsim.NewScanner(devsim.ScannerOptions{Dir: *dir, Log: log})
		if err != nil {
			log.Error().Err(err).Msg("cannot start the virtual scanner")
			return 1
		}
		defer s.Close()
		dev.scanner = s
		fmt.Fprintf(stdout, "scanner  %s -> %s (9600 8N1, suffix CR)\n", s.Path(), s.TTY())
	}
	if *printerAddr != "" {
		jobs := *dir + "/jobs"
		p, err := devsim.NewPrinter(*printerAddr, jobs, log)
		if err != nil {
			log.Error().Err(err).Msg("cannot start the virtual printer")
			return 1
		}
		defer p.Close()
		dev.printer = p
		fmt.Fprintf(stdout, "printer  %s (jobs saved in %s)\n", p.Addr(), jobs)
	}

	lines := make(chan string)
	go readLines(stdin, lines)
	for {
		select {
		case <-ctx.Done():
			return 0
		case line, ok := <-lines:
			if !ok {
				lines = nil // stdin closed: keep the devices up until a signal
				continue
			}
			if err := dev.handle(line, stdout); err != nil {
				log.Warn().Err(err).Str("line", line).Msg("not done")
			}
		}
	}
}

func readLines(r io.Reader, out chan<- string) {
	defer close(out)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out <- sc.Text()
	}
}

var errNoScanner = errors.New("no virtual scanner running (start with --scanner)")
var errNoPrinter = errors.New("no virtual printer running (start with --printer-listen)")

// handle scans a typed line or runs a "!" command.
func (d devices) handle(line string, stdout io.Writer) error {
	if strings.HasPrefix(line, "!!") || !strings.HasPrefix(line, "!") {
		if d.scanner == nil {
			return errNoScanner
		}
		return d.scanner.Scan(strings.TrimPrefix(line, "!"))
	}
	cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, "!"), " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "unplug", "replug", "garbage", "slow", "partial":
		if d.scanner == nil {
			return errNoScanner
		}
		return d.scannerCommand(cmd, arg)
	case "paperout", "pause", "headopen", "offline", "media", "cut", "jobs":
		if d.printer == nil {
			return errNoPrinter
		}
		return d.printerCommand(cmd, arg, stdout)
	}
	return fmt.Errorf("unknown command !%s (see devsim help)", cmd)
}

func (d devices) scannerCommand(cmd, arg string) error {
	s := d.scanner
	switch cmd {
	case "unplug":
		return s.Unplug()
	case "replug":
		return s.Replug()
	case "garbage":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return fmt.Errorf("!garbage N: %w", err)
		}
		return s.Garbage(n)
	case "slow":
		dur, err := time.ParseDuration(arg)
		if err != nil {
			return fmt.Errorf("!slow DURATION (e.g. 5ms): %w", err)
		}
		s.SetSlow(dur)
		return nil
	default: // partial
		if arg == "" {
			return errors.New("!partial DATA: data missing")
		}
		return s.ScanPartialThenUnplug(arg)
	}
}

func (d devices) printerCommand(cmd, arg string, stdout io.Writer) error {
	p := d.printer
	if cmd == "jobs" {
		for _, j := range p.Jobs() {
			fmt.Fprintf(stdout, "job %d  %s  %d bytes  %s\n", j.N, j.At.Format(time.TimeOnly), len(j.ZPL), j.File)
		}
		return nil
	}
	if cmd == "media" || cmd == "cut" {
		n, err := strconv.Atoi(arg)
		if err != nil {
			return fmt.Errorf("!%s N: %w", cmd, err)
		}
		if cmd == "media" {
			p.SetMediaLeft(n)
		} else {
			p.DropNextConnectionAfter(n)
		}
		return nil
	}
	on, err := onOff(arg)
	if err != nil {
		return fmt.Errorf("!%s: %w", cmd, err)
	}
	switch cmd {
	case "paperout":
		p.SetPaperOut(on)
	case "pause":
		p.SetPaused(on)
	case "headopen":
		p.SetHeadOpen(on)
	default: // offline
		p.SetOffline(on)
	}
	return nil
}

func onOff(s string) (bool, error) {
	switch s {
	case "on", "1", "true":
		return true, nil
	case "off", "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("want on or off, got %q", s)
}
