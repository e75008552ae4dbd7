package model

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// A real sshd whose sessions find a sed of the test's first on PATH: the
// real one, except while the file hang exists, when it waits (a /proc
// read stuck on a process in D state hangs so). The host's /proc batch
// stops arriving while the VM's monitor, forwarded over the same SSH
// connection, answers: the VM stays up, its host figures go stale with
// the time of the last batch, and come back fresh when sed does.
func TestRemoteHostFiguresStaleWhileTheHostsSedHangs(t *testing.T) {
	bin := qemutest.Dir(t)
	hang := filepath.Join(bin, "hang")
	script := "#!/bin/sh\nwhile [ -e " + hang + " ]; do sleep 0.05; done\nexec /usr/bin/sed \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "sed"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(hang) }) // a hung script ends, whoever still waits on it
	sshd := qemutest.StartSSHD(t, "PATH="+bin+":/usr/bin:/bin")
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "h1", Dir: dir})
	f, _ := remoteFleet(t, sshd)
	spec, err := ParseSpec(sshd.Target(vm.Socket))
	if err != nil {
		t.Fatal(err)
	}
	runFleet(t, f)
	if err := f.Watch(t.Context(), []Spec{spec}); err != nil {
		t.Fatal(err)
	}
	fresh := func(s FleetSnapshot) bool {
		v := vmBy(s, "h1")
		return v.Conn == ConnConnected && v.Host.Valid && !v.Host.Stale && v.PID == vm.PID()
	}
	waitFor(t, f, 60*time.Second, "fresh host figures", fresh)

	if err := os.WriteFile(hang, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	interval := f.Interval()
	s := waitFor(t, f, 30*time.Second, "host figures marked stale", func(s FleetSnapshot) bool {
		return vmBy(s, "h1").Host.Stale
	})
	v := vmBy(s, "h1")
	if v.Conn != ConnConnected || v.Stale {
		t.Fatalf("the monitor answers, yet the VM is %s (stale %v)", v.Conn, v.Stale)
	}
	if !v.Host.Valid || v.Host.RSSBytes == 0 || v.Host.At.IsZero() {
		t.Fatalf("stale host figures %+v: want the last batch's, with its time", v.Host)
	}
	// Judged at the poll that published them: more than two intervals
	// old then, so older still now.
	if age := time.Since(v.Host.At); age <= hostStaleAfter*interval {
		t.Fatalf("host figures marked stale at %v old (interval %v)", age, interval)
	}
	polls := v.Polls
	s = waitFor(t, f, 30*time.Second, "more polls while the batch is stuck", func(s FleetSnapshot) bool {
		v := vmBy(s, "h1")
		return v.Polls >= polls+3 && v.Host.Stale
	})
	if at := vmBy(s, "h1").Host.At; !at.Equal(v.Host.At) {
		t.Fatalf("stale figures' time moved from %v to %v with no new batch", v.Host.At, at)
	}

	os.Remove(hang)
	waitFor(t, f, 30*time.Second, "fresh host figures again", fresh)
}
