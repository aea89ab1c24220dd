// The vty console (QEMU spapr-vty, Linux hvc_vio / hvterm1): a VIO device with no DMA window and
// signal mask 0, a 16-byte input buffer, and the two console hypercalls (papr-vlan.md 2.12):
// - H_PUT_TERM_CHAR(unit, len, c0_7, c8_15): len <= 16 bytes, first byte = top byte of r6.
// - H_GET_TERM_CHAR(unit) -> r4 = count, r5/r6 = up to 16 bytes packed the same way, zero padded.
// Unit lookup: the device at unit (truncated to 32 bits, papr-vlan.md 1.2) if it is a vty; a unit
// of 0 that names no device means the vty with the lowest unit address; anything else H_PARAMETER.
// Input: the buffer takes at most 16 bytes; data arriving into an empty buffer raises one
// interrupt pulse (not gated by H_VIO_SIGNAL). A batch ends right after a CR when the next byte is
// a NUL (guests drop a NUL that follows a CR in the same batch, a PowerVM habit; ending the batch
// keeps a real NUL). Measured on QEMU 7.2 with guests/echo.c: input "ab\r\0cd\r\0ef\nq" arrives
// as [61 62 0d] [00 63 64 0d] [00 65 66 0a 71] (test/boot/data/qemu-echo-be.bin.out).
import { DtNode } from '../devtree/dt-node.js';
import { HCALL, HRC, VIO_KIND } from '../layout/papr.js';
import type { Machine, MachineDevice } from '../machine/machine.js';
import type { VioBus, VioDevice, VioSlot } from '../vio/vio-bus.js';

export const VTERM_BUFSIZE = 16;

/** Where console output goes: stdout, a file, an API callback. */
export type ConsoleOutput = (bytes: Uint8Array) => void;

export class VtyDevice implements VioDevice, MachineDevice {
  readonly slot: VioSlot;
  /** Bytes waiting for the guest (at most VTERM_BUFSIZE). */
  private buf: number[] = [];
  /** Input the backend offered that did not fit yet (QEMU's chardev holds it back the same way). */
  private backlog: number[] = [];
  /** Bytes written by the guest (counter). */
  bytesOut = 0;
  /** Bytes handed to the guest (counter). */
  bytesIn = 0;

  /** On `machine`'s VIO bus (next free unit address unless `reg`); serviced by machine.poll(). */
  constructor(machine: Machine, private output: ConsoleOutput, opts: { reg?: number; kindIndex?: number } = {}) {
    this.slot = machine.vio.allocate({ kind: VIO_KIND.VIO_KIND_VTY, reg: opts.reg, signalMask: 0n, dma: false, kindIndex: opts.kindIndex ?? 0 });
    machine.vio.attach(this);
    machine.addDevice(this);
  }

  get reg(): number { return this.slot.reg; }

  /** The node name under /vdevice, e.g. vty@71000000. */
  get nodeName(): string { return `vty@${this.reg.toString(16)}`; }

  dtNode(): DtNode {
    return new DtNode(this.nodeName)
      .setCells('interrupts', this.slot.irq, 0)
      .setString('compatible', 'hvterm1')
      .setString('device_type', 'serial')
      .setCells('reg', this.reg);
  }

  reset(): void {
    this.buf = [];
  }

  /** Queues console input (stdin, the API); it enters the 16-byte buffer as the guest drains it. */
  input(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const c of b) this.backlog.push(c);
    this.poll();
  }

  /** Moves queued input into the buffer (MachineDevice.poll: after each hypercall and run slice). */
  poll(): void {
    if (!this.backlog.length || !this.canReceive()) return;
    const n = this.receive(Uint8Array.from(this.backlog.slice(0, this.canReceive())));
    this.backlog.splice(0, n);
  }

  /** Input bytes not yet in the buffer. */
  get backlogLength(): number {
    return this.backlog.length;
  }

  setOutput(output: ConsoleOutput): void {
    this.output = output;
  }

  /** Free space in the input buffer (what a backend may offer now). */
  canReceive(): number {
    return VTERM_BUFSIZE - this.buf.length;
  }

  /** Offers input; takes what fits and returns how many bytes were taken. */
  receive(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.canReceive());
    if (n > 0 && this.buf.length === 0) this.pulse();
    for (let i = 0; i < n; i++) this.buf.push(bytes[i]);
    return n;
  }

  /** Up to `max` bytes for H_GET_TERM_CHAR; stops after a CR that a NUL follows. */
  getChars(max = VTERM_BUFSIZE): number[] {
    const out: number[] = [];
    while (out.length < max && this.buf.length) {
      const c = this.buf.shift()!;
      out.push(c);
      if (c === 0x0d && this.buf[0] === 0) break;
    }
    this.bytesIn += out.length;
    this.poll(); // room again: take queued input now (QEMU's accept_input after getchars)
    return out;
  }

  putChars(bytes: Uint8Array): void {
    this.bytesOut += bytes.length;
    if (bytes.length) this.output(bytes);
  }

  private pulse(): void {
    const s = this.slot.state;
    s.set('irqPulses', s.getNum('irqPulses') + 1);
    s.set('irqPending', 1);
  }
}

/** Packs 16 bytes into two 64-bit register values, byte 0 in the top byte of the first. */
export function packChars(bytes: ArrayLike<number>): [bigint, bigint] {
  const w = [0n, 0n];
  for (let i = 0; i < Math.min(bytes.length, 16); i++) w[i >> 3] |= BigInt(bytes[i] & 0xff) << BigInt(56 - 8 * (i & 7));
  return [w[0], w[1]];
}

export function unpackChars(hi: bigint, lo: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Number(((i < 8 ? hi : lo) >> BigInt(56 - 8 * (i & 7))) & 0xffn);
  return out;
}

/** The console hypercalls' device lookup (see the header). */
export function vtyLookup(bus: VioBus, unit: bigint): VtyDevice | undefined {
  const dev = bus.find(unit);
  if (!dev && unit === 0n) {
    const vtys = bus.all().filter((d): d is VtyDevice => d instanceof VtyDevice);
    return vtys.sort((a, b) => a.reg - b.reg)[0];
  }
  return dev instanceof VtyDevice ? dev : undefined;
}

/** Registers H_PUT_TERM_CHAR and H_GET_TERM_CHAR (host slow path) for the vtys on the machine's bus. */
export function registerVtyHcalls(machine: Machine): void {
  const bus = machine.vio;
  machine.registerHcall(HCALL.H_PUT_TERM_CHAR, (m) => {
    const vty = vtyLookup(bus, m.gpr(4));
    const len = m.gpr(5);
    if (!vty || len > 16n) return HRC.H_PARAMETER;
    vty.putChars(unpackChars(m.gpr(6), m.gpr(7), Number(len)));
    return HRC.H_SUCCESS;
  });
  machine.registerHcall(HCALL.H_GET_TERM_CHAR, (m) => {
    const vty = vtyLookup(bus, m.gpr(4));
    if (!vty) return HRC.H_PARAMETER;
    const chars = vty.getChars();
    const [hi, lo] = packChars(chars);
    m.setGpr(4, chars.length);
    m.setGpr(5, hi);
    m.setGpr(6, lo);
    return HRC.H_SUCCESS;
  });
}
