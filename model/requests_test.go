package model

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// A balloon request shows as soon as QEMU accepts it, not at the next
// poll. Real QEMU with a virtio-balloon and no guest driver sends no
// BALLOON_CHANGE, and polls are an hour apart: only the request itself can
// publish it.
func TestBalloonRequestShowsBeforeTheNextPoll(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "bal", Paused: true, Extra: []string{"-device", "virtio-balloon-pci,id=bal0"}})
	cfg := testConfig()
	cfg.Interval = time.Hour
	f := startFleet(t, cfg, vm.Socket)
	s := waitFor(t, f, 30*time.Second, "the first poll", func(s FleetSnapshot) bool {
		return s.VMs[0].Polls >= 1 && s.VMs[0].Conn == ConnConnected
	})
	const asked = 32 << 20
	res := f.Execute(context.Background(), s.VMs[0].ID, "balloon", json.RawMessage(`{"value":33554432}`))
	if res.Err.Message != "" {
		t.Fatalf("balloon: %+v", res.Err)
	}
	waitFor(t, f, 10*time.Second, "the balloon request on the snapshot", func(s FleetSnapshot) bool {
		return s.VMs[0].Memory.Requested.Asked == asked
	})
}

// What a reply says describes the QEMU that answered it: once another
// connection has replaced it, a late reply's request is not recorded.
func TestRequestsFromAReplacedConnectionAreNotRecorded(t *testing.T) {
	v := newVMWatcher(watcherEnv{}, "vm", qmp.Address{Network: "unix", Addr: "/x"})
	old, cur := new(qmp.Client), new(qmp.Client)
	v.setClient(old)
	if !v.recordOn(old, func() { v.balloonAsked.Store(&BalloonRequest{Asked: 1}) }) {
		t.Fatal("a request on the current connection was not recorded")
	}
	v.setClient(cur)
	if v.balloonAsked.Load() != nil {
		t.Fatal("a new connection kept the old QEMU's balloon request")
	}
	if v.recordOn(old, func() { v.balloonAsked.Store(&BalloonRequest{Asked: 2}) }) || v.balloonAsked.Load() != nil {
		t.Fatal("a reply from the replaced connection was recorded against the new QEMU")
	}
}
