// Command gatewayd is the per-dock gateway: it drives the station's
// scanners, printers and lights, keeps every event in a durable outbox,
// talks MQTT to central and serves the technician page.
//
//	gatewayd --config /etc/dockhand/gateway.yaml --data /var/lib/dockhand
//	gatewayd --config gateway.yaml --check     (validate the file and exit)
//	gatewayd --version
//	gatewayd --hash-password < password.txt    (a hash for http.admin_password_hash)
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/gateway/web"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/mqttx"
)

// version is set by the build: go build -ldflags "-X main.version=v1.2.3"
// (the Makefile uses git describe).
var version = ""

// logLines is how many recent log lines the technician page can show.
const logLines = 2000

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout)) }

func run(args []string, stdin io.Reader, stdout io.Writer) int {
	fs := flag.NewFlagSet("gatewayd", flag.ContinueOnError)
	path := fs.String("config", "/etc/dockhand/gateway.yaml", "configuration file (YAML)")
	data := fs.String("data", "/var/lib/dockhand", "data directory for the outbox")
	checkOnly := fs.Bool("check", false, "validate the configuration and exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	hashPassword := fs.Bool("hash-password", false, "read a password on standard input and print its hash for http.admin_password_hash")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintf(stdout, "gatewayd %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	}
	if *hashPassword {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(os.Stderr, "gatewayd: no password on standard input")
			return 2
		}
		h, err := web.HashPassword(strings.TrimRight(line, "\r\n"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "gatewayd:", err)
			return 2
		}
		fmt.Fprintln(stdout, h)
		return 0
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewayd:", err)
		return 2
	}
	if p := os.Getenv("DOCKHAND_MQTT_PASSWORD"); p != "" {
		cfg.MQTT.Password = p
	}
	if *checkOnly {
		for _, w := range cfg.Warnings {
			fmt.Fprintln(os.Stderr, "gatewayd: warning:", w)
		}
		if err := link.CheckCredentials(mqttx.Config{Password: cfg.MQTT.Password}); err != nil {
			fmt.Fprintln(os.Stderr, "gatewayd:", *path+":", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: configuration is valid (%d stations, %d devices)\n", *path, len(cfg.Stations), len(cfg.Devices))
		return 0
	}
	ring := logging.NewRing(logLines) // the page's log: the same lines as stderr
	log, err := logging.New(os.Stderr, cfg.Log.Level, "gatewayd", ring)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewayd:", err)
		return 2
	}
	g, err := daemon.StartWith(cfg, *data, log, daemon.Options{ConfigPath: *path, Version: versionString(), Logs: ring})
	if err != nil {
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	s := <-sig
	log.Info().Str("signal", s.String()).Msg("stopping")
	g.Close()
	return 0
}

// versionString is the version set by the build or, for a plain go build
// in a checkout, the commit Go recorded.
func versionString() string {
	if version != "" {
		return version
	}
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			v += "-" + rev + dirty
		}
	}
	return v
}
