package render

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/themes"
)

// Cell arithmetic for laying out styled strings. Everything here counts
// terminal cells, not bytes, and never returns a line wider than asked.

// width is the number of cells s takes. It counts runes by wcwidth rather
// than segmenting grapheme clusters: several times cheaper, and the same for
// everything but exotic emoji sequences (which sanitised names may hold; a
// cell of misalignment there is the price).
func Width(s string) int {
	if termsafe.PlainASCII(s) {
		return len(s)
	}
	return ansi.StringWidthWc(s)
}

// fit truncates s to w cells (with an ellipsis) and pads it with spaces to
// exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	if n > w {
		s = ansi.TruncateWc(s, w, "…")
		n = Width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// trunc truncates s to at most w cells without padding.
func Trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) > w {
		return ansi.TruncateWc(s, w, "…")
	}
	return s
}

// fitLeft right-aligns s in w cells.
func FitLeft(s string, w int) string {
	n := Width(s)
	if n >= w {
		return Trunc(s, w)
	}
	return strings.Repeat(" ", w-n) + s
}

// block makes lines exactly w cells wide and h lines high.
func Block(lines []string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(Fit(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}

// box frames lines in a w x h box with title set into the top edge. Focus
// changes the frame's glyphs as well as its colour. Lines beyond the box are
// cut; the caller scrolls.
func Box(st *themes.Styles, title string, lines []string, w, h int, focused bool) string {
	if w < 2 || h < 2 {
		return Block(nil, w, h)
	}
	edge, bs, ts := st.Edge, st.Border, st.PaneTitle
	if focused {
		edge, bs, ts = st.EdgeFocus, st.BorderFocus, st.PaneTitleFocus
	}
	inner := w - 2
	var b strings.Builder
	// Top edge with the title.
	top := edge.Top
	t := ""
	if title != "" && inner >= 4 {
		t = Trunc(" "+title+" ", inner-1)
	}
	b.WriteString(bs.Render(edge.TopLeft + top))
	if t != "" {
		b.WriteString(ts.Render(t))
	}
	rest := inner - 1 - Width(t)
	if rest > 0 {
		b.WriteString(bs.Render(strings.Repeat(top, rest) + edge.TopRight))
	} else {
		b.WriteString(bs.Render(edge.TopRight))
	}
	left, right := bs.Render(edge.Left), bs.Render(edge.Right)
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		b.WriteString(left)
		if i < len(lines) {
			b.WriteString(Fit(lines[i], inner))
		} else {
			b.WriteString(strings.Repeat(" ", inner))
		}
		b.WriteString(right)
	}
	b.WriteByte('\n')
	b.WriteString(bs.Render(edge.BottomLeft + strings.Repeat(edge.Bottom, inner) + edge.BottomRight))
	return b.String()
}

// joinH places blocks side by side. Each block must already be exactly as
// wide as given in widths (box and block make them so), which spares
// measuring every line again; a block with fewer lines is padded.
func JoinH(widths []int, blocks ...string) string {
	split := make([][]string, len(blocks))
	h := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		h = max(h, len(split[i]))
	}
	var sb strings.Builder
	for y := 0; y < h; y++ {
		if y > 0 {
			sb.WriteByte('\n')
		}
		for i := range split {
			if y < len(split[i]) {
				sb.WriteString(split[i][y])
			} else {
				sb.WriteString(strings.Repeat(" ", widths[i]))
			}
		}
	}
	return sb.String()
}

// kv is one "key  value" line with the key styled and padded to kw cells.
func KV(st *themes.Styles, k string, kw int, v string) string {
	return st.Key.Render(Fit(k, kw)) + " " + v
}

// wrapLines word-wraps s to w cells, at most maxLines lines (the last one
// cut with an ellipsis).
func WrapLines(s string, w, maxLines int) []string {
	if w < 8 {
		return []string{s}
	}
	lines := strings.Split(ansi.WrapWc(s, w, " /,"), "\n")
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = Trunc(lines[maxLines-1]+" …", w)
	}
	return lines
}
