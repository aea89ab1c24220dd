// The VIO bus (QEMU spapr_vio): unit-address allocation from 0x71000000 with conflict checks,
// interrupt numbers, the /vdevice node sorted by unit address, and slot state in the 'vio' block.
import { view, type BlockView } from '../layout/state-view.js';
import { MAX_VIO_DEVICES } from '../layout/vio-state.js';
import { TCE_WINDOW_ENTRIES } from '../layout/memory-map.js';
import { VIO_KIND } from '../layout/papr.js';
import { DtNode } from '../devtree/dt-node.js';

export const VIO_REG_BASE = 0x71000000;  // spec 1.2
export const SPAPR_IRQ_VIO = 0x1100;      // spec 1.4

export interface VioDeviceSpec {
  kind: number;            // VIO_KIND.*
  /** Explicit unit address (-device ...,reg=); absent = next free from 0x71000000. */
  reg?: number;
  /** Legal H_VIO_SIGNAL bits (spec 2.9). */
  signalMask: bigint;
  /** Whether the device has a TCE DMA window (spec 1.3). */
  dma: boolean;
  /** Index in the kind's own state block (vlan N). */
  kindIndex: number;
}

/** A device on the bus: its slot and the device-tree node it describes. */
export interface VioDevice {
  readonly slot: VioSlot;
  /** The node under /vdevice ("l-lan@71000002"), with every property the device needs. */
  dtNode(): DtNode;
  /** Machine/device reset (spec 6.3). */
  reset(): void;
}

export class VioSlot {
  constructor(readonly index: number, readonly state: BlockView) {}
  get reg(): number { return this.state.getNum('reg'); }
  get irq(): number { return this.state.getNum('irq'); }
  get kind(): number { return this.state.getNum('kind'); }
  /** hoff of the slot's state (the value AS code calls `slot`). */
  get base(): number { return this.state.base; }
}

export class VioBus {
  private readonly devices: VioDevice[] = [];
  private readonly slots: VioSlot[] = [];

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Claims a slot, assigns the unit address and interrupt number; errors name the conflict. */
  allocate(spec: VioDeviceSpec): VioSlot {
    if (this.slots.length >= MAX_VIO_DEVICES) throw new Error(`too many VIO devices (at most ${MAX_VIO_DEVICES})`);
    const used = new Set(this.slots.map((s) => s.reg));
    let reg: number;
    if (spec.reg !== undefined) {
      if (!Number.isInteger(spec.reg) || spec.reg < 0 || spec.reg > 0xffffffff) throw new Error(`invalid VIO unit address ${spec.reg}`);
      if (used.has(spec.reg)) throw new Error(`VIO unit address 0x${spec.reg.toString(16)} is already in use`);
      reg = spec.reg;
    } else {
      reg = VIO_REG_BASE;
      while (used.has(reg)) reg++;
    }
    const usedIrqs = new Set(this.slots.map((s) => s.irq));
    let irq = SPAPR_IRQ_VIO | (reg & 0xff);
    while (usedIrqs.has(irq)) irq++; // any unique number is fine as long as the DT matches (spec 1.4)
    const state = view(this.memory, 'vio', this.slots.length);
    state.set('kind', spec.kind);
    state.set('reg', reg);
    state.set('irq', irq);
    state.set('kindIndex', spec.kindIndex);
    state.set('signalMask', spec.signalMask);
    state.set('signalState', 0n);
    state.set('tceEntries', spec.dma ? TCE_WINDOW_ENTRIES : 0);
    const slot = new VioSlot(this.slots.length, state);
    this.slots.push(slot);
    return slot;
  }

  attach(dev: VioDevice): void {
    this.devices.push(dev);
  }

  /** The device whose unit address is `unit` truncated to 32 bits (spec 1.2, Q15). */
  find(unit: bigint | number): VioDevice | undefined {
    const reg = Number(BigInt.asUintN(32, BigInt(unit)));
    return this.devices.find((d) => d.slot.reg === reg);
  }

  all(): readonly VioDevice[] {
    return this.devices;
  }

  reset(): void {
    for (const d of this.devices) {
      d.slot.state.set('signalState', 0n);
      d.reset();
    }
  }

  /** The /vdevice node with its children sorted by unit address (spec 6.2). */
  dtNode(): DtNode {
    const n = new DtNode('vdevice')
      .setString('device_type', 'vdevice')
      .setString('compatible', 'IBM,vdevice')
      .setCells('#address-cells', 1)
      .setCells('#size-cells', 0)
      .setCells('#interrupt-cells', 2)
      .setEmpty('interrupt-controller');
    for (const d of [...this.devices].sort((a, b) => a.slot.reg - b.slot.reg)) n.add(d.dtNode());
    return n;
  }
}

export { VIO_KIND };
