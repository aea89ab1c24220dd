// A machine: one WebAssembly.Memory (initial == maximum, never grown), one core instance over it,
// and the host halves of its devices. The host-level API (QEMU qtest style) lives here: issue any
// hypercall, read/write guest RAM, read state through generated views.
import { memoryPages, RAM_BASE, MAX_RAM_SIZE } from '../layout/memory-map.js';
import { BlockView, view } from '../layout/state-view.js';
import { HRC, HCALL_NAME } from '../layout/papr.js';
import { instantiateCore, type CoreBuild, type CoreExports } from '../core/core-module.js';
import { markDirtyRange } from '../migration/dirty.js';
import { VioBus } from '../vio/vio-bus.js';

export const DEFAULT_RAM_SIZE = 512 * 1024 * 1024;

export interface MachineOptions {
  /** Guest RAM in bytes (-m); default 512 MiB. */
  ramSize?: number;
  /** Which core build to run (default: release, or $PSERIES_CORE_BUILD). */
  build?: CoreBuild;
}

/** A slow hypercall handled by the host: reads args from r4.., returns the status for r3. */
export type HostHcall = (m: Machine) => bigint | number;

export interface HcallResult {
  /** r3 after the call, signed. */
  ret: bigint;
  /** r4..r12 after the call (unsigned 64-bit). */
  out: bigint[];
}

const U64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
/** Hypercall batch record (core-as/hcall/batch.ts): r3..r12 in, r3 out; area size in bytes. */
export const HCALL_REC_SIZE = 88;
const HCALL_BATCH_AREA = 0x10000;

/** A device the machine services: `poll` after every hypercall, run slice and timer step. */
export interface MachineDevice {
  /** Moves completed work to the host side (e.g. transmitted frames to the backend). */
  poll?(): void;
}

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly ramSize: number;
  readonly cpu: BlockView;
  readonly state: BlockView;
  /** The VIO bus (/vdevice): devices allocate their slot here. */
  readonly vio: VioBus;
  readonly devices: MachineDevice[] = [];
  /** Receives core trace points (debug build only: release compiles them out), e.g. core-as/dev/llan-trace.ts. */
  onTrace?: (code: number, a: bigint, b: bigint) => void;
  private readonly hostHcalls = new Map<number, HostHcall>();

  constructor(opts: MachineOptions = {}) {
    this.ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
    const pages = memoryPages(this.ramSize); // validates the size
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.core = instantiateCore(this.memory, {
      hostHcall: () => this.hostHcall(),
      hostLog: (code, a, b) => this.onTrace?.(code, a, b),
    }, opts.build);
    this.cpu = view(this.memory, 'cpu');
    this.state = view(this.memory, 'machine');
    this.state.set('ramSize', BigInt(this.ramSize));
    this.vio = new VioBus(this.memory);
  }

  addDevice(d: MachineDevice): void {
    this.devices.push(d);
  }

  /** Lets every device move completed work to the host (TX frames, receive-capacity callbacks). */
  poll(): void {
    for (const d of this.devices) d.poll?.();
  }

  /** Guest virtual time in ns (drives the timebase and device timers). */
  get vclockNs(): bigint {
    return this.state.getBig('vclockNs');
  }

  /**
   * Advances guest virtual time by `ns`, running each device timer at its own deadline on the way
   * (e.g. the spapr-vlan flush timer, spec 4.8), then polls the devices.
   */
  advance(ns: bigint | number): void {
    const target = this.vclockNs + BigInt(ns);
    for (;;) {
      const next = BigInt.asUintN(64, this.core.devNextDeadline());
      if (next === 0n || next > target) break;
      if (next > this.vclockNs) this.state.set('vclockNs', next);
      this.core.devTimers();
    }
    this.state.set('vclockNs', target);
    this.core.devTimers();
    this.poll();
  }

  /** Machine reset (spec 6.3): every VIO device's reset. Device timers are not cancelled (Q12). */
  reset(): void {
    this.vio.reset();
  }

  hasHcall(opcode: number): boolean {
    return this.hostHcalls.has(opcode);
  }

  /** Registers the host handler of a slow hypercall (devices do this by number). */
  registerHcall(opcode: number, handler: HostHcall): void {
    if (this.hostHcalls.has(opcode)) throw new Error(`hypercall 0x${opcode.toString(16)} registered twice`);
    this.hostHcalls.set(opcode, handler);
  }

  /** r(n) as unsigned 64-bit. */
  gpr(n: number): bigint {
    return this.cpu.getBig('gpr', n);
  }

  setGpr(n: number, v: bigint | number): void {
    this.cpu.set('gpr', U64(v), n);
  }

  /** Issues hypercall `opcode` with up to 9 arguments in r4..r12, as the guest's `sc 1` would. */
  hcall(opcode: number | bigint, ...args: (bigint | number)[]): HcallResult {
    if (args.length > 9) throw new RangeError('a hypercall takes at most 9 arguments (r4..r12)');
    this.setGpr(3, opcode);
    args.forEach((a, i) => this.setGpr(4 + i, a));
    this.core.hcall();
    this.poll();
    return {
      ret: BigInt.asIntN(64, this.gpr(3)),
      out: Array.from({ length: 9 }, (_, i) => this.gpr(4 + i)),
    };
  }

  /**
   * Runs many hypercalls with few Wasm crossings: each call is [opcode, ...args (<= 9)]; returns each
   * call's r3 (signed). Records go to the core's batch area (core-as/hcall/batch.ts).
   */
  hcallBatch(calls: readonly (readonly (bigint | number)[])[]): bigint[] {
    const base = this.core.hcallBatchBase();
    const perChunk = Math.floor(HCALL_BATCH_AREA / HCALL_REC_SIZE);
    const out: bigint[] = [];
    for (let i = 0; i < calls.length; i += perChunk) {
      const chunk = calls.slice(i, i + perChunk);
      const dv = new DataView(this.memory.buffer, base, chunk.length * HCALL_REC_SIZE);
      chunk.forEach((c, k) => {
        if (c.length < 1 || c.length > 10) throw new RangeError('a batched hypercall is [opcode, up to 9 arguments]');
        for (let r = 0; r < 10; r++) dv.setBigUint64(k * HCALL_REC_SIZE + r * 8, U64(c[r] ?? 0), true);
      });
      this.core.hcallBatch(0, chunk.length);
      for (let k = 0; k < chunk.length; k++) out.push(dv.getBigInt64(k * HCALL_REC_SIZE + 80, true));
      this.poll();
    }
    return out;
  }

  private hostHcall(): void {
    const op = this.gpr(3);
    const handler = op <= 0xffffn ? this.hostHcalls.get(Number(op)) : undefined;
    const ret = handler ? handler(this) : HRC.H_FUNCTION;
    this.setGpr(3, ret);
  }

  /** Name of a hypercall number, for logs and errors. */
  static hcallName(op: number): string {
    return HCALL_NAME.get(op) ?? `0x${op.toString(16)}`;
  }

  private checkRam(ra: number | bigint, len: number): number {
    const a = BigInt(ra);
    if (a < 0n || len < 0 || a + BigInt(len) > BigInt(this.ramSize)) {
      throw new RangeError(`guest range 0x${a.toString(16)}+${len} is outside guest RAM (${this.ramSize} bytes)`);
    }
    return RAM_BASE + Number(a);
  }

  /** A live view of guest RAM [ra, ra+len) (no copy). */
  ramView(ra: number | bigint, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.checkRam(ra, len), len);
  }

  readRam(ra: number | bigint, len: number): Uint8Array {
    return this.ramView(ra, len).slice();
  }

  /** Host write into guest RAM; marks the pages dirty while migration tracks them (like core-as stores). */
  writeRam(ra: number | bigint, bytes: Uint8Array | number[]): void {
    this.ramView(ra, bytes.length).set(bytes);
    markDirtyRange(this, Number(ra), bytes.length);
  }

  readBe64(ra: number | bigint): bigint {
    return new DataView(this.memory.buffer, this.checkRam(ra, 8), 8).getBigUint64(0, false);
  }

  writeBe64(ra: number | bigint, v: bigint): void {
    new DataView(this.memory.buffer, this.checkRam(ra, 8), 8).setBigUint64(0, U64(v), false);
    markDirtyRange(this, Number(ra), 8);
  }
}

export { MAX_RAM_SIZE };
