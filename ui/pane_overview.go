package ui

import (
	"fmt"
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// paneOverview: identity, run state and since when, QEMU version, KVM,
// pid, UUID, connection, host figures and the last error.
func (a *app) paneOverview(v *model.VMSnapshot, w int) []string {
	st := &a.st
	const kw = 8
	val := func(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }
	lines := []string{kv(st, "Name", kw, st.Bold.Render(displayName(v)))}

	state := stateStyle(st, v.RunState).Render(stateText(v.RunState))
	if !v.RunningSince.IsZero() {
		state += st.Muted.Render("  since " + fmtClock(v.RunningSince, a.loc) + " (" + fmtDur(a.now().Sub(v.RunningSince)) + ")")
	}
	lines = append(lines, kv(st, "State", kw, state))

	ver := "—"
	if v.Version != "" {
		ver = val(v.Version)
		if v.VersionPackage != "" {
			ver += st.Muted.Render("  " + val(v.VersionPackage))
		}
	}
	lines = append(lines, kv(st, "QEMU", kw, ver))
	kvm := "—"
	if v.Conn == model.ConnConnected || v.Version != "" {
		kvm = yesNo(v.KVM)
	}
	lines = append(lines, kv(st, "KVM", kw, kvm))
	pid := "—"
	if v.PID > 0 {
		pid = strconv.Itoa(v.PID)
	}
	lines = append(lines, kv(st, "PID", kw, pid))
	uuid := "—"
	if v.UUID != "" {
		uuid = val(v.UUID)
	}
	lines = append(lines, kv(st, "UUID", kw, uuid))
	lines = append(lines, kv(st, "Target", kw, val(v.Target)))

	conn := connStyle(st, v).Render(connText(v, false))
	if v.Conn == model.ConnRetrying && !v.RetryAt.IsZero() {
		conn += st.Muted.Render("  next try " + fmtClock(v.RetryAt, a.loc))
	}
	lines = append(lines, kv(st, "Conn", kw, conn))
	if v.Host.Valid {
		lines = append(lines, kv(st, "Host", kw, fmt.Sprintf("CPU %s  RSS %s  threads %d",
			fmtPct(v.Host.CPUPercent), fmtBytes(v.Host.RSSBytes), v.Host.Threads)))
	}
	if !v.LastError.IsZero() {
		e := v.LastError
		text := renderErrorTag(st, e) + " " + val(e.Message)
		if !e.Time.IsZero() {
			text += st.Muted.Render("  at " + fmtClock(e.Time, a.loc))
		}
		// Errors are what one reads most closely: wrap rather than cut.
		for i, l := range wrapLines(text, w-kw-1, 4) {
			k := ""
			if i == 0 {
				k = "Error"
			}
			lines = append(lines, kv(st, k, kw, l))
		}
	}
	return lines
}
