/* Common start after the MSR is set: stack, TOC, BSS, then cmain(fdt, boot_mode). */
	.machine power8
	.text
	.globl rt_common
rt_common:
	lis	%r1, stack_top@ha
	addi	%r1, %r1, stack_top@l
	li	%r0, 0
	stdu	%r0, -64(%r1)
	lis	%r2, .TOC.@ha
	addi	%r2, %r2, .TOC.@l
	mr	%r30, %r4
	lis	%r3, __bss_start@ha
	addi	%r3, %r3, __bss_start@l
	lis	%r5, __bss_end@ha
	addi	%r5, %r5, __bss_end@l
1:	cmpld	%r3, %r5
	bge	2f
	stb	%r0, 0(%r3)
	addi	%r3, %r3, 1
	b	1b
2:	mr	%r3, %r31
	mr	%r4, %r30
	bl	cmain
3:	b	3b
