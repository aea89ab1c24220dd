// spapr-vlan, the host (TypeScript) half: configuration, the l-lan device-tree node, reset, backend
// wiring (NetPort), frame injection/collection and counters. Hypercalls and the per-frame work run in
// the AS half (core-as/dev/llan-*.ts) over the same state block ('vlan', host-ts/layout/vlan-state.ts).
import type { Machine, MachineDevice } from '../machine/machine.js';
import type { VioDevice, VioSlot } from '../vio/vio-bus.js';
import { view, type BlockView } from '../layout/state-view.js';
import { region, TCE_WINDOW_ENTRIES } from '../layout/memory-map.js';
import { MAX_VLAN_DEVICES, RX_MAX_POOLS, VLAN_STAT_SIZES } from '../layout/vlan-state.js';
import { HCALL, VIO_KIND } from '../layout/papr.js';
import { DtNode } from '../devtree/dt-node.js';
import type { NetBackend, NetPort } from '../net/net-port.js';
import { RxStage, TxStage } from './vlan-stage.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';
import { spaprVlanStats } from '../telemetry/spapr-vlan-stats.js';
import {
  VLAN_DEFAULTS, VLAN_DEFAULT_MAC, parseMac, macToU64, u64ToMac, type SpaprVlanOptions,
} from './vlan-props.js';

/** DMA window of the device: 256 MiB at bus address 0 (spec 1.3, 6.1). */
export const VLAN_DMA_WINDOW = 0x10000000;
const VLAN_SIGNAL_MASK = 1n;        // spec 2.9
const BL_COUNTER = 4088;            // dropped-frame counter in the buffer-list page (spec 3.3)

/** Per-buffer-size telemetry (beyond QEMU). */
export interface VlanSizeStats {
  size: number;
  posted: bigint;
  hits: bigint;
  fallbacks: bigint;
  wasted: bigint;
  dropped: bigint;
}

export interface VlanCounters {
  rxFrames: bigint;
  rxBytes: bigint;
  rxNoBuffer: bigint;
  rxNoFit: bigint;
  rxClosedDropped: bigint;
  rxDmaDropped: bigint;
  rxOversizeDropped: bigint;
  rxPendingOverflow: bigint;
  txFrames: bigint;
  txBytes: bigint;
  txErrors: bigint;
  irqPulses: number;
}

const COUNTER_FIELDS = [
  'rxFrames', 'rxBytes', 'rxNoBuffer', 'rxNoFit', 'rxClosedDropped', 'rxDmaDropped', 'rxOversizeDropped',
  'rxPendingOverflow', 'txFrames', 'txBytes', 'txErrors',
] as const;

export class SpaprVlan implements VioDevice, MachineDevice, NetPort {
  readonly slot: VioSlot;
  readonly index: number;
  /** The device's state block (AS half's fields). */
  readonly state: BlockView;
  readonly permMac: Uint8Array;
  readonly options: Required<Omit<SpaprVlanOptions, 'mac' | 'reg' | 'id'>>;
  /** -device id= (or a generated name). */
  readonly id: string;
  /** The pending-frame ring in Wasm memory (spec 4.2 pending). */
  readonly rxStage: RxStage;
  private readonly tx: TxStage;
  private backend?: NetBackend;
  private readonly transmitted: Uint8Array[] = [];
  private readonly canReceiveCbs: (() => void)[] = [];
  private notifying = false;
  private draining = false;
  private vmRunning = true;

  constructor(readonly machine: Machine, opts: SpaprVlanOptions = {}) {
    this.index = freeInstance(machine);
    this.id = opts.id ?? `spapr-vlan${this.index}`;
    this.options = {
      useRxBufferPools: opts.useRxBufferPools ?? VLAN_DEFAULTS.useRxBufferPools,
      addBuffersHcall: opts.addBuffersHcall ?? VLAN_DEFAULTS.addBuffersHcall,
      rxNofitTimeoutUs: opts.rxNofitTimeoutUs ?? VLAN_DEFAULTS.rxNofitTimeoutUs,
      rxPendingMax: opts.rxPendingMax ?? VLAN_DEFAULTS.rxPendingMax,
    };
    if (!Number.isInteger(this.options.rxPendingMax) || this.options.rxPendingMax < 1) throw new Error('spapr-vlan: rx-pending-max must be >= 1');
    if (!Number.isInteger(this.options.rxNofitTimeoutUs) || this.options.rxNofitTimeoutUs < 0) throw new Error('spapr-vlan: rx-nofit-timeout must be >= 0');
    // Unset MAC: 52:54:00:12:34:56 + the device's index, as QEMU hands out defaults (spec 6.1).
    this.permMac = opts.mac !== undefined ? parseMac(opts.mac) : parseMac(VLAN_DEFAULT_MAC).map((b, i) => (i === 5 ? b + this.index : b));
    this.slot = machine.vio.allocate({
      kind: VIO_KIND.VIO_KIND_VLAN, reg: opts.reg, signalMask: VLAN_SIGNAL_MASK, dma: true, kindIndex: this.index,
    });
    this.state = view(machine.memory, 'vlan', this.index);
    const s = this.state;
    s.set('vio', this.slot.index);
    s.set('poolsEnabled', this.options.useRxBufferPools ? 1 : 0);
    s.set('addBuffersHcall', this.options.addBuffersHcall ? 1 : 0);
    s.set('nofitTimeoutNs', BigInt(this.options.rxNofitTimeoutUs) * 1000n);
    s.set('rxPendMax', this.options.rxPendingMax);
    s.set('permMac', macToU64(this.permMac));
    this.rxStage = new RxStage(machine.memory, s, this.index);
    this.tx = new TxStage(machine.memory, s, this.index);
    this.resetState();
    s.set('present', 1);
    machine.vio.attach(this);
    machine.addDevice(this);
    registerSendFallback(machine);
  }

  get reg(): number { return this.slot.reg; }
  /** LIOBN of the DMA window = unit address (spec 1.3). */
  get liobn(): number { return this.slot.reg; }
  get irq(): number { return this.slot.irq; }
  get isOpen(): boolean { return this.state.getNum('isOpen') !== 0; }
  get rxBufs(): number { return this.state.getNum('rxBufs'); }
  /** Current MAC (H_CHANGE_LOGICAL_LAN_MAC changes it; H_FREE and reset restore the permanent one). */
  get mac(): Uint8Array { return u64ToMac(this.state.getBig('mac')); }
  get pendingCount(): number { return this.rxStage.count; }
  get stalled(): boolean { return this.state.getNum('stalled') !== 0; }
  get signalState(): bigint { return this.slot.state.getBig('signalState'); }
  /** Interrupt pulses raised so far (spec 4.9). */
  get irqPulses(): number { return this.slot.state.getNum('irqPulses'); }
  /** The pending interrupt line, for the CPU side / interrupt controller. */
  get irqPending(): boolean { return this.slot.state.getNum('irqPending') !== 0; }
  /** Reads and clears the pending interrupt line (edge delivered). */
  takeIrq(): boolean {
    const p = this.irqPending;
    this.slot.state.set('irqPending', 0);
    return p;
  }

  // ---- frames in and out (host API and NetPort)

  /** A frame arrives from the network (spec 4.2 arrival). False when pending is full (dropped, counted). */
  deliver(frame: Uint8Array): boolean {
    return this.deliverBatch([frame]) === 1;
  }

  /**
   * Frames arrive in order; all are staged in Wasm memory, then one Wasm call runs the arrival model.
   * Returns how many were taken; frames beyond the pending bound are dropped and counted
   * (rxPendingOverflow), like a backend without flow control would lose them.
   */
  deliverBatch(frames: readonly Uint8Array[]): number {
    const n = this.stage(frames);
    const refused = frames.length - n;
    if (refused > 0) this.state.set('rxPendingOverflow', this.state.getBig('rxPendingOverflow') + BigInt(refused));
    return n;
  }

  private stage(frames: readonly Uint8Array[]): number {
    const n = this.rxStage.appendBatch(frames);
    // spec 4.2: while the VM is stopped arrivals only queue; the device is not called.
    if (n > 0 && this.vmRunning) this.machine.core.vlanArrive(this.index, n);
    this.machine.poll();
    return n;
  }

  /**
   * VM run state (QMP stop/cont, migration). Stopped: arriving frames queue in pending without
   * reaching the device (spec 4.2), so its state does not change. Running again: the pending
   * frames are flushed if the device can take them, as QEMU does when the VM resumes.
   */
  setVmRunning(running: boolean): void {
    if (running === this.vmRunning) return;
    this.vmRunning = running;
    if (running && this.isOpen && this.rxBufs > 0 && this.pendingCount > 0) this.flush();
    else this.machine.poll();
  }

  /** Copies of frames waiting in pending, oldest first. */
  pendingFrames(): Uint8Array[] {
    return this.rxStage.peekAll();
  }

  /** Frames the guest transmitted since the last call (when no backend is attached). */
  takeTransmitted(): Uint8Array[] {
    this.drainTx();
    return this.transmitted.splice(0);
  }

  /** Flush of the pending queue (spec 4.2), as H_REGISTER and the flush timer do. */
  flush(): void {
    this.machine.core.vlanFlush(this.index);
    this.machine.poll();
  }

  // NetPort: backends attach here.
  canReceive(): boolean {
    return this.vmRunning && this.isOpen && this.rxBufs > 0 && !this.stalled && this.rxStage.count === 0;
  }

  /** NetPort hint: frames the guest can take now (one per posted RX buffer), so the rest wait in the backend. */
  receiveRoom(): number {
    return this.canReceive() ? this.rxBufs : 0;
  }

  get isVmRunning(): boolean { return this.vmRunning; }

  /** NetPort: frames not taken (pending bound reached) stay with the backend and are not counted. */
  receive(frames: Uint8Array[]): number {
    return this.stage(frames);
  }

  onCanReceive(cb: () => void): void {
    this.canReceiveCbs.push(cb);
  }

  attachBackend(backend: NetBackend): void {
    if (this.backend) throw new Error(`spapr-vlan@${this.reg.toString(16)}: a backend is already attached`);
    this.backend = backend;
    backend.attach(this);
  }

  /**
   * MachineDevice: transmitted frames to the backend; while the device can receive, the backend is
   * told so at every poll (level, not edge: a backend that offered only receiveRoom() frames holds
   * the rest although canReceive() never went false, e.g. 64 KiB frames with buffers to spare).
   * Not re-entered: a backend feeding frames from its callback makes the device poll again.
   */
  poll(): void {
    this.drainTx();
    const can = this.canReceive();
    if (!can || this.notifying) return;
    this.notifying = true;
    try {
      for (const cb of this.canReceiveCbs) cb();
    } finally {
      this.notifying = false;
    }
  }

  private drainTx(): void {
    if (this.draining) return; // a backend callback that polls the machine must not resend
    this.draining = true;
    try {
      // Backends copy what they keep (NetPort contract): they get views of the staging region.
      if (this.backend) this.tx.drain((f) => this.backend!.transmit(f));
      else this.tx.drain((f) => this.transmitted.push(f.slice()));
    } finally {
      this.draining = false;
    }
  }

  // ---- counters and telemetry

  counters(): VlanCounters {
    const c = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, this.state.getBig(f)])) as unknown as VlanCounters;
    c.irqPulses = this.irqPulses;
    return c;
  }

  /** Per-buffer-size telemetry entries in first-use order (posted, hits, fallbacks, wasted bytes, drops). */
  sizeStats(): VlanSizeStats[] {
    const out: VlanSizeStats[] = [];
    for (let e = 0; e < VLAN_STAT_SIZES; e++) {
      const size = this.state.getNum('statSize', e);
      if (size === 0) break;
      out.push({
        size,
        posted: this.state.getBig('statPosted', e),
        hits: this.state.getBig('statHits', e),
        fallbacks: this.state.getBig('statFallbacks', e),
        wasted: this.state.getBig('statWasted', e),
        dropped: this.state.getBig('statDropped', e),
      });
    }
    return out;
  }

  /** Telemetry in the shape QMP query-vlan-stats and metrics share (host-ts/telemetry/vlan-stats.ts). */
  stats(): VlanDeviceStats {
    return spaprVlanStats(this, this.id);
  }

  /** The pools in device order (spec 4.5): {bufSize, count, descriptors (LIFO top last)}. */
  pools(): { bufSize: number; count: number; bds: bigint[] }[] {
    const dv = new DataView(this.machine.memory.buffer, this.state.addr('poolBds'), RX_MAX_POOLS * 4096 * 8);
    return Array.from({ length: RX_MAX_POOLS }, (_, p) => {
      const count = this.state.getNum('poolCount', p);
      return {
        bufSize: this.state.getNum('poolBufSize', p),
        count,
        bds: Array.from({ length: count }, (_, i) => dv.getBigUint64((p * 4096 + i) * 8, true)),
      };
    });
  }

  /** The guest-visible dropped-frame counter (BE u64 at buffer list + 4088), read through the TCE table. */
  guestDroppedCounter(): bigint | undefined {
    const ra = this.translate(this.state.getBig('bufList') + BigInt(BL_COUNTER));
    return ra === undefined ? undefined : this.machine.readBe64(ra);
  }

  /** TCE of window page `ioba >> 12`, as stored (spec 3.6). */
  tce(ioba: number | bigint): bigint {
    const idx = Number(BigInt(ioba) >> 12n);
    if (idx < 0 || idx >= TCE_WINDOW_ENTRIES) throw new RangeError(`ioba 0x${ioba.toString(16)} is outside the DMA window`);
    return new DataView(this.machine.memory.buffer).getBigUint64(this.tceTableBase() + idx * 8, true);
  }

  /** Guest real address behind `ioba` if its page is mapped (any permission), else undefined. */
  translate(ioba: bigint): bigint | undefined {
    if (ioba < 0n || ioba >= BigInt(VLAN_DMA_WINDOW)) return undefined;
    const t = this.tce(ioba);
    if ((t & 3n) === 0n) return undefined;
    const ra = (t & ~0xfffn) + (ioba & 0xfffn);
    return ra + 8n <= BigInt(this.machine.ramSize) ? ra : undefined;
  }

  private tceTableBase(): number {
    const r = region('tceTable');
    return r.base + this.slot.index * r.stride;
  }

  // ---- device tree and reset

  /** /vdevice/l-lan@<reg> with every property of spec 6.2. */
  dtNode(): DtNode {
    const mac = this.mac;
    // spec 6.2: 6 bytes for a locally administered unicast MAC (first byte low bits 0b10), else 8 padded.
    const macProp = (mac[0] & 3) === 2 ? mac : Uint8Array.from([0, 0, ...mac]);
    return new DtNode(`l-lan@${this.reg.toString(16)}`)
      .setCells('reg', this.reg)
      .setString('device_type', 'network')
      .setString('compatible', 'IBM,l-lan')
      .setCells('interrupts', this.irq, 0)
      .setCells('ibm,#dma-address-cells', 2)
      .setCells('ibm,#dma-size-cells', 2)
      .setCells('ibm,my-dma-window', this.liobn, 0, 0, 0, VLAN_DMA_WINDOW)
      .setBytes('local-mac-address', macProp)
      .setCells('ibm,mac-address-filters', 0);
  }

  /** Device reset (spec 6.3): TCEs zeroed, signal_state 0, the H_FREE actions. Timer and pending untouched (Q12). */
  reset(): void {
    new Uint8Array(this.machine.memory.buffer, this.tceTableBase(), TCE_WINDOW_ENTRIES * 8).fill(0);
    this.slot.state.set('signalState', 0n);
    this.slot.state.set('irqPending', 0);
    this.machine.core.vlanReset(this.index);
  }

  private resetState(): void {
    this.state.set('mac', macToU64(this.permMac));
    this.reset();
  }
}

/** The first vlan state instance not yet used on this machine. */
function freeInstance(m: Machine): number {
  const used = new Set(m.devices.filter((d): d is SpaprVlan => d instanceof SpaprVlan).map((d) => d.index));
  for (let i = 0; i < MAX_VLAN_DEVICES; i++) if (!used.has(i)) return i;
  throw new Error(`too many spapr-vlan devices (at most ${MAX_VLAN_DEVICES})`);
}

/**
 * H_SEND_LOGICAL_LAN reaches the host only when a device's TX staging region is full: drain every
 * VLAN's transmitted frames to their backends, then complete the call in Wasm (core-as/dev/llan-tx.ts).
 */
function registerSendFallback(m: Machine): void {
  if (m.hasHcall(HCALL.H_SEND_LOGICAL_LAN)) return;
  m.registerHcall(HCALL.H_SEND_LOGICAL_LAN, (mm) => {
    mm.poll();
    mm.core.vlanSendRetry();
    return mm.gpr(3);
  });
}

