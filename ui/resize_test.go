package ui

import (
	"encoding/json"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/ui/render"
)

// checkFrame asserts the frame fits the terminal: no more lines than rows,
// no line wider than the columns.
func checkFrame(t *testing.T, h *harness, w, hgt int) {
	t.Helper()
	lines := strings.Split(h.a.render(), "\n")
	if len(lines) > max(hgt, 1) {
		t.Fatalf("%dx%d: %d lines", w, hgt, len(lines))
	}
	for i, l := range lines {
		if n := render.Width(l); n > max(w, 1) {
			t.Fatalf("%dx%d: line %d is %d cells: %q", w, hgt, i, n, l)
		}
	}
}

// states opens each screen and overlay in turn and calls fn on each.
func eachState(h *harness, fn func(name string)) {
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd, Reply: json.RawMessage(`{"a":[1,2,3],"b":"` + strings.Repeat("x", 300) + `"}`)}
	}
	steps := []struct {
		name string
		keys []string
	}{
		{"fleet", nil},
		{"detail", []string{"G", "enter"}},
		{"block", []string{"4"}},
		{"events", []string{"8"}},
		{"palette", []string{":"}},
		{"prompt", []string{"down", "down", "down", "down", "down", "enter"}},
		{"confirm", []string{"esc", ":", "r", "e", "s", "e", "t", "enter"}},
		{"viewer", []string{"esc", ":", "q", "m", "p", "enter", "q", "u", "e", "r", "y", "-", "s", "enter"}},
		{"help", []string{"esc", "?"}},
		{"errors", []string{"esc", "e"}},
		{"filter", []string{"esc", "esc", "/"}},
	}
	for _, s := range steps {
		for _, k := range s.keys {
			h.send(keyMsg(k))
		}
		fn(s.name)
	}
}

func TestResizeNeverPanics(t *testing.T) {
	sizes := [][2]int{{200, 60}, {300, 100}, {1000, 300}, {80, 24}, {160, 48}, {59, 24}, {60, 12}, {119, 29}, {120, 30}}
	for w := 1; w <= 30; w++ {
		for hgt := 1; hgt <= 10; hgt++ {
			sizes = append(sizes, [2]int{w, hgt})
		}
	}
	for _, conf := range []Options{{Confirm: true}, {Confirm: true, ReadOnly: true, DemoNote: "simulated VMs"}} {
		h := demo(t, conf, 80, 24)
		eachState(h, func(name string) {
			for _, sz := range sizes {
				h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkFrame(t, h, sz[0], sz[1])
				_ = h.a.View()
			}
		})
	}
}

func TestZeroSizeKeepsTheLastOne(t *testing.T) {
	// A program whose output is not a terminal reports 0x0: keep drawing.
	h := demo(t, Options{}, 100, 30)
	h.send(tea.WindowSizeMsg{})
	if h.a.w != 100 || h.a.h != 30 {
		t.Fatalf("size %dx%d", h.a.w, h.a.h)
	}
	h.mustShow("web-01")
}

func TestTooSmallNote(t *testing.T) {
	h := demo(t, Options{}, 20, 5)
	h.mustShow("too small", "20x5")
	// Keys still work: q quits.
	h.press("q")
	if !h.quit {
		t.Fatal("q did not quit at 20x5")
	}
	h = demo(t, Options{}, 80, 24)
	h.send(tea.WindowSizeMsg{Width: 20, Height: 5})
	h.mustShow("too small")
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.mustNotShow("too small")
	h.mustShow("web-01")
}

func TestResizeManyVMsAndLongNames(t *testing.T) {
	vms := manyVMs(300)
	vms[5].Name = strings.Repeat("日本語の名前", 20)
	vms[6].Name = strings.Repeat("x", 5000)
	vms[7].LastError = model.ErrorInfo{Kind: qmp.KindProtocol, Message: strings.Repeat("garbled ", 500)}
	h := newHarness(t, newFakeSource(vms...), Options{}, 80, 24)
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {200, 60}, {61, 13}, {121, 31}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, k := range []string{"g", "j", "j", "j", "j", "j", "enter", "1", "esc", "G"} {
			h.press(k)
			checkFrame(t, h, sz[0], sz[1])
		}
	}
}
