package panes

import (
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Chardevs: label, frontend state and backend of each chardev.
func Chardevs(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	if len(v.Chardevs) == 0 {
		return []string{st.Muted.Render("no character devices")}
	}
	lw := 14
	for _, c := range v.Chardevs {
		lw = max(lw, min(24, render.Width(termsafe.Line(c.Label))+1))
	}
	lines := []string{st.Header.Render(render.Fit("LABEL", lw) + render.Fit("FRONTEND", 10) + "FILENAME")}
	for _, c := range v.Chardevs {
		fe := "closed"
		if c.FrontendOpen {
			fe = "open"
		}
		lines = append(lines, render.Fit(termsafe.Line(termsafe.Clip(c.Label, 128)), lw)+render.Fit(fe, 10)+termsafe.Line(termsafe.Clip(c.Filename, 512)))
	}
	return lines
}
