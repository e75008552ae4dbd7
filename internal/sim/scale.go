package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// ManyVMs describes count VMs for trying a client at scale (`qmpdash sim`):
// a mix like a real host's, drawn from seed so the same seed gives the same
// fleet. Most run; some wait paused as with -S; most have one to three
// disks doing I/O; some reset now and then (so events flow), some run a
// mirror job. Names are ROLE-NNN, unique, ordered by NNN.
func ManyVMs(count int, seed uint64) []Options {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	roles := []string{"web", "db", "build", "cache", "api", "ci", "mail", "git", "batch", "edge"}
	specs := make([]Options, 0, count)
	for i := range count {
		name := fmt.Sprintf("%s-%03d", roles[r.IntN(len(roles))], i+1)
		o := Options{
			Name:      name,
			Paused:    r.IntN(10) == 0,
			VCPUs:     1 << r.IntN(4),
			MemoryMiB: 512 << r.IntN(5),
			Balloon:   r.IntN(2) == 0,
		}
		for d := range r.IntN(4) {
			o.Disks = append(o.Disks, Disk{
				ID:        fmt.Sprintf("vd%c", 'a'+d),
				NodeName:  fmt.Sprintf("%s-disk%d", name, d),
				File:      fmt.Sprintf("/var/lib/qmpdash-sim/%s-%d.qcow2", name, d),
				SizeBytes: uint64(4+r.IntN(60)) * gib,
			})
		}
		if len(o.Disks) > 0 {
			o.IOBytesPerSec = uint64(r.IntN(16<<20) + 4<<10)
			o.MirrorJob = r.IntN(20) == 0
		}
		if r.IntN(8) == 0 {
			o.ResetEvery = time.Duration(20+r.IntN(100)) * time.Second
		}
		specs = append(specs, o)
	}
	return specs
}
