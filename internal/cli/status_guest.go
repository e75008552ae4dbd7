package cli

import (
	"github.com/qmpdash/qmpdash/model"
)

// The guest part of 'qmpdash status --json': what the VM's guest agent
// says, or why it says nothing. Present only when an agent channel is
// known. A silent agent is not a failed VM: it never sets the record's
// error, so the exit code depends on the monitors alone.

// statusGuest is the "guest" object: the facts, or only "error".
type statusGuest struct {
	Agent       string        `json:"agent"`
	Hostname    string        `json:"hostname"`
	OS          string        `json:"os"`
	Kernel      string        `json:"kernel"`
	Interfaces  []statusIface `json:"interfaces"`
	Filesystems []statusFS    `json:"filesystems"`
}

type statusIface struct {
	Name      string   `json:"name"`
	MAC       string   `json:"mac"`
	Addresses []string `json:"addresses"`
}

// statusFS is one file system; used and total are null when the agent
// could not measure it.
type statusFS struct {
	Mountpoint string  `json:"mountpoint"`
	Type       string  `json:"type"`
	Used       *uint64 `json:"used"`
	Total      *uint64 `json:"total"`
}

// statusGuestError is the "guest" object of an agent that did not answer.
type statusGuestError struct {
	Error statusError `json:"error"`
}

// guestKindPortClosed is the error kind of an agent that was not asked:
// the VM's monitor says the guest has not opened the agent's port.
const guestKindPortClosed = "port-closed"

// guestRecord turns one round's Guest into the "guest" value, nil when
// no channel is known.
func guestRecord(g model.Guest) any {
	switch g.State {
	case model.GuestNone:
		return nil
	case model.GuestOK:
	default:
		if g.PortClosed {
			return statusGuestError{statusError{Kind: guestKindPortClosed,
				Message: "no agent: the guest has not opened the agent's port " + g.Socket}}
		}
		kind := string(g.Error.Kind)
		if kind == "" {
			kind = "other"
		}
		return statusGuestError{statusError{Kind: kind, Class: g.Error.Class, Message: "agent not answering: " + g.Error.Detail}}
	}
	out := statusGuest{Agent: g.AgentVersion, Hostname: g.HostName, OS: g.OSName, Kernel: g.Kernel,
		Interfaces: []statusIface{}, Filesystems: []statusFS{}}
	for _, i := range g.Interfaces {
		addrs := i.Addresses
		if addrs == nil {
			addrs = []string{}
		}
		out.Interfaces = append(out.Interfaces, statusIface{Name: i.Name, MAC: i.MAC, Addresses: addrs})
	}
	for _, f := range g.Filesystems {
		fs := statusFS{Mountpoint: f.Mountpoint, Type: f.Type}
		if f.Sized {
			fs.Used, fs.Total = &f.Used, &f.Total
		}
		out.Filesystems = append(out.Filesystems, fs)
	}
	return out
}

// guestColumn is the table's GUEST cell: hostname and first address, or
// why there is none ("-" when no agent channel is known).
func guestColumn(g model.Guest) string {
	switch {
	case g.State == model.GuestNone:
		return "-"
	case g.State == model.GuestOK:
		s := dash(g.HostName)
		if ip := g.FirstIP(); ip != "" {
			s += " " + ip
		}
		return s
	case g.PortClosed:
		return "(no agent)"
	}
	return "(agent not answering)"
}
