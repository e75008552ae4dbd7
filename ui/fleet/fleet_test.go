package fleet

import (
	"cmp"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/render"
)

// fixture is four VMs whose every sort key orders them strictly.
func fixture() []model.VMSnapshot {
	vm := func(name, state string, conn model.ConnState, cpu float64, rss, mem uint64, io float64) model.VMSnapshot {
		v := model.VMSnapshot{ID: "/run/qemu/" + name + ".qmp", Name: name, RunState: state, Conn: conn}
		if cpu > 0 {
			v.Host = model.Host{Valid: true, CPUPercent: cpu, RSSBytes: rss}
		}
		v.Memory.BaseBytes = mem
		if io > 0 {
			v.Blocks = []model.BlockDevice{{Device: "drive0", Rate: model.BlockRate{ReadBps: io}}}
		}
		return v
	}
	return []model.VMSnapshot{
		vm("delta", "shutdown", model.ConnConnected, 5, 300<<20, 512<<20, 50),
		vm("charlie", "", model.ConnRetrying, 0, 0, 0, 0),
		vm("bravo", "paused", model.ConnConnected, 10, 100<<20, 2<<30, 300),
		vm("alpha", "running", model.ConnConnected, 50, 700<<20, 1<<30, 100),
	}
}

func newModel(t *testing.T, vms []model.VMSnapshot) *Model {
	t.Helper()
	km := keys.Default()
	m, err := New(&km, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(vms))
	for i := range vms {
		names[i] = render.DisplayName(&vms[i])
	}
	m.SetVMs(vms, names)
	return &m
}

// sortValue is what a sort key orders by, worked out apart from the code
// under test: a number, or a name.
func sortValue(v *model.VMSnapshot, k SortKey) (float64, string) {
	switch k {
	case SortState:
		return float64(map[string]int{"running": 0, "paused": 1, "shutdown": 2}[v.RunState] + 10*btoi(v.Conn != model.ConnConnected)), ""
	case SortCPU:
		return v.Host.CPUPercent, ""
	case SortRSS:
		return float64(v.Host.RSSBytes), "" // 0 when unknown
	case SortMem:
		return float64(v.Memory.BaseBytes), ""
	case SortIO:
		var s float64
		for _, b := range v.Blocks {
			s += b.Rate.ReadBps + b.Rate.WriteBps
		}
		return s, ""
	}
	return 0, strings.ToLower(v.Name)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The arrow shows the order as listed, the same way for every key:
// ↑ values rise down the list, ↓ they fall; the column title carries the
// same arrow.
func TestSortArrowShowsListedOrder(t *testing.T) {
	vms := fixture()
	m := newModel(t, vms)
	st := themes.NewStyles(themes.Mono(), true)
	c := &render.Context{Styles: &st}
	for range 2 { // natural order, then reversed
		for range NumSortKeys {
			label := m.SortLabel()
			arrow := label[len(m.sortBy.String()):]
			var rising, falling bool
			for i := 1; i < len(m.order); i++ {
				an, as := sortValue(&vms[m.order[i-1]], m.sortBy)
				bn, bs := sortValue(&vms[m.order[i]], m.sortBy)
				c := cmp.Compare(an, bn)
				if c == 0 {
					c = cmp.Compare(as, bs)
				}
				rising = rising || c < 0
				falling = falling || c > 0
			}
			switch {
			case rising == falling:
				t.Fatalf("%s: the fixture's values are not ordered one way (rising %v falling %v)", label, rising, falling)
			case arrow == "↑" && falling, arrow == "↓" && rising:
				t.Fatalf("%s shown but the list goes the other way: %v", label, m.ShownNames())
			}
			if head := m.View(c, 160, 6, "")[0]; !strings.Contains(head, colTitle(m.sortBy)+arrow) {
				t.Fatalf("%s: header %q lacks %q", label, head, colTitle(m.sortBy)+arrow)
			}
			m.Do("sort", 1)
		}
		m.Do("sort-reverse", 1)
	}
	// Spot-check the words: names A→Z rise, CPU busiest first falls.
	m.sortBy, m.desc = SortName, false
	if m.SortLabel() != "name↑" || m.SortMeaning() != "A→Z" {
		t.Fatalf("name: %s (%s)", m.SortLabel(), m.SortMeaning())
	}
	m.sortBy = SortCPU
	if m.SortLabel() != "cpu↓" || m.SortMeaning() != "busiest first" {
		t.Fatalf("cpu: %s (%s)", m.SortLabel(), m.SortMeaning())
	}
}

func colTitle(k SortKey) string {
	for _, c := range allColumns {
		if c.id == sortColumn(k) {
			return c.title
		}
	}
	return ""
}

// The selection follows the VM, not the row, through sorts and new
// snapshots, and a VM that goes moves it to a row still shown.
func TestSelectionFollowsTheVM(t *testing.T) {
	vms := fixture()
	m := newModel(t, vms)
	m.Do("bottom", 1) // delta, by name
	if v, _ := m.Selected(); v.Name != "delta" {
		t.Fatalf("bottom selected %s", v.Name)
	}
	m.Do("sort", 1) // state: delta is third
	if v, _ := m.Selected(); v.Name != "delta" || m.cursor != 2 {
		t.Fatalf("after sort: %s at %d", v.Name, m.cursor)
	}
	rest := append([]model.VMSnapshot(nil), vms[1:]...)
	m.SetVMs(rest, []string{"charlie", "bravo", "alpha"})
	if _, ok := m.Selected(); !ok || m.SelectedID() == vms[0].ID {
		t.Fatalf("selection stayed on a VM that went: %q", m.SelectedID())
	}
}

func TestFleetColumnsDropByPriority(t *testing.T) {
	has := func(cols []column, id colID) bool {
		for _, c := range cols {
			if c.id == id {
				return true
			}
		}
		return false
	}
	wide := fleetColumns(200, nil, nil)
	for _, id := range []colID{colName, colState, colConn, colVCPU, colCPU, colSpark, colRSS, colMem, colDisk} {
		if !has(wide, id) {
			t.Errorf("column %d missing at 200 cells", id)
		}
	}
	narrow := fleetColumns(78, nil, nil)
	for _, id := range []colID{colName, colState, colCPU, colMem} {
		if !has(narrow, id) {
			t.Errorf("essential column %d dropped at 78 cells", id)
		}
	}
	if has(narrow, colRSS) || has(narrow, colSpark) {
		t.Error("low-priority columns kept at 78 cells")
	}
	for w := 1; w < 300; w++ {
		cols := fleetColumns(w, nil, map[colID]int{colState: 16})
		total := markerWidth
		for _, c := range cols {
			total += c.width + colGap
		}
		if total > w && len(cols) > 2 {
			t.Fatalf("columns overflow %d cells: %d", w, total)
		}
	}
}

// The filter matches names; after @ it matches targets instead, so a
// directory every VM shares does not match them all by accident.
func TestFilterMatchesNamesOrTargetsAfterAt(t *testing.T) {
	vms := fixture()
	vms[0].ID = "unix:/vms/other/delta.qmp"
	m := newModel(t, vms)
	for _, c := range []struct{ filter, want string }{
		{"/run/qemu", ""},                     // not a name
		{"qemu", ""},                          // nor part of one
		{"rav", "bravo"},                      // fuzzy on names
		{"@/run/qemu", "alpha,bravo,charlie"}, // the targets under it
		{"@other", "delta"},                   // a target's part
		{"@", "alpha,bravo,charlie,delta"},    // @ alone: everything
		{"@bravo", "bravo"},                   // a name in a path
	} {
		m.filter = c.filter
		m.refresh()
		if got := strings.Join(m.ShownNames(), ","); got != c.want {
			t.Errorf("filter %q shows %q, want %q", c.filter, got, c.want)
		}
	}
}

func TestHeaderCountSaysOneVM(t *testing.T) {
	m := newModel(t, fixture()[:1])
	if got := m.HeaderCount(); got != "1 VM" {
		t.Fatalf("header count %q", got)
	}
	m.filter = "zzz"
	m.refresh()
	if got := m.HeaderCount(); got != "0/1 VM" {
		t.Fatalf("filtered header count %q", got)
	}
}

func TestStateColumnFitsTheLongestState(t *testing.T) {
	for _, s := range []string{"postmigrate", "finish-migrate", "guest-panicked", "internal-error"} {
		w := render.Width(render.StateText(s))
		cols := fleetColumns(160, nil, map[colID]int{colState: w})
		for _, c := range cols {
			if c.id == colState && c.width < w {
				t.Errorf("%s needs %d cells, the column has %d", s, w, c.width)
			}
		}
	}
	if cols := fleetColumns(160, nil, nil); cols[1].id != colState || cols[1].width != 12 {
		t.Fatalf("state column without long states: %+v", cols[1])
	}
}

// ip and hostname come from the guest agent: shown only when the config
// names them, cleaned where they enter display.
func TestFleetGuestColumnsOptIn(t *testing.T) {
	for _, c := range fleetColumns(400, nil, nil) {
		if c.id == colIP || c.id == colHost {
			t.Fatalf("guest column %q shown by default", c.name)
		}
	}
	vis, err := visibleColumns([]string{"ip", "hostname"})
	if err != nil {
		t.Fatal(err)
	}
	cols := fleetColumns(200, vis, nil)
	st := themes.NewStyles(themes.Mono(), true)
	v := &model.VMSnapshot{Guest: model.Guest{State: model.GuestOK, HostName: "db\x1b[2J-1",
		Interfaces: []model.GuestInterface{{Name: "lo", Addresses: []string{"127.0.0.1/8"}}, {Name: "eth0", Addresses: []string{"10.0.2.15/24"}}}, IP: "10.0.2.15"}}
	row := renderRow(&st, v, "running", "", "db", cols, 200, false)
	if !strings.Contains(row, "10.0.2.15") || !strings.Contains(row, "db-1") || strings.Contains(row, "\x1b[2J") {
		t.Fatalf("row %q", row)
	}
	row = renderRow(&st, &model.VMSnapshot{}, "running", "", "db", cols, 200, false)
	if strings.Count(row, "—") != 2 {
		t.Fatalf("no agent: %q", row)
	}
}

// The host column shows by itself once a VM is on an SSH host ("local"
// for the others), and only then; a column set the user chose is kept.
func TestFleetHostColumnShownWithRemoteVMs(t *testing.T) {
	has := func(cols []column) bool {
		for _, c := range cols {
			if c.id == colMachine {
				return true
			}
		}
		return false
	}
	if has(fleetColumns(400, withMachine(nil, false), nil)) {
		t.Fatal("host column shown with only local VMs")
	}
	cols := fleetColumns(400, withMachine(nil, true), nil)
	if !has(cols) {
		t.Fatal("host column missing with a remote VM")
	}
	st := themes.NewStyles(themes.Mono(), true)
	row := renderRow(&st, &model.VMSnapshot{RemoteHost: "root@lab1\x1b[2J:22"}, "running", "", "db", cols, 400, false)
	if !strings.Contains(row, "root@lab1:22") || strings.Contains(row, "\x1b[2J") {
		t.Fatalf("remote row %q", row)
	}
	if row := renderRow(&st, &model.VMSnapshot{}, "running", "", "db", cols, 400, false); !strings.Contains(row, "local") {
		t.Fatalf("local row %q", row)
	}
	vis, _ := visibleColumns([]string{"name", "state"})
	if has(fleetColumns(400, withMachine(vis, true), nil)) {
		t.Fatal("host column forced into a column set the user chose")
	}
}
