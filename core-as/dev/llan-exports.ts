// Host entry points of the spapr-vlan fast path (re-exported by core-as/index.ts). Each call does a
// whole batch: the host never crosses into Wasm per frame.
import { vlanBase, H_HARDWARE, cpuSetGpr } from '../gen/layout';
import { llanArrive, llanFlush, llanTimers, llanNextDeadline } from './llan-rx';
import { llanClose } from './llan-hcalls';
import { poolsReset } from './llan-rx-pools';
import { hSendLogicalLan } from './llan-tx';

/** The host appended `n` frames to vlan `index`'s pending ring: deliver what the model allows (spec 4.2). */
export function vlanArrive(index: u32, n: u32): void {
  llanArrive(index, n);
}

/** Flush of vlan `index` (spec 4.2). */
export function vlanFlush(index: u32): void {
  llanFlush(vlanBase(index));
}

/** Runs device timers due at machine.vclockNs; returns the next deadline (0 = none). */
export function devTimers(): u64 {
  llanTimers();
  return llanNextDeadline();
}

/** Earliest armed device timer deadline in virtual ns (0 = none). */
export function devNextDeadline(): u64 {
  return llanNextDeadline();
}

/** Device reset actions of vlan `index` done in Wasm (spec 6.3: the H_FREE actions; pools always emptied). */
export function vlanReset(index: u32): void {
  const v = vlanBase(index);
  llanClose(v);
  poolsReset(v);
}

/** Re-runs H_SEND_LOGICAL_LAN after the host drained the TX staging regions. */
export function vlanSendRetry(): void {
  if (!hSendLogicalLan()) cpuSetGpr(3, <u64>H_HARDWARE); // cannot happen: an empty region holds 64 KiB
}
