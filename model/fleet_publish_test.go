package model

import (
	"path/filepath"
	"testing"
)

// A forgotten VM's watcher, cancelled but not yet ended, may still
// publish; a new member with the same ID must not show what it says.
func TestFleetPublishIgnoresAForgottenWatcher(t *testing.T) {
	f := NewFleet(testConfig())
	sock := filepath.Join(t.TempDir(), "a.qmp")
	id := f.Add(canonical(mustParse(t, sock)))
	f.mu.Lock()
	old := f.vms[id].w
	f.forgetLocked(id, f.vms[id])
	f.mu.Unlock()
	if f.Add(canonical(mustParse(t, sock))) != id {
		t.Fatal("the new member has another ID")
	}
	old.cur.Name = "ghost"
	old.publish()
	if v := f.Snapshot().VMs[0]; v.Name == "ghost" {
		t.Fatalf("the forgotten watcher's snapshot is shown as the new member's: %+v", v)
	}
	f.mu.Lock()
	cur := f.vms[id].w
	f.mu.Unlock()
	cur.cur.Name = "new"
	cur.publish()
	if v := f.Snapshot().VMs[0]; v.Name != "new" {
		t.Fatalf("the member's own watcher's snapshot not shown: %q", v.Name)
	}
}
