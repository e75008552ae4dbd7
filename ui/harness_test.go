package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/palette"
)

// The harness drives the app without a terminal: messages go straight to
// Update, commands run synchronously, and ticks are held back so tests can
// fire them when they choose.

type harness struct {
	t     testing.TB
	a     *app
	src   *fakeSource
	ticks []tea.Msg // fired tick messages, in arming order, not yet delivered
	quit  bool
}

type heldTick struct {
	d   time.Duration
	msg tea.Msg
}

func newHarness(t testing.TB, src *fakeSource, opts Options, w, h int) *harness {
	t.Helper()
	return newHarnessCfg(t, src, opts, w, h, false)
}

func newHarnessCfg(t testing.TB, src *fakeSource, opts Options, w, h int, noColor bool) *harness {
	t.Helper()
	hs := newHarnessOn(t, src, opts, w, h, noColor)
	hs.src = src
	return hs
}

// newHarnessOn drives the root over any Source (a real fleet, say); the
// fake's helpers (h.src) are then not there.
func newHarnessOn(t testing.TB, src Source, opts Options, w, h int, noColor bool) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, err := newApp(src, opts, appConfig{ctx: ctx, now: func() time.Time { return t0 }, loc: time.UTC, noColor: noColor})
	if err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, a: a}
	a.manualFleet = true
	a.tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return heldTick{d: d, msg: fn(t0.Add(d))} }
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(a.Init())
	return hs
}

// send delivers one message and runs what it returns.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.a.Update(msg)
	h.run(cmd)
}

// run executes a command tree synchronously and feeds its messages back.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			h.run(c)
		}
	case heldTick:
		h.ticks = append(h.ticks, m.msg)
	case tea.QuitMsg:
		h.quit = true
	default:
		h.send(m)
	}
}

// fireTicks delivers the held ticks (as if their time had come).
func (h *harness) fireTicks() {
	ticks := h.ticks
	h.ticks = nil
	for _, m := range ticks {
		h.send(m)
	}
}

// sync delivers what the fleet command would read now: the snapshot, the
// new events and the selected VM's own log.
func (h *harness) sync() {
	h.t.Helper()
	h.send(h.a.readFleet()())
}

// press sends keys by their Bubble Tea names: "enter", "ctrl+p", "S", "?".
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types literal text, one key per rune, then presses keys.
func (h *harness) typeText(s string, keys ...string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	h.press(keys...)
}

var namedKeys = map[string]rune{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"space": tea.KeySpace, "delete": tea.KeyDelete,
}

func keyMsg(s string) tea.KeyPressMsg {
	var mod tea.KeyMod
	base := s
	for {
		switch {
		case strings.HasPrefix(base, "ctrl+"):
			mod |= tea.ModCtrl
			base = base[5:]
			continue
		case strings.HasPrefix(base, "alt+"):
			mod |= tea.ModAlt
			base = base[4:]
			continue
		case strings.HasPrefix(base, "shift+"):
			mod |= tea.ModShift
			base = base[6:]
			continue
		}
		break
	}
	if r, ok := namedKeys[base]; ok {
		k := tea.KeyPressMsg{Code: r, Mod: mod}
		if r == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r := []rune(base)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: string(r)}
}

// screen is the current frame without styling.
func (h *harness) screen() string {
	return ansi.Strip(h.a.render())
}

// screenLinesWith is the screen's lines that contain sub, joined by newlines.
func (h *harness) screenLinesWith(sub string) string {
	var out []string
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// mustKeepScrolledLines checks that a scrolled-up event view stays put
// while arrive brings new events: the lines containing sub do not change,
// and the view says how to follow again.
func (h *harness) mustKeepScrolledLines(sub string, arrive func()) {
	h.t.Helper()
	before := h.screenLinesWith(sub)
	arrive()
	if after := h.screenLinesWith(sub); after != before {
		h.t.Fatalf("scrolled-up view moved when events arrived:\n%s\n---\n%s", before, after)
	}
	h.mustShow("(G follows)")
}

// lineFromBottom is the screen's line n up from the last (0 is the last).
func (h *harness) lineFromBottom(n int) string {
	lines := strings.Split(h.screen(), "\n")
	return lines[len(lines)-1-n]
}

// helpLine is the bottom line: the context's short help.
func (h *harness) helpLine() string { return h.lineFromBottom(0) }

// statusText is the status bar's text, just above the help line.
func (h *harness) statusText() string { return h.lineFromBottom(1) }

// mustSelect checks the selected VM's name; after says what led there.
func (h *harness) mustSelect(want, after string) {
	h.t.Helper()
	if got := h.selectedName(); got != want {
		h.t.Fatalf("%s: selected %q, want %q", after, got, want)
	}
}

func (h *harness) mustShow(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (h *harness) mustNotShow(unwanted ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range unwanted {
		if strings.Contains(s, w) {
			h.t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

// demo is a harness over the demo fleet, synced once.
func demo(t *testing.T, opts Options, w, h int) *harness {
	t.Helper()
	src := newFakeSource(demoVMs()...)
	src.addEvents(demoEvents()...)
	hs := newHarness(t, src, opts, w, h)
	return hs
}

// keyIs says whether msg is one of b's keys.
func keyIs(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// viewer is the reply viewer on top of the stack.
func (h *harness) viewer() *dialog.Viewer {
	h.t.Helper()
	v, ok := h.a.stack.Top().(*dialog.Viewer)
	if !ok {
		h.t.Fatalf("no viewer on top: %T", h.a.stack.Top())
	}
	return v
}

// dialogOffset is the first line the scrolled dialog on top shows.
func (h *harness) dialogOffset() int {
	h.t.Helper()
	d, ok := h.a.stack.Top().(*dialog.Scrolled)
	if !ok {
		h.t.Fatalf("no scrolled dialog on top: %T", h.a.stack.Top())
	}
	return d.Offset()
}

// pal is the open palette.
func (h *harness) pal() *palette.Model {
	h.t.Helper()
	p, ok := h.a.openedPalette()
	if !ok {
		h.t.Fatal("the palette is not open")
	}
	return p
}
