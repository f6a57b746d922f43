#include "textflag.h"

// func blockMasksAVX2(b *byte, n int, m *blockMask)
// For each 64-byte block: the masks of '"', '\\', '{' or '[', '}' or ']', and
// of the bytes >= 0x80.
// ('[' and '{' differ only in bit 0x20, as do ']' and '}'.)
TEXT ·blockMasksAVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ m+16(FP), DI
	MOVQ $0x22, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y10
	MOVQ $0x5c, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y11
	MOVQ $0x20, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y12
	MOVQ $0x7b, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y13
	MOVQ $0x7d, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y14

loop:
	TESTQ CX, CX
	JZ    done
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1

	VPCMPEQB  Y10, Y0, Y2
	VPCMPEQB  Y10, Y1, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, 0(DI)

	VPCMPEQB  Y11, Y0, Y2
	VPCMPEQB  Y11, Y1, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, 8(DI)

	VPOR      Y12, Y0, Y4
	VPOR      Y12, Y1, Y5

	VPCMPEQB  Y13, Y4, Y2
	VPCMPEQB  Y13, Y5, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, 16(DI)

	VPCMPEQB  Y14, Y4, Y2
	VPCMPEQB  Y14, Y5, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, 24(DI)

	VPMOVMSKB Y0, AX
	VPMOVMSKB Y1, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, 32(DI)

	ADDQ $64, SI
	ADDQ $40, DI
	DECQ CX
	JMP  loop

done:
	VZEROUPPER
	RET
