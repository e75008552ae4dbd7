package palette

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/ui/render"
)

func TestHistoryUseIsBoundedAndDeduplicated(t *testing.T) {
	var h History
	for i := 0; i < 100; i++ {
		h.Use(ActionID("a"+render.Itoa(i)), "")
	}
	if len(h.Recent) != maxRecent || h.Recent[0] != "a99" {
		t.Fatalf("recent = %d, first %q", len(h.Recent), h.Recent[0])
	}
	h.Use(ActPause, "")
	h.Use(ActResume, "")
	h.Use(ActPause, "")
	if h.Recent[0] != "pause" || h.Recent[1] != "resume" || strings.Count(strings.Join(h.Recent, ","), "pause") != 1 {
		t.Fatalf("recent = %v", h.Recent[:3])
	}
	for i := 0; i < 50; i++ {
		h.Use(ActHMP, "info "+render.Itoa(i))
	}
	h.Use(ActHMP, strings.Repeat("x", maxInputLen+1))
	if n := len(h.Inputs["hmp"]); n != maxInputsPerKey || h.Inputs["hmp"][0] != "info 49" {
		t.Fatalf("inputs %d, first %q", n, h.Inputs["hmp"][0])
	}
}

func TestHistoryFileRoundTripAndAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.json")
	s := &Store{Path: path}
	var h History
	h.Use(ActPause, "")
	h.Use(ActQMP, "query-status")
	if err := s.Save(1, h.Clone()); err != nil {
		t.Fatal(err)
	}
	// An older generation never overwrites a newer one.
	var old History
	old.Use(ActReset, "")
	if err := s.Save(1, old); err != nil {
		t.Fatal(err)
	}
	got, err := LoadHistory(path)
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
	if h, err := LoadHistory(filepath.Join(dir, "missing.json")); err != nil || len(h.Recent) != 0 {
		t.Fatalf("missing file: %v %v", h, err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := LoadHistory(write("bad.json", []byte("\x00\x01garbage"))); err == nil {
		t.Fatal("garbage accepted")
	}
	big := make([]byte, maxHistoryFile+10)
	if _, err := LoadHistory(write("big.json", big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized file: %v", err)
	}
	// Unknown actions, duplicates and oversized inputs are dropped.
	raw, _ := json.Marshal(map[string]any{
		"recent": []string{"pause", "format-disk", "pause", "resume"},
		"inputs": map[string][]string{"hmp": {"info", "info", strings.Repeat("x", maxInputLen+1)}, "nope": {"x"}},
	})
	h, err := LoadHistory(write("mixed.json", raw))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.Recent, ",") != "pause,resume" || len(h.Inputs["hmp"]) != 1 || h.Inputs["nope"] != nil {
		t.Fatalf("cleaned %+v", h)
	}
}

// Inputs typed before the history file was read are kept, and the file's
// inputs for the same and other actions are kept after them.
func TestHistoryMergeKeepsBothInputs(t *testing.T) {
	var h History
	h.Use(ActInterval, "3s")
	h.Merge(History{Inputs: map[string][]string{"interval": {"1s", "3s"}, "balloon": {"1G"}}})
	if got := h.Inputs["interval"]; len(got) != 2 || got[0] != "3s" || got[1] != "1s" {
		t.Fatalf("interval inputs %q", got)
	}
	if got := h.Inputs["balloon"]; len(got) != 1 || got[0] != "1G" {
		t.Fatalf("balloon inputs %q", got)
	}
}
