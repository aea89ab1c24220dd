// Interrupts (Power ISA 3.0 Book III 7): SRR0/SRR1, the new MSR, vectors, and the check for
// asynchronous interrupts the run loop makes between instructions.
//
// We are the hypervisor of a PAPR guest (QEMU pseries "vhyp"): every interrupt here is a non-HV
// interrupt. New MSR = ME and HV kept, SF = 1, LE = LPCR[ILE], everything else 0 (IR = DR = EE =
// PR = FP = VEC = VSX = RI = 0), as QEMU's powerpc_excp for POWER9 does. Vectors are the real
// address of the offset, unless the interrupted context ran with MSR[IR] = MSR[DR] = 1 and
// LPCR[AIL] is 2 or 3 (Book III 7.5: alternate interrupt location): then the handler runs with
// IR = DR = 1 at 0x18000 + offset or 0xc000000000004000 + offset (Linux sets AIL = 3 through
// H_SET_MODE). Without the radix MMU such addresses are translated as real mode (mmu.ts).
import {
  cpuMsr, cpuSetMsr, cpuSetSrr0, cpuSetSrr1, cpuLpcr, cpuSetResValid, cpuInterrupts, cpuSetInterrupts,
  cpuExternalPending, cpuSetDar, cpuSetDsisr, cpuDecInterrupts, cpuSetDecInterrupts,
  cpuExtInterrupts, cpuSetExtInterrupts, cpuSetLr, cpuSetCtr,
} from '../gen/layout';
import { MSR_EE, MSR_HV, MSR_LE, MSR_ME, MSR_SF, MSR_IR, MSR_DR, MSR_RI, msrChanged, setNextPc, pc, nextPc } from './regs';
import { decPending } from './timebase';

export const VEC_DSI: u64 = 0x300;
export const VEC_ISI: u64 = 0x400;
export const VEC_EXTERNAL: u64 = 0x500;
export const VEC_ALIGNMENT: u64 = 0x600;
export const VEC_PROGRAM: u64 = 0x700;
export const VEC_FP_UNAVAILABLE: u64 = 0x800;
export const VEC_DECREMENTER: u64 = 0x900;
export const VEC_SYSCALL: u64 = 0xc00;
export const VEC_VMX_UNAVAILABLE: u64 = 0xf20;
export const VEC_VSX_UNAVAILABLE: u64 = 0xf40;
export const VEC_FACILITY_UNAVAILABLE: u64 = 0xf60;

// Program interrupt causes in SRR1 (Book III 7.5.9): ISA bits 43..46.
export const PROG_FP: u64 = 0x100000;
export const PROG_ILLEGAL: u64 = 0x80000;
export const PROG_PRIVILEGED: u64 = 0x40000;
export const PROG_TRAP: u64 = 0x20000;

/** SRR1 bits 33:36 and 42:47 carry the cause; the rest is copied from MSR (Book III 7.4). */
const SRR1_CAUSE_MASK: u64 = 0x783f0000;
export const LPCR_ILE: u64 = 1 << 25; // ISA bit 38
export const LPCR_AIL_SHIFT: u64 = 23;  // ISA bits 39:40

/** The vector after LPCR[AIL] relocation for an interrupt from a context with MSR `msr`
 *  (`base3` = the AIL = 3 base: 0xc000000000004000, or ...3000 for scv; `ail2` = the AIL = 2
 *  base, 0 = AIL = 2 not applied). */
function applyAil(vector: u64, msr: u64, base3: u64, ail2: u64): u64 {
  if ((msr & (MSR_IR | MSR_DR)) != (MSR_IR | MSR_DR) || (msr & MSR_HV) != 0) return vector;
  const ail = (cpuLpcr() >> LPCR_AIL_SHIFT) & 3;
  if (ail == 3) return base3 + vector;
  if (ail == 2 && ail2 != 0) return ail2 + vector;
  return vector;
}

/** Takes interrupt `vector`: SRR0 = srr0, SRR1 = MSR with cause bits, MSR per the ISA. */
export function raise(vector: u64, srr0: u64, cause: u64): void {
  const msr = cpuMsr();
  cpuSetSrr0(srr0);
  cpuSetSrr1((msr & ~SRR1_CAUSE_MASK) | cause);
  let nm = (msr & (MSR_ME | MSR_HV)) | MSR_SF;
  if ((cpuLpcr() & LPCR_ILE) != 0) nm |= MSR_LE;
  const target = applyAil(vector, msr, 0xc000000000004000, 0x18000);
  if (target != vector) nm |= MSR_IR | MSR_DR;
  enter(nm, target);
}

function enter(nm: u64, target: u64): void {
  cpuSetMsr(nm);
  msrChanged();
  cpuSetResValid(0); // an interrupt clears the reservation (as QEMU)
  cpuSetInterrupts(cpuInterrupts() + 1);
  setNextPc(target);
}

/**
 * System call vectored (scv LEV, ISA 3.0): LR = next instruction, CTR = MSR (cause bits 0), SRR0/1
 * untouched; EE, RI, ME and HV are kept (Linux relies on EE staying on); vector 0x17000 + 0x20 *
 * LEV in real mode, 0xc000000000003000 + 0x20 * LEV with AIL = 3.
 */
export function systemCallVectored(lev: u64, next: u64): void {
  const msr = cpuMsr();
  cpuSetLr(next);
  cpuSetCtr(msr & ~SRR1_CAUSE_MASK);
  let nm = (msr & (MSR_EE | MSR_RI | MSR_ME | MSR_HV)) | MSR_SF;
  if ((cpuLpcr() & LPCR_ILE) != 0) nm |= MSR_LE;
  const off = lev * 0x20;
  let target = applyAil(off, msr, 0xc000000000003000, 0); // AIL = 2 for scv: not modelled (real-mode vector)
  if (target != off) nm |= MSR_IR | MSR_DR;
  else target = 0x17000 + off;
  enter(nm, target);
}

/** Program interrupt for the current instruction (illegal / privileged / trap). */
export function programInterrupt(cause: u64): void {
  raise(VEC_PROGRAM, pc, cause);
}

/** Data storage interrupt: DAR = ea, DSISR bit 33 (no translation / no storage), bit 38 if a store. */
export function dataStorage(ea: u64, store: bool): void {
  cpuSetDar(ea);
  cpuSetDsisr(store ? 0x42000000 : 0x40000000);
  raise(VEC_DSI, pc, 0);
}

/** Instruction storage interrupt for a fetch at pc: SRR1 bit 33. */
export function instructionStorage(): void {
  raise(VEC_ISI, pc, 0x40000000);
}

/** Alignment interrupt: DAR = ea, DSISR from the instruction's RT/RA fields (as QEMU). */
export function alignment(ea: u64, insn: u32): void {
  cpuSetDar(ea);
  cpuSetDsisr((insn >> 16) & 0x3ff);
  raise(VEC_ALIGNMENT, pc, 0);
}

/**
 * Delivers the highest-priority pending asynchronous interrupt enabled by MSR[EE]: external
 * before decrementer (Book III 7.8). Called between instructions: SRR0 = the next instruction.
 */
export function checkInterrupts(): bool {
  if ((cpuMsr() & MSR_EE) == 0) return false;
  if (cpuExternalPending() != 0) {
    cpuSetExtInterrupts(cpuExtInterrupts() + 1);
    raise(VEC_EXTERNAL, nextPc, 0);
    return true;
  }
  if (decPending()) {
    cpuSetDecInterrupts(cpuDecInterrupts() + 1);
    raise(VEC_DECREMENTER, nextPc, 0);
    return true;
  }
  return false;
}

/** An asynchronous interrupt could be taken now (idle wake-up test). */
export function interruptDeliverable(): bool {
  return (cpuMsr() & MSR_EE) != 0 && (cpuExternalPending() != 0 || decPending());
}
