/* Big-endian trampoline of a little-endian guest (see start-kernel.S): runs at _start + 4,
 * sets MSR SF and LE, clears EE and rfids to _start + 56. Position independent. */
	.machine power8
	.text
tramp:
	mfmsr	%r11
	li	%r12, 1
	rldicr	%r12, %r12, 63, 0
	or	%r11, %r11, %r12	/* SF */
	ori	%r11, %r11, 1		/* LE */
	rldicl	%r11, %r11, 48, 1	/* EE off */
	rldicl	%r11, %r11, 16, 0
	bl	1f
1:	mflr	%r10
	addi	%r10, %r10, 52 - (1b - tramp)
	mtsrr0	%r10
	mtsrr1	%r11
	rfid
	.if	(. - tramp) > 52
	.error	"trampoline longer than 13 words"
	.endif
