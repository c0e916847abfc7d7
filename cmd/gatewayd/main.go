// Command gatewayd is the per-dock gateway: it drives the station's
// scanners, printers and lights, keeps every event in a durable outbox and
// talks MQTT to central.
//
//	gatewayd --config /etc/dockhand/gateway.yaml --data /var/lib/dockhand
//	gatewayd --config gateway.yaml --check     (validate the file and exit)
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/dockhand/dockhand/gateway/config"
	"github.com/dockhand/dockhand/gateway/daemon"
	"github.com/dockhand/dockhand/gateway/link"
	"github.com/dockhand/dockhand/internal/logging"
	"github.com/dockhand/dockhand/internal/mqttx"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("gatewayd", flag.ContinueOnError)
	path := fs.String("config", "/etc/dockhand/gateway.yaml", "configuration file (YAML)")
	data := fs.String("data", "/var/lib/dockhand", "data directory for the outbox")
	checkOnly := fs.Bool("check", false, "validate the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return 2
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
		fmt.Printf("%s: configuration is valid (%d stations, %d devices)\n", *path, len(cfg.Stations), len(cfg.Devices))
		return 0
	}
	log, err := logging.New(os.Stderr, cfg.Log.Level, "gatewayd")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewayd:", err)
		return 2
	}
	g, err := daemon.Start(cfg, *data, log)
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
