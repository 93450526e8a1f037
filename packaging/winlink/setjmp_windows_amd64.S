// __intrinsic_setjmpex(jmp_buf, frame) → msvcrt _setjmp(jmp_buf, frame); see doc.go.
	.text
	.globl	__intrinsic_setjmpex
	.def	__intrinsic_setjmpex; .scl 2; .type 32; .endef
__intrinsic_setjmpex:
	jmp	*__imp__setjmp(%rip)
