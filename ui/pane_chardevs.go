package ui

import (
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// paneChardevs: label, frontend state and backend of each chardev.
func (a *app) paneChardevs(v *model.VMSnapshot, w int) []string {
	st := &a.st
	if len(v.Chardevs) == 0 {
		return []string{st.Muted.Render("no character devices")}
	}
	lw := 14
	for _, c := range v.Chardevs {
		lw = max(lw, min(24, width(termsafe.Line(c.Label))+1))
	}
	lines := []string{st.Header.Render(fit("LABEL", lw) + fit("FRONTEND", 10) + "FILENAME")}
	for _, c := range v.Chardevs {
		fe := "closed"
		if c.FrontendOpen {
			fe = "open"
		}
		lines = append(lines, fit(termsafe.Line(termsafe.Clip(c.Label, 128)), lw)+fit(fe, 10)+termsafe.Line(termsafe.Clip(c.Filename, 512)))
	}
	return lines
}
