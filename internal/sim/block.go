package sim

import (
	"fmt"
	"strings"
)

// disk is a Disk plus the state QEMU keeps for it.
type disk struct {
	Disk
	fileNode  string // the protocol ("file") node under the format node
	medium    bool   // an image is inserted
	trayOpen  bool
	unplug    bool    // device_del sent, waiting for the guest
	ioShare   float64 // this disk's part of IOBytesPerSec
	bootRead  uint64  // bytes the firmware read at boot (counters are never all zero)
	bootReads uint64
	bootNs    uint64 // time those reads took
}

const (
	gib = 1 << 30
	mib = 1 << 20
)

func (v *VM) newNodeName() string {
	v.nodeSeq++
	return fmt.Sprintf("#block%03d", v.nodeSeq)
}

func (v *VM) setupDisks() {
	vd, cd := 0, 0
	var weightSum float64
	for _, spec := range v.opts.Disks {
		d := &disk{Disk: spec}
		if d.ID == "" {
			if d.Removable {
				d.ID = fmt.Sprintf("cdrom%d", cd)
			} else {
				d.ID = "vd" + string(rune('a'+vd%26))
			}
		}
		if d.Removable {
			cd++
		} else {
			vd++
		}
		d.medium = d.File != ""
		if d.Format == "" {
			d.Format = "raw"
			if strings.HasSuffix(d.File, ".qcow2") {
				d.Format = "qcow2"
			}
		}
		if d.SizeBytes == 0 {
			d.SizeBytes = 10 * gib
			if d.Removable {
				d.SizeBytes = 600 * mib
			}
		}
		if d.Removable {
			// A CD-ROM is probed by the firmware even when empty.
			d.bootRead, d.bootReads, d.bootNs = 108, 6, 3588
		} else {
			d.bootRead, d.bootReads, d.bootNs = 512, 1, 77795
		}
		if d.medium {
			d.fileNode = v.newNodeName()
			if d.NodeName == "" {
				d.NodeName = v.newNodeName()
			}
		}
		if !d.Removable && d.medium {
			// Earlier disks are busier, so a multi-disk VM shows distinct rates.
			d.ioShare = 1 / float64(vd)
			weightSum += d.ioShare
		}
		v.disks = append(v.disks, d)
	}
	for _, d := range v.disks {
		if weightSum > 0 {
			d.ioShare /= weightSum
		}
	}
}

// qdev is the QOM path or id QEMU reports for the frontend device: ide-cd
// devices are the block device themselves, virtio-blk has a backend child.
func (d *disk) qdev() string {
	if d.Removable {
		return d.ID
	}
	return "/machine/peripheral/" + d.ID + "/virtio-backend"
}

func (v *VM) diskByDevice(name string) *disk {
	for _, d := range v.disks {
		if name != "" && d.Device == name {
			return d
		}
	}
	return nil
}

func (v *VM) diskByID(id string) *disk {
	for _, d := range v.disks {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// diskByNode finds an inserted disk by its BlockBackend or format node name.
func (v *VM) diskByNode(name string) *disk {
	for _, d := range v.disks {
		if d.medium && (d.NodeName == name || (d.Device != "" && d.Device == name)) {
			return d
		}
	}
	return nil
}

// ---- query-block ----

type imageCache struct {
	NoFlush   bool `json:"no-flush"`
	Direct    bool `json:"direct"`
	Writeback bool `json:"writeback"`
}

type qcow2Specific struct {
	Compat          string `json:"compat"`
	CompressionType string `json:"compression-type"`
	LazyRefcounts   bool   `json:"lazy-refcounts"`
	RefcountBits    int    `json:"refcount-bits"`
	Corrupt         bool   `json:"corrupt"`
	ExtendedL2      bool   `json:"extended-l2"`
}

type formatSpecific struct {
	Type string        `json:"type"`
	Data qcow2Specific `json:"data"`
}

type imageInfo struct {
	VirtualSize    uint64          `json:"virtual-size"`
	Filename       string          `json:"filename"`
	ClusterSize    uint64          `json:"cluster-size,omitempty"`
	Format         string          `json:"format"`
	ActualSize     uint64          `json:"actual-size"`
	FormatSpecific *formatSpecific `json:"format-specific,omitempty"`
	DirtyFlag      bool            `json:"dirty-flag"`
}

// blockDeviceInfo is QEMU's BlockDeviceInfo (query-block "inserted",
// query-named-block-nodes entries).
type blockDeviceInfo struct {
	IopsRd           int        `json:"iops_rd"`
	DetectZeroes     string     `json:"detect_zeroes"`
	Image            imageInfo  `json:"image"`
	IopsWr           int        `json:"iops_wr"`
	Ro               bool       `json:"ro"`
	NodeName         string     `json:"node-name"`
	BackingFileDepth int        `json:"backing_file_depth"`
	Drv              string     `json:"drv"`
	Iops             int        `json:"iops"`
	BpsWr            int        `json:"bps_wr"`
	WriteThreshold   int        `json:"write_threshold"`
	Encrypted        bool       `json:"encrypted"`
	Bps              int        `json:"bps"`
	BpsRd            int        `json:"bps_rd"`
	Cache            imageCache `json:"cache"`
	File             string     `json:"file"`
}

type blockInfo struct {
	IOStatus  string           `json:"io-status"`
	Device    string           `json:"device"`
	Locked    bool             `json:"locked"`
	Removable bool             `json:"removable"`
	Inserted  *blockDeviceInfo `json:"inserted,omitempty"`
	Qdev      string           `json:"qdev"`
	TrayOpen  *bool            `json:"tray_open,omitempty"`
	Type      string           `json:"type"`
}

// actualSize is the host allocation of the image: a fresh qcow2 holds just
// its metadata (the recorded 200704 bytes) and grows in 64 KiB clusters as
// the guest writes; raw images are sparse files that fill the same way.
func (v *VM) actualSize(d *disk) uint64 {
	base := uint64(200704)
	if d.Format != "qcow2" {
		base = 1 * mib
	}
	wr := (v.ioFor(d).wrBytes + 65535) &^ 65535
	return min(base+wr, d.SizeBytes+base)
}

// formatNodeInfo describes the top (format) node; writeback differs between
// query-block (the guest-visible setting) and query-named-block-nodes, as
// in the recorded session.
func (v *VM) formatNodeInfo(d *disk, writeback bool) *blockDeviceInfo {
	img := imageInfo{VirtualSize: d.SizeBytes, Filename: d.File, Format: d.Format, ActualSize: v.actualSize(d)}
	if d.Format == "qcow2" {
		img.ClusterSize = 65536
		img.FormatSpecific = &formatSpecific{Type: "qcow2", Data: qcow2Specific{
			Compat: "1.1", CompressionType: "zlib", RefcountBits: 16}}
	}
	return &blockDeviceInfo{
		DetectZeroes: "off", Image: img, Ro: d.ReadOnly, NodeName: d.NodeName,
		Drv: d.Format, Cache: imageCache{Writeback: writeback}, File: d.File,
	}
}

func (v *VM) fileNodeInfo(d *disk) *blockDeviceInfo {
	// The file's length trails its allocation by a partial block, as recorded.
	size := v.actualSize(d)
	return &blockDeviceInfo{
		DetectZeroes: "off",
		Image:        imageInfo{VirtualSize: size - 3584, Filename: d.File, Format: "file", ActualSize: size},
		Ro:           d.ReadOnly, NodeName: d.fileNode, Drv: "file",
		Cache: imageCache{Writeback: true}, File: d.File,
	}
}

func cmdQueryBlock(v *VM, _ *conn, _ args) (any, *qmpError) {
	out := []blockInfo{}
	for _, d := range v.disks {
		bi := blockInfo{IOStatus: "ok", Device: d.Device, Removable: d.Removable, Qdev: d.qdev(), Type: "unknown"}
		if d.medium {
			bi.Inserted = v.formatNodeInfo(d, false)
		}
		if d.Removable {
			open := d.trayOpen
			bi.TrayOpen = &open
		}
		out = append(out, bi)
	}
	return out, nil
}

func cmdQueryNamedBlockNodes(v *VM, _ *conn, _ args) (any, *qmpError) {
	out := []*blockDeviceInfo{}
	for _, d := range v.disks {
		if d.medium {
			out = append(out, v.formatNodeInfo(d, true), v.fileNodeInfo(d))
		}
	}
	for _, n := range v.nodes {
		out = append(out, n.info(v))
	}
	return out, nil
}

// ---- eject / device_del ----

type trayData struct {
	Device   string `json:"device"`
	TrayOpen bool   `json:"tray-open"`
	ID       string `json:"id"`
}

// findDrive resolves eject's "device" (BlockBackend) or "id" (qdev) argument
// with QEMU's errors.
func (v *VM) findDrive(a args) (*disk, string, *qmpError) {
	dev, hasDev := a.str("device")
	id, hasID := a.str("id")
	if hasDev == hasID {
		return nil, "", genericf("Need exactly one of 'device' and 'id'")
	}
	if hasDev {
		if d := v.diskByDevice(dev); d != nil {
			return d, dev, nil
		}
		return nil, "", errorf(classDeviceNotFound, "Device '%s' not found", dev)
	}
	if d := v.diskByID(id); d != nil {
		return d, id, nil
	}
	return nil, "", errorf(classDeviceNotFound, "Device '%s' not found", id)
}

func cmdEject(v *VM, _ *conn, a args) (any, *qmpError) {
	d, name, err := v.findDrive(a)
	if err != nil {
		return nil, err
	}
	if !d.Removable {
		return nil, genericf("Device '%s' is not removable", name)
	}
	if !d.trayOpen {
		d.trayOpen = true
		v.emit("DEVICE_TRAY_MOVED", trayData{Device: d.Device, TrayOpen: true, ID: d.ID})
	}
	d.medium = false
	return empty{}, nil
}

type deviceDeletedData struct {
	Device string `json:"device,omitempty"`
	Path   string `json:"path"`
}

func cmdDeviceDel(v *VM, _ *conn, a args) (any, *qmpError) {
	id, _ := a.str("id")
	d := v.diskByID(id)
	if d == nil {
		return nil, errorf(classDeviceNotFound, "Device '%s' not found", id)
	}
	if d.Removable {
		return nil, genericf("Bus 'ide.1' does not support hotplugging")
	}
	if d.unplug {
		return nil, genericf("Device %s is already in the process of unplug", id)
	}
	// PCI hot-unplug asks the guest; guestStep completes it once the
	// (cooperative) guest runs, after this reply, as on QEMU.
	d.unplug = true
	return empty{}, nil
}

func (v *VM) unplugPending() {
	kept := v.disks[:0]
	var gone []*disk
	for _, d := range v.disks {
		if d.unplug {
			gone = append(gone, d)
		} else {
			kept = append(kept, d)
		}
	}
	v.disks = kept
	for _, d := range gone {
		path := "/machine/peripheral/" + d.ID
		v.emit("DEVICE_DELETED", deviceDeletedData{Path: path + "/virtio-backend"})
		v.emit("DEVICE_DELETED", deviceDeletedData{Device: d.ID, Path: path})
	}
}

// ---- blockdev-add ----

// addedNode is a node created with blockdev-add (e.g. a mirror target).
type addedNode struct {
	name     string
	driver   string
	filename string
}

func (n *addedNode) info(v *VM) *blockDeviceInfo {
	format := n.driver
	if format == "file" || format == "host_device" {
		format = "file"
	}
	img := imageInfo{Filename: n.filename, Format: format, ActualSize: 200704, VirtualSize: 197120}
	return &blockDeviceInfo{DetectZeroes: "off", Image: img, NodeName: n.name, Drv: n.driver,
		Cache: imageCache{Writeback: true}, File: n.filename}
}

func (v *VM) nodeExists(name string) bool {
	if v.diskByNode(name) != nil {
		return true
	}
	for _, d := range v.disks {
		if d.fileNode == name {
			return true
		}
	}
	return v.addedNode(name) != nil
}

func (v *VM) addedNode(name string) *addedNode {
	for _, n := range v.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

func cmdBlockdevAdd(v *VM, _ *conn, a args) (any, *qmpError) {
	name, ok := a.str("node-name")
	if !ok {
		return nil, genericf("'node-name' must be specified for the root node")
	}
	if v.nodeExists(name) {
		return nil, genericf("Duplicate nodes with node-name='%s'", name)
	}
	n := &addedNode{name: name}
	n.driver, _ = a.str("driver")
	if fn, ok := a.str("filename"); ok {
		n.filename = fn
	}
	// "file" is a BlockdevRef: a node name or an inline definition.
	if ref, ok := a.str("file"); ok {
		child := v.addedNode(ref)
		if child == nil {
			if !v.nodeExists(ref) {
				return nil, genericf("Cannot find device='%s' nor node-name='%s'", ref, ref)
			}
		} else {
			n.filename = child.filename
		}
	}
	v.nodes = append(v.nodes, n)
	return empty{}, nil
}
