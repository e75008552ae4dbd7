package panes

import (
	"fmt"
	"strconv"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Overview: identity, run state and since when, QEMU version, KVM,
// pid, UUID (neither for a storage daemon, which has none), connection, host figures, device removals asked through the
// fleet, and the last error.
func Overview(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	const kw = 8
	val := func(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }
	lines := []string{render.KV(st, "Name", kw, st.Bold.Render(render.DisplayName(v)))}

	lines = append(lines, render.KV(st, "State", kw, overviewState(c, v)))
	if up := overviewUp(c, v); up != "" {
		lines = append(lines, render.KV(st, "Up", kw, up))
	}

	ver := "—"
	if v.Version != "" {
		ver = val(v.Version)
		if v.VersionPackage != "" {
			ver += st.Muted.Render("  " + val(v.VersionPackage))
		}
	}
	lines = append(lines, render.KV(st, "QEMU", kw, ver))
	daemon := v.Kind == model.ServerStorageDaemon // no KVM, no UUID
	if !daemon {
		kvm := "—"
		if v.Conn == model.ConnConnected || v.Version != "" {
			kvm = render.YesNo(v.KVM)
		}
		lines = append(lines, render.KV(st, "KVM", kw, kvm))
	}
	pid := "—"
	if v.PID > 0 {
		pid = strconv.Itoa(v.PID)
	}
	lines = append(lines, render.KV(st, "PID", kw, pid))
	if !daemon {
		uuid := "—"
		if v.UUID != "" {
			uuid = val(v.UUID)
		}
		lines = append(lines, render.KV(st, "UUID", kw, uuid))
	}
	lines = append(lines, render.KV(st, "Target", kw, val(v.Target)))

	conn := render.ConnStyle(st, v).Render(render.ConnText(v, false))
	if v.Conn == model.ConnRetrying && !v.RetryAt.IsZero() {
		conn += st.Muted.Render("  next try " + render.Clock(v.RetryAt, c.Loc))
	}
	lines = append(lines, render.KV(st, "Conn", kw, conn))
	if v.Host.Valid {
		lines = append(lines, render.KV(st, "Host", kw, fmt.Sprintf("CPU %s  RSS %s  threads %d",
			render.Pct(v.Host.CPUPercent), render.Bytes(v.Host.RSSBytes), v.Host.Threads)))
	}
	for _, u := range v.Unplugs {
		lines = append(lines, render.KV(st, "Unplug", kw, unplugText(c, u)))
	}
	if !v.LastError.IsZero() {
		e := v.LastError
		text := render.ErrorTag(st, e) + " " + val(e.Message)
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
	state := render.VMStateStyle(st, v).Render("? " + termsafe.Line(v.RunState))
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
