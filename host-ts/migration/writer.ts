// Writes the migration stream (format.ts) into a reusable buffer and hands full chunks to a sink.
// The CRC covers every byte emitted before the END record's checksum.
import { RAM_BASE, MEMORY_MAP } from '../layout/memory-map.js';
import { SCALAR_SIZE } from '../layout/schema.js';
import { view, type MemoryLike } from '../layout/state-view.js';
import { crc32 } from './crc32.js';
import { encodeFields, swapCopy } from './codec.js';
import { HEADER_BYTES, LIMITS, PAGE, STREAM_MAGIC, STREAM_VERSION, TAG, hasSection, neededPredicate, wireBlocks } from './format.js';
import { hooksOf, migratedRegions } from './registry.js';
import { ramPages, type MachineLike } from './dirty.js';

/**
 * Receives each chunk. The chunk is the sink's to keep unless it calls `release`, which hands the
 * buffer back for reuse (a socket sink releases once the write completed; reuse spares the page
 * faults of a fresh 1 MiB allocation per chunk).
 */
export type ChunkSink = (chunk: Uint8Array, release: () => void) => void;

const CHUNK = 1 << 20;
const enc = new TextEncoder();

export class StreamWriter {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(CHUNK);
  private dv = new DataView(this.buf.buffer);
  private len = 0;
  private crc = 0;
  /** Bytes emitted so far. */
  bytes = 0;
  /** Pages sent as data and as zero runs (status counters). */
  pagesData = 0;
  pagesZero = 0;

  private readonly free: Uint8Array<ArrayBuffer>[] = [];

  constructor(private readonly emit: ChunkSink) {}

  /** Hands the buffered bytes to the sink and continues in a recycled or new buffer. */
  flush(): void {
    if (this.len === 0) return;
    const full = this.buf;
    const chunk = full.subarray(0, this.len);
    this.crc = crc32(chunk, this.crc);
    this.bytes += chunk.length;
    this.len = 0;
    this.buf = this.free.pop() ?? new Uint8Array(Math.max(CHUNK, full.length));
    this.dv = new DataView(this.buf.buffer);
    let released = false;
    this.emit(chunk, () => {
      if (!released && full.length === CHUNK && this.free.length < 8) this.free.push(full);
      released = true;
    });
  }

  /** Room for n contiguous bytes; returns the offset to write at. */
  private reserve(n: number): number {
    if (this.len + n > this.buf.length) this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n); // one oversized record; not recycled
      this.dv = new DataView(this.buf.buffer);
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  header(ramSize: number): void {
    const at = this.reserve(HEADER_BYTES);
    this.dv.setUint32(at, STREAM_MAGIC);
    this.dv.setUint32(at + 4, STREAM_VERSION);
    this.dv.setBigUint64(at + 8, BigInt(ramSize));
  }

  /** RAM_DATA records for pages [first, first+count) copied from `mem` (the Wasm memory bytes). */
  ramData(mem: Uint8Array, first: number, count: number): void {
    while (count > 0) {
      const n = Math.min(count, LIMITS.maxPagesPerRecord);
      const at = this.reserve(9 + n * PAGE);
      this.buf[at] = TAG.RAM_DATA;
      this.dv.setUint32(at + 1, first);
      this.dv.setUint32(at + 5, n);
      const from = RAM_BASE + first * PAGE; // first + n <= ramPages: inside RAM
      this.buf.set(mem.subarray(from, from + n * PAGE), at + 9);
      this.pagesData += n;
      first += n;
      count -= n;
    }
  }

  ramZero(first: number, count: number): void {
    const at = this.reserve(9);
    this.buf[at] = TAG.RAM_ZERO;
    this.dv.setUint32(at + 1, first);
    this.dv.setUint32(at + 5, count);
    this.pagesZero += count;
  }

  /** Opens a SECTION or REGION record with a payload of exactly `payload` bytes; returns its offset. */
  named(tag: number, name: string, instance: number, version: number, payload: number): number {
    const nb = enc.encode(name);
    const at = this.reserve(1 + 1 + nb.length + 2 + 4 + 4 + payload);
    this.buf[at] = tag;
    this.buf[at + 1] = nb.length;
    this.buf.set(nb, at + 2);
    let p = at + 2 + nb.length;
    this.dv.setUint16(p, instance);
    this.dv.setUint32(p + 2, version);
    this.dv.setUint32(p + 6, payload);
    return p + 10;
  }

  get bytesView(): Uint8Array { return this.buf; }
  get dataView(): DataView { return this.dv; }

  /** END record: the CRC of everything before the checksum, then flush. */
  end(): void {
    const at = this.reserve(1);
    this.buf[at] = TAG.END;
    this.flush();
    const c = this.crc;
    const p = this.reserve(4);
    this.dv.setUint32(p, c);
    this.flush();
  }
}

/** True when the 4 KiB guest page is all zero. */
export function isZeroPage(words: Int32Array, page: number): boolean {
  // page < ramPages (callers), so the words lie inside guest RAM.
  const from = (RAM_BASE + page * PAGE) >> 2;
  const to = from + (PAGE >> 2);
  for (let i = from; i < to; i++) if (words[i] !== 0) return false;
  return true;
}

/** Sends the given ascending page numbers: runs of zero pages as RAM_ZERO, the rest as RAM_DATA. */
export function writePages(w: StreamWriter, m: MachineLike, pages: ArrayLike<number>): void {
  const mem = new Uint8Array(m.memory.buffer);
  const words = new Int32Array(m.memory.buffer);
  let i = 0;
  while (i < pages.length) {
    const first = pages[i];
    const zero = isZeroPage(words, first);
    let n = 1;
    while (i + n < pages.length && pages[i + n] === first + n && isZeroPage(words, first + n) === zero) n++;
    if (zero) w.ramZero(first, n);
    else w.ramData(mem, first, n);
    i += n;
  }
}

/** Sends pages [from, to) of RAM (a slice of the first full pass). */
export function writePageRange(w: StreamWriter, m: MachineLike, from: number, to: number): void {
  const pages = new Uint32Array(to - from);
  for (let i = 0; i < pages.length; i++) pages[i] = from + i;
  writePages(w, m, pages);
}

function instancesInUse(instances: number, inUse: ((mem: MemoryLike, i: number) => boolean) | undefined, mem: MemoryLike): number[] {
  const out: number[] = [];
  for (let i = 0; i < instances; i++) if (!inUse || inUse(mem, i)) out.push(i);
  return out;
}

/** SECTION records of every block instance in use, then REGION records (device state). */
export function writeDeviceState(w: StreamWriter, m: MachineLike): void {
  const mem = new Uint8Array(m.memory.buffer);
  for (const wb of wireBlocks().values()) {
    if (!hasSection(wb)) continue;
    const b = wb.layout;
    for (const i of instancesInUse(b.instances, hooksOf(b.name).inUse, m.memory)) {
      const v = view(m.memory, b.name, i);
      const subs = wb.subsections.filter((s) => s.fields.length > 0 && neededPredicate(wb, s.decl)(v));
      const subBytes = subs.reduce((n, s) => n + 1 + enc.encode(s.decl.name).length + 8 + s.bytes, 0);
      let p = w.named(TAG.SECTION, b.name, i, b.version, wb.mainBytes + 1 + subBytes);
      const out = w.bytesView;
      p = encodeFields(mem, v.base, wb.main, out, p);
      out[p++] = subs.length;
      for (const s of subs) {
        const nb = enc.encode(s.decl.name);
        out[p] = nb.length;
        out.set(nb, p + 1);
        p += 1 + nb.length;
        w.dataView.setUint32(p, s.decl.version);
        w.dataView.setUint32(p + 4, s.bytes);
        p = encodeFields(mem, v.base, s.fields, out, p + 8);
      }
    }
  }
  for (const r of migratedRegions()) {
    const layout = MEMORY_MAP.regions.get(r.region);
    if (!layout) throw new Error(`migrated region '${r.region}' is not in the memory map`);
    const el = SCALAR_SIZE[r.elem];
    const elems = Math.floor(layout.size / el);
    for (const i of instancesInUse(layout.instances, r.inUse, m.memory)) {
      const base = layout.base + i * layout.stride;
      const runs: [number, number][] = r.ranges
        ? r.ranges(m.memory, i).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]).map(([a, b]) => [a / el, (b - a) / el])
        : nonZeroRuns(mem, base, el, elems);
      const payload = 4 + runs.reduce((n, [, c]) => n + 8 + c * el, 0);
      let p = w.named(TAG.REGION, r.region, i, r.version, payload);
      const out = w.bytesView;
      w.dataView.setUint32(p, runs.length);
      p += 4;
      for (const [first, count] of runs) {
        w.dataView.setUint32(p, first);
        w.dataView.setUint32(p + 4, count);
        swapCopy(mem, base + first * el, out, p + 8, el, count);
        p += 8 + count * el;
      }
    }
  }
}

/** [first, count] runs of elements that are not all-zero bytes. */
function nonZeroRuns(mem: Uint8Array, base: number, el: number, elems: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let e = 0; e <= elems; e++) {
    let zero = true;
    if (e < elems) for (let k = 0; k < el; k++) if (mem[base + e * el + k] !== 0) { zero = false; break; }
    if (!zero && start < 0) start = e;
    if ((zero || e === elems) && start >= 0) {
      runs.push([start, e - start]);
      start = -1;
    }
  }
  return runs;
}

export { ramPages };
