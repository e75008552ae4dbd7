package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

func TestGuestPaneStates(t *testing.T) {
	v := &model.VMSnapshot{}
	if got := draw(GuestPane, v, 60); got != "no agent" {
		t.Fatalf("no agent: %q", got)
	}
	v.Guest = model.Guest{State: model.GuestNotAnswering, Socket: "/d/vm.qga", Since: t0.Add(-90 * time.Second), PortClosed: true}
	got := draw(GuestPane, v, 60)
	for _, want := range []string{"agent not answering since", "(1m)", "has not opened the agent's port"} {
		if !strings.Contains(got, want) {
			t.Errorf("not answering lacks %q:\n%s", want, got)
		}
	}
	used, total := uint64(3<<30), uint64(10<<30)
	v.Guest = model.Guest{State: model.GuestOK, At: t0, Since: t0.Add(-10 * time.Minute), AgentVersion: "7.2.22",
		OSName: "Debian GNU/Linux 12 (bookworm)", Kernel: "6.1.0-18-amd64",
		HostName: "web\x1b]0;pwned\x07-01", Timezone: "UTC",
		Interfaces:  []model.GuestInterface{{Name: "eth0", MAC: "52:54:00:12:34:56", Addresses: []string{"10.0.2.15/24", "fec0::5054:ff:fe12:3456/64"}}},
		Filesystems: []model.GuestFilesystem{{Mountpoint: "/", Type: "ext4", Used: used, Total: total, Sized: true}, {Mountpoint: "/proc", Type: "proc"}},
		Users:       []model.GuestUser{{Name: "root", Login: t0}, {Name: "ops", Login: t0.Add(-3 * 24 * time.Hour)}}, UsersKnown: true,
	}
	v.Conn = model.ConnConnected
	raw := strings.Join(Lines(GuestPane, testContext(), v, 90), "\n")
	if strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, "\x07") {
		t.Fatalf("guest strings reach the terminal raw: %q", raw)
	}
	got = draw(GuestPane, v, 90)
	// Published only on change: the facts are the latest round's, the
	// same since Since (not "as of" an old At).
	since := "7.2.22 · unchanged since " + render.Clock(t0.Add(-10*time.Minute), testContext().Loc)
	for _, want := range []string{since, "7.2.22", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "web", "-01", "UTC",
		"eth0", "52:54:00:12:34:56", "10.0.2.15/24", "ext4", "3.0G/10G", "root",
		// A login days ago carries its date; a bare time of day would say today.
		"ops since " + t0.Add(-3*24*time.Hour).In(testContext().Loc).Format("2006-01-02 15:04")} {
		if !strings.Contains(got, want) {
			t.Errorf("facts lack %q:\n%s", want, got)
		}
	}
	// With the monitor gone the facts are as of the agent's last answer,
	// not "unchanged" as if confirmed each round.
	v.Conn = model.ConnRetrying
	got = draw(GuestPane, v, 90)
	if want := "7.2.22 · last answer at " + render.Clock(t0, testContext().Loc); !strings.Contains(got, want) || strings.Contains(got, "unchanged since") {
		t.Errorf("a disconnected VM's guest facts lack %q:\n%s", want, got)
	}
	// An agent that would not say who is logged in: unknown, not "none".
	v.Conn = model.ConnConnected
	v.Guest.Users, v.Guest.UsersKnown = nil, false
	got = draw(GuestPane, v, 90)
	if !strings.Contains(got, "users     unknown") || strings.Contains(got, "none logged in") {
		t.Errorf("users not marked unknown:\n%s", got)
	}
}
