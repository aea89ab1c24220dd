// QEMU's run-state rules and the events they raise, kept apart from any CPU so every machine
// (and the test fakes) behave alike. The owner supplies hooks that really pause, resume, reset
// and power off; this class decides when they run and which event follows.
import type { QmpEvent, QmpEventListener, RunState } from './qmp-target.js';
import type { JsonObject } from './json-value.js';

/** QEMU ShutdownCause names (qapi/run-state.json) used by our machines. */
export type ShutdownCause = 'host-qmp-quit' | 'host-signal' | 'host-ui' | 'guest-shutdown' | 'guest-panic' | 'guest-reset';
export type ResetCause = 'host-qmp-system-reset' | 'guest-reset';

export interface RunStateHooks {
  pause?(): void;
  resume?(): void;
  reset?(): void;
  powerOff?(): void;
}

/** States from which only a reset gets the machine going again (QEMU runstate_needs_reset). */
export const NEEDS_RESET: ReadonlySet<RunState> = new Set(['internal-error', 'shutdown', 'guest-panicked']);

export class RunStateTracker {
  private state: RunState;
  private readonly listeners = new Set<QmpEventListener>();

  /** `startPaused` is -S: the machine waits in prelaunch for `cont`. */
  constructor(private readonly hooks: RunStateHooks = {}, startPaused = false) {
    this.state = startPaused ? 'prelaunch' : 'running';
  }

  get status(): RunState {
    return this.state;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  onEvent(listener: QmpEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: string, data?: JsonObject): void {
    const e: QmpEvent = data ? { event, data } : { event };
    for (const l of [...this.listeners]) l(e);
  }

  stop(): void {
    if (this.state === 'inmigrate') this.incomingAutostart = false; // QEMU: stays paused once the state arrives
    if (this.state !== 'running') return; // QEMU: stop while stopped is a silent success
    this.hooks.pause?.();
    this.state = 'paused';
    this.emit('STOP');
  }

  /** Throws if the state needs a reset (QEMU's message); a no-op while running. */
  cont(): void {
    if (NEEDS_RESET.has(this.state)) throw new Error('Resetting the Virtual Machine is required');
    if (this.state === 'running') return;
    if (this.state === 'inmigrate') {
      this.incomingAutostart = true; // QEMU: cont during inmigrate starts the VM once it has arrived
      return;
    }
    this.hooks.resume?.();
    this.state = 'running';
    this.emit('RESUME');
  }

  /** A running machine keeps running; any other (paused, shut down...) lands in prelaunch and waits
   *  for cont, as QEMU 7.2 does (recorded: stop, system_reset, query-status -> prelaunch). */
  reset(cause: ResetCause = 'host-qmp-system-reset'): void {
    this.hooks.reset?.();
    this.emit('RESET', { guest: cause === 'guest-reset', reason: cause });
    if (this.state !== 'running' && this.state !== 'inmigrate' && this.state !== 'finish-migrate') this.state = 'prelaunch';
  }

  /** Powers off: SHUTDOWN, then state shutdown (QEMU with -no-shutdown; without it the process exits). */
  shutdown(cause: ShutdownCause): void {
    if (this.state === 'shutdown') return;
    this.hooks.powerOff?.();
    this.state = 'shutdown';
    this.emit('SHUTDOWN', { guest: cause.startsWith('guest-'), reason: cause });
  }

  /** stop/cont received while inmigrate: overrides the -S setting when the state has arrived. */
  private incomingAutostart: boolean | undefined;

  /** -incoming: the VM waits in inmigrate (not running, cont deferred) until its state has arrived. */
  incomingStarted(): void {
    this.state = 'inmigrate';
  }

  /** The incoming state is loaded: run (RESUME) if asked to (no -S, or a cont meanwhile), else paused. */
  incomingCompleted(autostart: boolean): void {
    if (this.state !== 'inmigrate') return;
    this.state = 'paused';
    if (this.incomingAutostart ?? autostart) this.cont();
  }

  /** Migration's stop-and-copy: the VM stops (STOP) in finish-migrate. */
  migrationPause(): void {
    if (this.state !== 'running') return;
    this.hooks.pause?.();
    this.state = 'finish-migrate';
    this.emit('STOP');
  }

  /** A failed or cancelled migration gives the VM back (RESUME). */
  migrationResume(): void {
    if (this.state !== 'finish-migrate') return;
    this.hooks.resume?.();
    this.state = 'running';
    this.emit('RESUME');
  }

  /** The destination has the VM: the source stays stopped in postmigrate (cont is still allowed, as in QEMU). */
  migrationCompleted(): void {
    if (this.state === 'finish-migrate' || this.state === 'paused') this.state = 'postmigrate';
  }

  /** The guest stopped itself with an error (unimplemented instruction, panic). */
  panic(): void {
    this.hooks.pause?.();
    this.state = 'guest-panicked';
    this.emit('GUEST_PANICKED', { action: 'pause' });
  }
}
