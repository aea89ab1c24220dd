// The pseries machine assembled for booting (QEMU `-M pseries` with the options we support):
// Machine + VIO bus (the vty first, at 0x71000000, like QEMU with -serial) + RTAS + device tree,
// images loaded (host-ts/boot), CPU entry state set, and its Runner (host-ts/machine/runner.ts).
import { Machine, DEFAULT_RAM_SIZE } from './machine.js';
import type { CoreBuild } from '../core/core-module.js';
import { EXIT } from '../layout/papr.js';
import { Runner, type IdleMode } from './runner.js';
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
  /** Instructions per run slice (default 200,000; see Runner). */
  sliceInsns?: number;
  /**
   * How time passes while the guest idles (H_CEDE): 'warp' (default: virtual time jumps to the
   * next decrementer or device deadline; deterministic, for tests and benchmarks) or 'realtime'
   * (as QEMU: the guest sleeps for the real time that passes, woken early by input).
   */
  idle?: IdleMode;
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
  /** Set by RTAS power-off / system-reboot. */
  stopped?: 'power-off' | 'reboot';
  /** Process exit status the CLI should use (0 after power-off). */
  exitStatus?: number;
  /** The run loop (slices on the event loop, or runSync). */
  readonly runner: Runner;
  /** Machine resets done by system-reboot (counter). */
  reboots = 0;

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
    this.runner = new Runner(m, {
      sliceInsns: opts.sliceInsns,
      idle: opts.idle ?? 'warp',
      haltCause: () => this.stopped,
      reboot: () => {
        if (opts.noReboot) return false;
        this.reset();
        return true;
      },
    });

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
    return typeof (this.machine.core as unknown as Partial<{ run: unknown }>).run === 'function';
  }

  insnCount(): bigint {
    return this.machine.cpu.getBig('insnCount');
  }
}

export function createPseries(opts: PseriesBootOptions): PseriesMachine {
  return new PseriesMachine(opts);
}
