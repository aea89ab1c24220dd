// Runs a booted machine under QMP control, as qemu-system-ppc64 does with -qmp / -S: the CPU in
// event-loop slices, one QMP monitor per -qmp, the optional -metrics endpoint, and QEMU's ending
// rules: the guest powering off (or rebooting with -no-reboot) emits SHUTDOWN and ends the run,
// a guest reboot otherwise emits RESET {guest: true} and goes on, `quit` ends it.
import { MachineQmpTarget } from './machine-target.js';
import { SliceRunner, type SliceMachine } from './slice-runner.js';
import { startQmpServers, type QmpServer } from './qmp-server.js';
import { engineMigration, type StartMigration } from './migration-hooks.js';
import type { MachineLike } from '../migration/dirty.js';
import type { QmpConfig } from '../config/machine-config.js';
import type { SpaprVlan } from '../devices/spapr-vlan.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { vlanCollector } from '../metrics/vlan-metrics.js';
import { machineFamilies } from '../metrics/machine-metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';

/** What is needed of the booted machine (host-ts/machine/pseries.ts PseriesMachine fits). */
export interface ControlledMachine extends SliceMachine {
  /** System reset (devices, CPU, images); without it system_reset answers an error. */
  reset?(): void;
  /** The machine's memory and state, for migration (PseriesMachine.machine). */
  readonly machine?: MachineLike;
  readonly vlans: readonly SpaprVlan[];
  /** Resets done by guest reboots so far (to report RESET {guest: true}). */
  readonly reboots?: number;
  /** Instructions executed so far (metrics). */
  insnCount?(): bigint;
}

export interface ControlConfig {
  qmp: readonly QmpConfig[];
  startPaused: boolean;
  metrics?: string;
  /** -device ids of the NICs, in device order. */
  nics?: readonly { id?: string }[];
}

export interface ControlOptions {
  /** Instructions per slice. */
  slice?: number;
  /** Default: the migration engine over `machine` when the machine has one. */
  startMigration?: StartMigration;
  validateMigrationUri?: (uri: string) => void;
  /** QMP migrate-incoming (the destination side of -incoming defer). */
  migrateIncoming?: (uri: string) => void;
  /** Registry to add this machine's metrics to (default: a new one when -metrics is given). */
  registry?: MetricsRegistry;
}

export type RunEnd = 'guest-shutdown' | 'guest-reset' | 'host-qmp-quit' | 'host-signal' | 'guest-panicked';

export interface ControlledRun {
  target: MachineQmpTarget;
  runner: SliceRunner;
  servers: QmpServer[];
  metrics?: MetricsServer;
  /** Resolves when the run is over (servers closed): why it ended, and the run-loop error if one ended it. */
  done: Promise<{ end: RunEnd; error?: unknown }>;
  /** Ends the run as `quit` would. */
  quit(): void;
  /** SIGINT/SIGTERM: SHUTDOWN {guest: false, reason: "host-signal"}, then the run ends (QEMU's behaviour). */
  hostSignal(): void;
}

export async function runControlled(p: ControlledMachine, cfg: ControlConfig, opts: ControlOptions = {}): Promise<ControlledRun> {
  let finish!: (r: { end: RunEnd; error?: unknown }) => void;
  const ended = new Promise<{ end: RunEnd; error?: unknown }>((r) => (finish = r));
  let reboots = p.reboots ?? 0;

  // The runner reports to the target, which is created right after it (the target drives the runner).
  const ref: { target?: MachineQmpTarget } = {};
  const runner = new SliceRunner({
    run: (o) => {
      const r = p.run(o);
      // A guest reboot the machine handled itself (QEMU: RESET {guest: true, reason: guest-reset}).
      const now = p.reboots ?? 0;
      for (; reboots < now; reboots++) ref.target?.runState.emit('RESET', { guest: true, reason: 'guest-reset' });
      return r;
    },
  }, {
    slice: opts.slice,
    onStop: (reason, error) => {
      const t = ref.target!;
      if (reason === 'power-off') {
        t.guestShutdown('guest-shutdown');
        finish({ end: 'guest-shutdown' });
      } else if (reason === 'reboot') {
        t.guestShutdown('guest-reset'); // -no-reboot
        finish({ end: 'guest-reset' });
      } else {
        // 'break' (a debug stop with nothing to resume it) or a run-loop error.
        t.runState.panic();
        finish({ end: 'guest-panicked', error });
      }
    },
  });
  const target = new MachineQmpTarget({
    reset: () => {
      if (!p.reset) throw new Error('system_reset is not available: this machine build has no system reset');
      p.reset();
      reboots = p.reboots ?? 0; // a host reset is not a guest reboot
    },
    vlans: p.vlans,
    vlanIds: cfg.nics?.map((n) => n.id),
    runner,
    startPaused: cfg.startPaused,
    startMigration: opts.startMigration ?? (p.machine && engineMigration(p.machine)),
    validateMigrationUri: opts.validateMigrationUri,
    migrateIncoming: opts.migrateIncoming,
  });
  ref.target = target;
  // QMP quit or a signal ends the run; so does the guest powering off (SHUTDOWN already sent by then).
  target.onEvent((e) => {
    const reason = e.event === 'SHUTDOWN' ? e.data?.reason : undefined;
    if (reason === 'host-qmp-quit' || reason === 'host-signal') finish({ end: reason });
  });

  let servers: QmpServer[];
  try {
    servers = await startQmpServers(cfg.qmp, { target });
  } catch (e) {
    throw new Error(`-qmp: ${(e as Error).message}`);
  }
  let metrics: MetricsServer | undefined;
  let unregister: (() => void) | undefined;
  try {
    if (cfg.metrics !== undefined || opts.registry) {
      const registry = opts.registry ?? new MetricsRegistry();
      const vlans = vlanCollector(() => target.vlanStats());
      const insnCount = p.insnCount && (() => p.insnCount!());
      unregister = registry.register(() => [...machineFamilies({ status: () => target.status(), insnCount }), ...vlans()]);
      if (cfg.metrics !== undefined) metrics = await startMetricsServer(registry, cfg.metrics);
    }
  } catch (e) {
    unregister?.();
    await Promise.all(servers.map((s) => s.close()));
    throw new Error(`-metrics: ${(e as Error).message}`);
  }
  if (!cfg.startPaused) runner.resume();

  const done = ended.then(async (r) => {
    runner.powerOff();
    // Let the quitting client get its answer before the sockets close (the server closes itself then).
    await new Promise((res) => setImmediate(res));
    unregister?.();
    await Promise.all([...servers.map((s) => s.close()), metrics?.close()]);
    return r;
  });
  return {
    target, runner, servers, metrics, done,
    quit: () => target.quit(),
    hostSignal: () => target.runState.shutdown('host-signal'),
  };
}
