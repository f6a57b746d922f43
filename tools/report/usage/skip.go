package usage

import "math/bits"

// Skipping request and response bodies is most of the parser's work: a body
// is kilobytes of prompts and completions in dozens of small JSON values. The
// skipper below does it 64 bytes at a time, in the way of simdjson's first
// stage: blockMasks marks every quote, backslash, opening bracket ({ or [),
// closing bracket (} or ]) and byte >= 0x80 of a block in 64-bit masks (with
// AVX2 where the CPU has it), and skipContainer then works on whole masks —
// escaped quotes removed, the bytes inside strings found with a prefix XOR,
// brackets outside strings counted with popcounts — until the bracket that
// closes the body. The parser's strings are found with the same masks
// (quoteAfter), which also tell which of them are ASCII.
//
// It checks that strings are terminated and brackets balance, nested no
// deeper than encoding/json allows, not the rest of the body's grammar (a
// missing comma, or ] closing a {, is not noticed): the body is not the
// report's, and for any line that is valid JSON the end it finds is the one a
// full parser finds (FuzzParse and the tests in skip_test.go check this
// against encoding/json).

// blockMask holds, for one 64-byte block, one bit per byte: bit k is byte k.
type blockMask struct {
	quote, backslash, open, close, high uint64 // high: bytes >= 0x80
}

// blockMasksGeneric is the portable blockMasks.
func blockMasksGeneric(b []byte, m []blockMask) {
	for k := range m {
		var q, bs, o, c, h uint64
		for j, ch := range b[k*64 : k*64+64] {
			bit := uint64(1) << j
			if ch >= 0x80 {
				h |= bit
			}
			switch ch | 0x20 {
			case '"' | 0x20:
				if ch == '"' {
					q |= bit
				}
			case '\\' | 0x20:
				if ch == '\\' {
					bs |= bit
				}
			case '{':
				o |= bit
			case '}':
				c |= bit
			}
		}
		m[k] = blockMask{q, bs, o, c, h}
	}
}

// maskChunk is how many blocks' masks the scanner computes at a time: 4 KiB
// of line, so memory does not grow with the line's length.
const maskChunk = 64

// mask returns the masks of block k of s.b. Blocks are asked for in
// increasing order; the last block is padded with zeros.
func (s *scanner) mask(k int) *blockMask {
	if k < s.maskBase || k >= s.maskBase+len(s.masks) {
		s.fillMasks(k)
	}
	return &s.masks[k-s.maskBase]
}

func (s *scanner) fillMasks(k int) {
	n := min(maskChunk, (len(s.b)+63)/64-k)
	if cap(s.masks) < maskChunk {
		s.masks = make([]blockMask, maskChunk)
	}
	s.masks, s.maskBase = s.masks[:n], k
	full := min(n, len(s.b)/64-k)
	if full > 0 {
		blockMasks(s.b[k*64:(k+full)*64], s.masks[:full])
	}
	if full < n {
		var pad [64]byte
		copy(pad[:], s.b[(k+full)*64:])
		blockMasks(pad[:], s.masks[full:n])
	}
}

// quoteAfter returns the first quote at or after i when no backslash comes
// before it: the string that starts at i ends there and has no escapes; ascii
// reports that it has no byte >= 0x80 either. found is false when a
// backslash comes first or there is no quote, and the caller scans the string
// byte by byte.
func (s *scanner) quoteAfter(i int) (end int, ascii, found bool) {
	var high uint64
	for k := i / 64; k*64 < len(s.b); k++ {
		m := s.mask(k)
		sh := uint(0)
		if k == i/64 {
			sh = uint(i % 64)
		}
		q, bs := m.quote>>sh, m.backslash>>sh
		if q == 0 {
			if bs != 0 {
				return 0, false, false
			}
			high |= m.high >> sh
			continue
		}
		t := bits.TrailingZeros64(q)
		if bs&(uint64(1)<<t-1) != 0 {
			return 0, false, false
		}
		high |= m.high >> sh & (uint64(1)<<t - 1)
		return k*64 + int(sh) + t, high == 0, true
	}
	return 0, false, false
}

// skipContainer skips the object or array at s.i (outside any string).
func (s *scanner) skipContainer() bool {
	var (
		depth    int
		inString uint64 // all ones when the block starts inside a string
		escaped  uint64 // 1 when the block's first byte is escaped
	)
	start := s.i
	last := len(s.b) - 1
	for k := start / 64; k <= last/64; k++ {
		m := s.mask(k)
		valid := ^uint64(0)
		if k == start/64 {
			valid <<= uint(start % 64)
		}
		if k == last/64 {
			valid &= ^uint64(0) >> uint(63-last%64)
		}
		var esc uint64
		if bs := m.backslash & valid; bs|escaped != 0 {
			esc, escaped = escapes(bs, escaped)
		}
		str := prefixXor(m.quote&valid&^esc) ^ inString
		inString = uint64(int64(str) >> 63)
		opens := m.open & valid &^ str
		closes := m.close & valid &^ str
		// a block whose closing brackets cannot end the body, and whose opening
		// ones cannot pass the depth limit, is counted, not walked
		if n, o := bits.OnesCount64(closes), bits.OnesCount64(opens); n < depth && depth+o <= maxDepth {
			depth += o - n
			continue
		}
		for x := opens | closes; x != 0; x &= x - 1 {
			bit := x & -x
			if opens&bit != 0 {
				if depth++; depth > maxDepth {
					return false
				}
				continue
			}
			depth--
			if depth == 0 {
				s.i = k*64 + bits.TrailingZeros64(bit) + 1
				return true
			}
			if depth < 0 {
				return false
			}
		}
	}
	return false // unterminated
}

// escapes returns the bytes of a block escaped by a backslash (bs: the
// block's backslashes; carry: whether its first byte is escaped by the last
// byte of the previous block) and the carry into the next block.
func escapes(bs, carry uint64) (esc, next uint64) {
	if carry != 0 {
		esc = 1
		bs &^= 1 // an escaped backslash escapes nothing
	}
	for bs != 0 {
		t := bits.TrailingZeros64(bs)
		if t == 63 {
			return esc, 1
		}
		esc |= 1 << (t + 1)
		bs &^= 3 << t
	}
	return esc, 0
}

// prefixXor sets bit k to the XOR of bits 0..k of x: with x the unescaped
// quotes, the bits from each opening quote up to its closing quote.
func prefixXor(x uint64) uint64 {
	x ^= x << 1
	x ^= x << 2
	x ^= x << 4
	x ^= x << 8
	x ^= x << 16
	x ^= x << 32
	return x
}
