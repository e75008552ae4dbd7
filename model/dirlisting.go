package model

import (
	"os"
	"syscall"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// A directory target is rescanned every ScanInterval. Listing it, judging
// each socket and stat-ing each one again cost 6 % of the dashboard's CPU
// at 500 VMs (two stats per socket a second), to learn, nearly always,
// that nothing changed. A socket made, removed or replaced in a directory
// changes the directory's modification time, so a scan that finds the
// directory as it was (same inode, same mtime) reuses the last listing.
//
// Two cases keep the full scan: a listing made within dirSettle of the
// directory's last change (a filesystem with coarse timestamps may give
// the next change the same mtime), and one with a socket whose verdict is
// not final (its owner may still turn out to be a QEMU).

// dirSettle is how long after its last change a directory's listing is
// trusted to stay what it was while its mtime does.
const dirSettle = 2 * time.Second

// dirListing is a directory spec's last listing.
type dirListing struct {
	ino     uint64
	mtime   time.Time
	trusted bool // listed dirSettle after the last change, every verdict final
	addrs   []qmp.Address
}

// dirState is the directory's identity and modification time now.
func dirState(path string) (ino uint64, mtime time.Time, ok bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return 0, time.Time{}, false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return ino, fi.ModTime(), true
}

// expandDir lists a directory spec, from last if the directory has not
// changed since (unchanged reports that, so its sockets need no new stat).
func expandDir(s Spec, j *SocketJudge, last *dirListing, now time.Time) (addrs []qmp.Address, next *dirListing, unchanged bool, err error) {
	ino, mtime, ok := dirState(s.Path)
	if ok && last != nil && last.trusted && last.ino == ino && last.mtime.Equal(mtime) {
		return last.addrs, last, true, nil
	}
	paths, err := s.sockets()
	if err != nil {
		return nil, nil, false, err
	}
	verdicts := j.Judge(paths)
	final := j.Final(paths)
	for _, p := range paths {
		if verdicts[p].Dial {
			addrs = append(addrs, qmp.Address{Network: "unix", Addr: p})
		}
	}
	if !ok {
		return addrs, nil, false, nil
	}
	return addrs, &dirListing{ino: ino, mtime: mtime, addrs: addrs,
		trusted: final && now.Sub(mtime) >= dirSettle}, false, nil
}
