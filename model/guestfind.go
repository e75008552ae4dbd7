package model

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/qmpdash/qmpdash/qmp"
)

// Finding a VM's guest agent from the VM itself: QEMU names the agent's
// channel a virtserialport called org.qemu.guest_agent.0; QOM says which
// chardev backs it, and query-chardev where that chardev listens. When it
// is a unix socket QEMU serves ("unix:PATH,server=on"), qmpdash can
// connect to it as the agent's client. A chardev QEMU connects out from,
// a pty or a file is no socket to dial, and is left alone.

// AgentPortName is the virtserialport name qemu-ga opens in the guest.
const AgentPortName = "org.qemu.guest_agent.0"

// peripheralAnonPath holds the devices created without an id.
const peripheralAnonPath = "/machine/peripheral-anon"

// maxAgentProbes bounds the serial ports asked about per VM.
const maxAgentProbes = 32

// AgentChannel is what a VM's monitor says of its guest agent channel.
type AgentChannel struct {
	Path  string // the unix socket QEMU serves for it
	Label string // the chardev's id
	Open  bool   // query-chardev's frontend-open: the guest has the port open
}

// FindAgent asks a VM's monitor for its guest agent channel: ok is false
// when the VM has none that qmpdash can dial. chardevs is query-chardev's
// answer when the caller has it (nil asks). Errors are the monitor's.
func FindAgent(ctx context.Context, c *qmp.Client, chardevs []qmp.ChardevInfo) (ch AgentChannel, ok bool, err error) {
	label, err := agentChardevLabel(ctx, c)
	if err != nil || label == "" {
		return AgentChannel{}, false, err
	}
	if chardevs == nil {
		if chardevs, err = c.QueryChardev(ctx); err != nil {
			return AgentChannel{}, false, err
		}
	}
	for _, cd := range chardevs {
		if cd.Label != label {
			continue
		}
		path, ok := unixServerPath(cd.Filename)
		return AgentChannel{Path: path, Label: label, Open: cd.FrontendOpen}, ok, nil
	}
	return AgentChannel{}, false, nil
}

// agentChardevLabel is the id of the chardev behind the VM's
// org.qemu.guest_agent.0 port, "" when it has none.
func agentChardevLabel(ctx context.Context, c *qmp.Client) (string, error) {
	probes := 0
	for _, dir := range []string{peripheralPath, peripheralAnonPath} {
		props, err := c.QOMList(ctx, dir)
		if err != nil {
			if qmp.IsClass(err, qmp.ClassGenericError) || qmp.IsClass(err, qmp.ClassDeviceNotFound) {
				continue // no such container: no device of that kind
			}
			return "", err
		}
		for _, p := range props {
			if p.Type != "child<virtserialport>" {
				continue
			}
			if probes++; probes > maxAgentProbes {
				return "", nil
			}
			path := dir + "/" + p.Name
			name, err := c.QOMGetString(ctx, path, "name")
			if err != nil {
				return "", err
			}
			if name != AgentPortName {
				continue
			}
			return c.QOMGetString(ctx, path, "chardev")
		}
	}
	return "", nil
}

// unixServerPath is the socket path of a chardev's query-chardev filename
// when QEMU serves it as a unix socket server. A relative path is QEMU's
// working directory's, not ours (and an abstract socket prints as one):
// dialled from here it could reach another VM's agent, so it is not used.
func unixServerPath(filename string) (string, bool) {
	f := strings.TrimPrefix(filename, "disconnected:")
	f, ok := strings.CutPrefix(f, "unix:")
	if !ok {
		return "", false
	}
	path, opts, _ := strings.Cut(f, ",")
	if !filepath.IsAbs(path) || !strings.Contains(","+opts+",", ",server=on,") {
		return "", false
	}
	if strings.Contains(","+opts+",", ",abstract=on,") {
		return "", false
	}
	return path, true
}
