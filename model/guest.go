package model

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// What a VM's QEMU Guest Agent says about the guest (guestagent.go asks).
// Strings are the guest's own words, unsanitised: whoever puts them on a
// terminal cleans them there (internal/termsafe).

// GuestState says whether the agent's facts are fresh.
type GuestState int

const (
	GuestNone         GuestState = iota // no agent channel known for this VM
	GuestChecking                       // a channel is known, not answered yet
	GuestNotAnswering                   // no answer since Since (or PortClosed)
	GuestOK                             // answered, at At
)

func (s GuestState) String() string {
	switch s {
	case GuestChecking:
		return "checking"
	case GuestNotAnswering:
		return "not answering"
	case GuestOK:
		return "ok"
	}
	return "none"
}

// Guest is the agent's facts about one VM. A fact the agent lacks (an
// older agent, a disabled command) is left empty, not an error.
type Guest struct {
	State  GuestState
	Socket string // the agent's socket, when known
	// Since is when the state began: not answering (or port closed)
	// since; for GuestOK, since when the facts have been what they are.
	// The poller publishes only changes, so a GuestOK snapshot's facts
	// were confirmed by the latest round (a round that fails or finds
	// something else publishes at once), not merely at Since.
	Since time.Time
	// At is the last good answer before this Guest was published: for
	// GuestNotAnswering, the time the facts shown are as of.
	At    time.Time
	Error ErrorInfo // why it is not answering
	// PortClosed: the VM's monitor says nothing in the guest has the
	// agent's port open (query-chardev frontend-open false), so the agent
	// is not asked at all.
	PortClosed bool

	AgentVersion string
	OSName       string // os-release PRETTY_NAME (or NAME VERSION)
	Kernel       string // kernel release
	HostName     string
	Timezone     string // zone name, else the offset as ±hh:mm
	Interfaces   []GuestInterface
	// IP is Interfaces' FirstIP, worked out once when the facts arrive
	// (guestagent.go), not by every reader: the fleet table shows it in
	// every row of every frame.
	IP          string
	Filesystems []GuestFilesystem
	Users       []GuestUser
	// UsersKnown says the agent answered guest-get-users: an older agent
	// or one that blocks it leaves who is logged in unknown, which is not
	// "nobody".
	UsersKnown bool
}

// GuestInterface is one network interface: name, MAC, addresses with
// their prefix ("10.0.2.15/24").
type GuestInterface struct {
	Name      string
	MAC       string
	Addresses []string
}

// GuestFilesystem is one mounted file system; Used and Total are 0 when
// Sized is false (the agent could not measure it).
type GuestFilesystem struct {
	Mountpoint  string
	Type        string
	Used, Total uint64
	Sized       bool
}

// GuestUser is one logged-in user.
type GuestUser struct {
	Name   string
	Domain string
	Login  time.Time
}

// Bounds on what one VM's agent may put in a snapshot.
const (
	maxGuestInterfaces  = 64
	maxGuestAddresses   = 16
	maxGuestFilesystems = 64
	maxGuestUsers       = 64
)

// FirstIP is the first address that is not loopback nor link-local, with
// IPv4 before IPv6 ("" when none); without its prefix.
func (g Guest) FirstIP() string {
	var v6 string
	for _, i := range g.Interfaces {
		for _, a := range i.Addresses {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				continue
			}
			ad := p.Addr()
			if ad.IsLoopback() || ad.IsLinkLocalUnicast() || ad.IsUnspecified() {
				continue
			}
			if ad.Is4() {
				return ad.String()
			}
			if v6 == "" {
				v6 = ad.String()
			}
		}
	}
	return v6
}

// AgentBeside is the guest agent socket that belongs to a monitor socket
// by name: NAME.qga beside NAME.qmp, NAME.sock or NAME in the same
// directory (Proxmox's /var/run/qemu-server/<vmid>.qmp and .qga). "" when
// there is no such socket.
func AgentBeside(monitor string) string {
	base := monitor
	if ext := filepath.Ext(monitor); ext == ".qmp" || ext == ".sock" {
		base = strings.TrimSuffix(monitor, ext)
	}
	if base == "" || strings.HasSuffix(monitor, ".qga") {
		return ""
	}
	p := base + ".qga"
	if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
		return p
	}
	return ""
}

// agentPortOpen says what the VM's query-chardev says of the chardev
// serving the agent socket path: open, closed, or not known (no such
// unix server chardev, or no chardevs yet).
func agentPortOpen(chardevs []Chardev, path string) (open, known bool) {
	if path == "" {
		return false, false
	}
	for _, c := range chardevs {
		// A unix server chardev's filename is "unix:PATH,server=on".
		// "disconnected:" comes first while no client is connected.
		f := strings.TrimPrefix(c.Filename, "disconnected:")
		f, ok := strings.CutPrefix(f, "unix:")
		if !ok {
			continue
		}
		if i := strings.Index(f, ",server"); i >= 0 {
			f = f[:i]
		}
		if f == path {
			return c.FrontendOpen, true
		}
	}
	return false, false
}
