// The one run loop of a machine: core.run(budget) in slices on the Node event loop (setImmediate
// between slices, so V8 tiers the Wasm up, and timers, sockets, stdin and QMP stay live), or
// synchronously for tests and benchmarks. Everything that drives a CPU goes through it: the CLI,
// QMP stop/cont, migration's stop-and-copy, the embedding API.
//
// Idle (H_CEDE, PAPR 14.5.4.3.1, handled in Wasm: core-as/cpu/idle.ts): the slice ends with EXIT_IDLE and the vCPU sleeps until an
// interrupt is deliverable. Virtual time (machine.vclockNs) moves through Machine.advance, so
// device timers fire on the way: in 'warp' mode straight to the next decrementer or device
// deadline (deterministic, fast tests), in 'realtime' mode by the real time waited, up to that
// deadline, or until wake() (a frame or console byte arrived for the guest).
//
// pause() takes effect at once: slices are synchronous, so between two event-loop turns no guest
// instruction runs; a pause during an idle wait counts the real time already waited.
import { EventEmitter } from 'node:events';
import type { Machine } from './machine.js';
import { EXIT } from '../layout/papr.js';
import { readUnimplemented, unimplementedReport, type UnimplementedEntry } from '../cpu/unimplemented-report.js';

export type { UnimplementedEntry };

const MSR_EE = 1n << 15n;
/** Longest setTimeout Node accepts (ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface RunExports {
  run(budget: number): number;
  cpuDecDeadlineNs(): bigint;
  cpuInterruptDeliverable(): number;
  devNextDeadline(): bigint;
}

export type IdleMode = 'warp' | 'realtime';

/**
 * Why a run stopped: the guest powered off or rebooted (RTAS, with -no-reboot), halted otherwise,
 * went idle with nothing that could ever wake it (runSync only), used its instruction limit, or
 * the run loop failed (a trap in the core).
 */
export type StopReason = 'power-off' | 'reboot' | 'halt' | 'idle' | 'limit' | 'error';

export interface RunEnd {
  reason: StopReason;
  /** Instructions executed since the run (resume or runSync) began. */
  insns: bigint;
  error?: Error;
}

export interface RunnerOptions {
  /** Instructions per slice (default 200,000, about 1 ms: backends are read between slices, so a
   *  shorter slice is more receive turns per second; measured with bench/net-guest: 1M slices gave
   *  130k/s at 64 B, 200k slices 237k/s). */
  sliceInsns?: number;
  /** How idle time passes (default 'realtime'). */
  idle?: IdleMode;
  /** After a slice ended with EXIT_HALT: what the guest asked for; undefined = a plain halt. */
  haltCause?: () => 'power-off' | 'reboot' | undefined;
  /** Guest reboot: reset the machine and return true to go on; false ends the run (-no-reboot). */
  reboot?: () => boolean;
}

export type RunnerState = 'paused' | 'running' | 'off';

interface IdleWait {
  /** Real time (hrtime ns) and virtual time when the wait began. */
  t0: bigint;
  v0: bigint;
  /** Virtual deadline that ends the wait, if any. */
  deadline: bigint | null;
  timer: NodeJS.Timeout;
}

/**
 * Events: 'stop' (RunEnd: the run ended by itself or hit its limit), 'reboot' (the guest rebooted
 * and the machine was reset), 'unimplemented' (UnimplementedEntry[]: the table grew in a slice).
 */
export class Runner extends EventEmitter {
  private readonly core: RunExports;
  private sliceInsns: number;
  idleMode: IdleMode;
  private st: RunnerState = 'paused';
  private scheduled?: NodeJS.Immediate;
  private throttleTimer?: NodeJS.Timeout;
  private idleWait?: IdleWait;
  private throttleFraction = 0;
  /** insnCount when the current run began, and its limit (absolute insnCount), if any. */
  private runStart = 0n;
  private limit?: bigint;
  private unimplSeen = 0;
  /** Slices run so far. */
  slices = 0;
  /** Guest reboots handled (machine reset and continued). */
  reboots = 0;

  constructor(readonly machine: Machine, private readonly opts: RunnerOptions = {}) {
    super();
    this.core = machine.core as unknown as RunExports;
    this.sliceInsns = opts.sliceInsns ?? 200_000;
    this.idleMode = opts.idle ?? 'realtime';
    if (typeof this.core.run !== 'function') throw new Error('this core build has no CPU (core-as exports no run(budget))');
    machine.onKick = () => this.wake();
    this.unimplSeen = this.unimplTotal();
  }

  get state(): RunnerState {
    return this.st;
  }

  get isRunning(): boolean {
    return this.st === 'running';
  }

  /** Instructions executed by the vCPU since power-on. */
  insnCount(): bigint {
    return this.machine.cpu.getBig('insnCount');
  }

  /** Starts (or continues) running slices on the event loop. No-op while running or off. */
  resume(): void {
    if (this.st !== 'paused') return;
    this.st = 'running';
    this.runStart = this.insnCount();
    this.schedule();
  }

  /** Stops before the next slice; no guest instruction runs after this returns. */
  pause(): void {
    if (this.st !== 'running') return;
    this.st = 'paused';
    this.cancel();
  }

  /** Off for good (QMP quit, the VM disposed): never runs again. */
  powerOff(): void {
    this.cancel();
    this.st = 'off';
  }

  /**
   * Resumes and resolves at the next stop (power-off, reboot with -no-reboot, error, or after
   * `maxInsns` more instructions). pause() in between leaves it pending until a later stop.
   */
  run(opts: { maxInsns?: number } = {}): Promise<RunEnd> {
    if (this.st === 'off') return Promise.reject(new Error('the machine is powered off for good'));
    this.limit = opts.maxInsns !== undefined ? this.insnCount() + BigInt(opts.maxInsns) : undefined;
    const p = new Promise<RunEnd>((resolve) => this.once('stop', resolve));
    this.resume();
    return p;
  }

  /**
   * Runs synchronously for at most `maxInsns` instructions (tests, benchmarks), idle time always
   * warped. Ends at power-off/reboot/halt, at the limit, or idle with nothing that could wake it.
   */
  runSync(maxInsns: number): RunEnd {
    if (this.st === 'running') throw new Error('runSync while the machine runs on the event loop');
    const start = this.insnCount();
    const limit = start + BigInt(maxInsns);
    const end = (reason: StopReason, error?: Error): RunEnd => (error ? { reason, insns: this.insnCount() - start, error } : { reason, insns: this.insnCount() - start });
    for (;;) {
      const left = limit - this.insnCount();
      if (left <= 0n) return end('limit');
      let r: SliceOutcome;
      try {
        r = this.slice(Number(left < BigInt(this.sliceInsns) ? left : BigInt(this.sliceInsns)));
      } catch (e) {
        return end('error', toError(e));
      }
      if (r === 'idle' && !this.warp()) return end('idle');
      if (r !== 'continue' && r !== 'idle') return end(r);
    }
  }

  /** Auto-converge (migration): the guest runs only (1 - fraction) of the time; 0 = full speed. */
  throttle(fraction: number): void {
    this.throttleFraction = Math.min(Math.max(fraction, 0), 0.99);
  }

  /** Instructions per slice (takes effect at the next slice). */
  setSliceInsns(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`slice must be a positive integer (got ${n})`);
    this.sliceInsns = n;
  }

  /** Something arrived for the guest (frame, console input, external interrupt): end an idle wait now. */
  wake(): void {
    if (!this.idleWait) return;
    this.endIdle(false);
    if (this.st === 'running') this.schedule();
  }

  /** Asserts (level) the external interrupt input and wakes an idle vCPU. */
  raiseExternal(): void {
    this.machine.cpu.set('externalPending', 1);
    this.wake();
  }

  lowerExternal(): void {
    this.machine.cpu.set('externalPending', 0);
  }

  /** Unimplemented instructions met so far, by mnemonic (never silent: issue 3). */
  unimplemented(): UnimplementedEntry[] {
    return readUnimplemented(this.machine);
  }

  /** One line per unimplemented mnemonic and unmodelled SPR, for logs. */
  unimplementedReport(): string {
    return unimplementedReport(this.machine);
  }

  private unimplTotal(): number {
    return this.machine.cpu.getNum('unimplTotal');
  }

  private cancel(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.scheduled = undefined;
    this.throttleTimer = undefined;
    if (this.idleWait) this.endIdle(false);
  }

  private schedule(delayMs = 0): void {
    if (this.scheduled || this.throttleTimer) return;
    if (delayMs > 0) {
      this.throttleTimer = setTimeout(() => { this.throttleTimer = undefined; this.tick(); }, delayMs);
    } else {
      this.scheduled = setImmediate(() => { this.scheduled = undefined; this.tick(); });
    }
  }

  private stop(reason: StopReason, error?: Error): void {
    const end: RunEnd = { reason, insns: this.insnCount() - this.runStart };
    if (error) end.error = error;
    this.limit = undefined;
    if (this.st === 'running') this.st = 'paused';
    this.cancel();
    this.emit('stop', end);
  }

  private tick(): void {
    if (this.st !== 'running') return;
    let budget = this.sliceInsns;
    if (this.limit !== undefined) {
      const left = this.limit - this.insnCount();
      if (left <= 0n) { this.stop('limit'); return; }
      if (left < BigInt(budget)) budget = Number(left);
    }
    const t0 = this.throttleFraction > 0 ? performance.now() : 0;
    let r: SliceOutcome;
    try {
      r = this.slice(budget);
    } catch (e) {
      this.stop('error', toError(e));
      return;
    }
    if (this.st !== 'running') return; // a listener (unimplemented, reboot) paused us
    if (r === 'idle') { this.idle(); return; }
    if (r !== 'continue') { this.stop(r); return; }
    const f = this.throttleFraction;
    this.schedule(f > 0 ? ((performance.now() - t0) * f) / (1 - f) : 0);
  }

  /** One slice of at most `budget` instructions. */
  private slice(budget: number): SliceOutcome {
    // A halt asked for outside a slice (a host-issued hypercall, e.g. RTAS from the API).
    const pending = this.opts.haltCause?.();
    if (pending) return this.halted(pending);
    const exit = this.core.run(budget);
    this.slices++;
    this.machine.poll();
    const total = this.unimplTotal();
    if (total !== this.unimplSeen) {
      this.unimplSeen = total;
      this.emit('unimplemented', this.unimplemented());
    }
    if (exit === EXIT.EXIT_HALT) return this.halted(this.opts.haltCause?.());
    if (exit === EXIT.EXIT_BREAK) return 'halt';
    if (exit === EXIT.EXIT_IDLE) return 'idle';
    return 'continue';
  }

  private halted(cause: 'power-off' | 'reboot' | undefined): SliceOutcome {
    if (cause === 'reboot' && this.opts.reboot?.()) {
      this.reboots++;
      this.emit('reboot');
      return 'continue';
    }
    return cause ?? 'halt';
  }

  /** Earliest virtual time (ns) that can wake the vCPU: the decrementer (if MSR[EE]) or a device timer. */
  private wakeDeadline(): bigint | null {
    const now = this.machine.vclockNs;
    let dl: bigint | null = null;
    if ((this.machine.cpu.getBig('msr') & MSR_EE) !== 0n) dl = BigInt.asUintN(64, this.core.cpuDecDeadlineNs());
    const dev = BigInt.asUintN(64, this.core.devNextDeadline());
    if (dev !== 0n && (dl === null || dev < dl)) dl = dev;
    if (dl === null) return null;
    return dl > now ? dl : now;
  }

  /** Moves virtual time to the next wake-up; false if nothing timed can wake the vCPU. */
  private warp(): boolean {
    if (this.core.cpuInterruptDeliverable()) return true;
    const dl = this.wakeDeadline();
    if (dl === null) return this.machine.cpu.getNum('externalPending') !== 0;
    this.machine.advance(dl - this.machine.vclockNs);
    return true;
  }

  private idle(): void {
    if (this.core.cpuInterruptDeliverable()) { this.schedule(); return; }
    const deadline = this.wakeDeadline();
    if (this.idleMode === 'warp' && deadline !== null) {
      this.machine.advance(deadline - this.machine.vclockNs);
      this.schedule();
      return;
    }
    // Wait in real time for the deadline or a wake(); with no deadline, only a wake() ends it.
    const v0 = this.machine.vclockNs;
    const ms = deadline === null ? MAX_TIMER_MS : Math.min(Number((deadline - v0) / 1_000_000n), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (this.idleWait?.timer !== timer) return;
      if (deadline === null) { this.idleWait = undefined; this.idle(); return; }
      this.endIdle(true);
      this.schedule();
    }, ms);
    this.idleWait = { t0: process.hrtime.bigint(), v0, deadline, timer };
  }

  /** Ends an idle wait: virtual time advances by the real time waited (to the deadline if it fired). */
  private endIdle(deadlineFired: boolean): void {
    const w = this.idleWait!;
    this.idleWait = undefined;
    clearTimeout(w.timer);
    let next = w.v0 + (process.hrtime.bigint() - w.t0);
    // setTimeout has ms resolution: land on the deadline, never past it.
    if (w.deadline !== null && (deadlineFired || next > w.deadline)) next = w.deadline;
    const now = this.machine.vclockNs;
    if (next > now) this.machine.advance(next - now);
  }
}

type SliceOutcome = 'continue' | 'idle' | 'power-off' | 'reboot' | 'halt';

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
