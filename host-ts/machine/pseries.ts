// The pseries machine assembled for booting (QEMU `-M pseries` with the options we support):
// Machine + VIO bus (the vty first, at 0x71000000, like QEMU with -serial) + RTAS + device tree,
// images loaded (host-ts/boot), CPU entry state set, and a run loop over the core's run(budget).
import { Machine, DEFAULT_RAM_SIZE } from './machine.js';
import type { CoreBuild } from '../core/core-module.js';
import { EXIT } from '../layout/papr.js';
import { SpaprVlan } from '../devices/spapr-vlan.js';
import type { SpaprVlanOptions } from '../devices/vlan-props.js';
import { VtyDevice, registerVtyHcalls, type ConsoleOutput } from '../console/vty.js';
import { Rtas } from '../rtas/rtas.js';
import { registerHSetMode } from './h-set-mode.js';
import type { DtNode } from '../devtree/dt-node.js';
import { writeFdt } from '../devtree/fdt-writer.js';
import { buildPseriesTree, pseriesMemReserve, POWER9_PVR } from '../devtree/pseries-tree.js';
import { loadElfKernel, type LoadedKernel, type Reserved } from '../boot/elf-loader.js';
import { BootError, fdtAddress, initrdBase, loadBios, loadFdt, loadInitrd } from '../boot/boot-images.js';
import { applyEntryState, biosEntry, ciStub, CI_STUB_ADDR, FIRMWARE_END, FIRMWARE_STACK, kernelEntry, type EntryState } from '../boot/entry-state.js';
import { ClientInterface } from '../boot/client-interface.js';
import { CpuRunner } from '../cpu/cpu-runner.js';

export interface PseriesBootOptions {
  /** Guest RAM in bytes (-m); default 512 MiB like QEMU pseries. */
  ramSize?: number;
  /** -bios: raw image loaded at 0, entered at 0x100 with r3 = FDT. */
  bios?: Uint8Array;
  /** -kernel: ELF64 loaded at 0x400000 (QEMU kernel-addr). */
  kernel?: Uint8Array;
  /** -initrd */
  initrd?: Uint8Array;
  /** -append: /chosen/bootargs. */
  append?: string;
  /** Output of the default vty (default: discarded). */
  console?: ConsoleOutput;
  /**
   * The vtys (-serial, -device spapr-vty) in creation order, first on the bus; default: one vty
   * writing to `console`. [] = no console (QEMU -serial none): no stdout-path in /chosen.
   */
  vtys?: { output?: ConsoleOutput; reg?: number }[];
  /** spapr-vlan devices, created after the vty (so they get 0x71000001...), before the tree is built. */
  vlans?: SpaprVlanOptions[];
  /** Other devices to add to the machine (and its VIO bus) before the tree is built. */
  devices?: (machine: Machine) => void;
  build?: CoreBuild;
  /** /chosen/rng-seed bytes (default random). */
  rngSeed?: Uint8Array;
  /** RTAS clock (ms since the epoch); default Date.now. */
  now?: () => number;
  /** -no-reboot: system-reboot ends the run instead of resetting the machine (QEMU's default reboots). */
  noReboot?: boolean;
  /**
   * How time passes while the guest idles (H_CEDE): 'warp' (default: virtual time jumps to the
   * next decrementer or device deadline; deterministic, for tests and benchmarks) or 'realtime'
   * (as QEMU: the guest sleeps for the real time that passes; run() then returns 'idle' and the
   * caller calls again, e.g. QMP's SliceRunner after 1 ms).
   */
  idle?: 'realtime' | 'warp';
}

export type StopReason = 'power-off' | 'reboot' | 'budget' | 'idle' | 'break';


export interface RunResult {
  reason: StopReason;
  /** Instructions executed by this call (from cpu.insnCount when the core keeps it). */
  insns: bigint;
}

/** What core-as exports for running the CPU (the cpu branch); absent in a core without a CPU. */
interface CpuExports {
  run(budget: number): number;
  /** Virtual time (ns) at which the decrementer next fires. */
  cpuDecDeadlineNs?(): bigint;
  /** Next device timer deadline (ns), 0 = none. */
  devNextDeadline?(): bigint;
}

export class PseriesMachine {
  readonly machine: Machine;
  /** The console vty: the one with the lowest unit address (QEMU spapr_vty_get_default). */
  readonly vty?: VtyDevice;
  readonly vtys: VtyDevice[];
  readonly vlans: SpaprVlan[];
  readonly rtas: Rtas;
  readonly tree: DtNode;
  readonly fdt: Uint8Array;
  /** Real address of the FDT in guest RAM (-bios); undefined when it is not placed (-kernel). */
  readonly fdtAddr?: number;
  readonly kernel?: LoadedKernel;
  readonly initrd?: { start: number; end: number };
  readonly entry: EntryState;
  /** The Open Firmware client interface (-kernel without -bios). */
  readonly ci?: ClientInterface;
  /** The CPU's event-loop runner (H_CEDE, realtime idle); absent in a core without a CPU. */
  readonly runner?: CpuRunner;
  /** Set by RTAS power-off / system-reboot. */
  stopped?: 'power-off' | 'reboot';
  /** Process exit status the CLI should use (0 after power-off). */
  exitStatus?: number;
  /** Machine resets done by system-reboot (counter). */
  reboots = 0;
  /** Realtime idle: when (host ns) and at which virtual time the vCPU went idle. */
  private idleSince?: { hostNs: bigint; vclockNs: bigint };

  constructor(private readonly opts: PseriesBootOptions) {
    if (opts.append !== undefined && !opts.kernel) throw new BootError('-append only allowed with -kernel option');
    if (opts.initrd && !opts.kernel) throw new BootError('-initrd only allowed with -kernel option');
    if (!opts.bios && !opts.kernel) throw new BootError('nothing to boot: give -bios FILE and/or -kernel FILE (no built-in firmware)');
    const ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
    this.machine = new Machine({ ramSize, build: opts.build });
    const m = this.machine;
    const discard: ConsoleOutput = () => {};
    this.vtys = (opts.vtys ?? [{ output: opts.console }]).map((v) => new VtyDevice(m, v.output ?? discard, { reg: v.reg }));
    this.vty = [...this.vtys].sort((a, b) => a.reg - b.reg)[0];
    registerVtyHcalls(m);
    this.vlans = (opts.vlans ?? []).map((o) => new SpaprVlan(m, o));
    opts.devices?.(m);
    this.rtas = new Rtas({
      powerOff: () => this.stop('power-off', 0),
      reboot: () => this.stop('reboot', 0),
      putChar: (c) => { this.vty?.putChars(Uint8Array.of(c)); return this.vty !== undefined; },
      now: opts.now,
    });
    this.rtas.register(m);
    registerHSetMode(m);
    if (this.hasCpu) this.runner = new CpuRunner(m, { idle: opts.idle ?? 'warp' });

    const reserved: Reserved[] = [];
    if (opts.bios) reserved.push(loadBios(m, opts.bios));
    if (opts.kernel) {
      this.kernel = loadElfKernel(m, opts.kernel, { reserved });
      reserved.push({ name: 'kernel', start: this.kernel.low, end: this.kernel.high });
      if (opts.initrd) {
        const r = loadInitrd(m, opts.initrd, initrdBase(this.kernel.addr, this.kernel.size), reserved);
        reserved.push(r);
        this.initrd = { start: r.start, end: r.end };
      }
    }
    this.tree = buildPseriesTree({
      ramSize,
      vdevice: m.vio.dtNode(),
      stdoutPath: this.vty && `/vdevice/${this.vty.nodeName}`,
      rtasTokens: this.rtas.tokens(),
      kernel: this.kernel && { addr: this.kernel.addr, size: this.kernel.size, littleEndian: this.kernel.littleEndian },
      initrd: this.initrd,
      bootargs: opts.append,
      rngSeed: opts.rngSeed,
    });
    if (!opts.bios) {
      // Memory in use as VOF has it: its firmware area (our stub lives there) and its stack.
      const firmware: Reserved[] = [
        { name: 'firmware', start: 0, end: FIRMWARE_END },
        { name: 'firmware stack', ...FIRMWARE_STACK },
      ];
      this.ci = new ClientInterface(this.tree, {
        write: (b) => this.vty?.putChars(b),
        read: (max) => Uint8Array.from(this.vty?.getChars(max) ?? []),
        exit: () => this.stop('power-off', 0),
      }, ramSize, { stdoutPath: this.vty && `/vdevice/${this.vty.nodeName}`, inUse: [...firmware, ...reserved] });
      this.ci.register(m);
    }
    this.fdt = writeFdt(this.tree, { memReserve: pseriesMemReserve({ kernel: this.kernel, initrd: this.initrd }) });
    if (opts.bios) {
      this.fdtAddr = fdtAddress(ramSize);
      loadFdt(m, this.fdt, this.fdtAddr, reserved);
      this.entry = biosEntry(this.fdtAddr);
    } else {
      // QEMU with VOF does not write the FDT to RAM: the kernel reads the tree through the client interface.
      const stub = ciStub();
      for (const r of reserved) {
        if (CI_STUB_ADDR < r.end && r.start < CI_STUB_ADDR + stub.length) throw new BootError(`the ${r.name} overlaps the client-interface stub at 0x${CI_STUB_ADDR.toString(16)}`);
      }
      m.writeRam(CI_STUB_ADDR, stub);
      const initrd = this.initrd && { start: this.initrd.start, size: this.initrd.end - this.initrd.start };
      this.entry = kernelEntry(this.kernel!.addr, initrd, CI_STUB_ADDR);
    }
    this.enter();
  }

  /** CPU reset, then the entry state. */
  private enter(): void {
    const m = this.machine;
    const core = m.core as unknown as Partial<{ cpuReset(): void }>;
    core.cpuReset?.(); // DEC, run-loop caches; the entry state below then sets QEMU's registers
    applyEntryState(m, this.entry);
    // The CPU model is the machine's: mfpvr must agree with /cpus cpu-version (QEMU 7.2: 0x004e1200).
    if (m.cpu.layout.fieldsByName.has('pvr')) m.cpu.set('pvr', POWER9_PVR);
  }

  /**
   * System reset (QEMU qemu_system_reset): devices reset, the images (firmware, kernel, initrd,
   * device tree) copied into RAM again at the same places, the CPU back at its entry state.
   * Other RAM keeps its contents, as on QEMU.
   */
  reset(): void {
    const m = this.machine;
    const o = this.opts;
    m.reset();
    if (o.bios) loadBios(m, o.bios);
    if (o.kernel) loadElfKernel(m, o.kernel);
    if (o.initrd && this.initrd) m.writeRam(this.initrd.start, o.initrd);
    if (this.fdtAddr !== undefined) m.writeRam(this.fdtAddr, this.fdt);
    else m.writeRam(CI_STUB_ADDR, ciStub());
    this.enter();
    this.stopped = undefined;
    this.exitStatus = undefined;
    m.state.set('exitReason', EXIT.EXIT_NONE);
    this.reboots++;
  }

  private stop(why: 'power-off' | 'reboot', status: number): void {
    this.stopped = why;
    this.exitStatus = status;
    this.machine.state.set('exitReason', EXIT.EXIT_HALT); // ends the CPU's slice after the hcall
  }

  /** Console input (stdin with -serial stdio, or the API); fed to the vty as the guest drains it. */
  input(bytes: Uint8Array | string): void {
    if (!this.vty) throw new Error('this machine has no console (vty)');
    this.vty.input(bytes);
  }

  /** Whether the core has a CPU (core-as exports run). */
  get hasCpu(): boolean {
    return typeof (this.machine.core as unknown as Partial<CpuExports>).run === 'function';
  }

  /**
   * Runs the CPU in slices of `slice` instructions until power-off/reboot, or until `maxInsns`
   * instructions have run. Synchronous: use runAsync to keep the event loop (stdin) alive.
   */
  run(opts: { maxInsns?: number; slice?: number } = {}): RunResult {
    const start = this.insnCount();
    const max = opts.maxInsns ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const r = this.step(start, max, opts.slice);
      if (r) return r;
    }
  }

  /**
   * Runs on the event loop (stdin, timers and sockets stay live). Without `maxInsns` the CPU
   * runner does the work (idle H_CEDE time passes in real time unless idle: 'warp') until
   * power-off, or reboot with noReboot, or runner.stop().
   */
  async runAsync(opts: { maxInsns?: number; slice?: number } = {}): Promise<RunResult> {
    const start = this.insnCount();
    if (opts.maxInsns === undefined && this.runner) {
      for (;;) {
        if (this.stopped === 'reboot' && !this.opts.noReboot) this.reset();
        if (this.stopped) return { reason: this.stopped, insns: this.insnCount() - start };
        const r = await this.runner.start();
        if (!this.stopped) return { reason: r.reason === 'stopped' ? 'break' : 'idle', insns: this.insnCount() - start };
      }
    }
    const max = opts.maxInsns ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const r = this.step(start, max, opts.slice);
      if (r) return r;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One slice; a result when the run is over. */
  private step(start: bigint, max: number, slice = 1_000_000): RunResult | undefined {
    if (!this.hasCpu) throw new Error('this core build has no CPU (core-as exports no run(budget))');
    const core = this.machine.core as unknown as CpuExports;
    if (this.stopped === 'reboot' && !this.opts.noReboot) this.reset();
    if (this.stopped) return { reason: this.stopped, insns: this.insnCount() - start };
    const done = Number(this.insnCount() - start);
    if (done >= max) return { reason: 'budget', insns: this.insnCount() - start };
    if (this.idleSince) this.passRealTime(core);
    this.machine.state.set('exitReason', EXIT.EXIT_NONE);
    const exit = core.run(Math.max(1, Math.min(slice, max - done)));
    this.machine.poll();
    if (this.stopped === 'power-off' || (this.stopped === 'reboot' && this.opts.noReboot)) {
      return { reason: this.stopped, insns: this.insnCount() - start };
    }
    if (exit === EXIT.EXIT_BREAK) return { reason: 'break', insns: this.insnCount() - start };
    if (exit === EXIT.EXIT_IDLE) {
      if (this.opts.idle === 'realtime') {
        this.idleSince ??= { hostNs: process.hrtime.bigint(), vclockNs: this.machine.vclockNs };
        return { reason: 'idle', insns: this.insnCount() - start };
      }
      if (!this.skipIdle(core)) return { reason: 'idle', insns: this.insnCount() - start };
    } else {
      this.idleSince = undefined;
    }
    return undefined;
  }

  /** Realtime idle: virtual time catches up with the real time slept, up to the next deadline. */
  private passRealTime(core: CpuExports): void {
    const since = this.idleSince!;
    const now = this.machine.vclockNs;
    let target = since.vclockNs + (process.hrtime.bigint() - since.hostNs);
    for (const d of [core.cpuDecDeadlineNs?.(), core.devNextDeadline?.()]) {
      if (d !== undefined && BigInt.asUintN(64, d) > now && BigInt.asUintN(64, d) < target) target = BigInt.asUintN(64, d);
    }
    if (target > now) this.machine.advance(target - now);
  }

  /**
   * The vCPU waits (H_CEDE): jump virtual time to the next decrementer or device deadline, as a
   * guest sees no time pass while it sleeps. False when nothing can ever wake it.
   */
  private skipIdle(core: CpuExports): boolean {
    const now = this.machine.vclockNs;
    const deadlines = [core.cpuDecDeadlineNs?.(), core.devNextDeadline?.()]
      .filter((d): d is bigint => d !== undefined)
      .map((d) => BigInt.asUintN(64, d))
      .filter((d) => d > now);
    if (!deadlines.length) return false;
    this.machine.advance(deadlines.reduce((a, b) => (a < b ? a : b)) - now);
    return true;
  }

  insnCount(): bigint {
    return this.machine.cpu.layout.fieldsByName.has('insnCount') ? this.machine.cpu.getBig('insnCount') : 0n;
  }
}

export function createPseries(opts: PseriesBootOptions): PseriesMachine {
  return new PseriesMachine(opts);
}
