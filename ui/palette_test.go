package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/ui/palette"
)

func (h *harness) lastCall() execCall {
	h.t.Helper()
	c := h.src.calls()
	if len(c) == 0 {
		h.t.Fatal("nothing was sent")
	}
	return c[len(c)-1]
}

// mustSend checks the last command sent: its name, and its arguments when
// args is given. It returns the call for further checks.
func (h *harness) mustSend(cmd string, args ...string) execCall {
	h.t.Helper()
	c := h.lastCall()
	if c.cmd != cmd || len(args) > 0 && c.args != args[0] {
		h.t.Fatalf("sent %+v, want %s %s", c, cmd, strings.Join(args, ""))
	}
	return c
}

// palette opens the palette, types query and presses enter on the first match.
func (h *harness) palette(query string) {
	h.t.Helper()
	h.press(":")
	h.typeText(query, "enter")
}

// retype clears the prompt, types text and presses keys.
func (h *harness) retype(text string, keys ...string) {
	h.t.Helper()
	h.press("ctrl+u")
	h.typeText(text, keys...)
}

// mustPrompt checks the palette prompt's text; what says what made it.
func (h *harness) mustPrompt(want, what string) {
	h.t.Helper()
	if v := h.pal().Prompt(); v != want {
		h.t.Fatalf("%s gave %q, want %q", what, v, want)
	}
}

// confirmUndoable checks that the confirmation shows question (and any
// notes) without saying the action cannot be undone, answers y, and checks
// what was sent as mustSend does.
func (h *harness) confirmUndoable(question []string, cmd string, args ...string) execCall {
	h.t.Helper()
	h.mustShow(question...)
	h.mustNotShow("cannot be undone")
	h.press("y")
	return h.mustSend(cmd, args...)
}

// tabComplete types prefix and tab, and checks that the prompt is then
// want; what says what completed it.
func (h *harness) tabComplete(prefix, want, what string) {
	h.t.Helper()
	h.typeText(prefix, "tab")
	h.mustPrompt(want, what)
}

func (h *harness) mustNotSend() {
	h.t.Helper()
	if c := h.src.calls(); len(c) > 0 {
		h.t.Fatalf("sent %+v", c)
	}
}

func TestPaletteOpensWithColonAndCtrlP(t *testing.T) {
	for _, k := range []string{":", "ctrl+p"} {
		h := demo(t, Options{}, 100, 30)
		h.press(k)
		if !h.a.stack.Open("palette") {
			t.Fatalf("%s did not open the palette", k)
		}
		// The list is longer than the box: it says how much is below.
		h.mustShow("Commands · build-runner", "Pause VM (stop)", "more (type to narrow, ↓ to scroll)")
		h.press("esc")
		if h.a.stack.Open("palette") {
			t.Fatal("esc did not close the palette")
		}
	}
}

func TestPaletteFuzzyFilterAndRun(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G", ":")
	h.typeText("rsme")
	if it := h.pal().Items()[0]; it.ID != palette.ActResume {
		t.Fatalf("first match for rsme is %s", it.ID)
	}
	h.press("enter")
	if c := h.mustSend("cont", ""); c.vmID != webID {
		t.Fatalf("sent %+v", c)
	}
	if h.a.stack.Open("palette") {
		t.Fatal("palette still open after running")
	}
	if st := h.statusText(); !strings.Contains(st, "✓ Resume VM on web-01: done") {
		t.Fatalf("status %q", st)
	}
	if h.a.inflight != 0 {
		t.Fatalf("inflight %d after the result", h.a.inflight)
	}
}

func TestPaletteArrowsChoose(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press(":", "down", "enter") // second action: resume
	h.mustSend("cont")
}

func TestPaletteDestructiveAsksFirst(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G")
	h.palette("reset")
	h.mustShow("Reset VM on web-01 (system_reset)?", "[y/N]")
	h.mustNotSend()
	h.press("n")
	h.mustNotSend()
	if !strings.Contains(h.statusText(), "cancelled") {
		t.Fatalf("status %q", h.statusText())
	}
	// Anything but y cancels, including enter.
	h.palette("reset")
	h.press("enter")
	h.mustNotSend()
	h.palette("reset")
	h.press("y")
	if c := h.mustSend("system_reset"); c.vmID != webID {
		t.Fatalf("sent %+v", c)
	}
}

// confirm = false sends a destructive action at once; quitting a VM asks
// first and quits the VM, not qmpdash.
func TestPaletteConfirmOptionAndQuitVM(t *testing.T) {
	h := demo(t, Options{Confirm: false}, 100, 30)
	h.palette("power down")
	h.mustSend("system_powerdown")

	h = demo(t, Options{Confirm: true}, 100, 30)
	h.palette("quit vm")
	h.mustShow("[y/N]")
	h.press("y")
	h.mustSend("quit")
	if h.quit {
		t.Fatal("quitting the VM quit qmpdash")
	}
}

func TestPaletteEjectAndDeviceDel(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G")
	h.palette("eject")
	h.mustShow("removable: cd0")
	h.tabComplete("c", "cd0", "completion")
	h.press("enter")
	// The question names the drive and says how to undo it.
	h.confirmUndoable([]string{"Eject the medium in cd0 on web-01 (eject)?", "The drive reports no medium: this opens its tray.", "[y/N]"},
		"eject", `{"device":"cd0"}`)
	h.palette("delete device")
	h.mustShow("devices: cdrom0  net0  net1")
	h.press("enter") // empty id
	h.mustShow("id is empty")
	h.tabComplete("n", "net", "completion of two ids") // net0 and net1 share "net"
	h.typeText("1", "enter")
	h.confirmUndoable([]string{"Delete device net1 (virtio-net-pci) on web-01 (device_del)?", "it is gone only when the guest does"},
		"device_del", `{"id":"net1"}`)
}

func TestPaletteScreendumpAndHMP(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G")
	h.palette("screendump")
	h.typeText("/tmp/s.ppm", "enter")
	h.mustSend("screendump", `{"filename":"/tmp/s.ppm"}`)
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Reply: json.RawMessage(`"drive0: /var/lib/vm/web-01.qcow2 (qcow2)\r\n\u001b[2Jcd0: [not inserted]\r\n"`)}
	}
	h.palette("hmp")
	h.typeText("info block", "enter")
	h.mustSend("human-monitor-command", `{"command-line":"info block"}`)
	h.mustShow("HMP info block · web-01", "drive0: /var/lib/vm/web-01.qcow2 (qcow2)", "cd0: [not inserted]")
	if strings.Contains(h.a.render(), "\x1b[2J") {
		t.Fatal("escape sequence in HMP output reached the screen")
	}
	h.press("esc")
	if h.a.stack.Open("viewer") {
		t.Fatal("esc did not close the viewer")
	}
}

func TestPaletteRawQMP(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Reply: json.RawMessage(`{"status":"running","singlestep":false,"running":true}`)}
	}
	h.press("G")
	h.palette("qmp")
	// Malformed JSON: a clear error, nothing sent.
	h.typeText(`query-status {"a":`, "enter")
	h.mustShow("arguments are not a JSON object")
	h.mustNotSend()
	h.retype(`query-status [1]`, "enter")
	h.mustShow("arguments are not a JSON object")
	// Schema check before sending.
	h.retype(`block-job-cancel {"dev": "drive0"}`, "enter")
	h.mustShow(`arguments rejected: missing member "device"`)
	h.mustNotSend()
	// A good one: sent, reply pretty-printed in the viewer.
	h.retype(`query-status`, "enter")
	h.mustSend("query-status", "")
	h.mustShow("query-status · web-01", `"status": "running",`, `"running": true`)
	h.press("esc")
	// Arguments go through as typed.
	h.palette("qmp")
	h.typeText(`block-job-cancel {"device": "drive0", "force": true}`, "enter")
	h.mustSend("block-job-cancel", `{"device": "drive0", "force": true}`)
}

func TestPaletteRawDestructiveAsks(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.palette("qmp")
	h.typeText("system_reset", "enter")
	h.mustShow("[y/N]")
	h.mustNotSend()
	h.press("y")
	h.mustSend("system_reset")
}

func TestPaletteCompletion(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.palette("qmp")
	h.tabComplete("query-s", "query-status ", "name completion")
	h.retype("query-", "tab")
	h.mustShow("query-block", "query-commands", "query-status")
	h.retype("block-job-c", "tab")
	h.mustPrompt("block-job-cancel ", "name completion")
	h.mustShow("args: device:str, force?:bool")
	h.press("tab") // opens the object
	h.tabComplete(`"de`, `block-job-cancel {"device": `, "arg completion")
	h.tabComplete(`"drive0", `, `block-job-cancel {"device": "drive0", "force": `, "second arg completion") // only force is left
}

func TestPaletteReadOnly(t *testing.T) {
	h := demo(t, Options{ReadOnly: true, Confirm: true}, 100, 30)
	h.press(":")
	h.mustShow("Pause VM (stop)  (disabled: read-only mode)", "Reset VM (system_reset)  (disabled: read-only mode)")
	h.mustNotShow("Switch theme  (disabled")
	h.typeText("pause", "enter")
	h.mustShow("Pause VM is disabled: read-only mode")
	h.mustNotSend()
	h.press("esc")
	h.palette("hmp")
	h.mustShow("HMP command is disabled")
	h.press("esc")
	h.palette("qmp")
	h.typeText("stop", "enter")
	h.mustShow("read-only mode: stop is not sent (only query-*, qom-get and qom-list* are)")
	h.mustNotSend()
	// Completion offers queries only.
	h.retype("s", "tab")
	h.mustShow("no command starts with")
	h.retype("query-status", "enter")
	h.mustSend("query-status")
}

func TestPaletteNoVM(t *testing.T) {
	h := newHarness(t, newFakeSource(), Options{}, 100, 30)
	h.press(":")
	h.mustShow("Pause VM (stop)  (disabled: no VM selected)")
	h.typeText("pause", "enter")
	h.mustNotSend()
	h.mustShow("disabled: no VM selected")
}

func TestPaletteThemeIntervalMouseQuit(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.palette("theme")
	h.mustShow("themes: dark, default, high-contrast, light")
	h.typeText("neon", "enter")
	h.mustShow(`unknown theme "neon" (valid: dark, default, high-contrast, light)`)
	h.retype("hi", "tab", "enter")
	if h.a.theme.Name != "high-contrast" || h.a.st.Theme != "high-contrast" {
		t.Fatalf("theme is %q", h.a.theme.Name)
	}

	h.palette("interval")
	h.typeText("50ms", "enter")
	h.mustShow("interval must be between 100ms and 1h0m0s (got 50ms)")
	h.retype("2s", "enter")
	if h.src.interval != 2*time.Second {
		t.Fatalf("interval %v", h.src.interval)
	}
	h.mustShow("poll 2s")

	h.palette("mouse")
	if h.a.mouse || h.a.View().MouseMode != 0 {
		t.Fatal("mouse still on")
	}
	h.palette("quit qmpdash")
	if !h.quit {
		t.Fatal("did not quit")
	}
	h.mustNotSend()
}

func TestPaletteRecentFirstAndPersisted(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "history.json")
	h := demo(t, Options{HistoryFile: file, Confirm: true}, 100, 30)
	h.press(":")
	h.typeText("chardev") // matches nothing in particular; just to have typed
	h.press("esc", ":")
	h.typeText("interval", "enter")
	h.typeText("3s", "enter", ":")
	h.typeText("resume", "enter", ":")
	if h.pal().Items()[0].ID != palette.ActResume || h.pal().Items()[1].ID != palette.ActInterval {
		t.Fatalf("recent not first: %s, %s", h.pal().Items()[0].ID, h.pal().Items()[1].ID)
	}
	h.press("esc")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var saved palette.History
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if strings.Join(saved.Recent, ",") != "resume,interval" || saved.Inputs["interval"][0] != "3s" {
		t.Fatalf("saved %+v", saved)
	}
	// A new run reads it back: recent first, and up recalls the input.
	h2 := demo(t, Options{HistoryFile: file}, 100, 30)
	h2.press(":")
	if h2.pal().Items()[0].ID != palette.ActResume {
		t.Fatalf("history not loaded: first is %s", h2.pal().Items()[0].ID)
	}
	h2.press("down", "enter", "up")
	if v := h2.pal().Prompt(); v != "3s" {
		t.Fatalf("up recalled %q", v)
	}
}

func TestPaletteCorruptHistoryIgnored(t *testing.T) {
	file := filepath.Join(t.TempDir(), "history.json")
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := demo(t, Options{HistoryFile: file}, 100, 30)
	h.mustShow("palette history ignored")
	h.palette("resume")
	// The next save replaces the corrupt file with a good one.
	if _, err := palette.LoadHistory(file); err != nil {
		t.Fatalf("history still corrupt after a save: %v", err)
	}
}

func TestPaletteExecuteErrorKeepsClass(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Err: model.ErrorInfo{
			Kind: qmp.KindResponse, Class: "DeviceNotFound", Message: "Device 'net9' not found"}}
	}
	h.press("G")
	h.palette("delete device")
	h.typeText("net9", "enter")
	if st := h.statusText(); !strings.Contains(st, "[NO-DEVICE] web-01: Device 'net9' not found") {
		t.Fatalf("status %q", st)
	}
	if h.a.stack.Open("viewer") {
		t.Fatal("viewer opened for a failed command")
	}
}

func TestPaletteTargetFixedWhenOpened(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G") // web-01
	h.palette("reset")
	h.mustShow("Reset VM on web-01")
	// The fleet re-sorts under the open palette: the cursor now sits on
	// another VM, but the action still goes to web-01.
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "web-01" {
				s.VMs[i].Name = "aaa-web-01"
			}
		}
	})
	h.sync()
	h.press("y")
	if c := h.lastCall(); c.vmID != webID {
		t.Fatalf("sent to %s", c.vmID)
	}
	// A VM that left the fleet is not replaced by its neighbour.
	h.press("G", ":")
	h.typeText("pause")
	gone := h.pal().VMID()
	h.src.update(func(s *model.FleetSnapshot) {
		var keep []model.VMSnapshot
		for _, v := range s.VMs {
			if v.ID != gone {
				keep = append(keep, v)
			}
		}
		s.VMs = keep
	})
	h.sync()
	n := len(h.src.calls())
	h.press("enter")
	if len(h.src.calls()) != n {
		t.Fatalf("sent %+v after the VM left", h.lastCall())
	}
}

func TestHistoryUnwritableReported(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := demo(t, Options{HistoryFile: filepath.Join(blocker, "h.json")}, 120, 30)
	h.press(":")
	h.typeText("resume", "enter", "e")
	h.mustShow("palette history not saved")
}
