/* Hypercall wrapper and small privileged helpers (ELFv2 ABI in both byte orders). */
	.machine power8
	.text

/* s64 hcall(op, a1..a6, u64 *out): `sc 1` with r3 = op, r4..r9 = args (papr-vlan.md 1.5).
 * out (r10) is kept in the red zone below r1; r4..r6 after the call are stored through it. */
	.globl hcall
	.type hcall, @function
hcall:
	std	%r10, -8(%r1)
	sc	1
	ld	%r10, -8(%r1)
	cmpdi	%r10, 0
	beqlr
	std	%r4, 0(%r10)
	std	%r5, 8(%r10)
	std	%r6, 16(%r10)
	blr
	.size hcall, . - hcall

	.globl set_dec
set_dec:
	mtdec	%r3
	blr

/* MSR[EE] = 1 / 0 through mtmsrd L=1, which only writes EE and RI. */
	.globl irq_enable
irq_enable:
	li	%r3, 0x4001
	add	%r3, %r3, %r3		/* 0x8002: EE | RI */
	mtmsrd	%r3, 1
	blr

	.globl irq_disable
irq_disable:
	li	%r3, 2
	mtmsrd	%r3, 1
	blr

	.globl read_msr
read_msr:
	mfmsr	%r3
	blr

	.globl read_pvr
read_pvr:
	mfpvr	%r3
	blr

	.globl read_tb
read_tb:
	mftb	%r3
	blr

/* Makes a word just written at r3 visible to instruction fetch. */
	.globl sync_icache
sync_icache:
	dcbst	0, %r3
	sync
	icbi	0, %r3
	isync
	blr

/* Decrementer interrupt (vector 0x900): count it, push the next one far away, return.
 * Uses SPRG0/1 as scratch so no register or CR changes are visible to the interrupted code. */
	.globl dec_handler
	.type dec_handler, @function
	.balign 4
dec_handler:
	mtsprg	0, %r3
	mtsprg	1, %r4
	lis	%r3, dec_count@ha
	addi	%r3, %r3, dec_count@l
	ld	%r4, 0(%r3)
	addi	%r4, %r4, 1
	std	%r4, 0(%r3)
	lis	%r4, 0x7fff
	ori	%r4, %r4, 0xffff
	mtdec	%r4
	mfsprg	%r4, 1
	mfsprg	%r3, 0
	rfid
	.size dec_handler, . - dec_handler

	.data
	.balign 8
	.globl dec_count
dec_count:
	.quad 0
	.globl entry_regs
entry_regs:			/* -bios: r1, r3, r4, r5, MSR at 0x100 (start-bios.S) */
	.quad 0, 0, 0, 0, 0
