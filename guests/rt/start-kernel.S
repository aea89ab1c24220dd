/* -kernel entry: first byte of the ELF's first segment, loaded at real 0x400000 (QEMU's
 * kernel address). Firmware (SLOF, VOF) or our emulator jumps there in big-endian mode,
 * 32- or 64-bit. A little-endian guest starts with an endian-neutral word: as LE it is
 * "b le_entry" (offset 56); read as BE the same bytes are "addi r0,0,0x48", a no-op for us,
 * and the big-endian trampoline (fixup-be.S, assembled BE and included as bytes) follows. */
	.machine power8
	.section .head, "ax"
	.globl _start
_start:
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	b	le_entry
	.incbin	"build/fixup-be.bin"
	.org	56
le_entry:
#else
	/* Record the entry state (entry_regs: r1, r3, r4, r5, MSR). */
	lis	%r9, entry_regs@ha
	addi	%r9, %r9, entry_regs@l
	std	%r1, 0(%r9)
	std	%r3, 8(%r9)
	std	%r4, 16(%r9)
	std	%r5, 24(%r9)
	mfmsr	%r11
	std	%r11, 32(%r9)
	li	%r12, 1
	rldicr	%r12, %r12, 63, 0
	or	%r11, %r11, %r12	/* SF */
	rldicl	%r11, %r11, 48, 1	/* EE off */
	rldicl	%r11, %r11, 16, 0
	bl	1f
1:	mflr	%r10
	addi	%r10, %r10, 2f - 1b
	mtsrr0	%r10
	mtsrr1	%r11
	rfid
2:
#endif
	li	%r31, 0			/* no FDT pointer in this mode */
	li	%r4, 1			/* BOOT_KERNEL */
	b	rt_common
