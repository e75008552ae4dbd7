package themes

import (
	"image/color"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestNamesAndGet(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "dark,default,high-contrast,light" {
		t.Fatalf("Names() = %s", got)
	}
	for _, n := range append(Names(), "") {
		th, err := Get(n)
		if err != nil {
			t.Fatalf("Get(%q): %v", n, err)
		}
		if n != "" && th.Name != n {
			t.Fatalf("Get(%q).Name = %q", n, th.Name)
		}
	}
	if th, _ := Get(" Dark "); th.Name != "dark" {
		t.Fatal("names are not case- and space-insensitive")
	}
	_, err := Get("solarized")
	if err == nil || !strings.Contains(err.Error(), `unknown theme "solarized"`) ||
		!strings.Contains(err.Error(), "dark, default, high-contrast, light") {
		t.Fatalf("error %v", err)
	}
}

// Every role of every palette has both colours: a missing one would quietly
// draw in the terminal's default.
func TestPalettesComplete(t *testing.T) {
	for _, n := range Names() {
		th, _ := Get(n)
		v := reflect.ValueOf(th.Palette)
		for i := 0; i < v.NumField(); i++ {
			p := v.Field(i).Interface().(Pair)
			if p.Light == nil || p.Dark == nil {
				t.Errorf("%s: %s lacks a colour", n, v.Type().Field(i).Name)
			}
			if _, ok := p.Light.(lipgloss.NoColor); ok {
				t.Errorf("%s: %s light colour did not parse", n, v.Type().Field(i).Name)
			}
			if _, ok := p.Dark.(lipgloss.NoColor); ok {
				t.Errorf("%s: %s dark colour did not parse", n, v.Type().Field(i).Name)
			}
		}
	}
}

// The error kinds and QEMU classes each have a colour of their own.
func TestErrorColoursDistinct(t *testing.T) {
	for _, n := range Names() {
		th, _ := Get(n)
		p := th.Palette
		for _, dark := range []bool{false, true} {
			seen := map[color.Color]string{}
			for name, c := range map[string]Pair{
				"Connect": p.Connect, "Timeout": p.Timeout, "Protocol": p.Protocol, "Capabilities": p.Capabilities,
				"Response": p.Response, "Other": p.Other, "GenericError": p.GenericError,
				"CommandNotFound": p.CommandNotFound, "DeviceNotFound": p.DeviceNotFound,
				"DeviceNotActive": p.DeviceNotActive, "KVMMissingCap": p.KVMMissingCap,
			} {
				col := c.Light
				if dark {
					col = c.Dark
				}
				if other, dup := seen[col]; dup && n != "high-contrast" {
					t.Errorf("%s (dark=%v): %s and %s share a colour", n, dark, name, other)
				}
				seen[col] = name
			}
		}
	}
}

var colourRE = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)

func TestStylesFollowBackground(t *testing.T) {
	def := Default()
	dark, light := NewStyles(def, true), NewStyles(def, false)
	if dark.Running.Render("x") == light.Running.Render("x") {
		t.Fatal("default theme ignores the background")
	}
	if !dark.Dark || light.Dark {
		t.Fatal("Dark flag wrong")
	}
	fixed, _ := Get("light")
	if NewStyles(fixed, true).Running.Render("x") != NewStyles(fixed, false).Running.Render("x") {
		t.Fatal("the light theme changed with the background")
	}
	if !def.Adaptive() || fixed.Adaptive() || Mono().Adaptive() {
		t.Fatal("Adaptive() wrong")
	}
}

func TestMonoHasNoColour(t *testing.T) {
	st := NewStyles(Mono(), true)
	v := reflect.ValueOf(st)
	for i := 0; i < v.NumField(); i++ {
		ink, ok := v.Field(i).Interface().(Ink)
		if !ok {
			continue
		}
		if out := ink.Render("x"); colourRE.MatchString(out) {
			t.Errorf("mono %s renders colour: %q", v.Type().Field(i).Name, out)
		}
	}
	if !strings.Contains(st.Selected.Render("x"), "7") {
		t.Error("mono selection is not reverse video")
	}
	if st.Edge == st.EdgeFocus {
		t.Error("mono focus is not visible without colour")
	}
}

func TestInkMatchesLipgloss(t *testing.T) {
	styles := []lipgloss.Style{
		lipgloss.NewStyle(),
		lipgloss.NewStyle().Bold(true),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000")).Background(lipgloss.Color("4")).Italic(true),
		lipgloss.NewStyle().Underline(true), // takes the general path
		lipgloss.NewStyle().Padding(0, 1),   // takes the general path
	}
	for i, s := range styles {
		ink := NewInk(s)
		for _, in := range [][]string{{"hello"}, {"a", "b"}, {""}, {"two\nlines"}, {"tab\there"}, {"X marks"}} {
			if got, want := ink.Render(in...), s.Render(in...); got != want {
				t.Errorf("style %d, %q: ink %q, lipgloss %q", i, in, got, want)
			}
		}
	}
}
