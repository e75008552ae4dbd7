package palette

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// The palette remembers recently used actions (listed first) and what was
// typed at each prompt, across runs, in a small JSON file. Reads are
// bounded and forgiving: a corrupt file is reported and ignored. Writes go to
// a temporary file that is renamed over the old one, so a crash never leaves
// half a file.

const (
	maxRecent       = 32
	maxInputsPerKey = 20
	maxInputLen     = 1024
	maxHistoryFile  = 256 << 10
	historyVersion  = 1
)

type History struct {
	Version int                 `json:"version"`
	Recent  []string            `json:"recent"`           // action ids, most recent first
	Inputs  map[string][]string `json:"inputs,omitempty"` // prompt inputs by action id, most recent first
}

// Use records an action (and its prompt input) as the most recent.
func (h *History) Use(id ActionID, input string) {
	h.Recent = pushFront(h.Recent, string(id), maxRecent)
	if input != "" && len(input) <= maxInputLen {
		if h.Inputs == nil {
			h.Inputs = map[string][]string{}
		}
		h.Inputs[string(id)] = pushFront(h.Inputs[string(id)], input, maxInputsPerKey)
	}
}

// rank is an action's place in the recent list (lower is more recent), or
// len(Recent) if it was never used.
func (h *History) rank(id ActionID) int {
	if i := slices.Index(h.Recent, string(id)); i >= 0 {
		return i
	}
	return len(h.Recent)
}

// Clone is a deep copy, for a save running in a command.
func (h *History) Clone() History {
	c := History{Version: historyVersion, Recent: slices.Clone(h.Recent)}
	if len(h.Inputs) > 0 {
		c.Inputs = make(map[string][]string, len(h.Inputs))
		for k, v := range h.Inputs {
			c.Inputs[k] = slices.Clone(v)
		}
	}
	return c
}

func pushFront(list []string, v string, limit int) []string {
	out := make([]string, 0, min(len(list)+1, limit))
	out = append(out, v)
	for _, s := range list {
		if s != v && len(out) < limit {
			out = append(out, s)
		}
	}
	return out
}

// loadHistory reads the history file. A missing file is an empty history;
// anything unreadable is an error the caller shows and then ignores.
func LoadHistory(path string) (History, error) {
	var h History
	if path == "" {
		return h, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return h, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHistoryFile+1))
	if err != nil {
		return h, err
	}
	if len(data) > maxHistoryFile {
		return h, fmt.Errorf("%s is larger than %d KiB", path, maxHistoryFile>>10)
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return History{}, fmt.Errorf("%s is not valid history: %w", path, err)
	}
	// Trust nothing: keep known actions only, without duplicates, bounded.
	clean := History{Version: historyVersion}
	for _, id := range h.Recent {
		if findAction(ActionID(id)) != nil && !slices.Contains(clean.Recent, id) && len(clean.Recent) < maxRecent {
			clean.Recent = append(clean.Recent, id)
		}
	}
	for k, list := range h.Inputs {
		if findAction(ActionID(k)) == nil {
			continue
		}
		var kept []string
		for _, in := range list {
			if in != "" && len(in) <= maxInputLen && !slices.Contains(kept, in) && len(kept) < maxInputsPerKey {
				kept = append(kept, in)
			}
		}
		if len(kept) > 0 {
			if clean.Inputs == nil {
				clean.Inputs = map[string][]string{}
			}
			clean.Inputs[k] = kept
		}
	}
	return clean, nil
}

// Merge takes in the history read at start, keeping anything used before
// the file was read.
func (h *History) Merge(loaded History) {
	for _, id := range loaded.Recent {
		if h.rank(ActionID(id)) == len(h.Recent) {
			h.Recent = append(h.Recent, id)
		}
	}
	if len(h.Recent) > maxRecent {
		h.Recent = h.Recent[:maxRecent]
	}
	// Inputs typed this session come first; the file's follow, per action.
	for id, list := range loaded.Inputs {
		if h.Inputs == nil {
			h.Inputs = map[string][]string{}
		}
		merged := h.Inputs[id]
		for _, in := range list {
			if !slices.Contains(merged, in) && len(merged) < maxInputsPerKey {
				merged = append(merged, in)
			}
		}
		h.Inputs[id] = merged
	}
}

// Store serialises writes: saves run in commands, possibly two at
// once, and an older snapshot must never overwrite a newer one.
type Store struct {
	Path    string
	mu      sync.Mutex
	written int // generation of the last write
}

// Save writes h unless a newer generation was written already.
func (s *Store) Save(gen int, h History) error {
	if s == nil || s.Path == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen <= s.written {
		return nil
	}
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.Path, append(data, '\n')); err != nil {
		return err
	}
	s.written = gen
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
