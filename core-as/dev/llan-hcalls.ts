// spapr-vlan control hypercalls (spec 2.3-2.5, 2.7, 2.8, 2.10) with QEMU's check order, plus
// H_ADD_LOGICAL_LAN_BUFFERS and H_ILLAN_ATTRIBUTES behind the add-buffers-hcall property (beyond QEMU).
import {
  cpuGpr, cpuSetGpr, machineVclockNs,
  vlanIsOpen, vlanSetIsOpen, vlanSetBufList, vlanSetAddBufPtr, vlanSetUseBufPtr, vlanRxBufs, vlanSetRxBufs,
  vlanSetRxqPtr, vlanPoolsEnabled, vlanSetFlushDeadlineNs, vlanSetMac, vlanPermMac, vlanAddBuffersHcall,
  vlanStatPosted, vlanSetStatPosted, vioSetSignalState,
  H_SUCCESS, H_PARAMETER, H_RESOURCE, H_FUNCTION,
} from '../gen/layout';
import { SCRATCH_TMP } from '../mem/scratch';
import { dmaValid, dmaSt64, dmaZero, TCE_RW } from './tce';
import { vioFind } from './vio';
import {
  llanFind, llanSlot, llanAnyAddBuffers, statEntry, bdAddr, bdLen, bdValid, makeBd,
  VLAN_MAX_BUFS, VLAN_BD_TOGGLE, VLAN_BL_SIZE, VLAN_BL_FILTER, VLAN_BL_RX_BDS, VLAN_FLUSH_DELAY_NS,
} from './llan-device';
import { poolsAdd, poolsCanAdd, poolsReset } from './llan-rx-pools';
import { legacyAdd, legacyUndo } from './llan-rx-legacy';
import { llanFlush } from './llan-rx';
import { traceVlan, TRACE_VLAN_REGISTER, TRACE_VLAN_FREE } from './llan-trace';

/** Initial legacy add/use pointer: one slot before the first (spec 2.3 effect 5). */
const VLAN_BL_PTR_INIT: u32 = 8;
/** H_ILLAN_ATTRIBUTES bit: H_ADD_LOGICAL_LAN_BUFFERS supported (spec 2.10). */
export const ILLAN_RX_MULTI_BUFF_SUPPORT: u64 = 0x40000;
/** Descriptors per H_ADD_LOGICAL_LAN_BUFFERS call: r5..r12. */
const ADD_BUFFERS_MAX: u32 = 8;

// @ts-ignore: decorator
@inline function ret(code: i64): void { cpuSetGpr(3, <u64>code); }

/** spec 2.3 check 3/4: a 4 KiB page descriptor built from the low 32 bits, DMA-valid both ways. */
function pageOk(slot: u32, ioba: u64): bool {
  const bd = makeBd(VLAN_BL_SIZE, ioba);
  return (bdAddr(bd) & 0xfff) == 0 && dmaValid(slot, bdAddr(bd), VLAN_BL_SIZE, TCE_RW);
}

/** H_REGISTER_LOGICAL_LAN(unit, buf_list, rxq_desc, filter_list, mac) (spec 2.3). */
export function hRegisterLogicalLan(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(H_PARAMETER);
  if (vlanIsOpen(v) != 0) return ret(H_RESOURCE);
  const slot = llanSlot(v);
  const bl = cpuGpr(5), rxq = cpuGpr(6), fl = cpuGpr(7);
  if (!pageOk(slot, bl) || !pageOk(slot, fl)) return ret(H_PARAMETER);
  // Length 0 passes (Q9).
  if (!bdValid(rxq) || (bdAddr(rxq) & 15) != 0 || (bdLen(rxq) & 15) != 0
      || !dmaValid(slot, bdAddr(rxq), <u64>bdLen(rxq), TCE_RW)) return ret(H_PARAMETER);
  traceVlan(TRACE_VLAN_REGISTER, cpuGpr(4), bl);
  vlanSetBufList(v, bl); // full 64 bits (Q4)
  vioSetSignalState(slot, 0);
  dmaSt64(slot, bl, rxq & ~VLAN_BD_TOGGLE);
  dmaSt64(slot, bl + VLAN_BL_FILTER, makeBd(VLAN_BL_SIZE, fl));
  dmaZero(slot, bl + VLAN_BL_RX_BDS, <u64>(VLAN_BL_SIZE - VLAN_BL_RX_BDS)); // zeroes the counter too
  vlanSetAddBufPtr(v, VLAN_BL_PTR_INIT);
  vlanSetUseBufPtr(v, VLAN_BL_PTR_INIT);
  vlanSetRxBufs(v, 0);
  vlanSetRxqPtr(v, 0);
  dmaZero(slot, bdAddr(rxq), <u64>bdLen(rxq));
  vlanSetIsOpen(v, 1);
  llanFlush(v); // effect 8: immediate flush of pending frames
  ret(H_SUCCESS);
}

/** The device close actions shared by H_FREE_LOGICAL_LAN and reset (spec 2.4, 6.3). */
export function llanClose(v: u32): void {
  vlanSetBufList(v, 0);
  vlanSetRxBufs(v, 0);
  vlanSetIsOpen(v, 0);
  if (vlanPoolsEnabled(v) != 0) poolsReset(v);
  vlanSetMac(v, vlanPermMac(v));
}

/** H_FREE_LOGICAL_LAN(unit) (spec 2.4). The flush timer and pending frames are left alone (Q12). */
export function hFreeLogicalLan(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(H_PARAMETER);
  if (vlanIsOpen(v) == 0) return ret(H_RESOURCE);
  traceVlan(TRACE_VLAN_FREE, cpuGpr(4), 0);
  llanClose(v);
  ret(H_SUCCESS);
}

/** spec 2.5 check 2: 4-aligned address and length, length >= 16, DMA-valid both ways. VALID not checked (Q5). */
function rxBdOk(slot: u32, bd: u64): bool {
  const len = bdLen(bd);
  return (bdAddr(bd) & 3) == 0 && (len & 3) == 0 && len >= 16 && dmaValid(slot, bdAddr(bd), <u64>len, TCE_RW);
}

/** After accepted adds: rx_bufs, telemetry, and the flush timer re-armed at now + 500 us (spec 2.5 steps 5-6). */
function added(v: u32, size: u32, n: u32): void {
  vlanSetRxBufs(v, vlanRxBufs(v) + n);
  const e = statEntry(v, size);
  if (e >= 0) vlanSetStatPosted(v, <u32>e, vlanStatPosted(v, <u32>e) + <u64>n);
  vlanSetFlushDeadlineNs(v, machineVclockNs() + VLAN_FLUSH_DELAY_NS);
}

/** H_ADD_LOGICAL_LAN_BUFFER(unit, bd) (spec 2.5): parameter check before the open check. */
export function hAddLogicalLanBuffer(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(H_PARAMETER);
  const slot = llanSlot(v);
  const bd = cpuGpr(5);
  if (!rxBdOk(slot, bd)) return ret(H_PARAMETER);
  if (vlanIsOpen(v) == 0) return ret(H_RESOURCE);
  const ok = vlanPoolsEnabled(v) != 0 ? poolsAdd(v, bd, bdLen(bd)) : legacyAdd(slot, v, bd, 0) != 0;
  if (!ok) return ret(H_RESOURCE);
  added(v, bdLen(bd), 1);
  ret(H_SUCCESS);
}

/**
 * H_ADD_LOGICAL_LAN_BUFFERS(unit, bd1..bd8) in r5..r12 (Linux 2025 ibmveth; beyond QEMU). The list
 * ends at the first descriptor without VALID (the driver zero-fills unused ones); none -> H_PARAMETER.
 * All or nothing: the driver frees every buffer of a failed call, so a partial add must not stay.
 * Check order as H_ADD: unit, every descriptor's parameters, open, capacity.
 */
export function hAddLogicalLanBuffers(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(llanAnyAddBuffers() ? H_PARAMETER : H_FUNCTION);
  if (vlanAddBuffersHcall(v) == 0) return ret(H_FUNCTION);
  const slot = llanSlot(v);
  let n: u32 = 0;
  while (n < ADD_BUFFERS_MAX && bdValid(cpuGpr(5 + n))) n++;
  if (n == 0) return ret(H_PARAMETER);
  const sizes = SCRATCH_TMP + 0x600;
  for (let k: u32 = 0; k < n; k++) {
    const bd = cpuGpr(5 + k);
    if (!rxBdOk(slot, bd)) return ret(H_PARAMETER);
    store<u32>(sizes + k * 4, bdLen(bd));
  }
  if (vlanIsOpen(v) == 0) return ret(H_RESOURCE);
  if (vlanPoolsEnabled(v) != 0) {
    if (!poolsCanAdd(v, sizes, n)) return ret(H_RESOURCE);
    for (let k: u32 = 0; k < n; k++) poolsAdd(v, cpuGpr(5 + k), load<u32>(sizes + k * 4));
  } else {
    if (vlanRxBufs(v) + n > VLAN_MAX_BUFS) return ret(H_RESOURCE);
    const offs = SCRATCH_TMP + 0x700;
    for (let k: u32 = 0; k < n; k++) {
      const o = legacyAdd(slot, v, cpuGpr(5 + k), k);
      if (o == 0) { // no free slot (Q2): undo this call's adds, newest first
        for (let j = <i32>k - 1; j >= 0; j--) legacyUndo(slot, v, load<u32>(offs + <u32>j * 4), <u32>j);
        return ret(H_RESOURCE);
      }
      store<u32>(offs + k * 4, o);
    }
  }
  for (let k: u32 = 0; k < n; k++) added(v, load<u32>(sizes + k * 4), 1);
  ret(H_SUCCESS);
}

/** H_ILLAN_ATTRIBUTES(unit, reset_mask, set_mask) -> r4 (beyond QEMU; spec 2.10 bits). Nothing is settable. */
export function hIllanAttributes(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(llanAnyAddBuffers() ? H_PARAMETER : H_FUNCTION);
  if (vlanAddBuffersHcall(v) == 0) return ret(H_FUNCTION);
  if ((cpuGpr(6) & ~ILLAN_RX_MULTI_BUFF_SUPPORT) != 0) return ret(H_PARAMETER);
  cpuSetGpr(4, ILLAN_RX_MULTI_BUFF_SUPPORT);
  ret(H_SUCCESS);
}

/** H_MULTICAST_CTRL(unit, flags, mac): any VIO device -> H_SUCCESS, no filtering (spec 2.7). */
export function hMulticastCtrl(): void {
  ret(vioFind(cpuGpr(4)) != 0 ? H_SUCCESS : H_PARAMETER);
}

/** H_CHANGE_LOGICAL_LAN_MAC(unit, mac): current MAC := low 48 bits (spec 2.8, Q7). */
export function hChangeLogicalLanMac(): void {
  const v = llanFind(cpuGpr(4));
  if (v == 0) return ret(H_PARAMETER);
  vlanSetMac(v, cpuGpr(5) & 0xffffffffffff);
  ret(H_SUCCESS);
}

