// Legacy RX buffers ("use-rx-buffer-pools" = off; spec 4.4): a ring of 509 descriptors in the
// guest's buffer-list page at offsets 16..4080. Both scans are bounded to 509 slots (Q1, Q2): QEMU's
// would loop forever in those cases. The page is translated once per operation; a page that is not
// mapped reads as zero and drops stores (spec 3.6 control accesses).
import { vlanBufList, vlanAddBufPtr, vlanSetAddBufPtr, vlanUseBufPtr, vlanSetUseBufPtr, vlanRxBufs } from '../gen/layout';
import { SCRATCH_TMP } from '../mem/scratch';
import { BAD_HOFF, ld64be, st64be } from '../mem/ram';
import { iobaToHoff, TCE_READ, TCE_WRITE } from './tce';
import { VLAN_BL_SIZE, VLAN_BL_RX_BDS, VLAN_BL_COUNTER, VLAN_MAX_BUFS, bdValid, bdLen } from './llan-device';

/** next(o) of spec 4.4: the slot after o, wrapping from 4080 to 16. */
// @ts-ignore: decorator
@inline function nextSlot(o: u32): u32 {
  o += 8;
  return o >= <u32>VLAN_BL_COUNTER ? VLAN_BL_RX_BDS : o;
}

/** hoffs of the buffer-list page for reading and writing (BAD_HOFF when that access is not permitted). */
// @ts-ignore: decorator
@inline function blRead(slot: u32, v: u32): u32 { return iobaToHoff(slot, vlanBufList(v), VLAN_BL_SIZE, TCE_READ); }
// @ts-ignore: decorator
@inline function blWrite(slot: u32, v: u32): u32 { return iobaToHoff(slot, vlanBufList(v), VLAN_BL_SIZE, TCE_WRITE); }

// @ts-ignore: decorator
@inline function slotLoad(r: u32, o: u32): u64 { return r == BAD_HOFF ? 0 : ld64be(r + o); }
// @ts-ignore: decorator
@inline function slotStore(w: u32, o: u32, v: u64): void { if (w != BAD_HOFF) st64be(w + o, v); }

/**
 * H_ADD step 4, legacy: stores the raw descriptor in the first slot with VALID clear after the last
 * add position. Returns the slot offset, or 0 when rx_bufs >= 509 or no free slot (H_RESOURCE).
 * The previous slot content is saved at SCRATCH_TMP + 0x200 + 8 * k for H_ADD_LOGICAL_LAN_BUFFERS undo.
 */
export function legacyAdd(slot: u32, v: u32, bd: u64, k: u32): u32 {
  if (vlanRxBufs(v) >= VLAN_MAX_BUFS) return 0;
  const r = blRead(slot, v), w = blWrite(slot, v);
  let o = vlanAddBufPtr(v);
  for (let n: u32 = 0; n < VLAN_MAX_BUFS; n++) {
    o = nextSlot(o);
    const old = slotLoad(r, o);
    if (!bdValid(old)) {
      store<u64>(SCRATCH_TMP + 0x200 + k * 8, old);
      store<u32>(SCRATCH_TMP + 0x400 + k * 4, vlanAddBufPtr(v));
      slotStore(w, o, bd);
      vlanSetAddBufPtr(v, o);
      return o;
    }
  }
  return 0;
}

/** Undoes legacyAdd number k that used slot offset o (restores the slot and the add pointer). */
export function legacyUndo(slot: u32, v: u32, o: u32, k: u32): void {
  slotStore(blWrite(slot, v), o, load<u64>(SCRATCH_TMP + 0x200 + k * 8));
  vlanSetAddBufPtr(v, load<u32>(SCRATCH_TMP + 0x400 + k * 4));
}

/** RX take, legacy (spec 4.4): first fit in ring order after use_ptr, bounded to 509 slots (Q1); 0 = none. */
export function legacyTake(slot: u32, v: u32, need: u32): u64 {
  const r = blRead(slot, v);
  if (r == BAD_HOFF) return 0;
  let o = vlanUseBufPtr(v);
  for (let n: u32 = 0; n < VLAN_MAX_BUFS; n++) {
    o = nextSlot(o);
    const d = ld64be(r + o);
    if (bdValid(d) && bdLen(d) >= need) {
      vlanSetUseBufPtr(v, o);
      slotStore(blWrite(slot, v), o, 0);
      return d;
    }
  }
  return 0;
}
