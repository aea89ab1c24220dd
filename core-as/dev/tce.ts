// TCE tables and device DMA through them (spec 1.3, 2.11, 3.6). VIO slot i owns table i in region
// tceTable (65536 u64 entries, host byte order). An ioba becomes an hoff only here: every 4 KiB page
// of a range is checked against the window, its TCE permission bits, then raToHoff on the real
// address. This is the only way device code reaches guest RAM.
import {
  TCE_TABLE_BASE, TCE_TABLE_STRIDE, VIO_BASE, VIO_STRIDE,
  vioTceEntries, cpuGpr, cpuSetGpr, H_PARAMETER, H_SUCCESS,
} from '../gen/layout';
import { BAD_HOFF, raToHoff, ramCopyIn, ramFill, ld64be, st64be, st32be, st16be, st8 } from '../mem/ram';
import { vioFind } from './vio';
import { SCRATCH_TMP } from '../mem/scratch';

export const TCE_PAGE_SHIFT: u64 = 12;
export const TCE_PAGE_SIZE: u64 = 4096;
const TCE_PAGE_MASK: u64 = 0xfff;
/** TCE permission bits (spec 3.6): device may read guest memory (TX direction). */
export const TCE_READ: u64 = 1;
/** Device may write guest memory (RX direction). */
export const TCE_WRITE: u64 = 2;
export const TCE_RW: u64 = 3;
/** H_PUT_TCE_INDIRECT accepts at most one 4 KiB page of TCEs (spec 2.11). */
const TCE_INDIRECT_MAX: u64 = 512;

/** hoff of the TCE table of the VIO slot at `slot` (a slot base). */
// @ts-ignore: decorator
@inline export function tceTable(slot: u32): u32 {
  return TCE_TABLE_BASE + ((slot - VIO_BASE) / VIO_STRIDE) * TCE_TABLE_STRIDE;
}

/**
 * hoff of the guest bytes behind one page's part [ioba, ioba+len) (len <= bytes left in the page),
 * or BAD_HOFF if the page is outside the window, lacks `need`, or its real range leaves RAM.
 */
// @ts-ignore: decorator
@inline function pageHoff(slot: u32, ioba: u64, len: u64, need: u64): u32 {
  const idx = ioba >> TCE_PAGE_SHIFT;
  if (idx >= <u64>vioTceEntries(slot)) return BAD_HOFF;
  // In bounds: idx < entries <= 65536 = the table's size.
  const tce = load<u64>(tceTable(slot) + (<u32>idx << 3));
  if ((tce & need) != need) return BAD_HOFF;
  return raToHoff((tce & ~TCE_PAGE_MASK) + (ioba & TCE_PAGE_MASK), len);
}

// @ts-ignore: decorator
@inline function pageLeft(ioba: u64): u64 {
  return TCE_PAGE_SIZE - (ioba & TCE_PAGE_MASK);
}

/**
 * hoff of [ioba, ioba+len) when every page is mapped with `need` and the pages are contiguous in
 * guest RAM, else BAD_HOFF. len >= 1. Control structures (descriptors, entries, counters) use this.
 */
export function iobaToHoff(slot: u32, ioba: u64, len: u32, need: u64): u32 {
  let chunk = pageLeft(ioba);
  if (chunk >= <u64>len) return pageHoff(slot, ioba, len, need);
  const first = pageHoff(slot, ioba, chunk, need);
  if (first == BAD_HOFF) return BAD_HOFF;
  let done = chunk;
  while (done < <u64>len) {
    const a = ioba + done;
    chunk = min<u64>(<u64>len - done, TCE_PAGE_SIZE);
    const h = pageHoff(slot, a, chunk, need);
    if (h != first + <u32>done) return BAD_HOFF;
    done += chunk;
  }
  return first;
}

/** spec 3.6 DMA validity: every page of [ioba, ioba+len) in the window with `need`; len 0 is valid. */
export function dmaValid(slot: u32, ioba: u64, len: u64, need: u64): bool {
  let done: u64 = 0;
  while (done < len) {
    const a = ioba + done;
    const chunk = min<u64>(len - done, pageLeft(a));
    if (pageHoff(slot, a, chunk, need) == BAD_HOFF) return false;
    done += chunk;
  }
  return true;
}

/** Device write of len bytes from emulator memory `src` to [ioba, ...): false at the first bad page. */
export function dmaWrite(slot: u32, ioba: u64, src: u32, len: u32): bool {
  let done: u32 = 0;
  while (done < len) {
    const a = ioba + <u64>done;
    const chunk = <u32>min<u64>(<u64>(len - done), pageLeft(a));
    const h = pageHoff(slot, a, chunk, TCE_WRITE);
    if (h == BAD_HOFF) return false;
    ramCopyIn(h, src + done, chunk);
    done += chunk;
  }
  return true;
}

/** Device read of len bytes at [ioba, ...) into emulator memory `dst`: false at the first bad page. */
export function dmaRead(slot: u32, ioba: u64, dst: u32, len: u32): bool {
  let done: u32 = 0;
  while (done < len) {
    const a = ioba + <u64>done;
    const chunk = <u32>min<u64>(<u64>(len - done), pageLeft(a));
    const h = pageHoff(slot, a, chunk, TCE_READ);
    if (h == BAD_HOFF) return false;
    memory.copy(dst + done, h, chunk);
    done += chunk;
  }
  return true;
}

/** Zeroes [ioba, ioba+len) page by page; pages that fail are skipped (spec 3.6: control stores ignore errors). */
export function dmaZero(slot: u32, ioba: u64, len: u64): void {
  let done: u64 = 0;
  while (done < len) {
    const a = ioba + done;
    const chunk = min<u64>(len - done, pageLeft(a));
    const h = pageHoff(slot, a, chunk, TCE_WRITE);
    if (h != BAD_HOFF) ramFill(h, 0, <u32>chunk);
    done += chunk;
  }
}

// Small control-structure accesses (spec 3.6): loads of unmapped addresses give 0, stores are dropped.
// Big-endian: PAPR structures are BE whatever the guest's endianness (spec 3).

export function dmaLd64(slot: u32, ioba: u64): u64 {
  const h = iobaToHoff(slot, ioba, 8, TCE_READ);
  if (h != BAD_HOFF) return ld64be(h);
  // Crosses into a non-contiguous page: gather through the scratch region.
  if (dmaRead(slot, ioba, SCRATCH_TMP, 8)) return ld64be(SCRATCH_TMP);
  return 0;
}

export function dmaSt64(slot: u32, ioba: u64, v: u64): void {
  const h = iobaToHoff(slot, ioba, 8, TCE_WRITE);
  if (h != BAD_HOFF) { st64be(h, v); return; }
  store<u64>(SCRATCH_TMP, bswap<u64>(v));
  dmaWrite(slot, ioba, SCRATCH_TMP, 8);
}

export function dmaSt32(slot: u32, ioba: u64, v: u32): void {
  const h = iobaToHoff(slot, ioba, 4, TCE_WRITE);
  if (h != BAD_HOFF) { st32be(h, v); return; }
  store<u32>(SCRATCH_TMP, bswap<u32>(v));
  dmaWrite(slot, ioba, SCRATCH_TMP, 4);
}

export function dmaSt16(slot: u32, ioba: u64, v: u16): void {
  const h = iobaToHoff(slot, ioba, 2, TCE_WRITE);
  if (h != BAD_HOFF) { st16be(h, v); return; }
  store<u16>(SCRATCH_TMP, bswap<u16>(v));
  dmaWrite(slot, ioba, SCRATCH_TMP, 2);
}

export function dmaSt8(slot: u32, ioba: u64, v: u8): void {
  const h = iobaToHoff(slot, ioba, 1, TCE_WRITE);
  if (h != BAD_HOFF) st8(h, v);
}

// ---- TCE hypercalls (spec 2.11)

/** Slot owning TCE table `liobn`, or 0. LIOBN = unit address; bits 63..32 set -> none (unlike vioFind, Q15). */
function tceFind(liobn: u64): u32 {
  if ((liobn >> 32) != 0) return 0;
  const slot = vioFind(liobn);
  if (slot == 0 || vioTceEntries(slot) == 0) return 0;
  return slot;
}

/** Stores `tce` at window index `idx` if in range. */
// @ts-ignore: decorator
@inline function tcePut(slot: u32, idx: u64, tce: u64): bool {
  if (idx >= <u64>vioTceEntries(slot)) return false;
  store<u64>(tceTable(slot) + (<u32>idx << 3), tce); // in bounds: idx < entries
  return true;
}

/** H_PUT_TCE(liobn, ioba, tce). */
export function hPutTce(): void {
  const slot = tceFind(cpuGpr(4));
  const idx = cpuGpr(5) >> TCE_PAGE_SHIFT; // ioba rounded down to the TCE page
  cpuSetGpr(3, <u64>(slot != 0 && tcePut(slot, idx, cpuGpr(6)) ? H_SUCCESS : H_PARAMETER));
}

/** H_GET_TCE(liobn, ioba) -> r4 = TCE; r4 unchanged on failure. */
export function hGetTce(): void {
  const slot = tceFind(cpuGpr(4));
  const idx = cpuGpr(5) >> TCE_PAGE_SHIFT;
  if (slot == 0 || idx >= <u64>vioTceEntries(slot)) {
    cpuSetGpr(3, <u64>H_PARAMETER);
    return;
  }
  cpuSetGpr(4, load<u64>(tceTable(slot) + (<u32>idx << 3)));
  cpuSetGpr(3, <u64>H_SUCCESS);
}

/** H_STUFF_TCE(liobn, ioba, tce, npages): npages = 0 -> H_PARAMETER (Q8); stops at the first bad page. */
export function hStuffTce(): void {
  const slot = tceFind(cpuGpr(4));
  const idx = cpuGpr(5) >> TCE_PAGE_SHIFT;
  const tce = cpuGpr(6);
  const npages = cpuGpr(7);
  let ret = H_PARAMETER;
  if (slot != 0 && npages <= <u64>vioTceEntries(slot)) {
    for (let i: u64 = 0; i < npages; i++) {
      if (!tcePut(slot, idx + i, tce)) { ret = H_PARAMETER; break; }
      ret = H_SUCCESS;
    }
  }
  cpuSetGpr(3, <u64>ret);
}

/**
 * H_PUT_TCE_INDIRECT(liobn, ioba, tce_list, npages): npages BE64 TCEs from guest real memory at the
 * 4 KiB-aligned tce_list; npages = 0 -> H_PARAMETER (Q8); stops at the first failure.
 */
export function hPutTceIndirect(): void {
  const slot = tceFind(cpuGpr(4));
  const idx = cpuGpr(5) >> TCE_PAGE_SHIFT;
  const list = cpuGpr(6);
  const npages = cpuGpr(7);
  let ret = H_PARAMETER;
  if (slot != 0 && npages <= TCE_INDIRECT_MAX && (list & TCE_PAGE_MASK) == 0) {
    for (let i: u64 = 0; i < npages; i++) {
      const h = raToHoff(list + (i << 3), 8);
      if (h == BAD_HOFF || !tcePut(slot, idx + i, ld64be(h))) { ret = H_PARAMETER; break; }
      ret = H_SUCCESS;
    }
  }
  cpuSetGpr(3, <u64>ret);
}
