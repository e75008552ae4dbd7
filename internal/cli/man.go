package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/qmpdash/qmpdash/internal/config"
)

const manUsage = `Usage: qmpdash man

Prints qmpdash's man page (roff, section 1), made from 'qmpdash help' and
every command's --help, so it says what the program says. Release builds
package it; read it with: qmpdash man | man -l -

`

// runMan prints the man page. It is hidden from help and completion: it
// is for packaging (.goreleaser.yaml runs it).
func runMan(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("man")
	pos, err := parseFlags(fs, manUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("man: takes no arguments, got %q", pos[0])
	}
	_, err = io.WriteString(stdout, manPage())
	return err
}

// manPage is the roff text. The config path in the flags' help is this
// machine's; the page spells it generically, so it is the same wherever
// it is made.
func manPage() string {
	var b strings.Builder
	b.WriteString(".TH QMPDASH 1 \"\" \"qmpdash\" \"User Commands\"\n")
	b.WriteString(".SH NAME\nqmpdash \\- watch and steer QEMU virtual machines over QMP\n")
	b.WriteString(".SH SYNOPSIS\n.nf\n")
	for _, c := range append([]command{dashboardCommand}, visibleCommands()...) {
		fmt.Fprintf(&b, "\\fBqmpdash\\fR %s\n", roffEscape(c.synopsis))
	}
	b.WriteString(".fi\n.SH DESCRIPTION\n")
	roffPre(&b, mainUsage())
	b.WriteString(".SH COMMANDS\n")
	for _, c := range append([]command{dashboardCommand}, visibleCommands()...) {
		fs, usage, ok := commandHelp(c)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, ".SS \"qmpdash %s\"\n", roffEscape(c.synopsis))
		roffPre(&b, strings.TrimSuffix(strings.TrimRight(usage, "\n"), "Flags:"))
		fs.VisitAll(func(f *flag.Flag) {
			name, help := flag.UnquoteUsage(f)
			fmt.Fprintf(&b, ".TP\n\\fB\\-\\-%s\\fR", roffEscape(f.Name))
			if name != "" {
				fmt.Fprintf(&b, " \\fI%s\\fR", roffEscape(name))
			}
			if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" {
				help += " (default " + d + ")"
			}
			fmt.Fprintf(&b, "\n%s\n", roffEscape(help))
		})
	}
	b.WriteString(".SH FILES\n.TP\n$XDG_CONFIG_HOME/qmpdash/config.toml\nThe config file; 'qmpdash config' shows what it sets, 'qmpdash config init' writes one.\n")
	b.WriteString(".SH SEE ALSO\n\\fBqemu\\-system\\-x86_64\\fR(1)\n")
	out := b.String()
	if p := config.DefaultPath(); p != "" {
		out = strings.ReplaceAll(out, p, "$XDG_CONFIG_HOME/qmpdash/config.toml")
	}
	return out
}

// roffPre writes text as a no-fill block, so help keeps its layout.
func roffPre(b *strings.Builder, text string) {
	b.WriteString(".nf\n")
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(roffEscape(line) + "\n")
	}
	b.WriteString(".fi\n")
}

// roffEscape keeps text literal in roff: backslashes escaped, dashes as
// minus signs (so options copy and paste), and a leading . or ' guarded.
func roffEscape(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
