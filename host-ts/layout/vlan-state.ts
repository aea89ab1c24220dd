import type { BlockDecl } from './schema.js';

export const MAX_VLAN_DEVICES = 4;
export const RX_MAX_POOLS = 5;          // spec 4.1
export const RX_POOL_MAX_BDS = 4096;    // spec 4.1

/** spapr-vlan device state (spec 4.1, migration spec 7). */
export const vlanState: BlockDecl = {
  name: 'vlan',
  version: 1,
  minVersion: 1,
  instances: MAX_VLAN_DEVICES,
  doc: 'PAPR virtual LAN (spapr-vlan / ibmveth)',
  subsections: [{ name: 'rx_pools', version: 1, needed: 'poolsEnabled' }],
  fields: [
    { name: 'vio', type: 'u32', migrate: 'none', doc: 'index of this device\'s VIO slot' },
    { name: 'isOpen', type: 'u8', migrate: 'save', doc: 'registered and not freed (spec 4.1 open)' },
    { name: 'poolsEnabled', type: 'u8', migrate: 'equal', doc: 'property use-rx-buffer-pools (spec 6.1)' },
    { name: 'bufList', type: 'u64', migrate: 'save', doc: 'ioba of the buffer-list page, full 64 bits as passed (spec 2.3, Q4)' },
    { name: 'addBufPtr', type: 'u32', migrate: 'save', doc: 'legacy: byte offset of the last slot filled (spec 4.4)' },
    { name: 'useBufPtr', type: 'u32', migrate: 'save', doc: 'legacy: byte offset of the last slot consumed (spec 4.4)' },
    { name: 'rxBufs', type: 'u32', migrate: 'save', doc: 'RX buffers held by the device, both modes (spec 4.1)' },
    { name: 'rxqPtr', type: 'u64', migrate: 'save', doc: 'byte offset of the next RX-queue entry (spec 4.6)' },
    { name: 'poolBufSize', type: 'i32', count: RX_MAX_POOLS, migrate: 'save', subsection: 'rx_pools', doc: 'pool buffer size in bytes, sorted ascending; 0x7fffffff = unused (spec 4.5)' },
    { name: 'poolCount', type: 'i32', count: RX_MAX_POOLS, migrate: 'save', subsection: 'rx_pools', doc: 'descriptors held per pool (spec 4.5)' },
    { name: 'poolBds', type: 'u64', count: RX_MAX_POOLS * RX_POOL_MAX_BDS, migrate: 'save', subsection: 'rx_pools', doc: 'pool p slot i at [p * 4096 + i]: raw descriptors, LIFO (spec 4.5)' },
  ],
};
