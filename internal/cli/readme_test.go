package cli

import (
	"os"
	"regexp"
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
	// Every command help lists, and the install and release paths.
	want := []string{"./scripts/test", "go run . demo", "go install github.com/qmpdash/qmpdash@latest",
		"docs/images/dashboard.svg", "docs/images/palette.svg", "scripts/screenshots"}
	for _, c := range commandNames() {
		want = append(want, "qmpdash "+c)
	}
	for _, cmd := range want {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README lacks the command %q", cmd)
		}
	}
	// The pictures it shows exist (scripts/screenshots makes them).
	for _, m := range regexp.MustCompile(`\]\((docs/images/[^)]+)\)`).FindAllStringSubmatch(readme, -1) {
		if _, err := os.Stat("../../" + m[1]); err != nil {
			t.Errorf("README shows a missing picture: %v", err)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil || !strings.Contains(string(ci), "./scripts/test") {
		t.Errorf(".ci/run must call the README's test command: %v", err)
	}
}
