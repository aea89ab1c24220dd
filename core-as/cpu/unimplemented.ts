// Instructions we do not implement: counted by opcode key in the cpu state block (the host names
// them with host-ts/cpu/mnemonics.ts) and answered with a program interrupt (illegal instruction),
// never ignored (issue 3).
import {
  cpuUnimplTotal, cpuSetUnimplTotal, cpuUnimplKey, cpuSetUnimplKey, cpuUnimplCount, cpuSetUnimplCount,
  cpuSetUnimplInsn, cpuSetUnimplNip, cpuUnimplOverflow, cpuSetUnimplOverflow, CPU_UNIMPL_KEY_COUNT,
} from '../gen/layout';
import { pc } from './regs';
import { programInterrupt, PROG_ILLEGAL } from './exceptions';

/** primary << 16 | extended opcode: the bits that name an instruction (Book I 1.7 forms). */
export function opcodeKey(insn: u32): u32 {
  const op = insn >> 26;
  let xo: u32 = 0;
  switch (op) {
    case 4: xo = insn & 0x7ff; break;                 // VX / VA / VC forms
    case 19: case 31: case 59: case 63: xo = (insn >> 1) & 0x3ff; break;
    case 30: xo = (insn >> 1) & 0xf; break;           // MD / MDS
    case 60: xo = (insn >> 1) & 0x3ff; break;         // XX forms (host decodes the sub-forms)
    case 56: case 57: case 58: case 61: case 62: xo = insn & 7; break; // DS / DQ forms
    default: break;
  }
  return (op << 16) | xo;
}

/** Records `insn` at pc in the table; does not raise anything. */
export function recordUnimplemented(insn: u32): void {
  cpuSetUnimplTotal(cpuUnimplTotal() + 1);
  const key = opcodeKey(insn) | 0x80000000; // bit 31 marks a used slot (key 0 is a real opcode)
  for (let i: u32 = 0; i < CPU_UNIMPL_KEY_COUNT; i++) {
    const k = cpuUnimplKey(i);
    if (k == key || k == 0) {
      cpuSetUnimplKey(i, key);
      cpuSetUnimplCount(i, cpuUnimplCount(i) + 1);
      cpuSetUnimplInsn(i, insn);
      cpuSetUnimplNip(i, pc);
      return;
    }
  }
  cpuSetUnimplOverflow(cpuUnimplOverflow() + 1);
}

/** An instruction we do not implement: recorded, then a program interrupt (illegal). */
export function unimplemented(insn: u32): void {
  recordUnimplemented(insn);
  programInterrupt(PROG_ILLEGAL);
}
