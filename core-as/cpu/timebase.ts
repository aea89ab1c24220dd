// Virtual clock, timebase and decrementer (Book II 5.2, Book III 9).
//
// Virtual time: machine.vclockNs advances NS_PER_INSN per executed instruction (like QEMU's icount
// with shift 0: deterministic, independent of host speed); the host advances it while the vCPU is
// idle (host-ts/cpu/cpu-runner.ts). Within a run slice the executed-instruction count
// (slice.ts pendingInsns) is committed to vclockNs lazily (commitClock).
// TB runs at 512 MHz: TB = floor(vclockNs * 64 / 125) + tbOffset (512e6 / 1e9 = 64 / 125).
// DEC decrements with TB; it is 32 bits unless LPCR[LD] (then 56 bits, ibm,dec-bits = 56). The
// decrementer exception is level-triggered as on POWER9 (QEMU's PPC_DECR_UNDERFLOW_LEVEL): pending
// while the most significant DEC bit is 1.
import {
  machineVclockNs, machineSetVclockNs, cpuInsnCount, cpuSetInsnCount, cpuTbOffset,
  cpuDecValue, cpuSetDecValue, cpuDecTb, cpuSetDecTb, cpuLpcr,
} from '../gen/layout';
import { requestStop, pendingInsns, pendingCommitted } from './slice';

export const NS_PER_INSN: u64 = 1;
export const LPCR_LD: u64 = 1 << 17; // ISA bit 46: large decrementer

/** Current virtual time (ns), including instructions not yet committed. */
export function nowNs(): u64 {
  return machineVclockNs() + pendingInsns() * NS_PER_INSN;
}

/** Folds the executed instructions into vclockNs and cpu.insnCount. */
export function commitClock(): void {
  const n = pendingInsns();
  machineSetVclockNs(machineVclockNs() + n * NS_PER_INSN);
  cpuSetInsnCount(cpuInsnCount() + n);
  pendingCommitted();
}

// @ts-ignore: decorator
@inline function ticksAt(ns: u64): u64 { return ns * 64 / 125; }

/** TB (ticks) now. */
export function tbNow(): u64 {
  return ticksAt(nowNs()) + cpuTbOffset();
}

// @ts-ignore: decorator
@inline function decBits(): u32 { return (cpuLpcr() & LPCR_LD) != 0 ? 56 : 32; }

/** DEC's current value, sign-extended from its width. */
function decSigned(): i64 {
  const raw = cpuDecValue() - (tbNow() - cpuDecTb());
  const sh = <u64>(64 - decBits());
  return (<i64>(raw << sh)) >> sh;
}

/** mfspr DEC: the 32-bit DEC zero-extended, or the large DEC sign-extended (as QEMU). */
export function decRead(): u64 {
  const v = decSigned();
  return decBits() == 32 ? <u64>v & 0xffffffff : <u64>v;
}

/** mtspr DEC. */
export function decWrite(v: u64): void {
  const sh = <u64>(64 - decBits());
  cpuSetDecValue(<u64>((<i64>(v << sh)) >> sh));
  cpuSetDecTb(tbNow());
  requestStop(); // the next decrementer deadline moved
}

/** A decrementer exception exists (DEC negative). */
export function decPending(): bool {
  return decSigned() < 0;
}

/** Virtual time (ns) at which DEC becomes negative; nowNs() when it already is. */
export function decDeadlineNs(): u64 {
  const d = decSigned();
  const now = nowNs();
  if (d < 0) return now;
  const target = ticksAt(now) + <u64>d + 1; // first tick count with DEC < 0
  return (target * 125 + 63) / 64;          // smallest ns with ticksAt(ns) >= target
}

/** Instructions that can run before the decrementer deadline (0 = now). */
export function insnsUntilDec(): u64 {
  const now = nowNs();
  const dl = decDeadlineNs();
  return dl <= now ? 0 : (dl - now + NS_PER_INSN - 1) / NS_PER_INSN;
}
