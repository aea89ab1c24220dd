// Host halves of the spapr-vlan staging regions. RX: appends frame records to the device's pending
// ring in region rxStage (the AS half consumes them: core-as/dev/llan-rx.ts). TX: drains the records
// H_SEND_LOGICAL_LAN gathered into region txStage (core-as/dev/llan-tx.ts). Record = {u32 len LE,
// u32 0, bytes, pad to 8}; an RX record never straddles the ring's end (a WRAP marker sends the reader to 0).
import { region } from '../layout/memory-map.js';
import type { BlockView } from '../layout/state-view.js';

const REC_HDR = 8;
const REC_WRAP = 0xffffffff;
const pad8 = (n: number): number => (n + 7) & ~7;

export class RxStage {
  readonly base: number;
  readonly size: number;
  private readonly dv: DataView;
  private readonly u8: Uint8Array;
  private readonly headAt: number;
  private readonly tailAt: number;
  private readonly countAt: number;
  private readonly maxAt: number;

  constructor(memory: WebAssembly.Memory, state: BlockView, index: number) {
    const r = region('rxStage');
    this.base = r.base + index * r.stride;
    this.size = r.size;
    // The memory never grows (initial == maximum), so these views stay valid.
    this.dv = new DataView(memory.buffer);
    this.u8 = new Uint8Array(memory.buffer);
    this.headAt = state.addr('rxPendHead');
    this.tailAt = state.addr('rxPendTail');
    this.countAt = state.addr('rxPendCount');
    this.maxAt = state.addr('rxPendMax');
  }

  get count(): number {
    return this.dv.getUint32(this.countAt, true);
  }

  /** Largest frame a record can hold. */
  get maxFrame(): number {
    return this.size - REC_HDR;
  }

  /** Appends one frame; false when pending is at its bound (frames or bytes). */
  append(frame: Uint8Array): boolean {
    return this.appendBatch([frame]) === 1;
  }

  /**
   * Appends frames in order until one does not fit (pending bound in frames, or ring bytes);
   * returns how many were appended. The ring pointers are read and written once per batch.
   */
  appendBatch(frames: readonly Uint8Array[]): number {
    const dv = this.dv, base = this.base, size = this.size;
    let count = dv.getUint32(this.countAt, true);
    const max = dv.getUint32(this.maxAt, true);
    let head = dv.getUint32(this.headAt, true);
    let tail = dv.getUint32(this.tailAt, true);
    if (count === 0) head = tail = 0;
    let n = 0;
    for (const frame of frames) {
      if (count >= max) break;
      const rec = REC_HDR + pad8(frame.length);
      let at: number;
      if (count > 0 && tail === head) break; // full
      if (tail >= head) {
        if (tail + rec <= size) at = tail;
        else if (rec <= head) {
          if (tail + REC_HDR <= size) dv.setUint32(base + tail, REC_WRAP, true);
          at = 0;
        } else break;
      } else if (tail + rec <= head) at = tail;
      else break;
      dv.setUint32(base + at, frame.length, true);
      dv.setUint32(base + at + 4, 0, true);
      this.u8.set(frame, base + at + REC_HDR);
      tail = at + rec;
      count++;
      n++;
    }
    if (n > 0) {
      dv.setUint32(this.headAt, head, true);
      dv.setUint32(this.tailAt, tail, true);
      dv.setUint32(this.countAt, count, true);
    }
    return n;
  }

  /** Copies of the pending frames, oldest first (for inspection; does not consume). */
  peekAll(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let head = this.dv.getUint32(this.headAt, true);
    for (let i = 0, n = this.count; i < n; i++) {
      if (head + REC_HDR > this.size || this.dv.getUint32(this.base + head, true) === REC_WRAP) head = 0;
      const len = this.dv.getUint32(this.base + head, true);
      out.push(this.u8.slice(this.base + head + REC_HDR, this.base + head + REC_HDR + len));
      head += REC_HDR + pad8(len);
    }
    return out;
  }
}

export class TxStage {
  readonly base: number;
  private readonly dv: DataView;
  private readonly u8: Uint8Array;
  private readonly usedAt: number;

  constructor(memory: WebAssembly.Memory, state: BlockView, index: number) {
    const r = region('txStage');
    this.base = r.base + index * r.stride;
    this.dv = new DataView(memory.buffer);
    this.u8 = new Uint8Array(memory.buffer);
    this.usedAt = state.addr('txUsed');
  }

  /**
   * Hands every transmitted frame to `sink`, oldest first, as a view of the region valid only during
   * the call, then empties the region. Returns the number of frames.
   */
  drain(sink: (frame: Uint8Array) => void): number {
    const used = this.dv.getUint32(this.usedAt, true);
    let n = 0;
    for (let at = 0; at < used; n++) {
      const len = this.dv.getUint32(this.base + at, true);
      sink(this.u8.subarray(this.base + at + REC_HDR, this.base + at + REC_HDR + len));
      at += REC_HDR + pad8(len);
    }
    this.dv.setUint32(this.usedAt, 0, true);
    return n;
  }
}
