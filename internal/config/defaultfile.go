package config

import (
	"fmt"
	"slices"
	"strings"
)

// keyDocs says, for each key of the config file, what 'qmpdash config init'
// writes above it. Every key fileKeys reads must have one (a test checks).
var keyDocs = map[string]string{
	"targets":   `Monitor sockets to watch when the command line names none: socket paths, unix:PATH, tcp:HOST:PORT, directories (watched for new sockets) or globs. With none, $XDG_RUNTIME_DIR/qemu/, /run/qemu/ and /var/run/qemu-server/*.qmp are searched.`,
	"interval":  `How often each VM is polled: a duration from {min} to {max}.`,
	"timeout":   `How long a connection or a command may take.`,
	"theme":     `The colour theme: {themes}. Unset, the dashboard picks one.`,
	"read_only": `Only look: refuse every command that changes a VM.`,
	"mouse":     `Capture the mouse in the dashboard; --no-mouse turns it off for one run.`,
	"confirm":   `Ask y/N before destructive actions.`,
	"columns":   "The fleet table's columns, in order; unset, the dashboard's own choice. Columns: {columns}.",
	"agents":    `Guest agent sockets, "target" = "socket", for VMs whose agent is not found on its own (NAME.qga beside NAME.qmp, or the VM's org.qemu.guest_agent.0 port served as a unix socket).`,
	"hosts":     `SSH hosts, one [hosts.NAME] table each: ssh = "[user@]host[:port]" (or a ~/.ssh/config alias) and targets, absolute paths on that host (sockets, directories or globs; unset, /run/qemu and /var/run/qemu-server/*.qmp). --host NAME watches them; host keys are checked against known_hosts.`,
	"keys":      `Key bindings, action = ["key", ...], replacing that action's keys. Actions: {actions}.`,
}

// DefaultFile is the commented config file 'qmpdash config init' writes.
// Settings with a default are written at it (so the file reads back as the
// defaults); the others are commented-out examples. It is made from the
// keys the file reader knows and Defaults, so it follows them.
func DefaultFile(v Valid) string {
	var b strings.Builder
	b.WriteString(`# qmpdash configuration, written by 'qmpdash config init'.
# Command-line flags override what is set here; 'qmpdash config' shows the
# settings in effect and where each comes from. Durations are strings such
# as "500ms", "2s" or "1m".
`)
	defaults := map[string]Field{}
	for _, f := range Defaults().Fields() {
		defaults[f.Name] = f
	}
	var scratch Settings
	for _, k := range v.fileKeys(&scratch) {
		doc, ok := keyDocs[k.name]
		if !ok {
			doc = "(not described yet)"
		}
		doc = strings.NewReplacer("{min}", shortDuration(v.MinInterval), "{max}", shortDuration(v.MaxInterval),
			"{themes}", strings.Join(v.Themes, ", "), "{columns}", strings.Join(v.Columns, ", "),
			"{actions}", strings.Join(v.Actions, ", ")).Replace(doc)
		b.WriteString("\n")
		for _, para := range strings.Split(doc, "\n") {
			for _, line := range wrap(para, 76) {
				b.WriteString("# " + line + "\n")
			}
		}
		if d, ok := defaults[k.name]; ok && d.Source == Default && d.Value != "" {
			fmt.Fprintf(&b, "%s = %s\n", k.name, FormatValue(d.Value))
			continue
		}
		for _, line := range strings.Split(example(k.name, v), "\n") {
			b.WriteString("# " + line + "\n")
		}
	}
	return b.String()
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// example is a key's commented-out example, built from valid names.
func example(key string, v Valid) string {
	switch key {
	case "targets":
		return `targets = ["/run/qemu/", "tcp:127.0.0.1:4444"]`
	case "theme":
		if len(v.Themes) > 0 {
			return "theme = " + FormatValue(v.Themes[len(v.Themes)-1])
		}
	case "columns":
		return "columns = " + FormatValue(v.Columns[:min(4, len(v.Columns))])
	case "agents":
		return "[agents]\n" + `"/run/qemu/web.qmp" = "/run/qemu/web-agent.sock"`
	case "hosts":
		return "[hosts.lab1]\n" + `ssh = "root@lab1.example.org"` + "\n" + `targets = ["/run/qemu"]`
	case "keys":
		action := "quit"
		if !slices.Contains(v.Actions, action) && len(v.Actions) > 0 {
			action = v.Actions[0]
		}
		return "[keys]\n" + action + ` = ["ctrl+q"]`
	}
	return key + ` = ""`
}
