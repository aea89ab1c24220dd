// CPU state at the first instruction, as QEMU 7.2 pseries sets it (measured with guests/hello,
// see guests/README.md):
// - -bios: NIP 0x100, MSR 0 (big-endian, 32-bit, real mode, EE off), r1 = r4 = r5 = 0,
//   r3 = real address of the FDT.
// - -kernel without -bios (QEMU's x-vof=on convention, linux-boot.md 1 and 5.2): VOF enters the
//   kernel at kernel-addr with MSR 0, r3 = initrd start, r4 = initrd size (0, 0 without initrd),
//   r5 = the Open Firmware client-interface entry, r1 = a stack below 0x10000. We enter the kernel
//   the same way; r5 points at our client-interface stub (ciStub below), which makes the
//   KVMPPC_H_VOF_CLIENT hypercall like VOF's, served by client-interface.ts.
import type { Machine } from '../machine/machine.js';
import { HCALL } from '../layout/papr.js';

export const SPAPR_ENTRY_POINT = 0x100;
/** Top of the firmware stack VOF claims (0x8000..0x10000), minus its 0x20-byte minimum frame. */
export const KERNEL_ENTRY_STACK = 0x10000 - 0x20;
/** Where the client-interface stub sits: inside the area VOF's firmware occupies (0..0xda0). */
export const CI_STUB_ADDR = 0xd80;
/** The firmware area as QEMU 7.2's VOF claims it (memory@0 "available" starts at 0xda0). */
export const FIRMWARE_END = 0xda0;
/** VOF's stack, claimed at reset (linux-boot.md 5.1). */
export const FIRMWARE_STACK = { start: 0x8000, end: 0x10000 };

export interface EntryState {
  nip: number;
  msr: bigint;
  gpr: Map<number, bigint>;
}

export function biosEntry(fdtAddr: number): EntryState {
  return { nip: SPAPR_ENTRY_POINT, msr: 0n, gpr: new Map([[1, 0n], [3, BigInt(fdtAddr)], [4, 0n], [5, 0n]]) };
}

export function kernelEntry(kernelAddr: number, initrd: { start: number; size: number } | undefined, ciEntry: number): EntryState {
  return {
    nip: kernelAddr,
    msr: 0n,
    gpr: new Map([[1, BigInt(KERNEL_ENTRY_STACK)], [3, BigInt(initrd?.start ?? 0)], [4, BigInt(initrd?.size ?? 0)], [5, BigInt(ciEntry)]]),
  };
}

/** Big-endian code of the client-interface stub: r4 = argument block, r3 = H_VOF_CLIENT, sc 1, blr. */
export function ciStub(): Uint8Array {
  const words = [
    0x7c641b78, // mr    r4, r3
    0x3c600000, // lis   r3, 0
    0x6063f005, // ori   r3, r3, 0xf005 (KVMPPC_H_VOF_CLIENT)
    0x44000022, // sc    1
    0x4e800020, // blr
  ];
  if ((words[2] & 0xffff) !== HCALL.KVMPPC_H_VOF_CLIENT) throw new Error('stub out of step with HCALL');
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w));
  return out;
}

/** Resets every GPR, CR, XER, LR and CTR to 0 (as QEMU's CPU reset), then applies `s`. */
export function applyEntryState(m: Machine, s: EntryState): void {
  for (let i = 0; i < 32; i++) m.setGpr(i, s.gpr.get(i) ?? 0n);
  for (const f of ['cr', 'xer', 'lr', 'ctr']) m.cpu.set(f, 0n);
  m.cpu.set('nip', BigInt(s.nip));
  m.cpu.set('msr', s.msr);
}
