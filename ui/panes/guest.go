package panes

import (
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// gkw is the Guest pane's key column.
const gkw = 9

// g cleans one string from the guest for the terminal.
func g(s string, n int) string { return termsafe.Line(termsafe.Clip(s, n)) }

// Guest: what the VM's guest agent says (OS, hostname, time zone,
// interfaces, file systems with bars, users), or plainly why there is
// nothing: no agent, or not answering since when.
func Guest(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	gs := &v.Guest
	now := c.Now()
	switch gs.State {
	case model.GuestNone:
		return []string{st.Muted.Render("no agent")}
	case model.GuestChecking:
		return []string{st.Muted.Render("asking the agent at " + g(gs.Socket, 256))}
	}
	var lines []string
	if gs.State == model.GuestNotAnswering {
		msg := "agent not answering since " + render.Clock(gs.Since, c.Loc) + " (" + render.Age(now.Sub(gs.Since)) + ")"
		lines = append(lines, st.Transitional.Render(msg))
		if gs.PortClosed {
			lines = append(lines, st.Muted.Render("the guest has not opened the agent's port"))
		} else if gs.Error.Message != "" {
			lines = append(lines, st.Muted.Render(render.Trunc(g(gs.Error.Message, 512), w)))
		}
		if gs.At.IsZero() {
			return lines
		}
		lines = append(lines, st.Muted.Render("last answer at "+render.Moment(gs.At, now, c.Loc)+":"))
	} else if v.Conn != model.ConnConnected || v.Stale {
		// The monitor is silent: the agent's facts are as of its last
		// answer, not confirmed each round (the pane's stale note says why).
		lines = append(lines, render.KV(st, "agent", gkw, g(gs.AgentVersion, 64)+st.Muted.Render(" · last answer at "+render.Moment(gs.At, now, c.Loc))))
	} else {
		// Published only on change: the facts are as of the latest
		// round, and have been so since Since.
		lines = append(lines, render.KV(st, "agent", gkw, g(gs.AgentVersion, 64)+st.Muted.Render(" · unchanged since "+render.Moment(gs.Since, now, c.Loc))))
	}
	lines = append(lines,
		render.KV(st, "os", gkw, orDash(g(gs.OSName, 128))),
		render.KV(st, "kernel", gkw, orDash(g(gs.Kernel, 128))),
		render.KV(st, "hostname", gkw, orDash(g(gs.HostName, 128))),
		render.KV(st, "timezone", gkw, orDash(g(gs.Timezone, 64))),
	)
	if len(gs.Interfaces) > 0 {
		lines = append(lines, st.Header.Render(render.Fit("IFACE", 12)+render.Fit("MAC", 19)+"ADDRESSES"))
		for _, i := range gs.Interfaces {
			addrs := make([]string, len(i.Addresses))
			for k, a := range i.Addresses {
				addrs[k] = g(a, 64)
			}
			lines = append(lines, render.Fit(g(i.Name, 64), 12)+render.Fit(orDash(g(i.MAC, 32)), 19)+strings.Join(addrs, " "))
		}
	}
	if len(gs.Filesystems) > 0 {
		mw := 14
		lines = append(lines, st.Header.Render(render.Fit("MOUNT", mw)+render.Fit("TYPE", 8)+render.Fit("USED/TOTAL", 20)))
		for _, f := range gs.Filesystems {
			line := render.Fit(g(f.Mountpoint, 256), mw) + render.Fit(g(f.Type, 32), 8)
			if f.Sized && f.Total > 0 {
				line += render.Fit(render.Bytes(f.Used)+"/"+render.Bytes(f.Total), 20)
				bw := render.BarWidth(w, render.Width(line), 0, 20)
				if bw >= 4 {
					line += render.Bar(st, float64(f.Used)/float64(f.Total), bw)
				}
			} else {
				line += "—"
			}
			lines = append(lines, line)
		}
	}
	if !gs.UsersKnown {
		lines = append(lines, render.KV(st, "users", gkw, st.Muted.Render("unknown (the agent did not say)")))
	} else if len(gs.Users) == 0 {
		lines = append(lines, render.KV(st, "users", gkw, st.Muted.Render("none logged in")))
	}
	for _, u := range gs.Users {
		name := g(u.Name, 64)
		if u.Domain != "" {
			name = g(u.Domain, 64) + `\` + name
		}
		lines = append(lines, render.KV(st, "user", gkw, name+st.Muted.Render(" since "+render.Moment(u.Login, now, c.Loc))))
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
