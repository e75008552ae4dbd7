package model

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
)

// Discovery must never harm what it finds. A socket found by a directory
// or glob is dialled only when it is plausibly a QMP monitor: the process
// listening on it is found from /proc, and its command line says what
// the socket is (sockrole.go). A monitor (-qmp, -qmp-pretty, a -chardev
// used by -mon mode=control, qemu-storage-daemon's --monitor) is dialled;
// anything else QEMU listens on (-incoming, -vnc, -serial, a guest agent's
// or any other chardev, --nbd-server, --export, a socket made at run time)
// is not. When the owner cannot be told (nothing listens, another user's
// process, no /proc, a process that is not QEMU, a -readconfig file) the
// name decides: *.qmp and *.sock are dialled, as before, others are not.
// Sockets the user names outright never come here: they are always
// dialled.

// SocketVerdict is the discovery's answer for one socket.
type SocketVerdict struct {
	Dial   bool
	Owner  int    // pid of the listening process; 0 when not known
	Reason string // what the socket was taken for, and why
}

// SocketJudge decides which discovered sockets are dialled, and remembers
// each verdict for as long as the socket file stays the same (so /proc is
// walked once per new socket, not once per scan). Safe for concurrent use.
type SocketJudge struct {
	procRoot string
	logger   *slog.Logger

	mu    sync.Mutex
	known map[string]judged // by path
}

// judged is a remembered verdict. A final one (the owner was found, or
// could not be read) holds while the file is the same; the others (nothing
// listened on it yet, /proc unreadable) are asked again at the next scan.
type judged struct {
	sock  socketID
	v     SocketVerdict
	final bool
}

// judgeCacheMax bounds the remembered verdicts before vanished sockets are
// forgotten.
const judgeCacheMax = 4096

// NewSocketJudge returns a judge reading procRoot ("" means /proc) and
// logging its verdicts at debug level (nil logs nothing).
func NewSocketJudge(procRoot string, logger *slog.Logger) *SocketJudge {
	if procRoot == "" {
		procRoot = "/proc"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &SocketJudge{procRoot: procRoot, logger: logger, known: make(map[string]judged)}
}

// Filter keeps, in order, the absolute socket paths that may be dialled.
func (j *SocketJudge) Filter(paths []string) []string {
	verdicts := j.Judge(paths)
	var out []string
	for _, p := range paths {
		if verdicts[p].Dial {
			out = append(out, p)
		}
	}
	return out
}

// Judge gives the verdict on each absolute socket path.
func (j *SocketJudge) Judge(paths []string) map[string]SocketVerdict {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make(map[string]SocketVerdict, len(paths))
	socks := make(map[string]socketID, len(paths))
	var ask []string
	for _, p := range paths {
		sock := statSocket(p)
		socks[p] = sock
		if k, ok := j.known[p]; ok && k.final && k.sock == sock {
			out[p] = k.v
			continue
		}
		ask = append(ask, p)
	}
	if len(ask) == 0 {
		return out
	}
	fresh, final := judgeSockets(j.procRoot, ask)
	for _, p := range ask {
		v := fresh[p]
		out[p] = v
		if k, ok := j.known[p]; !ok || k.v != v {
			j.log(p, v)
		}
		j.known[p] = judged{sock: socks[p], v: v, final: final[p]}
	}
	if len(j.known) > judgeCacheMax {
		for p := range j.known {
			if !statSocket(p).ok {
				delete(j.known, p)
			}
		}
	}
	return out
}

// Final says every path has a verdict that will not change while its
// socket stays the same file (the last Judge of each was final).
func (j *SocketJudge) Final(paths []string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, p := range paths {
		if k, ok := j.known[p]; !ok || !k.final {
			return false
		}
	}
	return true
}

func (j *SocketJudge) log(path string, v SocketVerdict) {
	if v.Dial {
		j.logger.Debug("qmpdash: discovered socket dialled", "path", path, "pid", v.Owner, "as", v.Reason)
		return
	}
	j.logger.Debug("qmpdash: discovered socket not dialled", "path", path, "pid", v.Owner, "why", v.Reason)
}

// judgeSockets reads /proc once for every path: /proc/net/unix, one walk
// of the fd links for all their inodes, the owners' command lines.
func judgeSockets(procRoot string, paths []string) (map[string]SocketVerdict, map[string]bool) {
	out := make(map[string]SocketVerdict, len(paths))
	final := make(map[string]bool, len(paths))
	entries, err := procUnixSockets(procRoot)
	if err != nil {
		for _, p := range paths {
			out[p] = byName(p, 0, fmt.Sprintf("owner unknown (%v)", err))
		}
		return out, final
	}
	bound := make(map[string][]unixEntry, len(paths))
	inodes := map[uint64]bool{}
	for _, p := range paths {
		bound[p] = boundAs(entries, p)
		for _, e := range bound[p] {
			inodes[e.inode] = true
		}
	}
	owners := procSocketOwners(procRoot, inodes)
	for _, p := range paths {
		if len(bound[p]) == 0 {
			out[p] = byName(p, 0, "nothing listens on it")
			continue
		}
		out[p], final[p] = judgeBound(procRoot, p, bound[p], owners), true
	}
	return out, final
}

// judgeBound judges one socket from the processes holding its inodes:
// never dialled if any owner uses it as something else, dialled if one
// has it as a QMP monitor, the name rule otherwise.
func judgeBound(procRoot, path string, entries []unixEntry, owners map[uint64][]int) SocketVerdict {
	var monitor *SocketVerdict
	why, whose := "owner not visible (another user's process?)", 0
	for _, e := range entries {
		for _, pid := range owners[e.inode] {
			argv, exe, err := procCmdline(procRoot, pid)
			if err != nil {
				why, whose = fmt.Sprintf("owner's command line unreadable (%v)", err), pid
				continue
			}
			system, qsd := qemuKind(argv, exe)
			if !system && !qsd {
				why, whose = fmt.Sprintf("owner is not QEMU (%s)", commandName(argv, exe)), pid
				continue
			}
			c := classifyCmdline(argv, e.path, qsd)
			switch c.role {
			case roleOther:
				return SocketVerdict{Owner: pid, Reason: c.why}
			case roleMonitor:
				monitor = &SocketVerdict{Dial: true, Owner: pid, Reason: c.why}
			default:
				why, whose = c.why, pid
			}
		}
	}
	if monitor != nil {
		return *monitor
	}
	return byName(path, whose, why)
}

// byName is the rule for a socket whose owner cannot tell: dialled only
// when named like a monitor.
func byName(path string, pid int, why string) SocketVerdict {
	if MonitorLikeName(path) {
		return SocketVerdict{Dial: true, Owner: pid, Reason: why + "; named *.qmp or *.sock"}
	}
	return SocketVerdict{Owner: pid, Reason: why + "; not named *.qmp or *.sock"}
}

// MonitorLikeName reports whether a socket's name is one a monitor is
// given: NAME.qmp or NAME.sock.
func MonitorLikeName(path string) bool {
	ext := filepath.Ext(path)
	return ext == ".qmp" || ext == ".sock"
}

func commandName(argv []string, exe string) string {
	if exe != "" {
		return exe
	}
	if len(argv) > 0 {
		return strings.TrimSpace(filepath.Base(argv[0]))
	}
	return "?"
}
