//go:build !amd64

package usage

var hasAVX2 = false

// blockMasks fills m[k] with the masks of b[64k:64k+64]; len(b) is 64*len(m).
func blockMasks(b []byte, m []blockMask) { blockMasksGeneric(b, m) }
