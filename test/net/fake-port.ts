// A NetPort stand-in: takes frames while it has "buffers", records them, and lets a test give
// capacity back (which calls onCanReceive like the device's flush would).
import type { NetPort } from '../../host-ts/net/net-port.js';

export class FakePort implements NetPort {
  readonly got: Buffer[] = [];
  receiveCalls = 0;
  private cb: (() => void) | undefined;
  private waiters: { n: number; ok: () => void }[] = [];

  /** Frames it can still take; Infinity = always. `hint`: it implements receiveRoom(). */
  constructor(public room = Infinity, hint = false) {
    if (hint) this.receiveRoom = () => this.room;
  }

  receiveRoom?: () => number;

  canReceive(): boolean {
    return this.room > 0;
  }

  receive(frames: Uint8Array[]): number {
    this.receiveCalls++;
    const n = Math.min(frames.length, this.room);
    for (let i = 0; i < n; i++) this.got.push(Buffer.from(frames[i])); // copy: views may be reused
    this.room -= n;
    this.wake();
    return n;
  }

  onCanReceive(cb: () => void): void {
    this.cb = cb;
  }

  /** Gives `n` more slots and tells the backend. */
  give(n: number): void {
    this.room += n;
    this.cb?.();
  }

  /** Resolves once `n` frames in total were received. */
  waitFor(n: number, timeoutMs = 5000): Promise<void> {
    if (this.got.length >= n) return Promise.resolve();
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`timeout: ${this.got.length}/${n} frames`)), timeoutMs);
      this.waiters.push({ n, ok: () => { clearTimeout(t); ok(); } });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.got.length >= w.n) { w.ok(); return false; }
      return true;
    });
  }
}

/** A frame whose bytes encode `i` (sequence check) with total length `len`. */
export function seqFrame(i: number, len = 64): Buffer {
  const b = Buffer.alloc(len, i & 0xff);
  b.writeUInt32BE(i, 0);
  return b;
}

export const seqOf = (f: Uint8Array) => Buffer.from(f).readUInt32BE(0);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
