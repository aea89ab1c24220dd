// RX path (spec 4.2, 4.3, 4.7-4.9): receive() of one frame, and the host-side delivery model kept in
// Wasm memory so that a batch of arrivals or a timer flush needs no JS crossing. The pending FIFO
// of each device is a ring of records {u32 len, u32 0, frame bytes, pad to 8} in region rxStage; the
// host appends records and moves rxPendTail/rxPendCount, this module consumes them from rxPendHead.
import {
  RX_STAGE_BASE, RX_STAGE_SIZE, RX_STAGE_STRIDE, VLAN_INSTANCES, vlanBase, vlanPresent,
  vlanIsOpen, vlanBufList, vlanRxBufs, vlanSetRxBufs, vlanPoolsEnabled,
  vlanStalled, vlanSetStalled, vlanRxPendHead, vlanSetRxPendHead, vlanSetRxPendTail,
  vlanRxPendCount, vlanSetRxPendCount, vlanFlushDeadlineNs, vlanSetFlushDeadlineNs,
  vlanNofitActive, vlanSetNofitActive, vlanNofitTimeoutNs, vlanNofitSinceNs, vlanSetNofitSinceNs,
  vlanNofitDeadlineNs, vlanSetNofitDeadlineNs, machineVclockNs,
  vlanRxFrames, vlanSetRxFrames, vlanRxBytes, vlanSetRxBytes, vlanRxNoBuffer, vlanSetRxNoBuffer,
  vlanRxNoFit, vlanSetRxNoFit, vlanRxClosedDropped, vlanSetRxClosedDropped, vlanRxDmaDropped,
  vlanSetRxDmaDropped, vlanRxOversizeDropped, vlanSetRxOversizeDropped,
  vlanStatHits, vlanSetStatHits, vlanStatWasted, vlanSetStatWasted, vlanStatFallbacks,
  vlanSetStatFallbacks, vlanStatDropped, vlanSetStatDropped,
} from '../gen/layout';
import { dmaLd64, dmaWrite } from './tce';
import { vioPulse, vioSignalEnabled } from './vio';
import { llanSlot, llanIndex, statEntry, bdAddr, bdLen, VLAN_RX_HDR } from './llan-device';
import { poolsTake, poolsTakeFallback } from './llan-rx-pools';
import { legacyTake } from './llan-rx-legacy';
import { counterIncrement, rxqPush } from './llan-rx-queue';
import { traceVlan, TRACE_VLAN_RX_RETRY, TRACE_VLAN_RX_DROP, TRACE_VLAN_FLUSH } from './llan-trace';

/** Outcomes of receive() (spec 4.2). */
export const RX_ACCEPTED: u32 = 0;
export const RX_DROP: u32 = 1;
export const RX_RETRY: u32 = 2;

/** rxStage record header and the wrap marker the host writes when a record does not fit at the end. */
export const RX_REC_HDR: u32 = 8;
export const RX_REC_WRAP: u32 = 0xffffffff;

// @ts-ignore: decorator
@inline function ring(v: u32): u32 { return RX_STAGE_BASE + llanIndex(v) * RX_STAGE_STRIDE; }

/** canReceive() of spec 4.2: open and holding buffers. */
// @ts-ignore: decorator
@inline export function llanCanReceive(v: u32): bool { return vlanIsOpen(v) != 0 && vlanRxBufs(v) != 0; }

/** The frame in emulator memory at `frame` (size bytes) offered to the device: spec 4.3. */
export function llanReceive(v: u32, frame: u32, size: u32): u32 {
  const slot = llanSlot(v);
  const rxq = dmaLd64(slot, vlanBufList(v)); // re-read on every receive (spec 4.3)
  if (vlanIsOpen(v) == 0) {
    traceVlan(TRACE_VLAN_RX_DROP, size, 0);
    vlanSetRxClosedDropped(v, vlanRxClosedDropped(v) + 1);
    return RX_DROP; // no counter
  }
  if (vlanRxBufs(v) == 0) {
    traceVlan(TRACE_VLAN_RX_RETRY, size, 0);
    counterIncrement(slot, v);
    vlanSetRxNoBuffer(v, vlanRxNoBuffer(v) + 1);
    return RX_RETRY;
  }
  const need = size + VLAN_RX_HDR;
  const bd = vlanPoolsEnabled(v) != 0 ? poolsTake(v, need) : legacyTake(slot, v, need);
  if (bd == 0) {
    traceVlan(TRACE_VLAN_RX_RETRY, size, vlanRxBufs(v));
    counterIncrement(slot, v);
    vlanSetRxNoFit(v, vlanRxNoFit(v) + 1);
    return nofitRetry(v);
  }
  vlanSetRxBufs(v, vlanRxBufs(v) - 1); // the buffer is consumed from here on
  const len = bdLen(bd);
  const e = statEntry(v, len);
  if (!dmaWrite(slot, bdAddr(bd) + VLAN_RX_HDR, frame, size)) {
    // Q11: the buffer is lost, no entry, no counter.
    traceVlan(TRACE_VLAN_RX_DROP, size, 1);
    vlanSetRxDmaDropped(v, vlanRxDmaDropped(v) + 1);
    if (e >= 0) vlanSetStatDropped(v, <u32>e, vlanStatDropped(v, <u32>e) + 1);
    return RX_DROP;
  }
  rxqPush(slot, v, rxq, bd, size);
  if (vioSignalEnabled(slot)) vioPulse(slot); // spec 4.9: after the entry is written
  vlanSetRxFrames(v, vlanRxFrames(v) + 1);
  vlanSetRxBytes(v, vlanRxBytes(v) + <u64>size);
  if (e >= 0) {
    const i = <u32>e;
    vlanSetStatHits(v, i, vlanStatHits(v, i) + 1);
    vlanSetStatWasted(v, i, vlanStatWasted(v, i) + <u64>(len - need));
    if (vlanPoolsEnabled(v) != 0 && poolsTakeFallback) vlanSetStatFallbacks(v, i, vlanStatFallbacks(v, i) + 1);
  }
  return RX_ACCEPTED;
}

/**
 * A "no suitable buffer" RETRY (spec 4.7). With rx-nofit-timeout (Q3) the head frame may wait that
 * long in guest virtual time (a retry timer is armed), then the next failing attempt drops it.
 */
function nofitRetry(v: u32): u32 {
  const timeout = vlanNofitTimeoutNs(v);
  if (timeout == 0) return RX_RETRY; // QEMU-compatible: retried until a buffer fits
  const now = machineVclockNs();
  if (vlanNofitActive(v) == 0) {
    vlanSetNofitActive(v, 1);
    vlanSetNofitSinceNs(v, now);
    vlanSetNofitDeadlineNs(v, now + timeout);
    return RX_RETRY;
  }
  if (now - vlanNofitSinceNs(v) < timeout) return RX_RETRY;
  traceVlan(TRACE_VLAN_RX_DROP, 0, 2);
  vlanSetRxOversizeDropped(v, vlanRxOversizeDropped(v) + 1);
  return RX_DROP;
}

/** Offers the head pending frame; pops it unless RETRY. */
function offerHead(v: u32): u32 {
  const base = ring(v);
  let head = vlanRxPendHead(v);
  if (head + RX_REC_HDR > RX_STAGE_SIZE || load<u32>(base + head) == RX_REC_WRAP) head = 0;
  // In bounds: the host wrote a whole record at head (len <= the ring size).
  const len = load<u32>(base + head);
  const r = llanReceive(v, base + head + RX_REC_HDR, len);
  if (r == RX_RETRY) {
    vlanSetRxPendHead(v, head);
    return r;
  }
  vlanSetNofitActive(v, 0);
  vlanSetNofitDeadlineNs(v, 0);
  const count = vlanRxPendCount(v) - 1;
  vlanSetRxPendCount(v, count);
  if (count == 0) {
    vlanSetRxPendHead(v, 0);
    vlanSetRxPendTail(v, 0);
  } else {
    vlanSetRxPendHead(v, head + RX_REC_HDR + ((len + 7) & ~7));
  }
  return r;
}

/** Flush (spec 4.2): clears stalled, then offers pending frames without consulting canReceive. */
export function llanFlush(v: u32): void {
  traceVlan(TRACE_VLAN_FLUSH, vlanRxPendCount(v), machineVclockNs());
  vlanSetStalled(v, 0);
  while (vlanRxPendCount(v) != 0) {
    if (offerHead(v) == RX_RETRY) {
      vlanSetStalled(v, 1);
      return;
    }
  }
}

/**
 * Arrival of the last `n` records the host appended (spec 4.2, flow-controlled model): a frame is
 * offered only while nothing older is pending, the device is not stalled and canReceive() holds.
 */
export function llanArrive(index: u32, n: u32): void {
  const v = vlanBase(index);
  if (vlanRxPendCount(v) != n) return; // older frames pending: the new ones queue behind them
  while (vlanRxPendCount(v) != 0 && vlanStalled(v) == 0 && llanCanReceive(v)) {
    if (offerHead(v) == RX_RETRY) vlanSetStalled(v, 1);
  }
}

/** Runs every device timer due at the current virtual time (flush timer spec 4.8; Q3 retry). */
export function llanTimers(): void {
  const now = machineVclockNs();
  for (let i: u32 = 0; i < VLAN_INSTANCES; i++) {
    const v = vlanBase(i);
    if (vlanPresent(v) == 0) continue;
    const flush = vlanFlushDeadlineNs(v);
    const nofit = vlanNofitDeadlineNs(v);
    let due = false;
    if (flush != 0 && flush <= now) { vlanSetFlushDeadlineNs(v, 0); due = true; }
    if (nofit != 0 && nofit <= now) { vlanSetNofitDeadlineNs(v, 0); due = true; }
    if (due) llanFlush(v); // Q12: fires even when the device was freed meanwhile
  }
}

/** The earliest armed device timer deadline in virtual ns, or 0 when none is armed. */
export function llanNextDeadline(): u64 {
  let next: u64 = 0;
  for (let i: u32 = 0; i < VLAN_INSTANCES; i++) {
    const v = vlanBase(i);
    if (vlanPresent(v) == 0) continue;
    const a = vlanFlushDeadlineNs(v), b = vlanNofitDeadlineNs(v);
    if (a != 0 && (next == 0 || a < next)) next = a;
    if (b != 0 && (next == 0 || b < next)) next = b;
  }
  return next;
}
