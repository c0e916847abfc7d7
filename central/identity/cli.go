package identity

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Command runs `centrald gateway …` (what is "gateway") or `centrald
// account …` (what is "account") and returns the exit code. A secret is
// printed once, or written to --out (mode 0600) and then not printed.
func Command(what string, args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		if what == "gateway" {
			fmt.Fprintln(stderr, "usage: centrald gateway add|rotate ID --data DIR [--out FILE] [--broker URL]\n"+
				"       centrald gateway revoke ID --data DIR\n       centrald gateway list --data DIR")
		} else {
			fmt.Fprintln(stderr, "usage: centrald account add NAME --role ops|central --data DIR [--out FILE]\n"+
				"       centrald account rotate|revoke NAME --data DIR\n       centrald account list --data DIR")
		}
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	verb := args[0]
	fs := flag.NewFlagSet("centrald "+what+" "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", os.Getenv("DOCKHAND_DATA"), "central's data directory (env DOCKHAND_DATA)")
	out := fs.String("out", "", "write the credentials to this file (mode 0600) instead of printing them")
	broker := fs.String("broker", "tcp://CENTRAL-HOST:1883", "broker URL to put in the gateway's mqtt snippet")
	role := fs.String("role", string(RoleOps), "account role: ops (read-only) or central")
	name, err := parseInterleaved(fs, args[1:])
	if err != nil || *dir == "" || (verb != "list" && name == "") {
		if err == nil {
			fmt.Fprintln(stderr, "--data and a name are required")
		}
		return usage()
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "centrald %s %s: %v\n", what, verb, err)
		return 1
	}
	switch verb {
	case "add", "rotate":
		var secret string
		if verb == "rotate" {
			secret, err = Rotate(*dir, name)
		} else {
			r := RoleGateway
			if what == "account" {
				r = Role(*role)
				if r != RoleOps && r != RoleCentral {
					return fail(fmt.Errorf("--role %q: use ops or central (gateways: centrald gateway add)", *role))
				}
			}
			secret, err = Add(*dir, name, r)
		}
		if err != nil {
			return fail(err)
		}
		accts, err := List(*dir)
		if err != nil {
			return fail(err)
		}
		a := find(&fileDoc{Accounts: accts}, name)
		text := credentialText(*a, secret, *broker)
		if *out != "" {
			if err := os.WriteFile(*out, []byte(text), 0o600); err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "%s %s: %s; credentials written to %s (mode 0600)\n", a.Role, name, pastTense(verb), *out)
			return 0
		}
		fmt.Fprintf(stdout, "%s %s: %s. The secret is shown only now.\n\n%s", a.Role, name, pastTense(verb), text)
	case "revoke":
		if err := Revoke(*dir, name); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s revoked: a running centrald refuses it within seconds and disconnects it from its broker\n", name)
	case "list":
		accts, err := List(*dir)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tCREATED\tROTATED")
		for _, a := range accts {
			if what == "gateway" && a.Role != RoleGateway || what == "account" && a.Role == RoleGateway {
				continue
			}
			state := "active"
			if !a.Active() {
				state = "revoked " + a.Revoked.Format(time.DateOnly)
			}
			rotated := "-"
			if !a.Rotated.IsZero() {
				rotated = a.Rotated.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, state, a.Created.Format(time.DateTime), rotated)
		}
		_ = tw.Flush()
	default:
		return usage()
	}
	return 0
}

func pastTense(verb string) string {
	if verb == "add" {
		return "added"
	}
	return "new secret issued (the old one no longer works)"
}

// parseInterleaved parses flags given before or after the one name.
func parseInterleaved(fs *flag.FlagSet, args []string) (string, error) {
	var name string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		args = fs.Args()
		if len(args) == 0 {
			return name, nil
		}
		if name != "" {
			return "", fmt.Errorf("unexpected argument %q", args[0])
		}
		name, args = args[0], args[1:]
	}
}

// credentialText is what the holder of a new secret needs.
func credentialText(a Account, secret, broker string) string {
	var b strings.Builder
	switch a.Role {
	case RoleGateway:
		fmt.Fprintf(&b, "# gateway.yaml of %s (or set DOCKHAND_MQTT_PASSWORD in /etc/dockhand/gatewayd.env)\n", a.Name)
		fmt.Fprintf(&b, "mqtt:\n  url: %s\n  username: %s\n  password: %q\n", broker, a.Name, secret)
		fmt.Fprintf(&b, "# A site Mosquitto needs the same login: mosquitto_passwd /etc/mosquitto/dockhand.passwd %s\n", a.Name)
	case RoleOps:
		fmt.Fprintf(&b, "username: %s\npassword: %s\n", a.Name, secret)
		fmt.Fprintf(&b, "# read everything: mosquitto_sub -h CENTRAL-HOST -u %s -P %s -t 'dockhand/#' -v\n", a.Name, secret)
	default:
		fmt.Fprintf(&b, "username: %s\npassword: %s\n", a.Name, secret)
		b.WriteString("# centrald with a site broker: --mqtt-user " + a.Name + " and DOCKHAND_MQTT_PASSWORD in /etc/dockhand/centrald.env\n")
	}
	return b.String()
}
