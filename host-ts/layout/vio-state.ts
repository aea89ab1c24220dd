import type { BlockDecl } from './schema.js';

export const MAX_VIO_DEVICES = 8;

/** Per-VIO-device bus state (QEMU spapr_vio): one slot per device on /vdevice. */
export const vioState: BlockDecl = {
  name: 'vio',
  version: 1,
  minVersion: 1,
  instances: MAX_VIO_DEVICES,
  doc: 'VIO bus slot: unit address, interrupt, signal state, kind (spec 1.2-1.4)',
  fields: [
    { name: 'kind', type: 'u32', migrate: 'equal', doc: 'VIO_KIND_*: 0 = free slot, 1 = vty, 2 = vlan' },
    { name: 'reg', type: 'u32', migrate: 'equal', doc: 'unit address = LIOBN (spec 1.2, 1.3)' },
    { name: 'irq', type: 'u32', migrate: 'equal', doc: 'interrupt number 0x1100 | (reg & 0xff) (spec 1.4)' },
    { name: 'kindIndex', type: 'u32', migrate: 'equal', doc: 'instance index in the kind block (vlan N)' },
    { name: 'signalMask', type: 'u64', migrate: 'none', doc: 'legal H_VIO_SIGNAL bits (vlan 0x1, vty 0) (spec 2.9)' },
    { name: 'signalState', type: 'u64', migrate: 'save', doc: 'interrupt enable word set by H_VIO_SIGNAL (spec 1.4)' },
    { name: 'tceEntries', type: 'u32', migrate: 'equal', doc: 'TCE table size in entries (0 = no DMA window) (spec 1.3)' },
    { name: 'irqPulses', type: 'u32', migrate: 'none', doc: 'interrupt pulses raised since creation (counter)' },
    { name: 'irqPending', type: 'u32', migrate: 'save', doc: '1 = an interrupt pulse is waiting for the CPU/interrupt controller' },
  ],
};
