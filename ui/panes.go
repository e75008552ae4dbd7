package ui

import (
	"github.com/qmpdash/qmpdash/model"
)

// The selected VM's detail panes. Each returns plain lines for a given
// width; the caller frames, clips and scrolls them.

type paneID int

const (
	paneOverview paneID = iota
	paneVCPUs
	paneMemory
	paneBlock
	paneMigration
	paneChardevs
	paneEvents // a tab only in the compact layout; a column of its own when wide
	numPanes
)

var paneTitles = [numPanes]string{"Overview", "vCPUs", "Memory", "Block", "Migration", "Chardevs", "Events"}

func (a *app) paneLines(p paneID, v *model.VMSnapshot, w, h int) []string {
	switch p {
	case paneOverview:
		return a.paneOverview(v, w)
	case paneVCPUs:
		return a.paneVCPUs(v, w)
	case paneMemory:
		return a.paneMemory(v, w)
	case paneBlock:
		return a.paneBlock(v, w)
	case paneMigration:
		return a.paneMigration(v, w)
	case paneChardevs:
		return a.paneChardevs(v, w)
	case paneEvents:
		return a.eventLines(w, h)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// barWidth sizes a bar to what is left of w after other cells.
func barWidth(w, used, lo, hi int) int {
	return max(lo, min(hi, w-used))
}

func (a *app) renderBar(frac float64, w int) string {
	full, empty := bar(frac, w)
	return a.st.BarFull.Render(full) + a.st.BarEmpty.Render(empty)
}
