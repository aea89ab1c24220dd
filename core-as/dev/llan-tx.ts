// TX path: H_SEND_LOGICAL_LAN (spec 2.6, 5). The descriptors' bytes are gathered through the TCE
// window straight into this device's region txStage as a record {u32 len, u32 0, bytes, pad to 8};
// the host drains the records to the backend after the hypercall or run slice. When the region lacks
// room the fast path declines (returns false) before any side effect, the host drains and re-runs it:
// H_SEND stays synchronous and nothing is dropped.
import {
  cpuGpr, cpuSetGpr, TX_STAGE_BASE, TX_STAGE_SIZE, TX_STAGE_STRIDE,
  vlanIsOpen, vlanTxUsed, vlanSetTxUsed, vlanTxFrames, vlanSetTxFrames, vlanTxBytes, vlanSetTxBytes,
  vlanTxErrors, vlanSetTxErrors,
  H_SUCCESS, H_PARAMETER, H_DROPPED, H_HARDWARE, H_RESOURCE, H_DEST_PARM,
} from '../gen/layout';
import { dmaRead } from './tce';
import { llanFind, llanSlot, llanIndex, bdValid, bdLen, bdAddr } from './llan-device';

/** Largest frame H_SEND accepts (spec 2.6 step 6). */
const VLAN_TX_MAX: u32 = 65536;
/** Descriptors in r5..r10. */
const VLAN_TX_BDS: u32 = 6;
export const TX_REC_HDR: u32 = 8;

/** H_SEND_LOGICAL_LAN(unit, bd0..bd5, token, mss): false = staging full, host must drain and retry. */
export function hSendLogicalLan(): bool {
  const v = llanFind(cpuGpr(4));
  if (v == 0) { cpuSetGpr(3, <u64>H_PARAMETER); return true; }
  if (vlanIsOpen(v) == 0) { cpuSetGpr(3, <u64>H_DROPPED); return true; }
  if (cpuGpr(11) != 0) { cpuSetGpr(3, <u64>H_HARDWARE); return true; } // no continuation support
  let n: u32 = 0;
  let total: u32 = 0;
  while (n < VLAN_TX_BDS && bdValid(cpuGpr(5 + n))) {
    total += bdLen(cpuGpr(5 + n)); // <= 6 x (2^24 - 1): no u32 overflow
    n++;
  }
  if (total == 0) { cpuSetGpr(3, <u64>H_SUCCESS); return true; }
  if (total > VLAN_TX_MAX) {
    vlanSetTxErrors(v, vlanTxErrors(v) + 1);
    cpuSetGpr(3, <u64>H_RESOURCE);
    return true;
  }
  const used = vlanTxUsed(v);
  const rec = TX_REC_HDR + ((total + 7) & ~7);
  if (used + rec > TX_STAGE_SIZE) return false;
  const slot = llanSlot(v);
  const base = TX_STAGE_BASE + llanIndex(v) * TX_STAGE_STRIDE + used;
  let at = base + TX_REC_HDR; // in bounds: used + rec <= the region size
  for (let i: u32 = 0; i < n; i++) {
    const bd = cpuGpr(5 + i);
    const len = bdLen(bd);
    if (!dmaRead(slot, bdAddr(bd), at, len)) {
      vlanSetTxErrors(v, vlanTxErrors(v) + 1);
      cpuSetGpr(3, <u64>H_DEST_PARM); // nothing sent: the record is not committed
      return true;
    }
    at += len;
  }
  store<u32>(base, total);
  store<u32>(base + 4, 0);
  vlanSetTxUsed(v, used + rec);
  vlanSetTxFrames(v, vlanTxFrames(v) + 1);
  vlanSetTxBytes(v, vlanTxBytes(v) + <u64>total);
  cpuSetGpr(3, <u64>H_SUCCESS);
  return true;
}
