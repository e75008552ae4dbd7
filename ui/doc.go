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
//	render/      drawing context, cell arithmetic, boxes, formats, glyphs
//	keys/        the key map (rebinding) and the per-state key tables
//	lineinput/   the one-line editor of the palette, prompts and filters
//	panes/       the detail panes: pure (snapshot, context, width) -> lines
//	dialog/      the overlay stack and its dialogs: help, error history,
//	             reply viewer, y/N
//
// # Files of the root
//
//	app.go            state, Init, Update
//	routing.go        keys and paste to the top dialog or the focused area
//	tables.go         the root states' key tables
//	mouse.go          clicks and the wheel, by the layout's geometry
//	view.go           header, body, status bar, help line
//	layout.go         screen geometry shared by View and the mouse
//	overlay.go        the top dialog spliced over the body
//	fleet*.go         the fleet table: order, selection, rows, following the fleet
//	eventlog.go       the event log
//	pane_lines.go     a pane's lines for the root's boxes
//	statusbar.go      the status line, its fades and the error history
//	help.go           the help overlay's content
//	palette*.go, actions.go, complete.go, history.go, parse.go
//	                  the command palette: actions, prompts, completion,
//	                  recently used, running what was chosen
//	run.go, options.go, source.go, msgs.go
//	                  the program, its options, the Source it reads, messages
package ui
