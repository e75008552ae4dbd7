package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// qmpdashBinary builds the command (the module root, whose main calls Run)
// once per test run.
func qmpdashBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qmpdash-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "qmpdash")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/qmpdash/qmpdash").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}
