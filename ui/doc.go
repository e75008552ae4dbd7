// Package ui is the dashboard: a Bubble Tea v2 program over a Source (the
// fleet model, or a fake in tests). It imports model, themes, termsafe and
// its own parts; it must never be imported by model or qmp.
//
// # Rules every file keeps
//
//   - Only the root (app) is a tea.Model. Parts are plain state and
//     functions the root lays out; message routing lives in the root.
//   - Update does no I/O: Source.Execute, SetInterval, history writes and
//     fleet reads run in tea.Cmds. Commands never touch the model; they
//     return messages (msgs.go) and Update applies them.
//   - View reads state only; its clock is app.now, so frames are
//     reproducible (golden files in testdata).
//   - Strings from a VM are made safe once, where they enter display
//     (termsafe; a VM's display name once per snapshot), and everything
//     after (sorting, filtering, widths) works on what is shown.
//   - What is on top is the dialog Stack's top: it gets every key, paste
//     and mouse message first. Which keys work where is one keys.Table per
//     state; routing, the help line, the help overlay and the clash check
//     all read it.
//
// # Parts
//
// Each part is a package with its own state, keys and view; the root owns
// what crosses them (which VM is selected, focus, layout) and routes.
//
//	fleet/       the fleet table: filter, sort, selection, cached rows
//	eventlog/    the event log: merged and per-VM logs, filter, scroll
//	panes/       the detail panes: pure (snapshot, context, width) -> lines
//	palette/     the command palette: actions, prompts, completion, checks,
//	             recently used; a dialog whose choice the root runs
//	dialog/      the overlay stack and its dialogs: help, error history,
//	             reply viewer, y/N
//	keys/        the key map (rebinding), the Table type, the clash check
//	lineinput/   the one-line editor of the palette, prompts and filters
//	render/      drawing context, cell arithmetic, boxes, formats, glyphs
//
// # Files of the root
//
//	app.go            state, Init, Update
//	routing.go        keys and paste to the top dialog or the focused part
//	tables.go         the root's key tables: globals, fleet and detail focus
//	mouse.go          clicks and the wheel, by the layout's geometry
//	view.go           header, body, status bar, help line
//	layout.go         screen geometry shared by View and the mouse
//	overlay.go        the top dialog spliced over the body
//	fleet_sync.go     following the fleet: snapshots, events, display names
//	pane_lines.go     a pane's lines for the root's boxes
//	statusbar.go      the status line, its fades and the error history
//	unplugs.go        a device_del followed: requested, then deleted
//	help.go           the help overlay's content, drawn from the tables
//	run_action.go     opening the palette; running what it chose
//	run.go, options.go, source.go, msgs.go
//	                  the program, its options, the Source it reads, messages
package ui
