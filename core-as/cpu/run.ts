// The run loop: executes up to `budget` instructions in one slice and returns an EXIT_* reason.
// V8 tiers Wasm up only between calls and the Node event loop must stay live, so the host calls
// run() repeatedly (host-ts/cpu/cpu-runner.ts). Asynchronous interrupts are checked at slice
// start and whenever an instruction changed interrupt state (slice.ts requestStop) or the decrementer
// deadline is reached: the inner loop runs in chunks no longer than the time to that deadline.
import {
  cpuNip, cpuSetNip, cpuIdle, cpuSetIdle, cpuSetMsr, cpuSetPvr, cpuSetPir, cpuSetDecValue, cpuSetDecTb,
  machineExitReason, machineSetExitReason, EXIT_NONE, EXIT_SLICE_DONE, EXIT_IDLE,
} from '../gen/layout';
import { pc, nextPc, setPc, setNextPc, le, pcMask, msrChanged, MSR_SF, MSR_ME } from './regs';
import { chunkLeft, beginChunk, tick, executedTotal } from './slice';
import { checkInterrupts } from './exceptions';
import { fetchHoff } from './mmu';
import { execute } from './decode';
import { commitClock, insnsUntilDec, tbNow, nowNs, NS_PER_INSN } from './timebase';
import { devTimers, devNextDeadline } from '../dev/llan-exports';

/** POWER9 v2.0 as QEMU 7.2's -cpu power9 reports it (the boot helper measured mfpvr). */
export const PVR_POWER9: u32 = 0x004e1200;

/** ea of the page the fetch cache maps (never page-aligned when empty) and its hoff. */
let fetchPage: u64 = 1;
let fetchBase: u32 = 0;

/** Drops the fetch translation cache (MMU state change; real mode never needs it yet). */
export function invalidateFetch(): void { fetchPage = 1; }

/** Fills the fetch cache for pc's page; returns the hoff of the instruction, or 0 after ISI. */
function fetchMiss(): u32 {
  const p = pc;
  const h = fetchHoff(p); // raises ISI (nextPc = vector) when outside RAM
  if (h == 0) return 0;
  // The whole 4 KiB page is RAM: RAM size is a multiple of 4 KiB and real mode maps pages linearly.
  fetchPage = p & ~<u64>0xfff;
  fetchBase = h - <u32>(p & 0xfff);
  return h;
}

/** Executes one instruction at pc. pc is re-read after the miss path rather than kept in a
 *  local: a value live across that path's calls was spilled to the stack on every instruction. */
// @ts-ignore: decorator
@inline function step(): void {
  let h: u32;
  if ((pc & ~<u64>0xfff) == fetchPage) {
    h = fetchBase + <u32>(pc & 0xfff);
  } else {
    h = fetchMiss();
    if (h == 0) { setPc(nextPc); return; }
  }
  const raw = load<u32>(h); // in bounds: h came from raToHoff(ra, 4)
  setNextPc((pc + 4) & pcMask);
  execute(le ? raw : bswap<u32>(raw));
  setPc(nextPc);
}

/**
 * Runs the device timers that are due (virtual time passed their deadline) and returns how many
 * instructions may run before the next one (>= 1). Device timers thus fire at their virtual
 * deadline in the middle of a slice, as QEMU's virtual-clock timers do between TBs.
 */
function untilDeviceTimer(): u64 {
  let dl = devNextDeadline();
  if (dl != 0 && dl <= nowNs()) {
    commitClock();
    devTimers();
    dl = devNextDeadline();
  }
  if (dl == 0) return u64.MAX_VALUE;
  const now = nowNs();
  return dl <= now ? 1 : (dl - now + NS_PER_INSN - 1) / NS_PER_INSN;
}

/** Runs up to `budget` instructions; returns the exit reason (also left in machine.exitReason). */
export function run(budget: u32): u32 {
  machineSetExitReason(EXIT_NONE);
  msrChanged();
  setPc(cpuNip());
  setNextPc(pc);
  if (cpuIdle() != 0) {
    if (!checkInterrupts()) { machineSetExitReason(EXIT_IDLE); return EXIT_IDLE; }
    cpuSetIdle(0);
    setPc(nextPc);
  }
  const start = executedTotal();
  let left = budget;
  while (left > 0) {
    setNextPc(pc);
    if (checkInterrupts()) setPc(nextPc);
    let chunk = left;
    const until = insnsUntilDec();
    if (until > 0 && until < <u64>chunk) chunk = <u32>until;
    const dev = untilDeviceTimer();
    if (dev < <u64>chunk) chunk = <u32>dev;
    beginChunk(chunk);
    while (chunkLeft != 0) {
      step();
      tick();
    }
    beginChunk(0); // fold the chunk's count
    left = budget - <u32>(executedTotal() - start);
    if (machineExitReason() != EXIT_NONE) break;
  }
  cpuSetNip(pc);
  commitClock();
  let reason = machineExitReason();
  if (reason == EXIT_NONE) { reason = EXIT_SLICE_DONE; machineSetExitReason(reason); }
  if (reason == EXIT_IDLE) cpuSetIdle(1);
  return reason;
}

/** Power-on state as QEMU's pseries machine sets it for -bios: nip 0x100, 64-bit, big-endian,
 *  real mode, EE = 0, ME = 1; POWER9 PVR; DEC at its largest positive value (no interrupt). */
export function cpuReset(): void {
  cpuSetMsr(MSR_SF | MSR_ME);
  cpuSetNip(0x100);
  cpuSetPvr(PVR_POWER9);
  cpuSetPir(0);
  cpuSetDecValue(0x7fffffff);
  cpuSetDecTb(tbNow());
  cpuSetIdle(0);
  invalidateFetch();
  msrChanged();
}
