/* s64 hcall_n(u64 op, u64 a[9]): hypercall with all nine argument registers r4..r12
 * (papr-vlan.md 1.5). H_SEND_LOGICAL_LAN needs r11 (continue token) = 0 and
 * H_ADD_LOGICAL_LAN_BUFFERS takes eight descriptors in r5..r12. The registers after the call
 * (outputs, or inputs left unchanged) are stored back into a[]. */
	.machine power8
	.text
	.globl hcall_n
	.type hcall_n, @function
hcall_n:
	std	%r4, -8(%r1)		/* a[]: red zone (ELFv2), the hypervisor does not touch it */
	mr	%r12, %r4
	ld	%r4, 0(%r12)
	ld	%r5, 8(%r12)
	ld	%r6, 16(%r12)
	ld	%r7, 24(%r12)
	ld	%r8, 32(%r12)
	ld	%r9, 40(%r12)
	ld	%r10, 48(%r12)
	ld	%r11, 56(%r12)
	ld	%r12, 64(%r12)
	sc	1
	std	%r12, -16(%r1)
	ld	%r12, -8(%r1)
	std	%r4, 0(%r12)
	std	%r5, 8(%r12)
	std	%r6, 16(%r12)
	std	%r7, 24(%r12)
	std	%r8, 32(%r12)
	std	%r9, 40(%r12)
	std	%r10, 48(%r12)
	std	%r11, 56(%r12)
	ld	%r0, -16(%r1)
	std	%r0, 64(%r12)
	blr
	.size hcall_n, . - hcall_n
