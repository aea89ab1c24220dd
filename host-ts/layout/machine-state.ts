import type { BlockDecl } from './schema.js';

/** Machine-wide state shared by the CPU loop, devices and the host. */
export const machineState: BlockDecl = {
  name: 'machine',
  version: 1,
  minVersion: 1,
  instances: 1,
  doc: 'machine-wide: guest RAM size, virtual clock, exit protocol between Wasm and host',
  fields: [
    { name: 'ramSize', type: 'u64', migrate: 'equal', doc: 'bytes of guest RAM (-m); fixed at creation' },
    { name: 'vclockNs', type: 'u64', migrate: 'save', doc: 'guest virtual time in ns (drives timebase and device timers)' },
    { name: 'exitReason', type: 'u32', migrate: 'none', doc: 'why the last run slice or hcall returned to the host (EXIT_*)' },
    { name: 'hcallExits', type: 'u32', migrate: 'none', doc: 'count of hypercalls handed to the host (slow path)' },
    { name: 'hcallFast', type: 'u32', migrate: 'none', doc: 'count of hypercalls completed inside Wasm' },
    { name: 'dirtyTracking', type: 'u32', migrate: 'none', doc: '1 while migration tracks dirty RAM pages' },
  ],
};
