package palette

import "github.com/qmpdash/qmpdash/ui/keys"

// ListKeys is the action list's table; letters type into the query.
func ListKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "palette", Input: true,
		Entries: []keys.Entry{{Action: "close", Binding: &k.InputBack}, {Action: "up", Binding: &k.InputUp},
			{Action: "down", Binding: &k.InputDown}, {Action: "run", Binding: &k.Run}},
		Short: []string{"run", "up", "down", "close"},
	}
}

// PromptKeys is an action's prompt's table; tab completes where
// completes is set.
func PromptKeys(k *keys.Map, completes bool) keys.Table {
	t := keys.Table{
		Context: "prompt", Input: true,
		Entries: []keys.Entry{{Action: "close", Binding: &k.InputBack}, {Action: "run", Binding: &k.Run},
			{Action: "earlier", Binding: &k.InputUp}, {Action: "later", Binding: &k.InputDown},
			{Action: "recall", Binding: &k.Recall, HelpOnly: true}},
		Short: []string{"run", "recall", "close"},
	}
	if completes {
		t.Entries = append(t.Entries, keys.Entry{Action: "complete", Binding: &k.Complete})
		t.Short = []string{"run", "complete", "recall", "close"}
	}
	return t
}
