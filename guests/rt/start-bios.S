/* -bios entry (big-endian raw image loaded at real address 0).
 * QEMU pseries starts the CPU at 0x100 with r3 = FDT address (issue 3, linux-boot.md 5).
 * The image also carries its own decrementer vector at 0x900. */
	.machine power8
	.section .head, "ax"
	.org 0x100
	.globl _start
_start:
	/* Record the entry state (printed by hello: it must match QEMU's). */
	std	%r1, entry_regs@l(0)	/* linked at 0: every symbol is below 32 KiB */
	std	%r3, entry_regs+8@l(0)
	std	%r4, entry_regs+16@l(0)
	std	%r5, entry_regs+24@l(0)
	mfmsr	%r11
	std	%r11, entry_regs+32@l(0)
	mr	%r31, %r3		/* FDT */
	/* MSR: SF = 1, LE = 0, EE = 0, then continue at 1f through rfid. */
	mfmsr	%r11
	li	%r12, 1
	rldicr	%r12, %r12, 63, 0
	or	%r11, %r11, %r12
	rldicl	%r11, %r11, 48, 1	/* EE (0x8000) to bit 0, cleared */
	rldicl	%r11, %r11, 16, 0
	rldicr	%r11, %r11, 0, 62	/* LE (bit 63) cleared */
	lis	%r10, 1f@ha
	addi	%r10, %r10, 1f@l
	mtsrr0	%r10
	mtsrr1	%r11
	rfid
1:	li	%r4, 0			/* BOOT_BIOS */
	b	rt_common

	.org 0x900
	b	dec_handler
