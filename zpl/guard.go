package zpl

import (
	"fmt"
	"strconv"
	"strings"
)

// GuardError is raw ZPL that CheckRaw refuses: the command (or "" for
// data), the byte offset where it starts, and why.
type GuardError struct {
	Offset  int
	Command string
	Reason  string
}

func (e *GuardError) Error() string {
	if e.Command == "" {
		return fmt.Sprintf("raw ZPL refused at byte %d: %s", e.Offset, e.Reason)
	}
	return fmt.Sprintf("raw ZPL refused: %s at byte %d: %s", e.Command, e.Offset, e.Reason)
}

// CheckRaw lets through raw ZPL that only describes labels, and refuses
// everything else with the command, its offset and the reason
// (docs/labels.md, "Raw ZPL", lists every command and why).
//
// It reads the job as a Zebra printer does, on the hostile sender's
// terms: every '^' and '~' starts a command, in field data and comments
// too (printers run '~' commands wherever they arrive); a command's two
// letters may be split by spaces or line breaks and are upper- or
// lower-case; anything other than whitespace outside ^XA…^XZ is refused
// (Set-Get-Do "! U1" lines, JSON, EPL or CPCL would run there); several
// formats are each checked. Commands that change the prefix or delimiter
// characters (^CC, ~CC, ^CT, ~CT, ^CD, ~CD) are refused rather than
// followed, since their only use in a label job would be to hide a command
// from a check; binary graphics (^GF type B or C) are refused because their
// bytes cannot be told from commands — ASCII hex (type A) is checked like
// the rest.
func CheckRaw(job []byte) error {
	inFormat, formats := false, 0
	for i := 0; i < len(job); {
		c := job[i]
		if c != '^' && c != '~' {
			if !inFormat && !isSpace(c) {
				return &GuardError{Offset: i, Reason: fmt.Sprintf("data outside a label format (^XA…^XZ): %q", snippet(job[i:]))}
			}
			i++
			continue
		}
		name, next, ok := commandName(job, i+1)
		if !ok {
			return &GuardError{Offset: i, Command: string(c), Reason: "a command prefix without a command"}
		}
		cmd := string(c) + name
		if c == '^' && (name[0] == 'A' || name[0] == 'B') {
			// ^A<font> and ^B<symbology>: the second letter is a
			// parameter (^A0N, ^BCN); every font and bar code is label
			// content. The scan goes on after the first letter.
			cmd, next = "^"+name[:1], skipSpace(job, i+1)+1
		}
		if reason, refused := refusedCommands[cmd]; refused {
			return &GuardError{Offset: i, Command: cmd, Reason: reason}
		}
		if !labelCommands[cmd] {
			return &GuardError{Offset: i, Command: cmd, Reason: "not a ZPL label command this gateway prints"}
		}
		switch {
		case cmd == "^XA":
			if inFormat {
				return &GuardError{Offset: i, Command: cmd, Reason: "^XA inside a format (the one before has no ^XZ)"}
			}
			inFormat = true
			formats++
		case !inFormat:
			return &GuardError{Offset: i, Command: cmd, Reason: "outside a label format (^XA…^XZ)"}
		case cmd == "^XZ":
			inFormat = false
		case cmd == "^GF":
			if t := strings.ToUpper(param(job, next, 0)); t != "" && t != "A" {
				return &GuardError{Offset: i, Command: cmd, Reason: fmt.Sprintf("graphic data of type %q (binary): its bytes cannot be checked; send type A (ASCII hex)", t)}
			}
		case cmd == "^PQ":
			if p := param(job, next, 1); p != "" {
				if n, err := strconv.Atoi(p); err != nil || n != 0 {
					return &GuardError{Offset: i, Command: cmd, Reason: fmt.Sprintf("pause-and-cut count %q: pausing stops the printer until someone presses its button", p)}
				}
			}
		}
		i = next
	}
	if inFormat {
		return &GuardError{Offset: len(job), Reason: "the last format has no ^XZ"}
	}
	if formats == 0 {
		return &GuardError{Offset: 0, Reason: "no label format (^XA…^XZ)"}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// commandName reads the two letters after a prefix at i, upper-cased,
// skipping whitespace between them, and returns where the parameters
// start. A prefix, a control byte or a non-ASCII byte where a letter
// should be is not a command (refused).
func commandName(b []byte, i int) (string, int, bool) {
	var name [2]byte
	for k := range name {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == '^' || b[i] == '~' || b[i] <= ' ' || b[i] > '~' {
			return "", i, false
		}
		name[k] = upper(b[i])
		i++
	}
	return string(name[:]), i, true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// param returns parameter n (0-based, comma-separated, spaces trimmed) of
// the command whose parameters start at i; they end at the next prefix.
func param(b []byte, i, n int) string {
	end := i
	for end < len(b) && b[end] != '^' && b[end] != '~' {
		end++
	}
	params := strings.Split(string(b[i:end]), ",")
	if n >= len(params) {
		return ""
	}
	return strings.TrimSpace(params[n])
}

func snippet(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}

// labelCommands are the commands that only describe the label being
// printed. ^A and ^B stand for every font (^A0, ^A@, …) and every bar
// code (^BC, ^BX, ^BY, …).
var labelCommands = map[string]bool{
	"^XA": true, "^XZ": true, // format start and end
	"^FO": true, "^FT": true, "^FD": true, "^FS": true, "^FH": true, "^FB": true, "^FC": true,
	"^FM": true, "^FN": true, "^FP": true, "^FR": true, "^FV": true, "^FW": true, "^FX": true, // fields
	"^A": true, "^CF": true, "^CI": true, "^TB": true, // text
	"^B": true, "^CV": true, // bar codes, code validation
	"^GB": true, "^GC": true, "^GD": true, "^GE": true, "^GS": true, "^GF": true, // graphics
	"^XG": true, "^IM": true, "^IL": true, "^XF": true, // recall a stored graphic, image or format
	"^LH": true, "^LL": true, "^PW": true, // label home, length, print width
	"^PQ": true, "^SN": true, "^SF": true, // quantity, serialization
}

// Reasons, by what the refused commands do.
const (
	whySaved    = "changes or resets the printer's saved configuration"
	whyNetwork  = "changes the printer's network, wireless or serial settings"
	whyStorage  = "writes or deletes files in the printer's storage (fonts, graphics, formats), where they outlive the label"
	whyHost     = "makes the printer report to the sender, on the connection the gateway uses for its own status queries"
	whyMedia    = "changes how the printer handles media, darkness or speed for every later label"
	whyJobs     = "cancels, pauses, resumes or moves other labels, or puts the printer to sleep (the printer's queue is the station's)"
	whyReset    = "resets, tests or calibrates the printer"
	whyIdentity = "changes the printer's name, passwords, language, clock or alerts"
	whyRFID     = "reads, writes, locks or sets up RFID tags and the encoder"
	whyZBI      = "starts or stops a program on the printer (ZBI)"
	whyPrefix   = "changes the command prefix or delimiter characters: in a label job it only hides the commands after it"
	whyLater    = "stays in effect for the labels after this one, which do not reset it"
)

// refusedCommands are the other commands of the ZPL II Programming Guide
// (Zebra, P1099958), each with why it is refused.
var refusedCommands = map[string]string{
	"^JU": whySaved, "^JB": whySaved, "~JB": whySaved, "^JZ": whySaved, "^JJ": whySaved, "^KV": whySaved,
	"^NB": whyNetwork, "^NC": whyNetwork, "~NC": whyNetwork, "^ND": whyNetwork, "^NI": whyNetwork, "^NN": whyNetwork,
	"^NP": whyNetwork, "~NR": whyNetwork, "^NS": whyNetwork, "^NT": whyNetwork, "~NT": whyNetwork, "^NW": whyNetwork,
	"^WA": whyNetwork, "^WE": whyNetwork, "^WI": whyNetwork, "^WL": whyNetwork, "^WP": whyNetwork, "^WR": whyNetwork,
	"~WR": whyNetwork, "^WS": whyNetwork, "^WX": whyNetwork, "^SC": whyNetwork, "^KC": whyNetwork,
	"~DB": whyStorage, "~DE": whyStorage, "~DG": whyStorage, "~DN": whyStorage, "~DS": whyStorage, "~DT": whyStorage,
	"~DU": whyStorage, "~DY": whyStorage, "^DF": whyStorage, "~EG": whyStorage, "^ID": whyStorage, "^IS": whyStorage,
	"^TO": whyStorage, "^CM": whyStorage, "^FL": whyStorage, "^CW": whyStorage, "^SE": whyStorage, "^CO": whyStorage,
	"~HB": whyHost, "~HD": whyHost, "^HF": whyHost, "^HG": whyHost, "^HH": whyHost, "~HI": whyHost, "~HM": whyHost,
	"~HQ": whyHost, "~HS": whyHost, "^HT": whyHost, "~HU": whyHost, "^HV": whyHost, "^HW": whyHost, "^HY": whyHost,
	"^HZ": whyHost, "~WC": whyHost, "^WD": whyHost, "~WL": whyHost, "~WQ": whyHost, "^LF": whyHost, "~RV": whyHost,
	"^MD": whyMedia, "~SD": whyMedia, "^PR": whyMedia, "^MM": whyMedia, "^MN": whyMedia, "^MT": whyMedia,
	"^MF": whyMedia, "^ML": whyMedia, "^MP": whyMedia, "^MU": whyMedia, "^MW": whyMedia, "^JM": whyMedia,
	"^JS": whyMedia, "~JS": whyMedia, "~TA": whyMedia, "^SS": whyMedia, "^SI": whyMedia, "^LS": whyMedia,
	"^LT": whyMedia, "^MC": whyMedia, "^XB": whyMedia, "^XS": whyMedia, "^JW": whyMedia, "^PA": whyMedia,
	"^PF": whyMedia, "^PH": whyMedia, "~PH": whyMedia, "^PN": whyMedia, "~PL": whyMedia, "^CN": whyMedia,
	"^CP": whyMedia, "^SR": whyMedia, "~JF": whyMedia,
	"~JA": whyJobs, "~JX": whyJobs, "~JP": whyJobs, "^PP": whyJobs, "~PP": whyJobs, "~PS": whyJobs, "~PR": whyJobs,
	"^SP": whyJobs, "^ZZ": whyJobs,
	"~JR": whyReset, "~RO": whyReset, "~JC": whyReset, "~JL": whyReset, "~JG": whyReset, "~JN": whyReset,
	"~JO": whyReset, "^JT": whyReset, "~JD": whyReset, "~JE": whyReset, "^HR": whyReset, "~KB": whyReset,
	"^JH": whyIdentity, "^KD": whyIdentity, "^KL": whyIdentity, "^KN": whyIdentity, "^KP": whyIdentity,
	"^SL": whyIdentity, "^SO": whyIdentity, "^ST": whyIdentity, "^SX": whyIdentity, "^SQ": whyIdentity,
	"^SZ": whyIdentity, "^MA": whyIdentity, "^MI": whyIdentity,
	"^RA": whyRFID, "^RB": whyRFID, "^RE": whyRFID, "^RF": whyRFID, "^RI": whyRFID, "^RL": whyRFID, "^RM": whyRFID,
	"^RN": whyRFID, "^RQ": whyRFID, "^RR": whyRFID, "^RS": whyRFID, "^RT": whyRFID, "^RU": whyRFID, "^RW": whyRFID,
	"^RZ": whyRFID, "^WF": whyRFID, "^WT": whyRFID, "^WV": whyRFID, "^HL": whyRFID,
	"^JI": whyZBI, "~JI": whyZBI, "~JQ": whyZBI,
	"^CC": whyPrefix, "~CC": whyPrefix, "^CT": whyPrefix, "~CT": whyPrefix, "^CD": whyPrefix, "~CD": whyPrefix,
	"^PO": whyLater, "^PM": whyLater, "^LR": whyLater,
}
