// Address translation: the one place an effective address becomes a real address (and then, via
// raToHoff, a checked hoff). Real mode only for now.
//
// Real mode (MSR[IR] = 0 for fetches, MSR[DR] = 0 for data): a PAPR guest runs in "guest real
// mode" on top of the hypervisor's partition mapping, which is the identity here. As in QEMU's
// ppc_radix64_xlate / ppc_hash64_xlate for a virtual-hypervisor guest, the top 4 EA bits are
// ignored: ra = ea & 0x0FFF_FFFF_FFFF_FFFF (Power ISA 3.0 Book III 5.7.3: EA bits 0:3 are
// ignored in real addressing mode). So 0xc000000000001000 reaches ra 0x1000 before the kernel
// enables its MMU. A real address outside guest RAM raises DSI (data) or ISI (fetch).
//
// MSR[IR] / MSR[DR] = 1 needs the radix MMU (process table from H_REGISTER_PROC_TBL): not built
// yet; such accesses are still translated as real mode and counted in cpu.relocAccesses so the
// host can report it. translate() is the hook where the radix walk goes.
import { cpuMsr, cpuRelocAccesses, cpuSetRelocAccesses } from '../gen/layout';
import { raToHoff, BAD_HOFF, ld16le, ld16be, ld32le, ld32be, ld64le, ld64be, st16le, st16be, st32le, st32be, st64le, st64be } from '../mem/ram';
import { MSR_DR, MSR_IR, le, relocAny } from './regs';
import { dataStorage, instructionStorage } from './exceptions';

export const ACC_LOAD: u32 = 0;
export const ACC_STORE: u32 = 1;
export const ACC_FETCH: u32 = 2;

const REAL_MODE_MASK: u64 = 0x0fffffffffffffff;

/** Relocation is on for this kind of access (regs.ts relocAny is the cached fast test). */
// @ts-ignore: decorator
@inline function relocOn(acc: u32): bool {
  return relocAny && (cpuMsr() & (acc == ACC_FETCH ? MSR_IR : MSR_DR)) != 0;
}

/** Real address of `ea` for an access of kind `acc` (ACC_*). */
// @ts-ignore: decorator
@inline export function translate(ea: u64, acc: u32): u64 {
  if (relocOn(acc)) cpuSetRelocAccesses(cpuRelocAccesses() + 1);
  return ea & REAL_MODE_MASK;
}

function dataFault(ea: u64, acc: u32): u32 {
  dataStorage(ea, acc == ACC_STORE);
  return BAD_HOFF;
}

/** hoff of a `len`-byte data access at `ea`, or BAD_HOFF after raising DSI. */
// @ts-ignore: decorator
@inline export function dataHoff(ea: u64, len: u32, acc: u32): u32 {
  const h = raToHoff(translate(ea, acc), len);
  return h != BAD_HOFF ? h : dataFault(ea, acc);
}

/** hoff of the instruction at `ea`, or BAD_HOFF after raising ISI. */
export function fetchHoff(ea: u64): u32 {
  const h = raToHoff(translate(ea, ACC_FETCH), 4);
  if (h == BAD_HOFF) instructionStorage();
  return h;
}

// Guest-order accessors: MSR[LE] selects the byte order (Book I 1.10).
// @ts-ignore: decorator
@inline export function rd16(h: u32): u64 { return <u64>(le ? ld16le(h) : ld16be(h)); }
// @ts-ignore: decorator
@inline export function rd32(h: u32): u64 { return <u64>(le ? ld32le(h) : ld32be(h)); }
// @ts-ignore: decorator
@inline export function rd64(h: u32): u64 { return le ? ld64le(h) : ld64be(h); }
// @ts-ignore: decorator
@inline export function wr16(h: u32, v: u64): void { if (le) st16le(h, <u16>v); else st16be(h, <u16>v); }
// @ts-ignore: decorator
@inline export function wr32(h: u32, v: u64): void { if (le) st32le(h, <u32>v); else st32be(h, <u32>v); }
// @ts-ignore: decorator
@inline export function wr64(h: u32, v: u64): void { if (le) st64le(h, v); else st64be(h, v); }
