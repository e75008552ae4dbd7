package palette

import (
	"encoding/json"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/sahilm/fuzzy"
)

// noSchema is a VM whose schema is not known yet.
type noSchema struct{}

func (noSchema) CommandNames(string) []string                       { return nil }
func (noSchema) CommandArgs(string, string) ([]model.ArgSpec, bool) { return nil, false }
func (noSchema) ValidateArgs(string, string, json.RawMessage) error { return nil }

// open opens a palette on VM "web" (or on none) with the history given.
func open(t *testing.T, readOnly bool, vmID string, hist *History) *Model {
	t.Helper()
	km := keys.Default()
	st := themes.NewStyles(themes.Mono(), true)
	web := model.VMSnapshot{ID: "web", Name: "web"}
	env := Env{Keys: &km, Styles: &st, ReadOnly: readOnly, Schema: noSchema{},
		VM: func(id string) (*model.VMSnapshot, string, bool) {
			if id == web.ID {
				return &web, web.Name, true
			}
			return nil, "", false
		}}
	return Open(env, hist, vmID)
}

// typeText types s into the palette.
func typeText(p *Model, s string) {
	for _, r := range s {
		p.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// order checks the enabled actions come before the disabled ones and
// returns the ids in order.
func order(t *testing.T, p *Model) []ActionID {
	t.Helper()
	var ids []ActionID
	seenDisabled := false
	for _, it := range p.Items() {
		if it.Disabled != "" {
			seenDisabled = true
		} else if seenDisabled {
			t.Fatalf("enabled %s listed after a disabled action: %v", it.ID, p.Items())
		}
		ids = append(ids, it.ID)
	}
	return ids
}

func TestListsEnabledActionsFirst(t *testing.T) {
	// Recently used: a disabled action, then an enabled one.
	var hist History
	hist.Use(ActInterval, "")
	hist.Use(ActPause, "")
	p := open(t, true, "web", &hist)
	ids := order(t, p)
	if ids[0] != ActInterval {
		t.Fatalf("most recent enabled action not first: %v", ids)
	}
	firstDisabled := -1
	for i, it := range p.Items() {
		if it.Disabled != "" {
			firstDisabled = i
			break
		}
	}
	if firstDisabled < 0 || ids[firstDisabled] != ActPause {
		t.Fatalf("most recent disabled action does not lead its group: %v", ids)
	}
	// The cursor starts on something that runs, and the view agrees.
	if p.Items()[0].Disabled != "" || p.Cursor() != 0 {
		t.Fatal("cursor starts on a disabled action")
	}
	if _, lines := p.View(100, 30); !strings.Contains(strings.Join(lines, "\n"), "▸ Change poll interval") {
		t.Fatalf("cursor not drawn on the first action:\n%s", strings.Join(lines, "\n"))
	}

	// Filtering: still enabled first, and by fuzzy score within each group.
	typeText(p, "me")
	order(t, p)
	texts := make([]string, len(actions))
	for i := range actions {
		texts[i] = actions[i].searchText()
	}
	score := map[ActionID]int{}
	for _, m := range fuzzy.Find("me", texts) {
		score[actions[m.Index].id] = m.Score
	}
	items := p.Items()
	groups := map[bool]int{}
	for i, it := range items {
		groups[it.Disabled != ""]++
		if i > 0 && (items[i-1].Disabled != "") == (it.Disabled != "") && score[items[i-1].ID] < score[it.ID] {
			t.Fatalf("%s (score %d) after %s (score %d)", it.ID, score[it.ID], items[i-1].ID, score[items[i-1].ID])
		}
	}
	if groups[true] == 0 || groups[false] < 2 {
		t.Fatalf("query should match both groups for this test to mean anything: %v", order(t, p))
	}
}

func TestNoVMListsLocalActionsFirst(t *testing.T) {
	p := open(t, false, "", &History{})
	if ids := order(t, p); ids[0] != ActTheme {
		t.Fatalf("order without a VM %v", ids)
	}
	if _, lines := p.View(100, 30); !strings.Contains(strings.Join(lines, "\n"), "▸ Switch theme") {
		t.Fatalf("cursor not on the first usable action:\n%s", strings.Join(lines, "\n"))
	}
}

// A choice goes to the root as Chosen, with what to send and whether it
// is destructive; a bad input stays in the palette.
func TestChoiceIsCheckedThenHandedOver(t *testing.T) {
	p := open(t, false, "web", &History{})
	typeText(p, "balloon")
	p.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	typeText(p, "12x")
	if act := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); act != nil {
		t.Fatalf("a bad size was handed over: %+v", act)
	}
	for range 3 {
		p.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typeText(p, "1G")
	c, ok := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter}).(Chosen)
	if !ok || c.Destructive || c.Pending.Command != "balloon" || string(c.Pending.Args) != `{"value":1073741824}` || c.Pending.VMID != "web" {
		t.Fatalf("chosen %+v", c)
	}
}

// someCommands is a VM whose command list is known: it lacks the job
// commands (an older QEMU, a storage daemon, the simulator).
type someCommands struct{ noSchema }

func (someCommands) CommandNames(string) []string { return []string{"cont", "query-status", "stop"} }

// An action whose command the VM does not offer is disabled, saying so,
// rather than sent to fail; while the list is unknown nothing is refused.
func TestActionsTheVMLacksAreDisabled(t *testing.T) {
	p := open(t, false, "web", &History{})
	p.env.Schema = someCommands{}
	p.filter()
	reasons := map[ActionID]string{}
	for _, it := range p.Items() {
		reasons[it.ID] = it.Disabled
	}
	if reasons[ActPause] != "" || reasons[ActTheme] != "" {
		t.Fatalf("offered or local actions disabled: %v", reasons)
	}
	if r := reasons[ActJobDone]; r != "this QEMU does not offer job-complete" {
		t.Fatalf("job-complete: %q", r)
	}
	unknown := open(t, false, "web", &History{}) // noSchema: the list is unknown
	for _, it := range unknown.Items() {
		if it.ID == ActGuestDown || it.ID == ActGuestBoot {
			continue // they wait on the guest agent, not the command list
		}
		if it.Disabled != "" {
			t.Fatalf("%s disabled while the command list is unknown: %s", it.ID, it.Disabled)
		}
	}
}

// Completion offers only ids it can put into the prompt exactly as the VM
// has them: an id that cleaning for display would change is left out, so
// it is never sent as a different id.
func TestCompletionOffersOnlyIdsSentAsTheyAre(t *testing.T) {
	p := open(t, false, "web", &History{})
	vm := &model.VMSnapshot{ID: "web", Name: "web", Blocks: []model.BlockDevice{
		{Device: "cd0", Removable: true}, {Device: "cd\x1b[31m1", Removable: true}, {Device: "disk0"}}}
	p.env.VM = func(string) (*model.VMSnapshot, string, bool) { return vm, "web", true }
	if got := p.removableDevices(); len(got) != 1 || got[0] != "cd0" {
		t.Fatalf("offered %q, want only cd0", got)
	}
}
