import type { BlockDecl } from './schema.js';

/** Entries in the table of unimplemented opcodes met by the CPU (cpu.unimpl*). */
export const UNIMPL_SLOTS = 64;

/** Architected state of the one POWER9 vCPU (Power ISA v3.0) plus run-loop bookkeeping. */
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
    // Interrupt state (Power ISA 3.0 Book III 7.2, 7.5).
    { name: 'srr0', type: 'u64', migrate: 'save', doc: 'SPR 26: save/restore 0 (interrupted ea)' },
    { name: 'srr1', type: 'u64', migrate: 'save', doc: 'SPR 27: save/restore 1 (MSR + cause bits)' },
    { name: 'hsrr0', type: 'u64', migrate: 'save', doc: 'SPR 314: hypervisor save/restore 0' },
    { name: 'hsrr1', type: 'u64', migrate: 'save', doc: 'SPR 315: hypervisor save/restore 1' },
    { name: 'sprg', type: 'u64', count: 4, migrate: 'save', doc: 'SPR 272..275: SPRG0..3 (SPR 259 reads SPRG3 from problem state)' },
    { name: 'hsprg', type: 'u64', count: 2, migrate: 'save', doc: 'SPR 304/305: HSPRG0/1' },
    { name: 'dar', type: 'u64', migrate: 'save', doc: 'SPR 19: data address register (faulting ea)' },
    { name: 'dsisr', type: 'u32', migrate: 'save', doc: 'SPR 18: data storage interrupt status' },
    { name: 'cfar', type: 'u64', migrate: 'save', doc: 'SPR 28: come-from address register (ea of the last taken branch / rfid)' },
    // Timebase and decrementer (Book II 5, Book III 9): both derived from machine.vclockNs.
    { name: 'tbOffset', type: 'u64', migrate: 'save', doc: 'TB = vclockNs * 512/1000 + tbOffset (ticks, mod 2^64)' },
    { name: 'decValue', type: 'u64', migrate: 'save', doc: 'DEC (ticks, sign-extended) written at TB decTb' },
    { name: 'decTb', type: 'u64', migrate: 'save', doc: 'TB (ticks) when decValue was written; DEC = decValue - (TB - decTb)' },
    // Identification and control SPRs.
    { name: 'pvr', type: 'u32', migrate: 'equal', doc: 'SPR 287: processor version (POWER9 v2.0 as QEMU 7.2: 0x004e1200)' },
    { name: 'pir', type: 'u32', migrate: 'equal', doc: 'SPR 1023: processor id (0 for the one vCPU)' },
    { name: 'lpcr', type: 'u64', migrate: 'save', doc: 'SPR 318: logical partitioning control (ILE bit 38, AIL 39:40, LD 46); set by the host (H_SET_MODE)' },
    { name: 'hid0', type: 'u64', migrate: 'save', doc: 'SPR 1008: hardware implementation register 0 (stored only)' },
    { name: 'ppr', type: 'u64', migrate: 'save', doc: 'SPR 896: program priority register (stored only)' },
    { name: 'dscr', type: 'u64', migrate: 'save', doc: 'SPR 17/3: data stream control (stored only)' },
    { name: 'amr', type: 'u64', migrate: 'save', doc: 'SPR 29: authority mask (stored; checked once the radix MMU exists)' },
    { name: 'iamr', type: 'u64', migrate: 'save', doc: 'SPR 61: instruction authority mask (stored)' },
    { name: 'uamor', type: 'u64', migrate: 'save', doc: 'SPR 157: user AMR override mask (stored)' },
    { name: 'pidr', type: 'u64', migrate: 'save', doc: 'SPR 48: process id (radix, stored)' },
    { name: 'ctrl', type: 'u32', migrate: 'save', doc: 'SPR 136/152: CTRL run latch (stored)' },
    { name: 'tar', type: 'u64', migrate: 'save', doc: 'SPR 815: target address register (bctar)' },
    { name: 'fscr', type: 'u64', migrate: 'save', doc: 'SPR 153: facility status and control (stored)' },
    { name: 'vrsave', type: 'u32', migrate: 'save', doc: 'SPR 256: VRSAVE (stored)' },
    { name: 'sprMisc', type: 'u64', count: 8, migrate: 'save', doc: 'other stored-only SPRs: 0 PSPB(159) 1 PURR(309) 2 SPURR(308) 3 MMCR0(779/795) 4 HDEC(310) 5 LPIDR(319) 6 PTCR(464) 7 HRMOR(313)' },
    // Reservation (Book II 4.4): one reservation granule, set by l*arx, cleared by st*cx. and interrupts.
    { name: 'resAddr', type: 'u64', migrate: 'none', doc: 'real address of the reservation' },
    { name: 'resValid', type: 'u32', migrate: 'none', doc: '1 while a reservation is held' },
    { name: 'resLen', type: 'u32', migrate: 'none', doc: 'length (bytes) of the reserved access' },
    { name: 'resVal', type: 'u64', migrate: 'none', doc: 'value loaded by l*arx (st*cx. succeeds only if memory still holds it)' },
    // Interrupt inputs and run state.
    { name: 'externalPending', type: 'u32', migrate: 'save', doc: '1 = external interrupt input asserted (level; host/devices set, interrupt controller clears)' },
    { name: 'idle', type: 'u32', migrate: 'save', doc: '1 = vCPU idle after H_CEDE until an interrupt is deliverable' },
    { name: 'insnCount', type: 'u64', migrate: 'save', doc: 'instructions executed since creation (advances vclockNs, NS_PER_INSN each)' },
    { name: 'interrupts', type: 'u64', migrate: 'none', doc: 'interrupts delivered (counter)' },
    { name: 'decInterrupts', type: 'u32', migrate: 'none', doc: 'decrementer interrupts delivered (counter)' },
    { name: 'extInterrupts', type: 'u32', migrate: 'none', doc: 'external interrupts delivered (counter)' },
    { name: 'relocAccesses', type: 'u64', migrate: 'none', doc: 'accesses made with MSR[IR] or MSR[DR] = 1 (no MMU yet: translated as real mode)' },
    // Unimplemented instructions and SPRs: never silent (issue 3).
    { name: 'unimplTotal', type: 'u32', migrate: 'none', doc: 'unimplemented instructions met (each raised a program interrupt)' },
    { name: 'unimplKey', type: 'u32', count: UNIMPL_SLOTS, migrate: 'none', doc: 'opcode key primary<<16 | extended opcode; see host-ts/cpu/mnemonics.ts' },
    { name: 'unimplCount', type: 'u32', count: UNIMPL_SLOTS, migrate: 'none', doc: 'times each key was met' },
    { name: 'unimplInsn', type: 'u32', count: UNIMPL_SLOTS, migrate: 'none', doc: 'last instruction word met for each key' },
    { name: 'unimplNip', type: 'u64', count: UNIMPL_SLOTS, migrate: 'none', doc: 'ea of that instruction' },
    { name: 'unimplOverflow', type: 'u32', migrate: 'none', doc: 'unimplemented instructions whose key found no free slot' },
    { name: 'unknownSprCount', type: 'u32', migrate: 'none', doc: 'mfspr/mtspr of SPRs we do not model (no-op or program interrupt)' },
    { name: 'unknownSprLast', type: 'u32', migrate: 'none', doc: 'last such SPR number | 0x10000 for mtspr' },
  ],
};
