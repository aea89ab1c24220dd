// The embedding API: createVm(config) builds a pseries machine from the same MachineConfig the
// command line parses (host-ts/config/machine-config.ts), opens its network backends, starts its
// -qmp monitors and -metrics endpoint, and hands back a Vm to start, pause, resume, reset and
// stop, with the console as streams, in-process frames, counters, Prometheus text and events.
// Every Vm owns its memory, core instance, devices and registry: nothing is shared between
// machines of one process (the module keeps no state).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { resolveConfig, ConfigError, type MachineConfig, type MachineConfigInput } from '../config/machine-config.js';
import { bootFromConfig, type BootedPseries } from '../machine/boot-config.js';
import type { PseriesMachine } from '../machine/pseries.js';
import type { IdleMode, UnimplementedEntry } from '../machine/runner.js';
import type { CoreBuild } from '../core/core-module.js';
import { openNetdevs, type Netdevs } from '../net/create-backend.js';
import { InProcessBackend } from '../net/in-process-backend.js';
import type { NetBackendStats } from '../net/net-port.js';
import { runControlled, type ControlledRun, type RunEnd } from '../qmp/run-controlled.js';
import type { QmpEvent, RunState } from '../qmp/qmp-target.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';
import { MetricsRegistry } from '../metrics/registry.js';
import type { Labels } from '../metrics/exposition.js';
import { vlanCollector } from '../metrics/vlan-metrics.js';
import { machineFamilies } from '../metrics/machine-metrics.js';
import { BootError } from '../boot/boot-images.js';
import { incoming, parseMigrationUri, type IncomingJob } from '../migration/index.js';
import { VmBootError, VmConfigError, VmNetdevError, VmStateError } from './errors.js';

export interface VmOptions {
  /** Instructions per run slice (default 200,000: about 1 ms between event-loop turns; see Runner). */
  sliceInsns?: number;
  /** Idle (H_CEDE) time: 'realtime' as QEMU (default), or 'warp' to the next timer (deterministic). */
  idle?: IdleMode;
  build?: CoreBuild;
  /** Image bytes by path: -kernel/-bios/-initrd names found here are not read from disk. */
  files?: Record<string, Uint8Array>;
  /** Reads the other image files (default: fs.readFileSync). */
  readFile?: (path: string) => Uint8Array;
  /**
   * Where stdio chardevs (-serial stdio) go. Default: the Vm's console streams (vm.console).
   * The CLI passes process.stdout / process.stdin.
   */
  stdout?: Writable;
  stdin?: Readable;
  /** One-line warnings (a NIC without a netdev, backend logs); default: dropped. */
  warn?: (msg: string) => void;
  /** Registry to add this machine's metrics to (default: one of its own), and labels for them. */
  registry?: MetricsRegistry;
  labels?: Labels;
}

/** How a machine's life ended. */
export interface VmExit {
  /** power-off (RTAS), reboot (with -no-reboot), quit (vm.stop() or QMP quit), signal (stop({signal})), panic (run-loop error). */
  reason: 'power-off' | 'reboot' | 'quit' | 'signal' | 'panic';
  /** What qemu-system-ppc64 would exit with: 0, or 1 after a panic. */
  exitStatus: number;
  error?: Error;
}

export interface VmStats {
  runState: RunState;
  /** Instructions executed since power-on; guest virtual time (ns); run slices; guest reboots. */
  insns: bigint;
  vclockNs: bigint;
  slices: number;
  reboots: number;
  /** Per-device, per-pool telemetry of the spapr-vlan devices (as QMP query-vlan-stats). */
  vlans: VlanDeviceStats[];
  /** Host-side counters of each netdev, by id. */
  netdevs: Record<string, NetBackendStats>;
  /** Console bytes the guest wrote / read. */
  console: { bytesOut: number; bytesIn: number };
  unimplemented: UnimplementedEntry[];
}

/** A netdev of type in-process: frames in and out from the embedder. */
export interface VmNet {
  readonly id: string;
  /** Offers frames to the guest in order; false when some wait for guest buffers (see 'drain'). */
  send(...frames: Uint8Array[]): boolean;
  /** Guest transmissions as an async iterator (ends when the machine stops). */
  frames(): AsyncGenerator<Uint8Array>;
  /** 'frame' (Uint8Array) for each guest transmission, 'drain' when all held frames were taken. */
  on(event: 'frame' | 'drain', listener: (frame: Uint8Array) => void): unknown;
  off(event: 'frame' | 'drain', listener: (frame: Uint8Array) => void): unknown;
  readonly stats: NetBackendStats;
}

/**
 * What Vm (this thread) and WorkerVm (a worker thread) have in common: code written against it
 * runs a machine either way (await the control calls; they return at once on a Vm).
 */
export interface VmHandle {
  readonly console: { readonly output: Readable; readonly input: Writable };
  status(): RunState;
  start(): void | Promise<void>;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  reset(): void | Promise<void>;
  stop(): Promise<VmExit>;
  wait(): Promise<VmExit>;
  write(input: string | Uint8Array): void | Promise<void>;
  net(id: string): Pick<VmNet, 'id' | 'send' | 'frames' | 'on' | 'off'>;
  stats(): VmStats | Promise<VmStats>;
  metrics(): string | Promise<string>;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export interface LinkEvent {
  /** -device id (or generated name) and unit address of the NIC. */
  device: string;
  unitAddress: number;
  /** True after H_REGISTER_LOGICAL_LAN, false after H_FREE_LOGICAL_LAN or a reset (spec 4.1). */
  up: boolean;
}

/**
 * Events: 'state' (RunState, after each change), 'qmp-event' (QmpEvent: STOP, RESUME, RESET,
 * SHUTDOWN, GUEST_PANICKED as QMP clients see them), 'powered-off' (VmExit), 'guest-panic'
 * (Error), 'unimplemented' (UnimplementedEntry[], the guest met instructions we do not
 * implement), 'link' (LinkEvent), 'reboot' (a guest reboot was handled).
 */
export class Vm extends EventEmitter implements VmHandle {
  private exitInfo?: VmExit;
  private readonly exited: Promise<VmExit>;
  private loadError?: VmStateError;
  private readonly vlanIds: string[];

  /** @internal use createVm() */
  constructor(
    readonly config: MachineConfig,
    private readonly booted: BootedPseries,
    private readonly netdevs: Netdevs,
    private readonly control: ControlledRun,
    private readonly registry: MetricsRegistry,
    private readonly unregister: () => void,
    /** Guest console: what the guest prints (stdio chardevs), and input for it. */
    readonly console: { readonly output: Readable; readonly input: Writable },
    /** -incoming: the machine waits (prelaunch) for its state; start() runs it once loaded. */
    private readonly inc?: IncomingJob,
  ) {
    super();
    const p = this.pseries;
    this.vlanIds = p.vlans.map((v, i) => config.nics[i]?.id ?? v.id);
    // Devices see the VM run state (QEMU: no receive while not running; frames wait in pending).
    const setRunning = (on: boolean) => { for (const v of p.vlans) v.setVmRunning(on); };
    setRunning(this.status() === 'running');
    let lastState = this.status();
    control.target.onEvent((e: QmpEvent) => {
      if (e.event === 'RESUME') setRunning(true);
      else if (e.event === 'STOP' || e.event === 'SHUTDOWN' || e.event === 'GUEST_PANICKED') setRunning(false);
      this.emit('qmp-event', e);
      const now = this.status();
      if (now !== lastState) this.emit('state', (lastState = now));
    });
    p.runner.on('unimplemented', (list: UnimplementedEntry[]) => this.emit('unimplemented', list));
    p.runner.on('reboot', () => this.emit('reboot'));
    this.watchLinks();
    if (inc) {
      void inc.done.then((st) => {
        // Runs now if start() or QMP cont came while it waited (QEMU's autostart), else stays paused.
        if (st.status === 'completed') control.target.runState.incomingCompleted(false);
        else if (!this.exitInfo && this.status() !== 'shutdown') {
          this.loadError = new VmStateError(`load of migration failed: ${st.errorDesc}`, this.status());
          control.quit();
        }
      });
    }
    this.exited = control.done.then(async ({ end, error }) => {
      const exit = toExit(end, error);
      if (this.loadError) Object.assign(exit, { exitStatus: 1, error: this.loadError });
      this.exitInfo = exit;
      await this.release();
      if (exit.reason === 'panic') this.emit('guest-panic', exit.error);
      this.emit('powered-off', exit);
      return exit;
    });
  }

  /** The assembled machine (device tree, vtys, vlans, the Machine with its memory). */
  get pseries(): PseriesMachine {
    return this.booted.pseries;
  }

  /** QEMU run state: prelaunch, running, paused, shutdown, guest-panicked... */
  status(): RunState {
    return this.control.target.status();
  }

  /**
   * Starts the guest (a machine is created paused in prelaunch, like -S); same as resume(). With
   * -incoming (run state inmigrate) it runs once the incoming state is loaded.
   */
  start(): void {
    this.resume();
  }

  /** The incoming migration (-incoming), if any: its status is query-migrate's on the destination. */
  get incoming(): IncomingJob | undefined {
    return this.inc;
  }

  /** Pauses the vCPU at the next slice boundary (QMP stop). */
  pause(): void {
    this.checkAlive('pause');
    this.control.target.stop();
  }

  /** Continues a paused or not yet started guest (QMP cont). */
  resume(): void {
    this.checkAlive('resume');
    try {
      this.control.target.cont();
    } catch (e) {
      throw new VmStateError(`cannot resume: ${(e as Error).message}`, this.status());
    }
  }

  /** System reset (QMP system_reset): devices, images and CPU back to their boot state. */
  reset(): void {
    this.checkAlive('reset');
    this.control.target.reset();
  }

  /**
   * Powers the machine off for good and resolves when everything is closed: as QMP quit, or with
   * `{ signal: true }` as QEMU on SIGINT/SIGTERM (SHUTDOWN reason host-signal to QMP clients).
   */
  async stop(opts: { signal?: boolean } = {}): Promise<VmExit> {
    if (!this.exitInfo && this.status() !== 'shutdown') {
      if (opts.signal) this.control.hostSignal();
      else this.control.quit();
    }
    return this.exited;
  }

  /** Resolves when the machine's life ends (guest power-off, stop(), QMP quit, panic). */
  wait(): Promise<VmExit> {
    return this.exited;
  }

  /** Writes to the guest console (as typing on -serial stdio). */
  write(input: string | Uint8Array): void {
    if (!this.pseries.vty) throw new VmStateError('this machine has no console (no -serial / spapr-vty)', this.status());
    this.pseries.input(input);
  }

  /** The in-process netdev `id` (-netdev in-process,id=ID), for frames in and out. */
  net(id: string): VmNet {
    const b = this.netdevs.backends.get(id);
    if (!b) throw new VmNetdevError(`no netdev '${id}' (netdevs: ${[...this.netdevs.backends.keys()].join(', ') || 'none'})`);
    if (!(b instanceof InProcessBackend)) throw new VmNetdevError(`netdev '${id}' is not in-process: frames go through its host backend`);
    return b;
  }

  /** Device counters and per-pool telemetry (the same numbers as QMP query-vlan-stats and metrics). */
  stats(): VmStats {
    const p = this.pseries;
    const netdevs: Record<string, NetBackendStats> = {};
    for (const [id, b] of this.netdevs.backends) netdevs[id] = { ...b.stats };
    return {
      runState: this.status(),
      insns: p.runner.insnCount(),
      vclockNs: p.machine.vclockNs,
      slices: p.runner.slices,
      reboots: p.runner.reboots,
      vlans: this.control.target.vlanStats(),
      netdevs,
      console: { bytesOut: p.vtys.reduce((a, v) => a + v.bytesOut, 0), bytesIn: p.vtys.reduce((a, v) => a + v.bytesIn, 0) },
      unimplemented: p.runner.unimplemented(),
    };
  }

  /** Prometheus text exposition (format 0.0.4) of this machine's registry. */
  metrics(): string {
    return this.registry.expose();
  }

  /** TCP port of the -metrics endpoint, if one was asked for. */
  get metricsPort(): number | undefined {
    return this.control.metrics?.port;
  }

  private checkAlive(what: string): void {
    if (this.exitInfo || this.status() === 'shutdown') {
      throw new VmStateError(`cannot ${what}: the machine is powered off (${this.exitInfo?.reason ?? 'shutdown'}); create a new one`, this.status());
    }
  }

  /** Link state follows H_REGISTER/H_FREE_LOGICAL_LAN: checked whenever the machine polls its devices. */
  private watchLinks(): void {
    const p = this.pseries;
    const up = p.vlans.map((v) => v.isOpen);
    p.machine.addDevice({
      poll: () => {
        for (let i = 0; i < p.vlans.length; i++) {
          const now = p.vlans[i].isOpen;
          if (now === up[i]) continue;
          up[i] = now;
          const e: LinkEvent = { device: this.vlanIds[i], unitAddress: p.vlans[i].reg, up: now };
          this.emit('link', e);
        }
      },
    });
  }

  private async release(): Promise<void> {
    this.inc?.close(); // quit while still waiting for the state: stop listening
    this.unregister();
    this.booted.close();
    await this.netdevs.closeAll();
    (this.console.output as PassThrough).end();
  }
}

function toExit(end: RunEnd, error?: unknown): VmExit {
  switch (end) {
    case 'guest-shutdown': return { reason: 'power-off', exitStatus: 0 };
    case 'guest-reset': return { reason: 'reboot', exitStatus: 0 };
    case 'host-qmp-quit': return { reason: 'quit', exitStatus: 0 };
    case 'host-signal': return { reason: 'signal', exitStatus: 0 };
    default: return { reason: 'panic', exitStatus: 1, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * Creates a machine from a configuration (the object form of a qemu-system-ppc64 command line),
 * paused in prelaunch: call start(). Throws VmConfigError, VmBootError or VmNetdevError; on a
 * failure nothing stays open.
 */
export async function createVm(input: MachineConfigInput | MachineConfig, opts: VmOptions = {}): Promise<Vm> {
  let cfg: MachineConfig;
  try {
    cfg = resolveConfig(input as MachineConfigInput);
  } catch (e) {
    if (e instanceof ConfigError) throw new VmConfigError(e.message, { cause: e });
    throw e;
  }
  if (cfg.incoming !== undefined) {
    // Checked before anything opens. defer waits for QMP migrate-incoming, so it needs a monitor.
    let kind: string;
    try {
      kind = parseMigrationUri(cfg.incoming).kind;
    } catch (e) {
      throw new VmConfigError(`-incoming: ${(e as Error).message}`, { cause: e });
    }
    if (kind === 'defer' && cfg.qmp.length === 0) throw new VmConfigError('-incoming defer: needs a QMP monitor (-qmp) for migrate-incoming');
  }
  let netdevs: Netdevs;
  try {
    netdevs = await openNetdevs(cfg.netdevs, cfg.filterDumps, { log: opts.warn });
  } catch (e) {
    throw new VmNetdevError((e as Error).message, { cause: e });
  }
  const output = new PassThrough();
  const input_ = new PassThrough();
  let booted: BootedPseries;
  try {
    booted = bootFromConfig(cfg, {
      stdout: opts.stdout ?? output,
      stdin: opts.stdin ?? input_,
      readFile: (path) => opts.files?.[path] ?? (opts.readFile ? opts.readFile(path) : new Uint8Array(readFileSync(path))),
    }, { sliceInsns: opts.sliceInsns, idle: opts.idle ?? 'realtime', build: opts.build });
  } catch (e) {
    await netdevs.closeAll();
    if (e instanceof BootError) throw new VmBootError(e.message, { cause: e });
    throw new VmBootError((e as Error).message, { cause: e });
  }
  const p = booted.pseries;
  const warn = opts.warn ?? (() => {});
  cfg.nics.forEach((nic, i) => {
    if (nic.netdev !== undefined) p.vlans[i].attachBackend(netdevs.forNic.get(nic.netdev)!);
    else warn(`nic l-lan@${p.vlans[i].reg.toString(16)} has no peer`);
  });
  for (const id of netdevs.backends.keys()) {
    if (!cfg.nics.some((n) => n.netdev === id)) warn(`netdev ${id} has no peer`);
  }
  const registry = opts.registry ?? new MetricsRegistry();
  // -incoming URI listens now (defer: on QMP migrate-incoming); the guest waits for its state.
  const inc = cfg.incoming !== undefined ? incoming(p.machine, cfg.incoming, { autostart: false }) : undefined;
  let control: ControlledRun;
  try {
    // Always created paused: start() (or QMP cont) runs it, so events can be subscribed first.
    control = await runControlled(p, { qmp: cfg.qmp, startPaused: true, metrics: cfg.metrics, nics: cfg.nics }, {
      migrateIncoming: (uri) => {
        // QEMU's refusals: no -incoming at all, or an incoming migration already under way.
        if (!inc) throw new Error("'-incoming' was not specified on the command line");
        if (inc.status().status !== 'none') throw new Error('The incoming migration has already been started');
        inc.start(uri);
      },
    });
  } catch (e) {
    inc?.close();
    booted.close();
    await netdevs.closeAll();
    throw new VmConfigError((e as Error).message, { cause: e }); // "-qmp: ..." or "-metrics: ..."
  }
  // runControlled's own registry serves -metrics; ours (maybe shared by many machines) outlives the
  // run, so counters stay readable after power-off.
  const vlans = vlanCollector(() => control.target.vlanStats());
  const unregisterFn = registry.register(() => [...machineFamilies({
    status: () => control.target.status(),
    insnCount: () => p.runner.insnCount(),
    vclockNs: () => p.machine.vclockNs,
    unimplementedTotal: () => p.machine.cpu.getNum('unimplTotal'),
  }), ...vlans()], { labels: opts.labels });
  if (inc) control.target.runState.incomingStarted(); // QMP status inmigrate until the state is loaded
  // A shared registry forgets the machine when it ends; its own keeps the final counters readable.
  const unregister = opts.registry ? unregisterFn : () => {};
  return new Vm(cfg, booted, netdevs, control, registry, unregister, { output, input: input_ }, inc);
}
