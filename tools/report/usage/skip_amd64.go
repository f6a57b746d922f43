package usage

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var hasAVX2 = cpu.X86.HasAVX2

// blockMasksAVX2 fills m[0:n] from the n*64 bytes at b (skip_amd64.s).
//
//go:noescape
func blockMasksAVX2(b *byte, n int, m *blockMask)

// blockMasks fills m[k] with the masks of b[64k:64k+64]; len(b) is 64*len(m).
func blockMasks(b []byte, m []blockMask) {
	if len(m) == 0 {
		return
	}
	if hasAVX2 {
		_ = b[len(m)*64-1]
		blockMasksAVX2(unsafe.SliceData(b), len(m), unsafe.SliceData(m))
		return
	}
	blockMasksGeneric(b, m)
}
