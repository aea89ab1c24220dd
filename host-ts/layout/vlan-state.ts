import type { BlockDecl } from './schema.js';

export const MAX_VLAN_DEVICES = 4;
export const RX_MAX_POOLS = 5;          // spec 4.1
export const RX_POOL_MAX_BDS = 4096;    // spec 4.1
/** Per-buffer-size telemetry entries (pools and legacy alike; beyond QEMU). */
export const VLAN_STAT_SIZES = 8;

/** spapr-vlan device state (spec 4.1, migration spec 7), plus host-only delivery and telemetry state. */
export const vlanState: BlockDecl = {
  name: 'vlan',
  version: 1,
  minVersion: 1,
  instances: MAX_VLAN_DEVICES,
  doc: 'PAPR virtual LAN (spapr-vlan / ibmveth)',
  subsections: [
    { name: 'rx_pools', version: 1, needed: 'poolsEnabled' },
    // Frames waiting in the host-side pending queue (spec 4.2) travel too, ring bytes in region rxStage
    // (beyond QEMU, which drops them): sent iff any are pending.
    { name: 'rx_pending', version: 1, needed: 'rxPendCount' },
  ],
  fields: [
    { name: 'vio', type: 'u32', migrate: 'none', doc: 'index of this device\'s VIO slot' },
    { name: 'present', type: 'u8', migrate: 'none', doc: '1 = this instance is a configured device' },
    { name: 'isOpen', type: 'u8', migrate: 'save', doc: 'registered and not freed (spec 4.1 open)' },
    { name: 'poolsEnabled', type: 'u8', migrate: 'equal', doc: 'property use-rx-buffer-pools (spec 6.1)' },
    { name: 'addBuffersHcall', type: 'u8', migrate: 'none', doc: 'property add-buffers-hcall: H_ADD_LOGICAL_LAN_BUFFERS + H_ILLAN_ATTRIBUTES (beyond QEMU)' },
    { name: 'bufList', type: 'u64', migrate: 'save', doc: 'ioba of the buffer-list page, full 64 bits as passed (spec 2.3, Q4)' },
    { name: 'addBufPtr', type: 'u32', migrate: 'save', doc: 'legacy: byte offset of the last slot filled (spec 4.4)' },
    { name: 'useBufPtr', type: 'u32', migrate: 'save', doc: 'legacy: byte offset of the last slot consumed (spec 4.4)' },
    { name: 'rxBufs', type: 'u32', migrate: 'save', doc: 'RX buffers held by the device, both modes (spec 4.1)' },
    { name: 'rxqPtr', type: 'u64', migrate: 'save', doc: 'byte offset of the next RX-queue entry (spec 4.6)' },
    { name: 'mac', type: 'u64', migrate: 'none', doc: 'current MAC, low 48 bits (spec 2.8, 3.7); not migrated (spec 7)' },
    { name: 'permMac', type: 'u64', migrate: 'none', doc: 'configured MAC, restored by H_FREE and reset (spec 2.4, 6.3)' },
    // Host-side delivery model (spec 4.2): the pending FIFO lives in region rxStage (one per device).
    { name: 'stalled', type: 'u8', migrate: 'none', doc: 'a RETRY blocks delivery until the next flush (spec 4.2)' },
    { name: 'nofitActive', type: 'u8', migrate: 'none', doc: '1 = the head pending frame has failed to fit a posted buffer (Q3 bound)' },
    { name: 'rxPendHead', type: 'u32', migrate: 'save', subsection: 'rx_pending', doc: 'byte offset in rxStage of the oldest pending frame record' },
    { name: 'rxPendTail', type: 'u32', migrate: 'save', subsection: 'rx_pending', doc: 'byte offset in rxStage where the host appends the next record' },
    { name: 'rxPendCount', type: 'u32', migrate: 'save', subsection: 'rx_pending', doc: 'frames pending (spec 4.2 pending)' },
    { name: 'rxPendMax', type: 'u32', migrate: 'none', doc: 'property rx-pending-max: bound of pending, in frames (spec 4.2)' },
    { name: 'flushDeadlineNs', type: 'u64', migrate: 'none', doc: 'virtual ns at which the flush timer fires; 0 = not armed (spec 4.8, not migrated)' },
    { name: 'nofitTimeoutNs', type: 'u64', migrate: 'none', doc: 'property rx-nofit-timeout (ns): drop a frame no posted buffer fits after this wait; 0 = QEMU (stall) (Q3)' },
    { name: 'nofitSinceNs', type: 'u64', migrate: 'none', doc: 'virtual ns of the head frame\'s first no-fit attempt (Q3)' },
    { name: 'nofitDeadlineNs', type: 'u64', migrate: 'none', doc: 'virtual ns of the Q3 retry; 0 = not armed' },
    { name: 'txUsed', type: 'u32', migrate: 'none', doc: 'bytes of transmitted-frame records in region txStage, drained by the host' },
    // Counters (host-only, not migrated). Named for what they count.
    { name: 'rxFrames', type: 'u64', migrate: 'none', doc: 'frames written to the RX queue (ACCEPTED)' },
    { name: 'rxBytes', type: 'u64', migrate: 'none', doc: 'bytes of accepted frames' },
    { name: 'rxNoBuffer', type: 'u64', migrate: 'none', doc: 'RETRY attempts with rx_bufs = 0 (spec 4.7)' },
    { name: 'rxNoFit', type: 'u64', migrate: 'none', doc: 'RETRY attempts where no posted buffer fits (spec 4.7)' },
    { name: 'rxClosedDropped', type: 'u64', migrate: 'none', doc: 'frames offered while closed, discarded (spec 4.3, Q12)' },
    { name: 'rxDmaDropped', type: 'u64', migrate: 'none', doc: 'frames lost to a failed DMA write after buffer selection (Q11)' },
    { name: 'rxOversizeDropped', type: 'u64', migrate: 'none', doc: 'frames dropped after waiting rx-nofit-timeout for a fitting buffer (Q3)' },
    { name: 'rxPendingOverflow', type: 'u64', migrate: 'none', doc: 'frames refused because pending was full (spec 4.2 bound; not guest-visible)' },
    { name: 'txFrames', type: 'u64', migrate: 'none', doc: 'frames sent by H_SEND_LOGICAL_LAN' },
    { name: 'txBytes', type: 'u64', migrate: 'none', doc: 'bytes sent' },
    { name: 'txErrors', type: 'u64', migrate: 'none', doc: 'H_SEND_LOGICAL_LAN calls failing with H_RESOURCE or H_DEST_PARM' },
    // Per-buffer-size telemetry (beyond QEMU): entry e describes buffers of statSize[e] bytes.
    { name: 'statSize', type: 'u32', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'buffer size of telemetry entry e in bytes; 0 = unused' },
    { name: 'statPosted', type: 'u64', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'buffers of that size posted (H_ADD accepted)' },
    { name: 'statHits', type: 'u64', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'frames received into a buffer of that size' },
    { name: 'statFallbacks', type: 'u64', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'pools: frames that took this size because a smaller fitting pool was empty' },
    { name: 'statWasted', type: 'u64', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'bytes of buffer left unused by received frames (size - 8 - frame)' },
    { name: 'statDropped', type: 'u64', count: VLAN_STAT_SIZES, migrate: 'none', doc: 'frames lost after taking a buffer of that size (DMA failure, Q11)' },
    { name: 'poolBufSize', type: 'i32', count: RX_MAX_POOLS, migrate: 'save', subsection: 'rx_pools', doc: 'pool buffer size in bytes, sorted ascending; 0x7fffffff = unused (spec 4.5)' },
    { name: 'poolCount', type: 'i32', count: RX_MAX_POOLS, migrate: 'save', subsection: 'rx_pools', doc: 'descriptors held per pool (spec 4.5)' },
    { name: 'poolBds', type: 'u64', count: RX_MAX_POOLS * RX_POOL_MAX_BDS, migrate: 'save', subsection: 'rx_pools', doc: 'pool p slot i at [p * 4096 + i]: raw descriptors, LIFO (spec 4.5)' },
  ],
};
