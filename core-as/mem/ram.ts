// Guest RAM accessors. Guest RAM holds guest bytes in guest order at RAM_BASE in the one memory.
// Address kinds (STYLE): ra = guest real address, hoff = offset in Wasm memory. A guest address
// becomes an hoff only through raToHoff, which checks it against the RAM size: the guest never
// reaches emulator state. Every write goes through st*/ramFill/ramCopyIn so dirty pages are seen.
import { RAM_BASE, DIRTY_BITMAP_BASE, machineRamSize, machineDirtyTracking } from '../gen/layout';

/** Returned by raToHoff when the range is not inside guest RAM; never a valid RAM hoff. */
export const BAD_HOFF: u32 = 0;

/** hoff of [ra, ra+len) if the whole range lies in guest RAM, else BAD_HOFF. len may be 0. */
// @ts-ignore: decorator
@inline export function raToHoff(ra: u64, len: u64): u32 {
  const size = machineRamSize();
  // ra <= size and len <= size - ra: no overflow, and RAM_BASE + size <= 4 GiB (memory-map MAX_RAM_SIZE).
  if (ra > size || len > size - ra) return BAD_HOFF;
  return RAM_BASE + <u32>ra;
}

/** Marks the 4 KiB guest pages under [hoff, hoff+len) dirty while migration tracks them. */
// @ts-ignore: decorator
@inline export function markDirty(hoff: u32, len: u32): void {
  if (machineDirtyTracking() == 0 || len == 0) return;
  markDirtySlow(hoff, len);
}

function markDirtySlow(hoff: u32, len: u32): void {
  let first = (hoff - RAM_BASE) >> 12;
  const last = (hoff - RAM_BASE + len - 1) >> 12;
  for (; first <= last; first++) {
    // In bounds: the bitmap covers MAX_RAM_SIZE pages and hoff came from raToHoff.
    const at = DIRTY_BITMAP_BASE + (first >> 3);
    store<u8>(at, load<u8>(at) | <u8>(<u32>1 << (first & 7)));
  }
}

// Loads take a checked hoff. Big-endian accessors serve PAPR structures (spec 3: all BE).
// @ts-ignore: decorator
@inline export function ld8(hoff: u32): u8 { return load<u8>(hoff); }
// @ts-ignore: decorator
@inline export function ld16be(hoff: u32): u16 { return bswap<u16>(load<u16>(hoff)); }
// @ts-ignore: decorator
@inline export function ld32be(hoff: u32): u32 { return bswap<u32>(load<u32>(hoff)); }
// @ts-ignore: decorator
@inline export function ld64be(hoff: u32): u64 { return bswap<u64>(load<u64>(hoff)); }
// @ts-ignore: decorator
@inline export function ld16le(hoff: u32): u16 { return load<u16>(hoff); }
// @ts-ignore: decorator
@inline export function ld32le(hoff: u32): u32 { return load<u32>(hoff); }
// @ts-ignore: decorator
@inline export function ld64le(hoff: u32): u64 { return load<u64>(hoff); }

// @ts-ignore: decorator
@inline export function st8(hoff: u32, v: u8): void { store<u8>(hoff, v); markDirty(hoff, 1); }
// @ts-ignore: decorator
@inline export function st16be(hoff: u32, v: u16): void { store<u16>(hoff, bswap<u16>(v)); markDirty(hoff, 2); }
// @ts-ignore: decorator
@inline export function st32be(hoff: u32, v: u32): void { store<u32>(hoff, bswap<u32>(v)); markDirty(hoff, 4); }
// @ts-ignore: decorator
@inline export function st64be(hoff: u32, v: u64): void { store<u64>(hoff, bswap<u64>(v)); markDirty(hoff, 8); }
// @ts-ignore: decorator
@inline export function st16le(hoff: u32, v: u16): void { store<u16>(hoff, v); markDirty(hoff, 2); }
// @ts-ignore: decorator
@inline export function st32le(hoff: u32, v: u32): void { store<u32>(hoff, v); markDirty(hoff, 4); }
// @ts-ignore: decorator
@inline export function st64le(hoff: u32, v: u64): void { store<u64>(hoff, v); markDirty(hoff, 8); }

/** Copies len bytes from emulator memory (src hoff, e.g. a staging ring) into guest RAM at dst. */
// @ts-ignore: decorator
@inline export function ramCopyIn(dst: u32, src: u32, len: u32): void {
  memory.copy(dst, src, len);
  markDirty(dst, len);
}

/** Fills len bytes of guest RAM at dst with byte v. */
// @ts-ignore: decorator
@inline export function ramFill(dst: u32, v: u8, len: u32): void {
  memory.fill(dst, v, len);
  markDirty(dst, len);
}
