import type { BlockDecl } from './schema.js';

/** Architected state of the one POWER9 vCPU (Power ISA v3.0). */
export const cpuState: BlockDecl = {
  name: 'cpu',
  version: 1,
  minVersion: 1,
  instances: 1,
  doc: 'POWER9 vCPU registers',
  fields: [
    { name: 'gpr', type: 'u64', count: 32, migrate: 'save', doc: 'general purpose registers r0..r31; hypercall ABI: r3 = opcode/status, r4..r12 = args/rets (spec 1.5)' },
    { name: 'nip', type: 'u64', migrate: 'save', doc: 'next instruction address (ea)' },
    { name: 'msr', type: 'u64', migrate: 'save', doc: 'machine state register' },
    { name: 'cr', type: 'u32', migrate: 'save', doc: 'condition register, CR0 in bits 31..28' },
    { name: 'xer', type: 'u64', migrate: 'save', doc: 'fixed-point exception register (SO, OV, CA, OV32, CA32, byte count)' },
    { name: 'lr', type: 'u64', migrate: 'save', doc: 'link register' },
    { name: 'ctr', type: 'u64', migrate: 'save', doc: 'count register' },
  ],
};
