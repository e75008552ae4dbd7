package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

func (h *harness) lastCall() execCall {
	h.t.Helper()
	c := h.src.calls()
	if len(c) == 0 {
		h.t.Fatal("nothing was sent")
	}
	return c[len(c)-1]
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
		if !h.a.paletteOpen() {
			t.Fatalf("%s did not open the palette", k)
		}
		h.mustShow("Commands · build-runner", "Pause VM (stop)", "Quit qmpdash")
		h.press("esc")
		if h.a.paletteOpen() {
			t.Fatal("esc did not close the palette")
		}
	}
}

func TestPaletteFuzzyFilterAndRun(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G", ":")
	h.typeText("rsme")
	if it := h.a.pal.items[0]; it.act.id != actResume {
		t.Fatalf("first match for rsme is %s", it.act.id)
	}
	h.press("enter")
	if c := h.lastCall(); c.vmID != webID || c.cmd != "cont" || c.args != "" {
		t.Fatalf("sent %+v", c)
	}
	if h.a.paletteOpen() {
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
	if c := h.lastCall(); c.cmd != "cont" {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteDestructiveAsksFirst(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G", ":")
	h.typeText("reset")
	h.press("enter")
	h.mustShow("Reset VM on web-01 (system_reset)?", "[y/N]")
	h.mustNotSend()
	h.press("n")
	h.mustNotSend()
	if !strings.Contains(h.statusText(), "cancelled") {
		t.Fatalf("status %q", h.statusText())
	}
	// Anything but y cancels, including enter.
	h.press(":")
	h.typeText("reset")
	h.press("enter", "enter")
	h.mustNotSend()
	h.press(":")
	h.typeText("reset")
	h.press("enter", "y")
	if c := h.lastCall(); c.cmd != "system_reset" || c.vmID != webID {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteNoConfirmWhenDisabled(t *testing.T) {
	h := demo(t, Options{Confirm: false}, 100, 30)
	h.press(":")
	h.typeText("power down")
	h.press("enter")
	if c := h.lastCall(); c.cmd != "system_powerdown" {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteQuitVMIsDestructive(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press(":")
	h.typeText("quit vm")
	h.press("enter")
	h.mustShow("[y/N]")
	h.press("y")
	if c := h.lastCall(); c.cmd != "quit" {
		t.Fatalf("sent %+v", c)
	}
	if h.quit {
		t.Fatal("quitting the VM quit qmpdash")
	}
}

func TestPaletteBalloonPrompt(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G", ":")
	h.typeText("balloon")
	h.press("enter")
	h.mustShow("Set balloon target · web-01", "size:")
	h.typeText("lots")
	h.press("enter")
	h.mustShow(`"lots" is not a size`)
	h.mustNotSend()
	h.press("ctrl+u")
	h.typeText("1G")
	h.press("enter")
	c := h.lastCall()
	if c.cmd != "balloon" || c.args != `{"value":1073741824}` {
		t.Fatalf("sent %+v", c)
	}
	// The fleet records the target it sent (model does); the memory pane
	// shows it against the actual size.
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].ID == c.vmID {
				s.VMs[i].Memory.BalloonTarget = 1 << 30
			}
		}
	})
	h.sync()
	h.press("enter", "3")
	h.mustShow("actual 1.5G  target 1.0G", "of target")
}

func TestPaletteEjectAndDeviceDel(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G", ":")
	h.typeText("eject")
	h.press("enter")
	h.mustShow("removable: cd0")
	h.typeText("c")
	h.press("tab") // completes to cd0
	if v := h.a.pal.prompt.Value(); v != "cd0" {
		t.Fatalf("completion gave %q", v)
	}
	h.press("enter")
	h.mustShow("[y/N]")
	h.press("y")
	if c := h.lastCall(); c.cmd != "eject" || c.args != `{"device":"cd0"}` {
		t.Fatalf("sent %+v", c)
	}
	h.press(":")
	h.typeText("delete device")
	h.press("enter")
	h.press("enter") // empty id
	h.mustShow("id is empty")
	h.typeText("net0")
	h.press("enter", "y")
	if c := h.lastCall(); c.cmd != "device_del" || c.args != `{"id":"net0"}` {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteScreendumpAndHMP(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G", ":")
	h.typeText("screendump")
	h.press("enter")
	h.typeText("/tmp/s.ppm")
	h.press("enter")
	if c := h.lastCall(); c.cmd != "screendump" || c.args != `{"filename":"/tmp/s.ppm"}` {
		t.Fatalf("sent %+v", c)
	}
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Reply: json.RawMessage(`"drive0: /var/lib/vm/web-01.qcow2 (qcow2)\r\n\u001b[2Jcd0: [not inserted]\r\n"`)}
	}
	h.press(":")
	h.typeText("hmp")
	h.press("enter")
	h.typeText("info block")
	h.press("enter")
	if c := h.lastCall(); c.cmd != "human-monitor-command" || c.args != `{"command-line":"info block"}` {
		t.Fatalf("sent %+v", c)
	}
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
	h.press("G", ":")
	h.typeText("qmp")
	h.press("enter")
	// Malformed JSON: a clear error, nothing sent.
	h.typeText(`query-status {"a":`)
	h.press("enter")
	h.mustShow("arguments are not a JSON object")
	h.mustNotSend()
	h.press("ctrl+u")
	h.typeText(`query-status [1]`)
	h.press("enter")
	h.mustShow("arguments are not a JSON object")
	// Schema check before sending.
	h.press("ctrl+u")
	h.typeText(`block-job-cancel {"dev": "drive0"}`)
	h.press("enter")
	h.mustShow(`arguments rejected: missing member "device"`)
	h.mustNotSend()
	// A good one: sent, reply pretty-printed in the viewer.
	h.press("ctrl+u")
	h.typeText(`query-status`)
	h.press("enter")
	if c := h.lastCall(); c.cmd != "query-status" || c.args != "" {
		t.Fatalf("sent %+v", c)
	}
	h.mustShow("query-status · web-01", `"status": "running",`, `"running": true`)
	h.press("esc")
	// Arguments go through as typed.
	h.press(":")
	h.typeText("qmp")
	h.press("enter")
	h.typeText(`block-job-cancel {"device": "drive0", "force": true}`)
	h.press("enter")
	if c := h.lastCall(); c.cmd != "block-job-cancel" || c.args != `{"device": "drive0", "force": true}` {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteRawDestructiveAsks(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press(":")
	h.typeText("qmp")
	h.press("enter")
	h.typeText("system_reset")
	h.press("enter")
	h.mustShow("[y/N]")
	h.mustNotSend()
	h.press("y")
	if c := h.lastCall(); c.cmd != "system_reset" {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteCompletion(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press(":")
	h.typeText("qmp")
	h.press("enter")
	h.typeText("query-s")
	h.press("tab")
	if v := h.a.pal.prompt.Value(); v != "query-status " {
		t.Fatalf("name completion gave %q", v)
	}
	h.press("ctrl+u")
	h.typeText("query-")
	h.press("tab")
	h.mustShow("query-block", "query-commands", "query-status")
	h.press("ctrl+u")
	h.typeText("block-job-c")
	h.press("tab")
	if v := h.a.pal.prompt.Value(); v != "block-job-cancel " {
		t.Fatalf("name completion gave %q", v)
	}
	h.mustShow("args: device:str, force?:bool")
	h.press("tab") // opens the object
	h.typeText(`"de`)
	h.press("tab")
	if v := h.a.pal.prompt.Value(); v != `block-job-cancel {"device": ` {
		t.Fatalf("arg completion gave %q", v)
	}
	h.typeText(`"drive0", `)
	h.press("tab") // only force is left
	if v := h.a.pal.prompt.Value(); v != `block-job-cancel {"device": "drive0", "force": ` {
		t.Fatalf("second arg completion gave %q", v)
	}
}

func TestPaletteReadOnly(t *testing.T) {
	h := demo(t, Options{ReadOnly: true, Confirm: true}, 100, 30)
	h.press(":")
	h.mustShow("Pause VM (stop)  (disabled: read-only mode)", "Reset VM (system_reset)  (disabled: read-only mode)")
	h.mustNotShow("Switch theme  (disabled")
	h.typeText("pause")
	h.press("enter")
	h.mustShow("Pause VM is disabled: read-only mode")
	h.mustNotSend()
	h.press("esc", ":")
	h.typeText("hmp")
	h.press("enter")
	h.mustShow("HMP command is disabled")
	h.press("esc", ":")
	h.typeText("qmp")
	h.press("enter")
	h.typeText("stop")
	h.press("enter")
	h.mustShow("read-only mode: only query-* commands may be sent")
	h.mustNotSend()
	// Completion offers queries only.
	h.press("ctrl+u")
	h.typeText("s")
	h.press("tab")
	h.mustShow("no command starts with")
	h.press("ctrl+u")
	h.typeText("query-status")
	h.press("enter")
	if c := h.lastCall(); c.cmd != "query-status" {
		t.Fatalf("sent %+v", c)
	}
}

func TestPaletteNoVM(t *testing.T) {
	h := newHarness(t, newFakeSource(), Options{}, 100, 30)
	h.press(":")
	h.mustShow("Pause VM (stop)  (disabled: no VM selected)")
	h.typeText("pause")
	h.press("enter")
	h.mustNotSend()
	h.mustShow("disabled: no VM selected")
}

func TestPaletteThemeIntervalMouseQuit(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press(":")
	h.typeText("theme")
	h.press("enter")
	h.mustShow("themes: dark, default, high-contrast, light")
	h.typeText("neon")
	h.press("enter")
	h.mustShow(`unknown theme "neon" (valid: dark, default, high-contrast, light)`)
	h.press("ctrl+u")
	h.typeText("hi")
	h.press("tab", "enter")
	if h.a.theme.Name != "high-contrast" || h.a.st.Theme != "high-contrast" {
		t.Fatalf("theme is %q", h.a.theme.Name)
	}

	h.press(":")
	h.typeText("interval")
	h.press("enter")
	h.typeText("50ms")
	h.press("enter")
	h.mustShow("interval must be between 100ms and 1h0m0s (got 50ms)")
	h.press("ctrl+u")
	h.typeText("2s")
	h.press("enter")
	if h.src.interval != 2*time.Second {
		t.Fatalf("interval %v", h.src.interval)
	}
	h.mustShow("poll 2s")

	h.press(":")
	h.typeText("mouse")
	h.press("enter")
	if h.a.mouse || h.a.View().MouseMode != 0 {
		t.Fatal("mouse still on")
	}
	h.press(":")
	h.typeText("quit qmpdash")
	h.press("enter")
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
	h.typeText("interval")
	h.press("enter")
	h.typeText("3s")
	h.press("enter", ":")
	h.typeText("resume")
	h.press("enter", ":")
	if h.a.pal.items[0].act.id != actResume || h.a.pal.items[1].act.id != actInterval {
		t.Fatalf("recent not first: %s, %s", h.a.pal.items[0].act.id, h.a.pal.items[1].act.id)
	}
	h.press("esc")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var saved paletteHistory
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if strings.Join(saved.Recent, ",") != "resume,interval" || saved.Inputs["interval"][0] != "3s" {
		t.Fatalf("saved %+v", saved)
	}
	// A new run reads it back: recent first, and up recalls the input.
	h2 := demo(t, Options{HistoryFile: file}, 100, 30)
	h2.press(":")
	if h2.a.pal.items[0].act.id != actResume {
		t.Fatalf("history not loaded: first is %s", h2.a.pal.items[0].act.id)
	}
	h2.press("down", "enter", "up")
	if v := h2.a.pal.prompt.Value(); v != "3s" {
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
	h.press(":")
	h.typeText("resume")
	h.press("enter")
	// The next save replaces the corrupt file with a good one.
	if _, err := loadHistory(file); err != nil {
		t.Fatalf("history still corrupt after a save: %v", err)
	}
}

func TestPaletteExecuteErrorKeepsClass(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Err: model.ErrorInfo{
			Kind: qmp.KindResponse, Class: "DeviceNotFound", Message: "Device 'net9' not found"}}
	}
	h.press("G", ":")
	h.typeText("delete device")
	h.press("enter")
	h.typeText("net9")
	h.press("enter")
	if st := h.statusText(); !strings.Contains(st, "[NO-DEVICE] web-01: Device 'net9' not found") {
		t.Fatalf("status %q", st)
	}
	if h.a.stack.Open("viewer") {
		t.Fatal("viewer opened for a failed command")
	}
}

func TestRawQMPParse(t *testing.T) {
	cases := []struct {
		in, name, args string
		err            string
	}{
		{"query-status", "query-status", "", ""},
		{"  query-status   ", "query-status", "", ""},
		{`eject {"id":"cd0"}`, "eject", `{"id":"cd0"}`, ""},
		{`eject{"id":"cd0"}`, "eject", `{"id":"cd0"}`, ""},
		{"", "", "", "type a command name"},
		{`eject {"id":}`, "", "", "not a JSON object"},
		{`eject "x"`, "", "", "not a JSON object"},
		{`eject null`, "", "", "not null"},
		{`eject {} {}`, "", "", "unexpected text"},
	}
	for _, c := range cases {
		name, args, err := parseRawQMP(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseRawQMP(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || name != c.name || string(args) != c.args {
			t.Errorf("parseRawQMP(%q) = %q, %q, %v", c.in, name, args, err)
		}
	}
	_ = errors.New
}

func TestPaletteTargetFixedWhenOpened(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 100, 30)
	h.press("G", ":") // web-01
	h.typeText("reset")
	h.press("enter")
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
	gone := h.a.pal.vmID
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
