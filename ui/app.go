package ui

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/eventlog"
	"github.com/qmpdash/qmpdash/ui/fleet"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/palette"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// app is the root (and only) tea.Model; panes, lists and dialogs are
// plain state it lays out, so message routing lives here (see doc.go for
// the rules every file keeps).

type focusArea int

const (
	focusFleet focusArea = iota
	focusDetail
)

type app struct {
	src  Source
	opts Options
	log  *slog.Logger
	ctx  context.Context // ends when Run returns: bounds waits and commands
	now  func() time.Time
	loc  *time.Location

	theme  themes.Theme
	isDark bool
	st     themes.Styles
	stGen  int // bumps when styles change, invalidating cached rows
	draw   render.Context
	keys   keys.Map
	// tables are the root states' key tables, built once from keys.
	tables tableSet
	helpM  help.Model

	w, h  int
	mouse bool

	snap     model.FleetSnapshot
	haveSnap bool
	lastSeq  uint64
	counts   render.StateCounts
	names    map[string]string          // VM id -> display name
	lastErrs map[string]model.ErrorInfo // VM id -> LastError last seen
	hostErrs map[string]string          // SSH host -> the down error last said for it
	unplugs  map[unplugKey]bool         // device_del requests followed in the status bar (unplugs.go)

	fleet  fleet.Model
	focus  focusArea
	pane   panes.ID
	scroll [panes.Count]int
	events eventlog.Model

	status    statusLine
	statusTag int
	errs      errHistory

	// stack holds the dialogs open on top (palette, help, error
	// history, reply viewer, y/N); its top one gets the keys first.
	stack dialog.Stack
	// hist is the palette's recently used actions, saved by histStore.
	hist      palette.History
	histGen   int
	histStore *palette.Store

	// tick arms a one-shot timer (ctxTick); tests replace it to fire fades
	// on demand.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// manualFleet stops the app waiting on Changed: tests feed snapshots.
	manualFleet bool

	inflight        int
	pendingInterval time.Duration
	closed          bool // the fleet's Changed channel closed
	ageTicking      bool // an ageTickMsg is armed
}

// appConfig carries what Run decides from the environment, so tests can
// fix it: the clock, the time zone, NO_COLOR.
type appConfig struct {
	ctx     context.Context
	now     func() time.Time
	loc     *time.Location
	noColor bool
}

func newApp(src Source, opts Options, cfg appConfig) (*app, error) {
	theme, err := themes.Get(opts.Theme)
	if err != nil {
		return nil, err
	}
	if cfg.noColor {
		theme = themes.Mono()
	}
	if cfg.ctx == nil {
		cfg.ctx = context.Background()
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.loc == nil {
		cfg.loc = time.Local
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a := &app{
		src: src, opts: opts, log: logger, ctx: cfg.ctx, now: cfg.now, loc: cfg.loc,
		theme: theme, isDark: true, keys: keys.Default(), helpM: help.New(),
		mouse:     !opts.NoMouse,
		names:     map[string]string{},
		lastErrs:  map[string]model.ErrorInfo{},
		hostErrs:  map[string]string{},
		unplugs:   map[unplugKey]bool{},
		histStore: &palette.Store{Path: opts.HistoryFile},
		tick:      ctxTick(cfg.ctx),
		w:         80, h: 24,
	}
	if a.fleet, err = fleet.New(&a.keys, opts.Columns); err != nil {
		return nil, err
	}
	a.events = eventlog.New(&a.keys)
	a.restyle()
	err = a.keys.Rebind(opts.Keys, allTables(&a.keys))
	a.tables = newTableSet(&a.keys)
	if err != nil {
		a.log.Warn("key bindings", "err", err)
		a.inputError(err.Error()) // shown once the program runs; its fade tick is re-armed in Init
	}
	if len(opts.Warnings) > 0 && err == nil {
		// Shown at start (the fade is armed in Init), not only on stderr
		// once the alt screen is gone.
		a.setStatus(statusInfo, "config warning: "+strings.Join(opts.Warnings, "; "))
	}
	return a, nil
}

// ctxTick is tea.Tick that gives up when ctx ends, so a pending fade does
// not outlive the program.
func ctxTick(ctx context.Context) func(time.Duration, func(time.Time) tea.Msg) tea.Cmd {
	return func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case now := <-t.C:
				return fn(now)
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// restyle rebuilds the styles after a theme or background change.
func (a *app) restyle() {
	a.st = themes.NewStyles(a.theme, a.isDark)
	a.helpM.Styles = a.st.Help
	a.stGen++
	a.draw = render.Context{Styles: &a.st, Gen: a.stGen, Now: a.now, Loc: a.loc}
}

func (a *app) applyTheme(t themes.Theme) tea.Cmd {
	if a.st.NoColor {
		return a.setStatus(statusInfo, "NO_COLOR is set: themes have no effect")
	}
	a.theme = t
	a.restyle()
	cmds := []tea.Cmd{a.setStatus(statusOK, "theme "+t.Name)}
	if t.Adaptive() {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

func (a *app) Init() tea.Cmd {
	cmds := []tea.Cmd{a.loadFleet(false), a.loadHistoryCmd()}
	if a.theme.Adaptive() {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if a.status.kind != statusNone {
		tag := a.status.tag
		cmds = append(cmds, a.tick(errorFade, func(time.Time) tea.Msg { return fadeMsg{tag: tag} }))
	}
	return tea.Batch(cmds...)
}

func (a *app) loadHistoryCmd() tea.Cmd {
	path := a.opts.HistoryFile
	if path == "" {
		return nil
	}
	return func() tea.Msg {
		h, err := palette.LoadHistory(path)
		return historyLoadedMsg{h: h, err: err}
	}
}

// selected returns the VM under the cursor.
func (a *app) selected() (*model.VMSnapshot, bool) {
	return a.fleet.Selected()
}

func (a *app) vmName(id string) string {
	if n, ok := a.names[id]; ok {
		return n
	}
	return termsafe.Line(termsafe.Clip(id, 128))
}

func (a *app) interval() time.Duration {
	switch {
	case a.pendingInterval > 0:
		return a.pendingInterval
	case a.haveSnap && a.snap.Interval > 0:
		return a.snap.Interval
	}
	return a.opts.Interval
}

func (a *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		if m.Width == 0 && m.Height == 0 {
			// Output is not a terminal: no size is known, keep 80x24.
			return a, nil
		}
		a.w, a.h = max(0, m.Width), max(0, m.Height)
		a.stack.Resize(a.w, a.h)
		a.clampScroll()
		return a, nil
	case tea.BackgroundColorMsg:
		a.isDark = m.IsDark()
		a.restyle()
		return a, nil
	case fleetMsg:
		return a, a.applyFleet(m)
	case vmEventsMsg:
		a.applyVMEvents(m)
		return a, nil
	case fleetClosedMsg:
		a.closed = true
		return a, a.setStatus(statusInfo, "the fleet stopped sending updates")
	case resultMsg:
		return a, a.onResult(m)
	case reconnectMsg:
		return a, a.onReconnect(m)
	case unplugCheckMsg:
		return a, a.checkUnplug(m)
	case intervalSetMsg:
		return a, a.setStatus(statusOK, "poll interval "+m.d.String())
	case ageTickMsg:
		a.ageTicking = false
		return a, a.armAgeTick()
	case fadeMsg:
		if m.tag == a.status.tag {
			a.status = statusLine{}
		}
		return a, nil
	case historyLoadedMsg:
		if m.err != nil {
			a.log.Warn("palette history ignored", "err", m.err)
			return a, a.setStatus(statusInfo, "palette history ignored: "+m.err.Error())
		}
		a.hist.Merge(m.h)
		if p, ok := a.openedPalette(); ok {
			return a, a.carryOut(p.Refresh())
		}
		return a, nil
	case historySavedMsg:
		if m.err != nil {
			a.log.Warn("palette history not saved", "err", m.err)
			return a, a.showError("", model.ErrorInfo{Kind: model.KindOther, Message: "palette history not saved: " + m.err.Error(), Time: a.now()})
		}
		return a, nil
	case tea.KeyPressMsg:
		return a, a.keepingPlace(func() tea.Cmd { return a.onKey(m) })
	case tea.PasteMsg:
		return a, a.keepingPlace(func() tea.Cmd { return a.onPaste(m) })
	case tea.MouseMsg:
		return a, a.keepingPlace(func() tea.Cmd { return a.onMouse(m) })
	}
	return a, nil
}

// keepingPlace runs fn and, if it selected another VM, scrolls the panes
// and the event log back to their start (their offsets belonged to the
// previous VM) and fetches the new VM's event log at once; switching the
// log back from all VMs to this VM fetches it too.
func (a *app) keepingPlace(fn func() tea.Cmd) tea.Cmd {
	before, wasAll := a.fleet.SelectedID(), a.events.All()
	cmd := fn()
	moved := a.fleet.SelectedID() != before
	if moved {
		a.selectionMoved()
	}
	if moved || (wasAll && !a.events.All()) {
		return tea.Batch(cmd, a.loadVMEvents())
	}
	return cmd
}
