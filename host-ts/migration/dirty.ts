// Host side of dirty-page tracking. core-as marks a bit per 4 KiB guest page in the dirtyBitmap
// region on every RAM store while machine.dirtyTracking = 1 (core-as/mem/ram.ts markDirty); host
// writes to guest RAM mark the same bits through markDirtyRange. Bit layout: page p is bit
// (p & 7) of byte p >> 3, i.e. bit (p & 31) of little-endian u32 word p >> 5.
import { RAM_BASE, region, block, GUEST_PAGE } from '../layout/memory-map.js';

/** What migration needs of a machine: its one memory and its RAM size. */
export interface MachineLike {
  readonly memory: WebAssembly.Memory;
  readonly ramSize: number;
}

export const ramPages = (m: MachineLike): number => m.ramSize / GUEST_PAGE;

const BITMAP_BASE = region('dirtyBitmap').base;
/** u32 index of machine.dirtyTracking in the memory (the field is a u32, 4-aligned by the layout). */
const TRACKING_WORD = (block('machine').base + block('machine').fieldsByName.get('dirtyTracking')!.offset) >>> 2;

// One u32 view per memory buffer (never detached: memories are never grown), so the per-write
// check costs no allocation.
const words32 = new WeakMap<ArrayBufferLike, Uint32Array>();
function memWords(m: MachineLike): Uint32Array {
  let w = words32.get(m.memory.buffer);
  if (!w) {
    w = new Uint32Array(m.memory.buffer);
    words32.set(m.memory.buffer, w);
  }
  return w;
}

function bitmapWords(m: MachineLike): Uint32Array {
  // In bounds: the region holds one bit per page of MAX_RAM_SIZE; we view only this RAM's pages.
  return new Uint32Array(m.memory.buffer, BITMAP_BASE, Math.ceil(ramPages(m) / 32));
}

export function isDirtyTracking(m: MachineLike): boolean {
  return memWords(m)[TRACKING_WORD] !== 0;
}

/** Clears the bitmap and starts marking pages (the start of the first pre-copy pass). */
export function startDirtyTracking(m: MachineLike): void {
  bitmapWords(m).fill(0);
  memWords(m)[TRACKING_WORD] = 1;
}

export function stopDirtyTracking(m: MachineLike): void {
  memWords(m)[TRACKING_WORD] = 0;
  bitmapWords(m).fill(0);
}

/** Marks the pages under guest real range [ra, ra+len) dirty if tracking is on (host writes). */
export function markDirtyRange(m: MachineLike, ra: number, len: number): void {
  if (len <= 0 || !isDirtyTracking(m)) return;
  const words = memWords(m);
  const first = BITMAP_BASE >>> 2;
  const last = Math.min(Math.floor((ra + len - 1) / GUEST_PAGE), ramPages(m) - 1);
  for (let p = Math.floor(ra / GUEST_PAGE); p <= last; p++) words[first + (p >>> 5)] |= 1 << (p & 31);
}

/** Number of pages marked dirty (does not clear). */
export function countDirtyPages(m: MachineLike): number {
  let n = 0;
  for (const w of bitmapWords(m)) {
    let v = w;
    while (v) { v &= v - 1; n++; }
  }
  return n;
}

/** Returns the dirty page numbers in ascending order and clears their bits (read-and-clear). */
export function takeDirtyPages(m: MachineLike): Uint32Array {
  const words = bitmapWords(m);
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    let v = words[i];
    while (v) { v &= v - 1; n++; }
  }
  const out = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < words.length && k < n; i++) {
    let v = words[i];
    if (v === 0) continue;
    words[i] = 0;
    while (v) {
      const bit = 31 - Math.clz32(v & -v);
      out[k++] = (i << 5) + bit;
      v &= v - 1;
    }
  }
  return out;
}

/** hoff of guest page `page` (page < ramPages, so the page lies inside RAM). */
export const pageHoff = (page: number): number => RAM_BASE + page * GUEST_PAGE;
