// Command centrald is the site allocator: it owns stock, applies gateway
// events, answers with print and light commands, publishes operations
// topics and serves the HTTP API. By default it runs an embedded MQTT
// broker, so one machine needs nothing else installed.
//
//	centrald --site dc1 --data /var/lib/dockhand/central
//	centrald --site dc1 --data ./data --mqtt tcp://broker:1883 --mqtt-user central --http :8081
//	centrald check --data ./data
//	centrald gateway add|rotate|revoke|list [ID] --data DIR   (MQTT accounts of gateways)
//	centrald account add|rotate|revoke|list [NAME] --data DIR [--role ops|central]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/dockhand/dockhand/central/app"
	"github.com/dockhand/dockhand/central/daemon"
	"github.com/dockhand/dockhand/central/identity"
	"github.com/dockhand/dockhand/central/store"
	"github.com/dockhand/dockhand/central/store/badgerstore"
	"github.com/dockhand/dockhand/internal/logging"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "check":
			os.Exit(check(os.Args[2:]))
		case "gateway", "account":
			os.Exit(identity.Command(os.Args[1], os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("centrald", flag.ContinueOnError)
	opt := daemon.Options{WaitForSpace: true}
	fs.StringVar(&opt.Site, "site", "", "site id, used in every MQTT topic (required)")
	fs.StringVar(&opt.DataDir, "data", "", "data directory (required)")
	fs.StringVar(&opt.MQTT.URL, "mqtt", "", "external broker URL (tcp://host:1883, ssl://host:8883); empty runs the embedded broker")
	fs.StringVar(&opt.MQTT.Username, "mqtt-user", os.Getenv("DOCKHAND_MQTT_USER"), "MQTT username (env DOCKHAND_MQTT_USER)")
	fs.StringVar(&opt.MQTT.CAFile, "mqtt-ca", "", "CA certificate file for ssl:// brokers")
	fs.StringVar(&opt.MQTT.CertFile, "mqtt-cert", "", "client certificate file")
	fs.StringVar(&opt.MQTT.KeyFile, "mqtt-key", "", "client key file")
	fs.StringVar(&opt.BrokerListen, "broker-listen", ":1883", "embedded broker address")
	fs.BoolVar(&opt.BrokerAllowAnonymous, "broker-allow-anonymous", false, "let clients without a login do anything on the embedded broker (development only)")
	fs.StringVar(&opt.BrokerTLS.Listen, "broker-tls-listen", "", "embedded broker TLS address, e.g. :8883")
	fs.StringVar(&opt.BrokerTLS.CertFile, "broker-tls-cert", "", "PEM certificate (chain) of the TLS listener")
	fs.StringVar(&opt.BrokerTLS.KeyFile, "broker-tls-key", "", "PEM private key of the TLS listener")
	fs.StringVar(&opt.BrokerTLS.ClientCAFile, "broker-tls-client-ca", "", "require client certificates signed by these CAs (PEM) on the TLS listener")
	fs.StringVar(&opt.HTTPAddr, "http", ":8081", "HTTP API address")
	d := daemon.DefaultHTTPTimeouts
	fs.DurationVar(&opt.HTTPTimeouts.Read, "http-read-timeout", d.Read, "longest time a client may take to send one request, body included")
	fs.DurationVar(&opt.HTTPTimeouts.Write, "http-write-timeout", d.Write, "longest time from a request's headers to the end of its answer")
	fs.StringVar(&opt.HTTPCertFile, "http-cert", "", "certificate file (PEM): serve the API over HTTPS (with --http-key)")
	fs.StringVar(&opt.HTTPKeyFile, "http-key", "", "private key file (PEM) of --http-cert")
	fs.DurationVar(&opt.PaymentHold, "payment-hold", app.DefaultPaymentHold, "how long an unpaid order keeps its promise when its channel does not say")
	level := fs.String("log-level", "info", "trace, debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// Secrets come from the environment, never from flags that show in ps.
	opt.MQTT.Password = os.Getenv("DOCKHAND_MQTT_PASSWORD")
	opt.APIToken = os.Getenv("DOCKHAND_API_TOKEN")
	log, err := logging.New(os.Stderr, *level, "centrald")
	if err != nil {
		fmt.Fprintln(os.Stderr, "centrald:", err)
		return 2
	}
	if opt.Site == "" || opt.DataDir == "" {
		fmt.Fprintln(os.Stderr, "centrald: --site and --data are required")
		fs.Usage()
		return 2
	}
	c, err := daemon.Start(opt, log)
	if err != nil {
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
	if c.TokenFile != "" {
		log.Info().Str("file", c.TokenFile).Msg("API token is in this file (set DOCKHAND_API_TOKEN to choose one)")
	}
	code := wait(c, log)
	c.Close()
	return code
}

// wait runs until a signal (exit 0) or an error that stopped central
// after it started (exit 1).
func wait(c *daemon.Central, log zerolog.Logger) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case s := <-sig:
		log.Info().Str("signal", s.String()).Msg("stopping")
		return 0
	case err := <-c.Err():
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
}

// check compares every projection with the ledger; exit 0 when consistent.
func check(args []string) int {
	fs := flag.NewFlagSet("centrald check", flag.ContinueOnError)
	dir := fs.String("data", "", "data directory of a stopped centrald (required)")
	if err := fs.Parse(args); err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: centrald check --data DIR")
		return 2
	}
	st, err := badgerstore.Open(filepath.Join(*dir, "central"), zerolog.Nop())
	if err != nil {
		fmt.Fprintln(os.Stderr, "centrald check:", err)
		return 1
	}
	defer st.Close()
	problems, err := store.Check(context.Background(), st)
	if err != nil {
		fmt.Fprintln(os.Stderr, "centrald check:", err)
		return 1
	}
	selling, err := store.CheckOutbound(context.Background(), st)
	if err != nil {
		fmt.Fprintln(os.Stderr, "centrald check:", err)
		return 1
	}
	problems = append(problems, selling...)
	for _, p := range problems {
		fmt.Println("PROBLEM:", p)
	}
	if len(problems) > 0 {
		fmt.Printf("%d problems found\n", len(problems))
		return 1
	}
	fmt.Println("ledger and quants agree; no negative, overflowed or impossible balance; no unit promised twice or beyond what is available;")
	fmt.Println("orders, reservations, backorder queues and the three stock layers reconcile")
	return 0
}
