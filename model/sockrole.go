package model

import (
	"fmt"
	"path/filepath"
	"strings"
)

// What a socket is to the QEMU that listens on it, read from its command
// line. Only a QMP monitor may be dialled: a migration listener
// (-incoming) takes any connection as the incoming stream, fails on it
// and QEMU exits; a guest agent, serial console, VNC display or NBD
// export is no monitor either.

// sockRole is the verdict of a command line on one socket.
type sockRole int

const (
	roleUnknown sockRole = iota // cannot tell; the name rule decides
	roleMonitor                 // a QMP monitor: dial it
	roleOther                   // anything else: never dial it
)

// sockClass is a role with the reason, for the debug log.
type sockClass struct {
	role sockRole
	why  string
}

// cmdOpt is one option of a command line and its value.
type cmdOpt struct{ name, value string }

// parseCmdline pairs options with their values. Both -opt and --opt are
// accepted (QEMU takes either), and --opt=value (getopt_long, as
// qemu-storage-daemon parses). An option followed by another option has
// no value.
func parseCmdline(argv []string) []cmdOpt {
	var out []cmdOpt
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name := strings.TrimLeft(a, "-")
		if n, v, ok := strings.Cut(name, "="); ok && strings.HasPrefix(a, "--") {
			out = append(out, cmdOpt{n, v})
			continue
		}
		var value string
		if i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-") {
			value = argv[i+1]
			i++
		}
		out = append(out, cmdOpt{name, value})
	}
	return out
}

// splitOpts splits a QemuOpts string at commas; ",," is a literal comma.
func splitOpts(s string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if i+1 < len(s) && s[i+1] == ',' {
				b.WriteByte(',')
				i++
				continue
			}
			parts = append(parts, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(s[i])
	}
	return append(parts, b.String())
}

// optGet is key's value in a QemuOpts string; implied is the key of a
// first element without '=' (e.g. "backend" for -chardev).
func optGet(value, implied, key string) (string, bool) {
	for i, p := range splitOpts(value) {
		k, v, ok := strings.Cut(p, "=")
		if !ok && i == 0 && implied != "" {
			k, v, ok = implied, p, true
		}
		if ok && k == key {
			return v, true
		}
	}
	return "", false
}

func samePath(a, b string) bool {
	return a != "" && (a == b || filepath.Clean(a) == filepath.Clean(b))
}

// mentions reports whether an option's value names the socket bound as
// name: as "unix:NAME", a path=NAME style key, or a bare NAME; a JSON
// value (-blockdev '{...}') anywhere as a quoted string.
func mentions(value, name string) bool {
	if strings.HasPrefix(value, "{") {
		return strings.Contains(value, `"`+name+`"`)
	}
	if samePath(strings.TrimPrefix(value, "unix:"), name) { // -incoming takes the rest as is
		return true
	}
	for _, p := range splitOpts(value) {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			v = p
		} else if k != "path" && !strings.HasSuffix(k, ".path") {
			continue
		}
		if samePath(strings.TrimPrefix(v, "unix:"), name) {
			return true
		}
	}
	return false
}

// optionRole names what an option that mentions a socket makes of it.
var optionRole = map[string]string{
	"incoming":   "migration listener (-incoming)",
	"vnc":        "VNC display (-vnc)",
	"spice":      "SPICE display (-spice)",
	"serial":     "serial console (-serial)",
	"parallel":   "parallel port (-parallel)",
	"gdb":        "gdb stub (-gdb)",
	"monitor":    "HMP monitor (-monitor), not QMP",
	"nbd-server": "NBD server (--nbd-server)",
	"export":     "block export (--export)",
}

// classifyCmdline says what the socket bound as name is to a process with
// command line argv. storageDaemon selects qemu-storage-daemon's options,
// where --monitor is always QMP; for a system emulator -monitor is HMP and
// -mon is HMP unless mode=control.
func classifyCmdline(argv []string, name string, storageDaemon bool) sockClass {
	opts := parseCmdline(argv)
	var chardev string // id of the -chardev bound to name
	other := ""
	readsConfig := false
	for _, o := range opts {
		switch {
		case o.name == "readconfig":
			readsConfig = true
		case (o.name == "qmp" || o.name == "qmp-pretty") && !storageDaemon:
			rest, ok := strings.CutPrefix(o.value, "unix:")
			if ok && samePath(splitOpts(rest)[0], name) {
				return sockClass{roleMonitor, "QMP monitor (-" + o.name + ")"}
			}
		case o.name == "chardev":
			if p, ok := optGet(o.value, "backend", "path"); ok && samePath(p, name) {
				chardev, _ = optGet(o.value, "", "id")
			}
		case o.name == "monitor" && storageDaemon:
			// --monitor [chardev=]ID: checked against the chardev below.
		case mentions(o.value, name) && other == "":
			other = optionRole[o.name]
			if other == "" {
				other = "used by -" + o.name
			}
		}
	}
	switch {
	case chardev != "":
		return classifyChardev(opts, chardev, storageDaemon)
	case other != "":
		return sockClass{roleOther, other}
	case readsConfig:
		return sockClass{roleUnknown, "not on the command line, which reads a config file (-readconfig)"}
	}
	return sockClass{roleOther, "not on the command line (made at run time: migrate-incoming, chardev-add, nbd-server-start, ...)"}
}

// classifyChardev says what a socket chardev is used for: a monitor in
// control mode is QMP; anything else (an HMP monitor, a guest agent, a
// serial port, vhost-user, nothing at all) is not.
func classifyChardev(opts []cmdOpt, id string, storageDaemon bool) sockClass {
	var user string
	for _, o := range opts {
		switch o.name {
		case "mon", "monitor":
			if o.name == "monitor" && !storageDaemon {
				break // -monitor takes a chardev spec, not an id
			}
			if c, _ := optGet(o.value, "chardev", "chardev"); c != id {
				continue
			}
			mode, _ := optGet(o.value, "chardev", "mode")
			if storageDaemon || mode == "control" {
				return sockClass{roleMonitor, fmt.Sprintf("QMP monitor (-chardev id=%s, -%s)", id, o.name)}
			}
			user = "HMP monitor (-mon without mode=control)"
		case "device":
			if c, _ := optGet(o.value, "driver", "chardev"); c == id && user == "" {
				drv, _ := optGet(o.value, "driver", "driver")
				user = "device " + drv
				if n, _ := optGet(o.value, "driver", "name"); strings.HasPrefix(n, "org.qemu.guest_agent") {
					user = "guest agent (" + drv + " " + n + ")"
				}
			}
		default:
			c, _ := optGet(o.value, "", "chardev")
			if user == "" && (c == id || o.value == "chardev:"+id) {
				user = "-" + o.name
			}
		}
	}
	if user == "" {
		user = "no monitor"
	}
	return sockClass{roleOther, fmt.Sprintf("chardev %s: %s", id, user)}
}
