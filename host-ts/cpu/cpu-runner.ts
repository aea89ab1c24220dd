// Runs the vCPU in slices on the Node event loop (V8 tiers Wasm up between calls; timers, TAP
// reads and stdin stay live): core.run(budget) until an exit, setImmediate between slices.
//
// Idle (H_CEDE, core-as/cpu/idle.ts): the hypercall enables MSR[EE] and ends the slice with
// EXIT_IDLE; the vCPU then sleeps until an interrupt is deliverable. Virtual time
// (machine.vclockNs, see core-as/cpu/timebase.ts) advances while idle through Machine.advance
// (device timers fire on the way): in 'warp' mode straight to the next decrementer or device
// deadline (deterministic, fast tests), in 'realtime' mode by the real time waited, up to that
// deadline, or until a device calls notifyExternal().
import type { Machine } from '../machine/machine.js';
import { EXIT } from '../layout/papr.js';
import { readUnimplemented, unimplementedReport, type UnimplementedEntry } from './unimplemented-report.js';

const MSR_EE = 1n << 15n;

interface RunExports {
  run(budget: number): number;
  cpuReset(): void;
  cpuDecDeadlineNs(): bigint;
  cpuInterruptDeliverable(): number;
  devNextDeadline(): bigint;
}

export interface CpuRunnerOptions {
  /** Instructions per slice (default 1,000,000). */
  sliceInsns?: number;
  /** How idle time passes: 'warp' jumps to the next timer, 'realtime' waits (default). */
  idle?: 'warp' | 'realtime';
}

export type { UnimplementedEntry };

/** Why a run ended. */
export interface RunResult {
  reason: 'halt' | 'stopped' | 'limit';
  insns: bigint;
}

export class CpuRunner {
  private readonly core: RunExports;
  private readonly slice: number;
  private readonly idleMode: 'warp' | 'realtime';
  private stopRequested = false;
  private wake: (() => void) | null = null;

  constructor(readonly machine: Machine, opts: CpuRunnerOptions = {}) {
    this.core = machine.core as unknown as RunExports;
    this.slice = opts.sliceInsns ?? 1_000_000;
    this.idleMode = opts.idle ?? 'realtime';
  }

  /** Power-on reset of the vCPU (nip 0x100, 64-bit BE real mode, POWER9 PVR). */
  reset(): void {
    this.core.cpuReset();
  }

  /** Asserts (level) the external interrupt input and wakes an idle vCPU. */
  raiseExternal(): void {
    this.machine.cpu.set('externalPending', 1);
    this.notifyExternal();
  }

  lowerExternal(): void {
    this.machine.cpu.set('externalPending', 0);
  }

  /** Wakes an idle vCPU to re-check its interrupts (a device changed state). */
  notifyExternal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Ends start() after the current slice. */
  stop(): void {
    this.stopRequested = true;
    this.notifyExternal();
  }

  private insns(): bigint {
    return this.machine.cpu.getBig('insnCount');
  }

  /**
   * Runs synchronously for at most `maxInsns` instructions (tests, benchmarks): idle time is
   * always warped. Returns at halt, at the limit, or when idle with nothing that could wake it.
   */
  runSync(maxInsns: number): RunResult {
    const start = this.insns();
    const limit = start + BigInt(maxInsns);
    for (;;) {
      const left = limit - this.insns();
      if (left <= 0n) return { reason: 'limit', insns: this.insns() - start };
      const reason = this.core.run(Number(left < BigInt(this.slice) ? left : BigInt(this.slice)));
      this.machine.poll();
      if (reason === EXIT.EXIT_HALT) return { reason: 'halt', insns: this.insns() - start };
      if (reason === EXIT.EXIT_IDLE && !this.warpToTimer()) return { reason: 'stopped', insns: this.insns() - start };
    }
  }

  /** Runs on the event loop until halt or stop(). */
  async start(): Promise<RunResult> {
    const start = this.insns();
    this.stopRequested = false;
    while (!this.stopRequested) {
      const reason = this.core.run(this.slice);
      this.machine.poll();
      if (reason === EXIT.EXIT_HALT) return { reason: 'halt', insns: this.insns() - start };
      if (reason === EXIT.EXIT_IDLE) await this.idle();
      else await new Promise<void>((r) => setImmediate(r));
    }
    return { reason: 'stopped', insns: this.insns() - start };
  }

  /** Earliest virtual time (ns) that can wake the vCPU: the decrementer (if MSR[EE]) or a device timer. */
  private wakeDeadline(): bigint | null {
    const now = this.machine.vclockNs;
    const cands: bigint[] = [];
    if ((this.machine.cpu.getBig('msr') & MSR_EE) !== 0n) cands.push(this.core.cpuDecDeadlineNs());
    const dev = BigInt.asUintN(64, this.core.devNextDeadline());
    if (dev !== 0n) cands.push(dev);
    if (!cands.length) return null;
    const dl = cands.reduce((a, b) => (a < b ? a : b));
    return dl > now ? dl : now;
  }

  /** Moves virtual time to the next wake-up; false if nothing can ever wake the vCPU. */
  private warpToTimer(): boolean {
    if (this.core.cpuInterruptDeliverable()) return true;
    const dl = this.wakeDeadline();
    if (dl === null) return false;
    this.machine.advance(dl - this.machine.vclockNs);
    return true;
  }

  private async idle(): Promise<void> {
    if (this.core.cpuInterruptDeliverable()) return;
    if (this.idleMode === 'warp' && this.warpToTimer()) return;
    const dl = this.wakeDeadline();
    const now = this.machine.vclockNs;
    const t0 = process.hrtime.bigint();
    let timerFired = false;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (dl !== null) {
        const ms = Number((dl - now) / 1_000_000n);
        timer = setTimeout(() => { if (this.wake === resolve) { timerFired = true; this.notifyExternal(); } }, Math.min(ms, 2 ** 31 - 1));
      }
    });
    clearTimeout(timer); // woken early by a device or stop(): the timer must not keep the loop alive
    let next = now + (process.hrtime.bigint() - t0);
    if (dl !== null && (timerFired || next > dl)) next = dl; // setTimeout has ms resolution: land on the deadline
    this.machine.advance(next - now);
  }

  /** Unimplemented instructions met so far, by mnemonic (never silent: issue 3). */
  unimplemented(): UnimplementedEntry[] {
    return readUnimplemented(this.machine);
  }

  /** One line per unimplemented mnemonic and unmodelled SPR, for logs. */
  unimplementedReport(): string {
    return unimplementedReport(this.machine);
  }
}
