package preview

import "bytes"

// command is one ZPL command as sent: its name without the prefix ("FO",
// "A", "FD", or "~JA" for control commands) and its raw parameter bytes.
type command struct {
	name string
	args []byte
}

// String gives the command as a technician would write it, for warnings.
func (c command) String() string {
	if c.name != "" && c.name[0] == '~' {
		return c.name
	}
	return "^" + c.name
}

// lex splits ZPL into commands. CR and LF are dropped everywhere, as the
// printer ignores them. Parameters run to the next caret or tilde, except
// field data (^FD, ^FX comments) which runs to the next caret only: a
// tilde is ordinary data there.
func lex(zpl []byte) []command {
	data := make([]byte, 0, len(zpl))
	for _, b := range zpl {
		if b != '\r' && b != '\n' {
			data = append(data, b)
		}
	}
	var cmds []command
	i := 0
	for i < len(data) {
		if data[i] != '^' && data[i] != '~' {
			i++ // bytes between commands are ignored
			continue
		}
		prefix := data[i]
		i++
		name := commandName(data[i:])
		i += len(name)
		upper := string(bytes.ToUpper(name))
		if prefix == '~' {
			upper = "~" + upper
		}
		end := i
		for end < len(data) && data[end] != '^' && (data[end] != '~' || isDataCommand(upper)) {
			end++
		}
		cmds = append(cmds, command{name: upper, args: data[i:end]})
		i = end
	}
	return cmds
}

// commandName returns the name bytes at the start of b. ^A is the one
// command whose name is a single letter (the font follows directly:
// ^A0N,30 or ^A@N,30); ^A@ keeps its @ to tell the two forms apart.
func commandName(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	if (b[0] == 'A' || b[0] == 'a') && (len(b) < 2 || b[1] != '@') {
		return b[:1]
	}
	if len(b) < 2 {
		return b
	}
	return b[:2]
}

// isDataCommand reports whether the command's parameter is free text that
// may hold a tilde.
func isDataCommand(name string) bool {
	return name == "FD" || name == "FX" || name == "FV"
}

// params splits comma-separated parameters, trimming spaces.
func params(args []byte) []string {
	parts := bytes.Split(args, []byte(","))
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(bytes.TrimSpace(p))
	}
	return out
}
