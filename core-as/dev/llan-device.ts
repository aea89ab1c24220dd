// spapr-vlan common definitions: buffer-descriptor fields (spec 3.1), buffer-list layout (spec 3.3),
// and the unit-address -> device lookup shared by the llan-* modules.
import {
  VLAN_INSTANCES, VLAN_BASE, VLAN_STRIDE, vlanBase, vlanPresent, vlanVio, vioBase, vioKind, vioKindIndex, VIO_KIND_VLAN,
  vlanStatSize, vlanSetStatSize, VLAN_STAT_SIZE_COUNT, vlanAddBuffersHcall,
} from '../gen/layout';
import { vioFind } from './vio';

/** True when some configured VLAN device has the add-buffers-hcall property (H_ILLAN_ATTRIBUTES, 0x248). */
export function llanAnyAddBuffers(): bool {
  for (let i: u32 = 0; i < VLAN_INSTANCES; i++) {
    const v = vlanBase(i);
    if (vlanPresent(v) != 0 && vlanAddBuffersHcall(v) != 0) return true;
  }
  return false;
}

/** Buffer descriptor bits (spec 3.1). */
export const VLAN_BD_VALID: u64 = 0x8000000000000000;
export const VLAN_BD_TOGGLE: u64 = 0x4000000000000000;
const VLAN_BD_LEN_SHIFT: u64 = 32;
const VLAN_BD_LEN_MASK: u64 = 0xffffff;
const VLAN_BD_ADDR_MASK: u64 = 0xffffffff;

/** Buffer-list page (spec 3.3). */
export const VLAN_BL_SIZE: u32 = 4096;
export const VLAN_BL_FILTER: u64 = 8;       // filter-list descriptor
export const VLAN_BL_RX_BDS: u32 = 16;      // first legacy slot
export const VLAN_BL_COUNTER: u64 = 4088;   // dropped-frame counter, BE u64
export const VLAN_MAX_BUFS: u32 = 509;      // (4096 - 16 - 8) / 8 legacy slots
/** Bytes before the frame in an RX buffer (correlator area; spec 4.3 "fits" = len >= size + 8). */
export const VLAN_RX_HDR: u32 = 8;

/** RX-queue entry control byte (spec 3.4). */
export const VLAN_RXQC_TOGGLE: u8 = 0x80;
export const VLAN_RXQC_VALID: u8 = 0x40;

/** Flush timer delay after H_ADD_LOGICAL_LAN_BUFFER, guest virtual ns (spec 4.8). */
export const VLAN_FLUSH_DELAY_NS: u64 = 500000;

// @ts-ignore: decorator
@inline export function bdLen(bd: u64): u32 { return <u32>((bd >> VLAN_BD_LEN_SHIFT) & VLAN_BD_LEN_MASK); }
// @ts-ignore: decorator
@inline export function bdAddr(bd: u64): u64 { return bd & VLAN_BD_ADDR_MASK; }
// @ts-ignore: decorator
@inline export function bdValid(bd: u64): bool { return (bd & VLAN_BD_VALID) != 0; }
// @ts-ignore: decorator
@inline export function makeBd(len: u32, addr: u64): u64 {
  return VLAN_BD_VALID | (<u64>len << VLAN_BD_LEN_SHIFT) | (addr & VLAN_BD_ADDR_MASK);
}

/**
 * Base of the vlan state of the VLAN device at unit address `unit` (truncated to 32 bits, Q15), or 0.
 * Another device kind at that address is "not a VLAN device" (Q6: H_PARAMETER, not an abort).
 */
export function llanFind(unit: u64): u32 {
  const slot = vioFind(unit);
  if (slot == 0 || vioKind(slot) != VIO_KIND_VLAN) return 0;
  return vlanBase(vioKindIndex(slot));
}

/** The VIO slot base of vlan `v`. */
// @ts-ignore: decorator
@inline export function llanSlot(v: u32): u32 { return vioBase(vlanVio(v)); }

/** Index of vlan base `v` (its instance in the vlan block and its staging regions). */
// @ts-ignore: decorator
@inline export function llanIndex(v: u32): u32 { return (v - VLAN_BASE) / VLAN_STRIDE; }

/** Telemetry entry for buffers of `size` bytes, allocated on first use; -1 when all entries are taken. */
export function statEntry(v: u32, size: u32): i32 {
  for (let e: u32 = 0; e < VLAN_STAT_SIZE_COUNT; e++) {
    const s = vlanStatSize(v, e);
    if (s == size) return <i32>e;
    if (s == 0) {
      vlanSetStatSize(v, e, size);
      return <i32>e;
    }
  }
  return -1;
}
