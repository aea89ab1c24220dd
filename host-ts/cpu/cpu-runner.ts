// Runs the vCPU in slices on the Node event loop (V8 tiers Wasm up between calls; timers, TAP
// reads and stdin stay live): core.run(budget) until an exit, setImmediate between slices.
//
// Idle (H_CEDE, PAPR 14.5.4.3.1): the hypercall enables MSR[EE] and ends the slice with EXIT_IDLE;
// the vCPU then sleeps until an interrupt is deliverable. Virtual time (machine.vclockNs, see
// core-as/cpu/timebase.ts) advances while idle: in 'warp' mode straight to the decrementer
// deadline (deterministic, fast tests), in 'realtime' mode by the real time waited, up to that
// deadline, or until a device calls notifyExternal().
import type { Machine } from '../machine/machine.js';
import { EXIT, HCALL, HRC } from '../layout/papr.js';
import { UNIMPL_SLOTS } from '../layout/cpu-state.js';
import { mnemonicOfKey } from './mnemonics.js';

const MSR_EE = 1n << 15n;

interface RunExports {
  run(budget: number): number;
  cpuReset(): void;
  cpuDecDeadlineNs(): bigint;
  cpuInterruptDeliverable(): number;
}

export interface CpuRunnerOptions {
  /** Instructions per slice (default 1,000,000). */
  sliceInsns?: number;
  /** How idle time passes: 'warp' jumps to the next timer, 'realtime' waits (default). */
  idle?: 'warp' | 'realtime';
}

export interface UnimplementedEntry {
  mnemonic: string;
  key: number;
  count: number;
  lastInsn: number;
  lastNip: bigint;
}

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
    machine.registerHcall(HCALL.H_CEDE, (m) => {
      // H_CEDE: enable external interrupts and sleep until one is pending (QEMU h_cede).
      m.cpu.set('msr', m.cpu.getBig('msr') | MSR_EE);
      m.state.set('exitReason', EXIT.EXIT_IDLE);
      return HRC.H_SUCCESS;
    });
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
      if (reason === EXIT.EXIT_HALT) return { reason: 'halt', insns: this.insns() - start };
      if (reason === EXIT.EXIT_IDLE) await this.idle();
      else await new Promise<void>((r) => setImmediate(r));
    }
    return { reason: 'stopped', insns: this.insns() - start };
  }

  /** Decrementer deadline (ns of virtual time) if it can wake the vCPU (MSR[EE] = 1). */
  private timerDeadline(): bigint | null {
    if ((this.machine.cpu.getBig('msr') & MSR_EE) === 0n) return null;
    return this.core.cpuDecDeadlineNs();
  }

  private warpToTimer(): boolean {
    const dl = this.timerDeadline();
    if (dl === null) return this.machine.cpu.getNum('externalPending') !== 0;
    const now = this.machine.state.getBig('vclockNs');
    if (dl > now) this.machine.state.set('vclockNs', dl);
    return true;
  }

  private async idle(): Promise<void> {
    if (this.idleMode === 'warp') {
      if (this.warpToTimer()) return;
    }
    const dl = this.timerDeadline();
    const now = this.machine.state.getBig('vclockNs');
    const t0 = process.hrtime.bigint();
    let timerFired = false;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (dl !== null) {
        const ms = Number((dl > now ? dl - now : 0n) / 1_000_000n);
        setTimeout(() => { if (this.wake === resolve) { timerFired = true; this.notifyExternal(); } }, Math.min(ms, 2 ** 31 - 1));
      }
    });
    let next = now + (process.hrtime.bigint() - t0);
    if (dl !== null && (timerFired || next > dl)) next = dl; // setTimeout has ms resolution: land on the deadline
    this.machine.state.set('vclockNs', next);
  }

  /** Unimplemented instructions met so far, by mnemonic (never silent: issue 3). */
  unimplemented(): UnimplementedEntry[] {
    const out: UnimplementedEntry[] = [];
    for (let i = 0; i < UNIMPL_SLOTS; i++) {
      const key = this.machine.cpu.getNum('unimplKey', i);
      if (key === 0) break;
      const k = key & 0x7fffffff;
      out.push({
        mnemonic: mnemonicOfKey(k),
        key: k,
        count: this.machine.cpu.getNum('unimplCount', i),
        lastInsn: this.machine.cpu.getNum('unimplInsn', i),
        lastNip: this.machine.cpu.getBig('unimplNip', i),
      });
    }
    return out;
  }

  /** One line per unimplemented mnemonic, for logs. */
  unimplementedReport(): string {
    return this.unimplemented()
      .map((e) => `${e.mnemonic}: ${e.count}x (last 0x${e.lastInsn.toString(16).padStart(8, '0')} at 0x${e.lastNip.toString(16)})`)
      .join('\n');
  }
}
