// Runs a machine's CPU in slices on the event loop so QMP (and everything else on the loop) stays
// responsive, and so stop/cont take effect at the next slice boundary. Implements MachineRunner
// for MachineQmpTarget; the machine's own run loop reports why it stopped.

/** What the runner needs from a machine: run at most `maxInsns` instructions, say why it returned. */
export interface SliceMachine {
  run(opts: { maxInsns?: number; slice?: number }): { reason: string };
}

export interface SliceRunnerOptions {
  /** Instructions per slice (default 1 000 000: a few ms). */
  slice?: number;
  /** The machine stopped by itself: 'power-off', 'reboot', 'break', or an error. The runner is paused. */
  onStop(reason: string, error?: unknown): void;
}

export class SliceRunner {
  private running = false;
  private scheduled?: NodeJS.Immediate;
  private idleTimer?: NodeJS.Timeout;
  private dead = false;
  /** Slices run so far (for tests and telemetry). */
  slices = 0;

  constructor(private readonly machine: SliceMachine, private readonly opts: SliceRunnerOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  resume(): void {
    if (this.dead || this.running) return;
    this.running = true;
    this.schedule();
  }

  pause(): void {
    this.running = false;
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.scheduled = undefined;
    this.idleTimer = undefined;
  }

  /** Quit: never runs again. */
  powerOff(): void {
    this.pause();
    this.dead = true;
  }

  private schedule(): void {
    this.scheduled = setImmediate(() => this.tick());
  }

  /** The guest waits for an interrupt (H_CEDE): poll again shortly instead of spinning. */
  private scheduleIdle(): void {
    const t = setTimeout(() => {
      if (this.idleTimer === t) this.idleTimer = undefined;
      this.tick();
    }, 1);
    this.idleTimer = t;
  }

  private tick(): void {
    this.scheduled = undefined;
    if (!this.running) return;
    const slice = this.opts.slice ?? 1_000_000;
    let reason: string;
    try {
      reason = this.machine.run({ maxInsns: slice, slice }).reason;
    } catch (e) {
      this.pause();
      this.opts.onStop('error', e);
      return;
    }
    this.slices++;
    if (reason === 'budget' || reason === 'idle') {
      if (this.running) {
        if (reason === 'idle') this.scheduleIdle();
        else this.schedule();
      }
      return;
    }
    this.pause();
    this.opts.onStop(reason);
  }
}
