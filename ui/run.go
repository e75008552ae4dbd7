package ui

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// fps caps redraws. The renderer only writes when a frame differs, and we
// only produce new frames on input or fleet changes, so this bounds the cost
// of a busy fleet rather than setting an idle rate.
const fps = 30

// Run shows the dashboard until the user quits or ctx is cancelled (which
// is not an error). It validates the options first: an unknown theme is an
// error listing the valid names.
func Run(ctx context.Context, src Source, opts Options) error {
	if src == nil {
		return errors.New("ui: nil Source")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // also releases the command waiting on the fleet
	noColor := os.Getenv("NO_COLOR") != ""
	a, err := newApp(src, opts, appConfig{ctx: ctx, now: time.Now, loc: time.Local, noColor: noColor})
	if err != nil {
		return err
	}
	p := tea.NewProgram(a, programOptions(ctx, opts, noColor)...)
	_, err = p.Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

func programOptions(ctx context.Context, opts Options, noColor bool) []tea.ProgramOption {
	// The size is a fallback for output that is not a terminal (tests,
	// pipes); a terminal's real size replaces it.
	po := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(fps), tea.WithWindowSize(80, 24)}
	if opts.Input != nil {
		po = append(po, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		po = append(po, tea.WithOutput(opts.Output))
	}
	if noColor {
		// NO_COLOR with any non-empty value means no colour; colorprofile
		// itself only honours boolean spellings, so decide here.
		po = append(po, tea.WithColorProfile(colorprofile.Ascii))
	}
	return po
}
