// Field encoding between emulator state (Wasm memory: little-endian) and the wire (big-endian,
// arrays as sequences of elements, as QEMU's vmstate). Byte-reversing copies, no per-field objects.
import type { FieldLayout } from '../layout/schema.js';

/** Copies `count` elements of `size` bytes from src to dst reversing each element's bytes. */
export function swapCopy(src: Uint8Array, from: number, dst: Uint8Array, to: number, size: number, count: number): void {
  if (size === 1) {
    dst.set(src.subarray(from, from + count), to);
    return;
  }
  const last = size - 1;
  for (let i = 0; i < count; i++) {
    const s = from + i * size;
    const d = to + i * size;
    for (let k = 0; k < size; k++) dst[d + k] = src[s + last - k];
  }
}

/** Writes the fields of the instance at `base` (hoff in `mem`) to `out` at `at`; returns the end offset. */
export function encodeFields(mem: Uint8Array, base: number, fields: readonly FieldLayout[], out: Uint8Array, at: number): number {
  for (const f of fields) {
    const el = f.size / (f.count ?? 1);
    swapCopy(mem, base + f.offset, out, at, el, f.count ?? 1);
    at += f.size;
  }
  return at;
}

/** Reads the fields from `src` at `at` into the instance at `base` of `mem`; returns the end offset. */
export function decodeFields(src: Uint8Array, at: number, mem: Uint8Array, base: number, fields: readonly FieldLayout[]): number {
  for (const f of fields) {
    const el = f.size / (f.count ?? 1);
    swapCopy(src, at, mem, base + f.offset, el, f.count ?? 1);
    at += f.size;
  }
  return at;
}

/** Copies the field bytes (no conversion) of an instance from one memory image to another. */
export function copyFields(from: Uint8Array, to: Uint8Array, base: number, fields: readonly FieldLayout[]): void {
  for (const f of fields) to.set(from.subarray(base + f.offset, base + f.offset + f.size), base + f.offset);
}
