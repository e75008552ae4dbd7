package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui"
)

// The README lists names the code defines; this keeps the two in step.
func TestREADMENamesWhatTheCodeHas(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var names []string
	names = append(names, ui.KeyActions()...)
	names = append(names, ui.ColumnNames()...)
	names = append(names, themes.Names()...)
	for _, n := range names {
		if !strings.Contains(readme, "`"+n+"`") {
			t.Errorf("README does not mention `%s`", n)
		}
	}
	for _, cmd := range []string{"./scripts/test", "go run . demo"} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README lacks the command %q", cmd)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil || !strings.Contains(string(ci), "./scripts/test") {
		t.Errorf(".ci/run must call the README's test command: %v", err)
	}
}
