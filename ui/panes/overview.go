package panes

import (
	"fmt"
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Overview: identity, run state and since when, QEMU version, KVM,
// pid, UUID, connection, host figures, device removals asked through the
// fleet, and the last error.
func Overview(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	const kw = 8
	val := func(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }
	lines := []string{render.KV(st, "Name", kw, st.Bold.Render(render.DisplayName(v)))}

	state := render.StateStyle(st, v.RunState).Render(render.StateText(v.RunState))
	if !v.RunningSince.IsZero() {
		state += st.Muted.Render("  since " + render.Clock(v.RunningSince, c.Loc) + " (" + render.Dur(c.Now().Sub(v.RunningSince)) + ")")
	}
	lines = append(lines, render.KV(st, "State", kw, state))

	ver := "—"
	if v.Version != "" {
		ver = val(v.Version)
		if v.VersionPackage != "" {
			ver += st.Muted.Render("  " + val(v.VersionPackage))
		}
	}
	lines = append(lines, render.KV(st, "QEMU", kw, ver))
	kvm := "—"
	if v.Conn == model.ConnConnected || v.Version != "" {
		kvm = render.YesNo(v.KVM)
	}
	lines = append(lines, render.KV(st, "KVM", kw, kvm))
	pid := "—"
	if v.PID > 0 {
		pid = strconv.Itoa(v.PID)
	}
	lines = append(lines, render.KV(st, "PID", kw, pid))
	uuid := "—"
	if v.UUID != "" {
		uuid = val(v.UUID)
	}
	lines = append(lines, render.KV(st, "UUID", kw, uuid))
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
