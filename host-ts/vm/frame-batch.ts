// Frames crossing between threads: many frames packed into one ArrayBuffer that is transferred
// (not copied) with postMessage. Layout: u32 count, then per frame u32 length + bytes, all
// little-endian, frames 4-byte aligned so the receiver can take views without copying.

const HEADER = 4;

/** Packs `frames` into one transferable buffer. */
export function packFrames(frames: readonly Uint8Array[]): ArrayBuffer {
  let size = HEADER;
  for (const f of frames) size += 4 + align4(f.length);
  const buf = new ArrayBuffer(size);
  const dv = new DataView(buf);
  const bytes = new Uint8Array(buf);
  dv.setUint32(0, frames.length, true);
  let off = HEADER;
  for (const f of frames) {
    dv.setUint32(off, f.length, true);
    bytes.set(f, off + 4);
    off += 4 + align4(f.length);
  }
  return buf;
}

/** Views of the frames in a packed buffer (no copy); throws on a malformed buffer. */
export function unpackFrames(buf: ArrayBuffer): Uint8Array[] {
  const dv = new DataView(buf);
  if (buf.byteLength < HEADER) throw new RangeError('frame batch shorter than its header');
  const n = dv.getUint32(0, true);
  const out: Uint8Array[] = [];
  let off = HEADER;
  for (let i = 0; i < n; i++) {
    if (off + 4 > buf.byteLength) throw new RangeError(`frame batch truncated at frame ${i}`);
    const len = dv.getUint32(off, true);
    if (off + 4 + len > buf.byteLength) throw new RangeError(`frame ${i} (${len} bytes) runs past the batch`);
    out.push(new Uint8Array(buf, off + 4, len));
    off += 4 + align4(len);
  }
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Collects items during one event-loop turn and hands them over as one batch (setImmediate), so a
 * burst of guest transmissions costs one postMessage.
 */
export class TurnBatcher<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Hands over what is queued now. */
  drain(): void {
    this.scheduled = false;
    if (!this.items.length) return;
    const items = this.items;
    this.items = [];
    this.flush(items);
  }
}
