package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

const statusUsage = `Usage: qmpdash status [flags] [TARGET...]

Connects to each QMP monitor (concurrently), prints one snapshot per VM and
exits: 0 when every target answered, 1 when any failed, 2 for bad usage.
A TARGET is a socket path, unix:PATH, tcp:HOST:PORT, a directory (every
socket in it) or a glob; with none, the config file's targets or else the
usual places are used. --timeout bounds each target.

A VM whose guest agent is known (NAME.qga beside its socket, [agents] in
the config file, or the unix socket QEMU serves for its virtserialport
org.qemu.guest_agent.0) also shows what the agent says: hostname and first
address in the table, a "guest" object with --json ({"error": ...} when
the agent does not answer). A silent agent never changes the exit status.

Examples:
  qmpdash status /run/qemu/web.qmp
  qmpdash status --json unix:/tmp/vm1.qmp tcp:127.0.0.1:4444
  qmpdash status /run/qemu/ '/var/run/qemu-server/*.qmp'

Flags:
`

// statusRecord is one target's line of 'qmpdash status --json'.
type statusRecord struct {
	Target  string       `json:"target"`
	Name    string       `json:"name,omitempty"`
	Kind    string       `json:"kind,omitempty"` // "vm" or "storage-daemon"
	Status  string       `json:"status,omitempty"`
	Running bool         `json:"running"`
	PID     int          `json:"pid,omitempty"`
	QEMU    string       `json:"qemu,omitempty"`
	Error   *statusError `json:"error,omitempty"`
	// Guest is what the VM's guest agent says (status_guest.go), when an
	// agent channel is known.
	Guest any `json:"guest,omitempty"`

	guest model.Guest // for the table
}

type statusError struct {
	Kind    string `json:"kind"`
	Class   string `json:"class,omitempty"`
	Message string `json:"message"`
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return jsonCommand("status", statusUsage, "print a JSON array, one object per target", args, stdout, stderr,
		func(st commandStart, asJSON bool) error { return status(ctx, st, asJSON, stdout) })
}

// status connects to every target at once and prints one snapshot each.
func status(ctx context.Context, st commandStart, asJSON bool, stdout io.Writer) error {
	given := st.set.Targets.Value
	addrs, err := expandAll(ctx, st)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		if len(given) == 0 {
			return fmt.Errorf("status: no QMP sockets found in %s; name a TARGET", strings.Join(model.DiscoveryPaths(), ", "))
		}
		return fmt.Errorf("status: no QMP sockets found in %s", safe(strings.Join(given, ", ")))
	}
	targets := make([]string, len(addrs))
	for i, a := range addrs {
		targets[i] = displayTarget(a, given)
	}
	agents, err := model.AgentSocketsByID(st.set.Agents.Value)
	if err != nil {
		return err
	}

	records := make([]statusRecord, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			records[i] = queryStatus(ctx, st.pool, t, addrs[i], agents[addrs[i].String()], st.set.Timeout.Value, st.logger)
		}()
	}
	wg.Wait()

	if asJSON {
		b, err := json.MarshalIndent(records, "", "  ")
		if err != nil {
			return err
		}
		if _, err := stdout.Write(append(safeJSON(b), '\n')); err != nil {
			return err
		}
	} else {
		printStatusTable(stdout, records)
	}
	for _, r := range records {
		if r.Error != nil {
			return failedError{}
		}
	}
	return nil
}

// queryStatus takes one snapshot of one target within timeout: the
// monitor's facts, then (a VM's) what its guest agent says, at agent
// (from the config) or wherever model.AskGuest finds it. The agent's
// questions are bounded too, so a silent agent costs at most the rest of
// the timeout, and never fails the record.
func queryStatus(ctx context.Context, pool *remote.Pool, target string, addr qmp.Address, agent string, timeout time.Duration, logger *slog.Logger) statusRecord {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rec := statusRecord{Target: target}
	c, err := model.DialMonitor(ctx, pool, target, qmp.WithGreetingTimeout(timeout), qmp.WithLogger(logger))
	if err != nil {
		rec.Error = toStatusError(err)
		return rec
	}
	defer c.Close()
	rec.PID = c.PID()
	rec.QEMU = c.Version().String()
	// What the server is, by what it offers: a storage daemon has no
	// run state (no query-status) and no name; it serves while it answers.
	cmds, err := c.QueryCommands(ctx)
	if err != nil {
		rec.Error = toStatusError(err)
		return rec
	}
	if model.KindFromCommands(cmds) == model.ServerStorageDaemon {
		rec.Kind, rec.Status, rec.Running = string(model.ServerStorageDaemon), model.StorageDaemonState, true
		rec.Name = socketBaseName(target)
		return rec
	}
	rec.Kind = string(model.ServerVM)
	st, err := c.QueryStatus(ctx)
	if err != nil {
		rec.Error = toStatusError(err)
		return rec
	}
	rec.Status, rec.Running = st.Status, st.Running
	name, err := c.QueryName(ctx)
	if err != nil {
		rec.Error = toStatusError(err)
		return rec
	}
	if name == "" {
		name = socketBaseName(target)
	}
	rec.Name = name
	rec.guest = model.AskGuest(ctx, c, addr, agent, timeout)
	rec.Guest = guestRecord(rec.guest)
	return rec
}

func toStatusError(err error) *statusError {
	kind, class, ok := qmp.Classify(err)
	if !ok {
		kind = "other"
	}
	return &statusError{Kind: string(kind), Class: class, Message: err.Error()}
}

// displayTarget shows a monitor the way the user named it when they named
// it outright, and by its path when a directory or glob found it.
func displayTarget(a qmp.Address, given []string) string {
	for _, g := range given {
		if p, err := qmp.ParseAddress(g); err == nil && model.SameMonitor(p, a) {
			return g
		}
	}
	if a.Network == "unix" {
		return a.Addr
	}
	return a.String()
}

// socketBaseName names a VM started without -name after its socket file.
func socketBaseName(target string) string {
	if t, err := remote.ParseTarget(target); err == nil {
		return strings.TrimSuffix(path.Base(t.Path), path.Ext(t.Path))
	}
	a, err := qmp.ParseAddress(target)
	if err != nil || a.Network != "unix" {
		return ""
	}
	return strings.TrimSuffix(filepath.Base(a.Addr), filepath.Ext(a.Addr))
}

func printStatusTable(w io.Writer, records []statusRecord) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tNAME\tSTATUS\tPID\tQEMU\tGUEST\tERROR")
	for _, r := range records {
		pid := "-"
		if r.PID > 0 {
			pid = strconv.Itoa(r.PID)
		}
		errText := ""
		if r.Error != nil {
			errText = "[" + r.Error.Kind
			if r.Error.Class != "" {
				errText += " " + r.Error.Class
			}
			errText += "] " + r.Error.Message
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			safe(r.Target), dash(safe(r.Name)), dash(safe(r.Status)), pid, dash(safe(r.QEMU)), safe(guestColumn(r.guest)), safe(errText))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// expandAll lists every monitor the specs stand for now, in order: local
// ones as discovery judges them, ssh:// directories and globs listed on
// their hosts (a host that cannot be reached is an error naming it).
func expandAll(ctx context.Context, st commandStart) ([]qmp.Address, error) {
	judge := model.NewSocketJudge("", st.logger)
	var out []qmp.Address
	seen := map[string]bool{}
	for _, s := range st.specs {
		var as []qmp.Address
		var err error
		if s.IsRemote() {
			lctx, cancel := context.WithTimeout(ctx, st.set.Timeout.Value)
			as, err = model.ExpandRemote(lctx, st.pool, s)
			cancel()
		} else {
			as, err = s.Expand(judge)
		}
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if !seen[a.String()] {
				seen[a.String()] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}
