package palette

import (
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// View draws the palette box's lines for a w x h interior.
func (p *Model) View(w, h int) (title string, lines []string) {
	st := p.env.Styles
	vmName := "no VM"
	if _, name, ok := p.vm(); ok {
		vmName = name
	}
	switch p.stage {
	case stagePrompt:
		title = p.act.title
		if p.act.vm {
			title += " · " + vmName
		}
		lines = append(lines, p.prompt.View(&st.Input, w, true))
		if p.hint != "" {
			lines = append(lines, st.Muted.Render(render.Trunc(p.hint, w)))
		}
		if p.msg != "" {
			lines = append(lines, p.palMsg(w))
		}
		return title, lines
	}
	title = "Commands · " + vmName
	lines = append(lines, p.query.View(&st.Input, w, true))
	room := max(1, h-2)
	if len(p.items) > room && room > 1 {
		room-- // a line says how many more are below
	}
	start := 0
	if p.cursor >= room {
		start = p.cursor - room + 1
	}
	for i := start; i < len(p.items) && i < start+room; i++ {
		lines = append(lines, p.paletteItem(&p.items[i], i == p.cursor, w))
	}
	if below := len(p.items) - (start + room); below > 0 {
		lines = append(lines, st.Muted.Render("  ↓ "+render.Itoa(below)+" more (type to narrow, "+
			p.env.Keys.InputDown.Help().Key+" to scroll)"))
	}
	if len(p.items) == 0 {
		lines = append(lines, st.Muted.Render("no action matches"))
	}
	if p.msg != "" {
		lines = append(lines, p.palMsg(w))
	}
	return title, lines
}

func (p *Model) palMsg(w int) string {
	return p.env.Styles.ErrOther.Render("✗ ") + render.Trunc(termsafe.Line(p.msg), w-2)
}

func (p *Model) paletteItem(it *item, sel bool, w int) string {
	st := p.env.Styles
	text := it.act.searchText()
	var b strings.Builder
	mi := 0
	for i, r := range text {
		hit := mi < len(it.matched) && it.matched[mi] == i
		if hit {
			mi++
		}
		switch {
		case sel || it.disabled != "":
			b.WriteRune(r)
		case hit:
			b.WriteString(st.Match.Render(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	line := b.String()
	if it.disabled != "" {
		line += "  (disabled: " + it.disabled + ")"
	}
	marker := "  "
	if sel {
		marker = "▸ "
	}
	line = render.Fit(marker+line, w)
	switch {
	case sel:
		return st.Selected.Render(line)
	case it.disabled != "":
		return st.Disabled.Render(line)
	}
	return line
}

// helpThemeNames is shown by the theme prompt.
func helpThemeNames() string { return "themes: " + strings.Join(themes.Names(), ", ") }
