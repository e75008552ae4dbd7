package qmp

import "context"

// Typed guest agent calls, with the reply shapes of qemu-ga 7.2
// (qga/qapi-schema.json). Older agents lack some commands, and an agent may
// be run with some disabled: both answer CommandNotFound, which
// IsUnsupported tells apart, so a caller can leave that fact unknown.

// IsUnsupported reports whether err says the agent lacks a command or has
// it disabled.
func IsUnsupported(err error) bool { return IsClass(err, ClassCommandNotFound) }

// GuestAgentInfo is guest-info: the agent's version and its commands.
type GuestAgentInfo struct {
	Version           string              `json:"version"`
	SupportedCommands []GuestCommandState `json:"supported_commands"`
}

// GuestCommandState is one command an agent knows.
type GuestCommandState struct {
	Name            string `json:"name"`
	Enabled         bool   `json:"enabled"`
	SuccessResponse bool   `json:"success-response"`
}

// GuestOSInfo is guest-get-osinfo (os-release and uname); any field may
// be empty.
type GuestOSInfo struct {
	KernelRelease string `json:"kernel-release"`
	KernelVersion string `json:"kernel-version"`
	Machine       string `json:"machine"`
	ID            string `json:"id"`
	Name          string `json:"name"`
	PrettyName    string `json:"pretty-name"`
	Version       string `json:"version"`
	VersionID     string `json:"version-id"`
	Variant       string `json:"variant"`
	VariantID     string `json:"variant-id"`
}

// GuestInterface is one network interface of guest-network-get-interfaces.
type GuestInterface struct {
	Name            string           `json:"name"`
	HardwareAddress string           `json:"hardware-address"`
	IPAddresses     []GuestIPAddress `json:"ip-addresses"`
}

// GuestIPAddress is one address of an interface; Type is "ipv4" or "ipv6".
type GuestIPAddress struct {
	Type    string `json:"ip-address-type"`
	Address string `json:"ip-address"`
	Prefix  int    `json:"prefix"`
}

// GuestFilesystem is one mounted file system of guest-get-fsinfo. The
// byte counts are missing for file systems the agent cannot measure.
type GuestFilesystem struct {
	Name       string  `json:"name"`
	Mountpoint string  `json:"mountpoint"`
	Type       string  `json:"type"`
	UsedBytes  *uint64 `json:"used-bytes"`
	TotalBytes *uint64 `json:"total-bytes"`
}

// GuestUser is one logged-in user of guest-get-users; LoginTime is in
// seconds since the epoch.
type GuestUser struct {
	User      string  `json:"user"`
	Domain    string  `json:"domain"`
	LoginTime float64 `json:"login-time"`
}

// GuestTimezone is guest-get-timezone: Offset is seconds east of UTC;
// Zone may be empty.
type GuestTimezone struct {
	Zone   string `json:"zone"`
	Offset int    `json:"offset"`
}

// Ping is guest-ping: the agent is alive and in step.
func (a *Agent) Ping(ctx context.Context) error {
	return a.Execute(ctx, "guest-ping", nil, nil)
}

// Info is guest-info.
func (a *Agent) Info(ctx context.Context) (GuestAgentInfo, error) {
	return agentQuery[GuestAgentInfo](ctx, a, "guest-info")
}

// OSInfo is guest-get-osinfo.
func (a *Agent) OSInfo(ctx context.Context) (GuestOSInfo, error) {
	return agentQuery[GuestOSInfo](ctx, a, "guest-get-osinfo")
}

// HostName is guest-get-host-name.
func (a *Agent) HostName(ctx context.Context) (string, error) {
	var r struct {
		HostName string `json:"host-name"`
	}
	err := a.Execute(ctx, "guest-get-host-name", nil, &r)
	return r.HostName, err
}

// Interfaces is guest-network-get-interfaces.
func (a *Agent) Interfaces(ctx context.Context) ([]GuestInterface, error) {
	return agentQuery[[]GuestInterface](ctx, a, "guest-network-get-interfaces")
}

// Filesystems is guest-get-fsinfo.
func (a *Agent) Filesystems(ctx context.Context) ([]GuestFilesystem, error) {
	return agentQuery[[]GuestFilesystem](ctx, a, "guest-get-fsinfo")
}

// Users is guest-get-users.
func (a *Agent) Users(ctx context.Context) ([]GuestUser, error) {
	return agentQuery[[]GuestUser](ctx, a, "guest-get-users")
}

// Timezone is guest-get-timezone.
func (a *Agent) Timezone(ctx context.Context) (GuestTimezone, error) {
	return agentQuery[GuestTimezone](ctx, a, "guest-get-timezone")
}

// Shutdown modes of guest-shutdown.
const (
	ShutdownPowerdown = "powerdown"
	ShutdownHalt      = "halt"
	ShutdownReboot    = "reboot"
)

// Shutdown is guest-shutdown with mode ("" is the agent's default,
// powerdown). The agent never replies on success, so silence (no reply
// within a couple of seconds, or the connection closing) is success; an
// error reply (the command disabled, say) is returned.
func (a *Agent) Shutdown(ctx context.Context, mode string) error {
	var args any
	if mode != "" {
		args = map[string]string{"mode": mode}
	}
	return a.executeNoReply(ctx, "guest-shutdown", args)
}

// Suspend is guest-suspend-disk, -ram or -hybrid (kind "disk", "ram" or
// "hybrid"); like Shutdown, silence is success.
func (a *Agent) Suspend(ctx context.Context, kind string) error {
	return a.executeNoReply(ctx, "guest-suspend-"+kind, nil)
}

func (a *Agent) executeNoReply(ctx context.Context, command string, args any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.exec(ctx, command, args, true)
	return err
}

// agentQuery runs an agent command without arguments and decodes its
// reply into a T.
func agentQuery[T any](ctx context.Context, a *Agent, command string) (T, error) {
	var r T
	err := a.Execute(ctx, command, nil, &r)
	return r, err
}
