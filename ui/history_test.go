package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/ui/render"
)

func TestHistoryUseIsBoundedAndDeduplicated(t *testing.T) {
	var h paletteHistory
	for i := 0; i < 100; i++ {
		h.use(actionID("a"+render.Itoa(i)), "")
	}
	if len(h.Recent) != maxRecent || h.Recent[0] != "a99" {
		t.Fatalf("recent = %d, first %q", len(h.Recent), h.Recent[0])
	}
	h.use(actPause, "")
	h.use(actResume, "")
	h.use(actPause, "")
	if h.Recent[0] != "pause" || h.Recent[1] != "resume" || strings.Count(strings.Join(h.Recent, ","), "pause") != 1 {
		t.Fatalf("recent = %v", h.Recent[:3])
	}
	for i := 0; i < 50; i++ {
		h.use(actHMP, "info "+render.Itoa(i))
	}
	h.use(actHMP, strings.Repeat("x", maxInputLen+1))
	if n := len(h.Inputs["hmp"]); n != maxInputsPerKey || h.Inputs["hmp"][0] != "info 49" {
		t.Fatalf("inputs %d, first %q", n, h.Inputs["hmp"][0])
	}
}

func TestHistoryFileRoundTripAndAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.json")
	s := &historyStore{path: path}
	var h paletteHistory
	h.use(actPause, "")
	h.use(actQMP, "query-status")
	if err := s.save(1, h.clone()); err != nil {
		t.Fatal(err)
	}
	// An older generation never overwrites a newer one.
	var old paletteHistory
	old.use(actReset, "")
	if err := s.save(1, old); err != nil {
		t.Fatal(err)
	}
	got, err := loadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Recent, ",") != "qmp,pause" || got.Inputs["qmp"][0] != "query-status" {
		t.Fatalf("loaded %+v", got)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %d files", len(entries))
	}
}

func TestHistoryLoadIsForgiving(t *testing.T) {
	dir := t.TempDir()
	if h, err := loadHistory(filepath.Join(dir, "missing.json")); err != nil || len(h.Recent) != 0 {
		t.Fatalf("missing file: %v %v", h, err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := loadHistory(write("bad.json", []byte("\x00\x01garbage"))); err == nil {
		t.Fatal("garbage accepted")
	}
	big := make([]byte, maxHistoryFile+10)
	if _, err := loadHistory(write("big.json", big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized file: %v", err)
	}
	// Unknown actions, duplicates and oversized inputs are dropped.
	raw, _ := json.Marshal(map[string]any{
		"recent": []string{"pause", "format-disk", "pause", "resume"},
		"inputs": map[string][]string{"hmp": {"info", "info", strings.Repeat("x", maxInputLen+1)}, "nope": {"x"}},
	})
	h, err := loadHistory(write("mixed.json", raw))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.Recent, ",") != "pause,resume" || len(h.Inputs["hmp"]) != 1 || h.Inputs["nope"] != nil {
		t.Fatalf("cleaned %+v", h)
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
