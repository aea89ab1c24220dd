// QmpTarget for a pseries machine: QEMU's run-state rules (RunStateTracker) over the machine's
// reset, the CPU runner's pause/resume, and the spapr-vlan devices' telemetry. The runner is
// whatever drives the CPU (a run loop over core run(budget), a worker); without one the state
// changes are bookkeeping only (a machine driven by hypercalls from the host, as in device tests).
import { RunStateTracker, type ResetCause, type ShutdownCause } from './run-state.js';
import type { MigrationHooks, QmpEventListener, QmpTarget, RunState } from './qmp-target.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';
import { spaprVlanStats } from '../telemetry/spapr-vlan-stats.js';
import type { SpaprVlan } from '../devices/spapr-vlan.js';
import { migrationHooks, type StartMigration } from './migration-hooks.js';

/** Drives the CPU; every member optional. */
export interface MachineRunner {
  /** Stop executing guest instructions (at the next slice boundary is fine). */
  pause?(): void;
  resume?(): void;
  /** Called after the machine reset (e.g. to re-apply the boot entry state). */
  reset?(): void;
  /** The machine is off for good (quit): stop and release the CPU. */
  powerOff?(): void;
}

export interface MachineTargetOptions {
  /** Machine reset (QEMU qemu_system_reset: every device's reset). */
  reset(): void;
  /** The spapr-vlan devices, in the order of `vlanIds`. */
  vlans?: readonly SpaprVlan[] | (() => readonly SpaprVlan[]);
  /** Overrides of the devices' ids (their -device id=), by position. */
  vlanIds?: readonly (string | undefined)[];
  runner?: MachineRunner;
  /** -S: start in prelaunch, waiting for cont. */
  startPaused?: boolean;
  /** Full custom migrate/query-migrate hooks; or use startMigration. */
  migration?: MigrationHooks;
  /** Starts an outgoing migration job (e.g. engineMigration(machine)) with QEMU's run-state handling. */
  startMigration?: StartMigration;
  /** Throws for a URI the engine cannot use, so migrate fails at once. */
  validateMigrationUri?: (uri: string) => void;
  /** QMP migrate-incoming (with -incoming defer). */
  migrateIncoming?: (uri: string) => void;
}

export class MachineQmpTarget implements QmpTarget {
  readonly runState: RunStateTracker;
  readonly migration?: MigrationHooks;

  constructor(private readonly opts: MachineTargetOptions) {
    const runner = opts.runner ?? {};
    this.runState = new RunStateTracker({
      pause: () => runner.pause?.(),
      resume: () => runner.resume?.(),
      reset: () => {
        opts.reset();
        runner.reset?.();
      },
      powerOff: () => runner.powerOff?.(),
    }, opts.startPaused);
    const hooks = opts.migration
      ?? (opts.startMigration && migrationHooks(this.runState, opts.startMigration, opts.validateMigrationUri));
    this.migration = hooks && opts.migrateIncoming ? { ...hooks, migrateIncoming: opts.migrateIncoming } : hooks;
  }

  status(): RunState {
    return this.runState.status;
  }

  stop(): void {
    this.runState.stop();
  }

  cont(): void {
    this.runState.cont();
  }

  reset(): void {
    this.runState.reset('host-qmp-system-reset');
  }

  quit(): void {
    this.runState.shutdown('host-qmp-quit');
  }

  /** For the run loop: the guest powered off (RTAS power-off) or rebooted (RTAS system-reboot). */
  guestShutdown(cause: ShutdownCause = 'guest-shutdown'): void {
    this.runState.shutdown(cause);
  }

  guestReset(cause: ResetCause = 'guest-reset'): void {
    this.runState.reset(cause);
  }

  vlanStats(): VlanDeviceStats[] {
    const v = this.opts.vlans;
    const devs = typeof v === 'function' ? v() : v ?? [];
    return devs.map((d, i) => spaprVlanStats(d, this.opts.vlanIds?.[i] ?? d.id));
  }

  onEvent(listener: QmpEventListener): () => void {
    return this.runState.onEvent(listener);
  }
}
