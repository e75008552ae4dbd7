package panes

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// overviewKW is the width of Overview's keys.
const overviewKW = 8

// overviewField is one key and value of Overview. Long values (version,
// UUID, target) wrap under the value column rather than being cut.
type overviewField struct {
	k, v string
	wrap bool
	// aside: a note that wraps at any width and does not widen the
	// column (it comes and goes; the layout should not jump with it).
	aside bool
}

// Overview: identity, run state and since when, QEMU version, KVM,
// pid, UUID (neither KVM nor UUID for a storage daemon, which has none),
// connection, host figures, device removals asked through the fleet, and
// the last error.
func Overview(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	const kw = overviewKW
	var lines []string
	for _, f := range overviewFields(c, v) {
		if !f.wrap {
			lines = append(lines, render.KV(st, f.k, kw, f.v))
			continue
		}
		for i, l := range render.WrapLines(f.v, w-kw-1, 3) {
			k := ""
			if i == 0 {
				k = f.k
			}
			lines = append(lines, render.KV(st, k, kw, l))
		}
	}
	if !v.LastError.IsZero() {
		e := v.LastError
		text := render.ErrorTag(st, e) + " " + overviewVal(e.Message)
		if !e.Time.IsZero() {
			text += st.Muted.Render("  at " + render.Clock(e.Time, c.Loc))
		}
		// Errors are what one reads most closely: wrap rather than cut.
		for i, l := range render.WrapLines(text, w-kw-1, 4) {
			k := ""
			if i == 0 {
				k = "Error"
			}
			lines = append(lines, render.KV(st, k, kw, l))
		}
	}
	return lines
}

// OverviewWidth is the width Overview needs to show every line uncut (the
// error aside, which wraps at any width): the wide layout widens its left
// column to it when there is room.
func OverviewWidth(c *render.Context, v *model.VMSnapshot) int {
	w := 0
	for _, f := range overviewFields(c, v) {
		if !f.aside {
			w = max(w, overviewKW+1+render.Width(f.v))
		}
	}
	return w
}

func overviewVal(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }

// overviewFields are Overview's lines but the error, in order.
func overviewFields(c *render.Context, v *model.VMSnapshot) []overviewField {
	st := c.Styles
	fields := []overviewField{
		{k: "Name", v: st.Bold.Render(render.DisplayName(v))},
		{k: "State", v: overviewState(c, v)},
	}
	if up := overviewUp(c, v); up != "" {
		fields = append(fields, overviewField{k: "Up", v: up})
	}
	ver := "—"
	if v.Version != "" {
		ver = overviewVal(v.Version)
		if v.VersionPackage != "" {
			ver += st.Muted.Render("  " + overviewVal(v.VersionPackage))
		}
	}
	kvm := "—"
	if v.Conn == model.ConnConnected || v.Version != "" {
		kvm = render.YesNo(v.KVM)
	}
	pid := "—"
	if v.PID > 0 {
		pid = strconv.Itoa(v.PID)
	}
	uuid := "—"
	if v.UUID != "" {
		uuid = overviewVal(v.UUID)
	}
	conn := render.ConnStyle(st, v).Render(render.ConnText(v, false))
	if v.Conn == model.ConnRetrying && !v.RetryAt.IsZero() {
		conn += st.Muted.Render("  next try " + render.Clock(v.RetryAt, c.Loc))
	}
	fields = append(fields, overviewField{k: "QEMU", v: ver, wrap: true})
	daemon := v.Kind == model.ServerStorageDaemon // no KVM, no UUID
	if !daemon {
		fields = append(fields, overviewField{k: "KVM", v: kvm})
	}
	fields = append(fields, overviewField{k: "PID", v: pid})
	if !daemon {
		fields = append(fields, overviewField{k: "UUID", v: uuid, wrap: true})
	}
	fields = append(fields,
		overviewField{k: "Target", v: overviewVal(v.Target), wrap: true},
		overviewField{k: "Conn", v: conn},
	)
	if v.RemoteHost != "" {
		fields = append(fields, overviewField{k: "SSH", v: sshHostText(c, v), wrap: true})
	}
	if v.Host.Valid {
		host := fmt.Sprintf("CPU %s  RSS %s  threads %d", render.Pct(v.Host.CPUPercent), render.Bytes(v.Host.RSSBytes), v.Host.Threads)
		note := HostNote(c, v)
		if note != "" {
			host = st.Muted.Render("? " + host) // last known: the note says as of when
		}
		fields = append(fields, overviewField{k: "Host", v: host})
		if note != "" {
			fields = append(fields, overviewField{v: note, wrap: true, aside: true})
		}
	}
	for _, u := range v.Unplugs {
		fields = append(fields, overviewField{k: "Unplug", v: unplugText(c, u)})
	}
	return fields
}

// overviewState is the run state and since when: QEMU's own while
// connected (with the time it was seen to change), how QEMU ended, or the
// last known state with when it was last confirmed.
func overviewState(c *render.Context, v *model.VMSnapshot) string {
	st := c.Styles
	now := c.Now()
	ago := func(t time.Time) string {
		return render.Clock(t, c.Loc) + " (" + render.Dur(now.Sub(t)) + " ago)"
	}
	switch {
	case v.Conn == model.ConnConnected:
		state := render.StateStyle(st, v.RunState).Render(render.StateText(v.RunState))
		if !v.RunningSince.IsZero() {
			state += st.Muted.Render("  since " + render.Clock(v.RunningSince, c.Loc) + " (" + render.Dur(now.Sub(v.RunningSince)) + ")")
		}
		return state
	case v.Exit != "":
		// Short enough for the narrow Overview box; the word says why.
		note := ""
		if !v.StateAt.IsZero() {
			note = "  at " + ago(v.StateAt)
		}
		return render.VMStateStyle(st, v).Render(render.VMStateText(v, now)) + st.Muted.Render(note)
	case v.RunState == "":
		return st.Muted.Render("? unknown  not connected")
	}
	state := render.VMStateStyle(st, v).Render("? " + overviewVal(v.RunState))
	note := "  last known"
	if !v.StateAt.IsZero() {
		note = "  as of " + ago(v.StateAt)
	}
	return state + st.Muted.Render(note)
}

// overviewUp is since when the VM's QEMU runs: the process's start when
// /proc knows it, else since when qmpdash has seen it ("seen since"). A
// VM without a connection shows none: its process may be gone.
func overviewUp(c *render.Context, v *model.VMSnapshot) string {
	if v.Conn != model.ConnConnected {
		return ""
	}
	now := c.Now()
	switch {
	case !v.StartTime.IsZero():
		return "since " + render.Clock(v.StartTime, c.Loc) + " (" + render.Dur(now.Sub(v.StartTime)) + ")"
	case !v.SeenSince.IsZero():
		return "seen since " + render.Clock(v.SeenSince, c.Loc) + " (" + render.Dur(now.Sub(v.SeenSince)) +
			")" + c.Styles.Muted.Render("  start unknown")
	}
	return ""
}

// unplugText says where a device_del stands: requested (with its age)
// until QEMU's DEVICE_DELETED for the device arrives, then deleted.
func unplugText(c *render.Context, u model.Unplug) string {
	st := c.Styles
	id := termsafe.Line(termsafe.Clip(u.ID, 128))
	if !u.Pending() {
		return id + " deleted" + st.Muted.Render("  (DEVICE_DELETED at "+render.Clock(u.DeletedAt, c.Loc)+")")
	}
	return id + " " + st.Paused.Render("requested") + st.Muted.Render(" "+render.Dur(c.Now().Sub(u.RequestedAt))+
		" ago; still present until the guest releases it (no DEVICE_DELETED yet)")
}

// sshHostText is an ssh:// VM's host and the state of its one SSH
// connection (shared by every VM on that host).
func sshHostText(c *render.Context, v *model.VMSnapshot) string {
	st := c.Styles
	h := v.RemoteHostConn
	t := overviewVal(v.RemoteHost)
	hostPart := v.RemoteHost
	if i := strings.LastIndexByte(hostPart, '@'); i >= 0 {
		hostPart = hostPart[i+1:]
	}
	if h.Addr != "" && h.Addr != hostPart && h.Addr != hostPart+":22" {
		t += st.Muted.Render(" (" + overviewVal(h.Addr) + ")")
	}
	switch h.State {
	case "up":
		return t + "  " + st.OK.Render("up")
	case "down":
		s := t + "  " + st.ConnDown.Render("down")
		if h.Error.Message != "" {
			s += st.Muted.Render(": " + overviewVal(h.Error.Message))
		}
		return s
	case "":
		return t
	}
	return t + "  " + st.Muted.Render(overviewVal(h.State))
}
