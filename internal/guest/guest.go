// Package guest makes tiny guest disk images so a VM without an operating
// system still does real block I/O through an emulated device, which is what
// QEMU's query-blockstats counts (qemu-io and block jobs bypass device
// accounting). It only writes files: it must never import another qmpdash
// package, QEMU launching belongs to internal/qemutest and internal/demo.
package guest

import (
	"fmt"
	"os"
)

// ioLoop is a 16-bit boot sector that reads 8 sectors (4 KiB) from sector 1
// and writes them back from sector 2 through BIOS int 13h, then sleeps 20 ms (int 15h, ah=86h, which
// SeaBIOS waits out with hlt, so the vCPU idles), forever:
//
//	xor ax,ax ; mov es,ax
//	loop: mov ax,0x0208 ; mov cx,1 ; mov dx,0x80 ; mov bx,0x7e00 ; int 0x13
//	      mov ax,0x0308 ; mov cx,2 ; mov dx,0x80 ; mov bx,0x7e00 ; int 0x13
//	      mov ah,0x86 ; mov cx,0 ; mov dx,20000 ; int 0x15
//	      jmp loop
var ioLoop = []byte{
	0x31, 0xC0, 0x8E, 0xC0,
	0xB8, 0x08, 0x02, 0xB9, 0x01, 0x00, 0xBA, 0x80, 0x00, 0xBB, 0x00, 0x7E, 0xCD, 0x13,
	0xB8, 0x08, 0x03, 0xB9, 0x02, 0x00, 0xBA, 0x80, 0x00, 0xBB, 0x00, 0x7E, 0xCD, 0x13,
	0xB4, 0x86, 0xB9, 0x00, 0x00, 0xBA, 0x20, 0x4E, 0xCD, 0x15,
	0xEB, 0xD8,
}

// BytesPerRequest is what each of the loop's reads and writes moves.
const BytesPerRequest = 8 * 512

// BootSector returns the 512-byte boot sector of the I/O loop.
func BootSector() []byte {
	b := make([]byte, 512)
	copy(b, ioLoop)
	b[510], b[511] = 0x55, 0xAA
	return b
}

// WriteIOLoopImage writes a raw disk image of size bytes (at least 1 MiB)
// that boots into the I/O loop. Attach it as the first hard disk (e.g.
// virtio-blk-pci with format=raw) and SeaBIOS boots it.
func WriteIOLoopImage(path string, size int64) error {
	if size < 1<<20 {
		size = 1 << 20
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(BootSector()); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return fmt.Errorf("size %s: %w", path, err)
	}
	return f.Close()
}
