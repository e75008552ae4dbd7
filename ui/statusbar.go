package ui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// The status bar's message line and the error history behind it. A new
// message arms one tagged tick; when it fires and the message is still the
// one it was armed for, the message fades. Nothing ticks while no message is
// shown. Errors also go to a bounded history, one key away.

type statusKind int

const (
	statusNone statusKind = iota
	statusInfo
	statusOK
	statusError
)

const (
	errorFade  = 10 * time.Second
	infoFade   = 4 * time.Second
	maxErrHist = 200
)

type statusLine struct {
	kind statusKind
	text string // sanitised
	err  model.ErrorInfo
	vm   string // display name, for errors
	tag  int
}

type errEntry struct {
	at    time.Time
	vm    string // display name
	err   model.ErrorInfo
	count int // repeats of the same error folded into this entry
}

type errHistory struct {
	entries []errEntry // oldest first
}

func (h *errHistory) add(e errEntry) {
	if n := len(h.entries); n > 0 {
		last := &h.entries[n-1]
		if last.vm == e.vm && last.err.Kind == e.err.Kind && last.err.Class == e.err.Class && last.err.Message == e.err.Message {
			last.count++
			last.at = e.at
			return
		}
	}
	e.count = 1
	h.entries = append(h.entries, e)
	if over := len(h.entries) - maxErrHist; over > 0 {
		h.entries = append(h.entries[:0:0], h.entries[over:]...)
	}
}

// setStatus shows a message and returns the tick that will fade it.
func (a *app) setStatus(kind statusKind, text string) tea.Cmd {
	a.statusTag++
	a.status = statusLine{kind: kind, text: termsafe.Line(termsafe.Clip(text, 1024)), tag: a.statusTag}
	d := infoFade
	if kind == statusError {
		d = errorFade
	}
	tag := a.statusTag
	return a.tick(d, func(time.Time) tea.Msg { return fadeMsg{tag: tag} })
}

// showError puts an error in the status bar and the history.
func (a *app) showError(vmName string, e model.ErrorInfo) tea.Cmd {
	e.Message = termsafe.Line(termsafe.Clip(e.Message, 1024))
	e.Detail = termsafe.Line(termsafe.Clip(e.Detail, 2048))
	e.Class = termsafe.Line(termsafe.Clip(e.Class, 64))
	at := e.Time
	if at.IsZero() {
		at = a.now()
	}
	a.errs.add(errEntry{at: at, vm: vmName, err: e})
	cmd := a.setStatus(statusError, e.Message)
	a.status.err = e
	a.status.vm = vmName
	return cmd
}

// inputError reports a mistake caught before anything was sent.
func (a *app) inputError(text string) tea.Cmd {
	return a.showError("", model.ErrorInfo{Kind: render.KindInput, Message: text, Time: a.now()})
}

// renderStatus draws the status bar: badges and the message on the left,
// fleet counts, poll interval and commands in flight on the right.
func (a *app) renderStatus(w int) string {
	st := &a.st
	var left []string
	if a.opts.ReadOnly {
		left = append(left, st.Badge.Render(" READ-ONLY "))
	}
	if a.snap.Insecure {
		// --insecure-ignore-host-key: said for as long as it holds.
		left = append(left, st.Badge.Render(" SSH HOST KEYS UNCHECKED "))
	}
	switch a.status.kind {
	case statusError:
		msg := render.ErrorTag(st, a.status.err) + " "
		if a.status.vm != "" {
			msg += st.Bold.Render(a.status.vm) + ": "
		}
		left = append(left, msg+a.status.text)
	case statusOK:
		left = append(left, st.OK.Render("✓")+" "+a.status.text)
	case statusInfo:
		left = append(left, st.Accent.Render("•")+" "+a.status.text)
	}

	// The message has priority: the right side comes in decreasing detail,
	// down to nothing, and the first that leaves the whole message room
	// wins. A message is brief (it fades), the counts come back after it.
	msg := strings.Join(left, " ")
	variants := a.statusRight(w)
	if msg == "" {
		for _, r := range variants {
			if render.Width(r) <= w {
				return render.FitLeft(r, w)
			}
		}
		return render.Trunc(variants[len(variants)-2], w) // the shortest with counts
	}
	r := ""
	for _, variant := range variants {
		if render.Width(variant)+1+render.Width(msg) <= w {
			r = variant
			break
		}
	}
	if r == "" {
		return render.Trunc(msg, w)
	}
	rw := render.Width(r)
	return render.Fit(render.Trunc(msg, max(0, w-rw-1)), w-rw) + r
}

// statusRight is the right side of the status bar, most detailed first.
func (a *app) statusRight(w int) []string {
	st := &a.st
	c := a.counts
	sep := st.Muted.Render(" │ ")
	var busy []string
	if a.inflight > 0 {
		busy = append(busy, st.Accent.Render("⋯ "+render.Itoa(a.inflight)+" sent"))
	}
	long := []string{
		st.Running.Render("▶"+render.Itoa(c.Running)) + " running",
		st.Paused.Render("‖"+render.Itoa(c.Paused)) + " paused",
		st.Stopped.Render("■"+render.Itoa(c.Stopped)) + " stopped",
	}
	if c.Other > 0 {
		long = append(long, st.Transitional.Render("◆"+render.Itoa(c.Other))+" other")
	}
	if c.Daemons > 0 {
		long = append(long, st.Running.Render("◇"+render.Itoa(c.Daemons))+" storage")
	}
	long = append(long, st.ConnDown.Render("✕"+render.Itoa(c.Down))+" down")
	short := st.Running.Render("▶"+render.Itoa(c.Running)) + " " + st.Paused.Render("‖"+render.Itoa(c.Paused)) + " " +
		st.Stopped.Render("■"+render.Itoa(c.Stopped)) + " " + st.ConnDown.Render("✕"+render.Itoa(c.Down))
	if c.Other > 0 {
		short += " " + st.Transitional.Render("◆"+render.Itoa(c.Other))
	}
	if c.Daemons > 0 {
		short += " " + st.Running.Render("◇"+render.Itoa(c.Daemons))
	}
	if hl, hs := a.hostsStatus(); hl != "" {
		long = append(long, hl)
		short += " " + hs
	}
	poll := "poll " + render.Dur(a.interval())
	var extra []string
	if n := len(a.errs.entries); n > 0 {
		noun := " errors"
		if n == 1 {
			noun = " error"
		}
		extra = append(extra, st.Muted.Render("e: "+render.Itoa(n)+noun))
	}
	if !a.mouse {
		extra = append(extra, st.Muted.Render("mouse off"))
	}
	join := func(parts ...[]string) string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return strings.Join(all, sep)
	}
	return []string{
		join(busy, long, []string{poll}, extra),
		join(busy, []string{short, poll}, extra),
		join(busy, []string{short, poll}),
		join(busy, []string{short}),
		join(busy),
	}
}

// renderErrors draws the error history overlay, newest first.
func (a *app) renderErrors(w int) []string {
	st := &a.st
	h0 := &a.errs
	lines := []string{}
	if len(h0.entries) == 0 {
		return append(lines, st.Muted.Render("no errors so far"))
	}
	for i := len(h0.entries) - 1; i >= 0; i-- {
		e := &h0.entries[i]
		s := st.Muted.Render(render.Clock(e.at, a.loc)) + " " + render.ErrorTag(st, e.err) + " "
		if e.vm != "" {
			s += st.Bold.Render(e.vm) + ": "
		}
		// The history is where the whole text (socket included) is read.
		if e.err.Detail != "" {
			s += e.err.Detail
		} else {
			s += e.err.Message
		}
		if e.count > 1 {
			s += st.Muted.Render(" (×" + render.Itoa(e.count) + ")")
		}
		// The history is where a long message is read in full.
		for j, l := range render.WrapLines(s, w-2, 6) {
			if j > 0 {
				l = "  " + l
			}
			lines = append(lines, l)
		}
	}
	return lines
}

// hostsStatus is the SSH hosts' part of the status bar, long and short:
// how many are up, and the names of those that are not (each host's one
// connection carries all its VMs, so a host down is said once, here, not
// only as each of its VMs' errors). Empty when no target is remote.
func (a *app) hostsStatus() (long, short string) {
	hosts := a.snap.Hosts
	if len(hosts) == 0 {
		return "", ""
	}
	st := &a.st
	up := 0
	var down []string
	for _, h := range hosts {
		if h.Up() {
			up++
		} else if h.State == "down" {
			down = append(down, termsafe.Line(termsafe.Clip(h.Name, 64)))
		}
	}
	count := render.Itoa(up) + "/" + render.Itoa(len(hosts))
	style := st.Running
	if len(down) > 0 {
		style = st.ConnDown
	}
	long = style.Render("⇄"+count) + " ssh up"
	if len(down) > 0 {
		long += " " + st.ConnDown.Render("(down: "+strings.Join(down, ", ")+")")
	}
	return long, style.Render("⇄" + count)
}
