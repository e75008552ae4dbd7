package render

import (
	"testing"

	"github.com/qmpdash/qmpdash/model"
)

func TestCountStatesCountsStorageDaemonsApart(t *testing.T) {
	vms := []model.VMSnapshot{
		{Conn: model.ConnConnected, RunState: "running"},
		{Conn: model.ConnConnected, Kind: model.ServerStorageDaemon, RunState: model.StorageDaemonState},
		{Conn: model.ConnRetrying, Kind: model.ServerStorageDaemon, RunState: model.StorageDaemonState},
	}
	if got, want := CountStates(vms), (StateCounts{Running: 1, Daemons: 1, Down: 1}); got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	if got := StateText(model.StorageDaemonState); got != "◇ storage-daemon" {
		t.Fatalf("state text %q", got)
	}
}
