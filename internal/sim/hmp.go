package sim

import (
	"fmt"
	"strings"
)

// human-monitor-command runs a small subset of HMP. Like QEMU, HMP failures
// are text inside a successful reply, and every "\n" becomes "\r\n".

const hmpHelp = `cont|c  -- resume emulation
help|? [cmd] -- show the help
info [subcommand] -- show various information about the system state
stop|s  -- stop emulation
system_powerdown  -- send system power down event
system_reset  -- reset the system
`

const hmpInfoHelp = `info balloon  -- show balloon information
info cpus  -- show infos for each CPU
info kvm  -- show KVM information
info name  -- show the current VM name
info status  -- show the current VM status (running|paused)
info version  -- show the version of QEMU
`

func cmdHumanMonitorCommand(v *VM, c *conn, a args) (any, *qmpError) {
	line, _ := a.str("command-line")
	return strings.ReplaceAll(v.hmp(c, line), "\n", "\r\n"), nil
}

func (v *VM) hmp(c *conn, line string) string {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return ""
	}
	switch fields[0] {
	case "help", "?", "h":
		return hmpHelp
	case "info":
		if len(fields) < 2 {
			return hmpInfoHelp
		}
		return v.hmpInfo(fields[1])
	case "stop", "s":
		_, _ = cmdStop(v, c, nil)
		return ""
	case "cont", "c":
		_, _ = cmdCont(v, c, nil)
		return ""
	case "system_reset":
		_, _ = cmdSystemReset(v, c, nil)
		return ""
	case "system_powerdown":
		_, _ = cmdSystemPowerdown(v, c, nil)
		return ""
	}
	return fmt.Sprintf("unknown command: '%s'\n", fields[0])
}

func (v *VM) hmpInfo(sub string) string {
	switch sub {
	case "status":
		s := "VM status: paused"
		if v.running() {
			s = "VM status: running"
		} else if v.status != "paused" {
			s += " (" + v.status + ")"
		}
		return s + "\n"
	case "name":
		if v.opts.Name == "" {
			return ""
		}
		return v.opts.Name + "\n"
	case "version":
		return fmt.Sprintf("%d.%d.%d%s\n", qemuVersion.Major, qemuVersion.Minor, qemuVersion.Micro, v.packageString())
	case "kvm":
		return "kvm support: disabled\n"
	case "balloon":
		if !v.opts.Balloon {
			return "Error: No balloon device has been activated\n"
		}
		return fmt.Sprintf("balloon: actual=%d\n", v.balloon>>20)
	case "cpus":
		var b strings.Builder
		for i := 0; i < v.opts.VCPUs; i++ {
			mark := " "
			if i == 0 {
				mark = "*"
			}
			fmt.Fprintf(&b, "%s CPU #%d: thread_id=%d\n", mark, i, v.threadID+i)
		}
		return b.String()
	}
	return fmt.Sprintf("unknown command: 'info %s'\n", sub)
}
