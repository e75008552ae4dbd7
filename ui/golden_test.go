package ui

import (
	"fmt"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// Golden frames of the main screens. The frames are raw (escape sequences
// and all) so the dark and light files pin the colours too; the NO_COLOR
// files double as the plain-text record of the layout. The clock is fixed
// (t0, UTC), so the files are stable. Regenerate with:
//
//	go test ./ui/ -run TestGolden -update

var goldenScreens = []struct {
	name string
	keys []string
}{
	{"fleet", nil},
	{"detail", []string{"G", "enter"}},
	{"block", []string{"G", "enter", "4"}},
	{"palette", []string{"G", ":"}},
	{"help", []string{"?"}},
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, variant := range []string{"dark", "light", "nocolor"} {
			for _, sc := range goldenScreens {
				name := fmt.Sprintf("%s_%dx%d_%s", sc.name, size[0], size[1], variant)
				t.Run(name, func(t *testing.T) {
					src := newFakeSource(demoVMs()...)
					src.addEvents(demoEvents()...)
					h := newHarnessCfg(t, src, Options{Confirm: true, DemoNote: "simulated VMs"}, size[0], size[1], variant == "nocolor")
					if variant == "light" {
						h.send(tea.BackgroundColorMsg{Color: color.White})
					}
					h.press(sc.keys...)
					raw := h.a.render()
					golden.RequireEqual(t, raw)
					if variant == "nocolor" {
						if c := colourSGR(raw); c != "" {
							t.Fatalf("NO_COLOR frame has a colour sequence %q", c)
						}
					} else if colourSGR(raw) == "" {
						t.Fatal("coloured frame has no colour at all")
					}
				})
			}
		}
	}
}

func TestGoldenDarkAndLightDiffer(t *testing.T) {
	render := func(bg color.Color) string {
		h := demo(t, Options{}, 80, 24)
		h.send(tea.BackgroundColorMsg{Color: bg})
		return h.a.render()
	}
	if render(color.Black) == render(color.White) {
		t.Fatal("the default theme draws the same on dark and light backgrounds")
	}
	// A fixed theme ignores the terminal's answer.
	fixed := func(bg color.Color) string {
		h := demo(t, Options{Theme: "dark"}, 80, 24)
		h.send(tea.BackgroundColorMsg{Color: bg})
		return h.a.render()
	}
	if fixed(color.Black) != fixed(color.White) {
		t.Fatal("the dark theme changed with the background")
	}
}

var sgrRE = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// colourSGR returns the first SGR sequence in s that sets a colour, or "".
func colourSGR(s string) string {
	for _, m := range sgrRE.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) || n == 58 {
				return m[0]
			}
		}
	}
	return ""
}

func TestColourSGRDetects(t *testing.T) {
	for s, want := range map[string]bool{
		"\x1b[1mbold\x1b[m": false, "\x1b[7;1m": false, "\x1b[31mred": true, "\x1b[38;2;1;2;3m": true,
		"\x1b[1;48;5;200m": true, "\x1b[94m": true, "plain": false,
	} {
		if got := colourSGR(s) != ""; got != want {
			t.Errorf("colourSGR(%q) = %v", s, got)
		}
	}
}
