/* Big-endian -bios image for qemu-system-ppc64 -M pseries and pseries-wasm: loaded at 0, entry
 * 0x100 (64-bit, big-endian, real mode). Runs work(iterations at 0x80), then RTAS power-off
 * through H_RTAS (0xF000; QEMU 7.2's power-off token is 0x2003) so both emulators exit. */
	.section .head, "ax"
	.space 0x80
	.globl iterations
iterations:
	.quad 0
	.space 0x100 - 0x88
_start:
	lis 1, 0x8
	stdu 0, -64(1)
	ld 3, 0x80(0)
	bl work
	nop
	std 3, 0x88(0)          /* checksum, for the host to read */
	li 5, 0x200             /* RTAS args: token, nargs = 2, nret = 1, 0, 0, status */
	lis 6, 0
	ori 6, 6, 0x2003
	stw 6, 0(5)
	li 6, 2
	stw 6, 4(5)
	li 6, 1
	stw 6, 8(5)
	li 6, 0
	stw 6, 12(5)
	stw 6, 16(5)
	mr 4, 5
	li 3, 0
	ori 3, 3, 0xf000
	sc 1
1:	b 1b
