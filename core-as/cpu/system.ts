// System call, hypercall, return from interrupt, traps, facility checks (Power ISA 3.0 Book III).
import {
  cpuMsr, cpuSetMsr, cpuSrr0, cpuSrr1, cpuHsrr0, cpuHsrr1, cpuSetNip, cpuNip, cpuSetCfar,
  machineExitReason, EXIT_NONE, cpuFscr, cpuSetFscr, cpuLr, cpuCtr,
} from '../gen/layout';
import { hcallDispatch } from '../hcall/dispatch';
import {
  pc, nextPc, setNextPc, fRT, fRA, fRB, fSI, gpr, msrChanged,
  MSR_PR, MSR_HV, MSR_EE, MSR_IR, MSR_DR, MSR_SF, MSR_ME, MSR_FP, MSR_VEC, MSR_VSX,
} from './regs';
import {
  raise, programInterrupt, VEC_SYSCALL, VEC_FP_UNAVAILABLE, VEC_VMX_UNAVAILABLE, VEC_VSX_UNAVAILABLE,
  PROG_PRIVILEGED, PROG_TRAP, VEC_FACILITY_UNAVAILABLE, systemCallVectored,
} from './exceptions';
import { commitClock } from './timebase';
import { requestStop } from './slice';
import { unimplemented } from './unimplemented';

/**
 * sc LEV (opcode 17, bit 30 = 1). LEV = 1 is a hypercall to us, the hypervisor (PAPR; QEMU's
 * vhyp path): hcallDispatch() with r3..r12 in place, then the next instruction. If the handler
 * set machine.exitReason (H_CEDE -> EXIT_IDLE, power-off -> EXIT_HALT) the slice ends. Any other
 * LEV is a system call interrupt: SRR0 = the next instruction (Book III 7.5.14).
 */
export function sc(i: u32): void {
  const lev = (i >> 5) & 0x7f;
  if (lev == 1) {
    cpuSetNip(nextPc);
    commitClock(); // the host sees current virtual time and nip
    hcallDispatch();
    setNextPc(cpuNip());
    msrChanged(); // a handler may change MSR (H_CEDE sets EE); also ends the inner loop
    if (machineExitReason() != EXIT_NONE) requestStop();
    return;
  }
  raise(VEC_SYSCALL, nextPc, 0);
}

/** MSR from SRR1/HSRR1 on rfid/hrfid (Book III 4.4.1): HV may only stay or be cleared when HV = 1,
 *  ME is kept unless HV = 1, PR = 1 forces EE, IR, DR; a 32-bit target ea is truncated. */
function returnTo(target: u64, srr1: u64): void {
  const msr = cpuMsr();
  let nm = srr1;
  if ((msr & MSR_HV) == 0) nm = (nm & ~(MSR_HV | MSR_ME)) | (msr & (MSR_HV | MSR_ME));
  if (nm & MSR_PR) nm |= MSR_EE | MSR_IR | MSR_DR;
  cpuSetMsr(nm);
  msrChanged();
  cpuSetCfar(pc);
  setNextPc((nm & MSR_SF) != 0 ? target & ~<u64>3 : target & 0xfffffffc);
}

/** FSCR[SCV] (bit 51) enables scv; FSCR[IC] (bits 0:7) reports the cause of 0xf60. */
const FSCR_SCV: u64 = 1 << 12;
const FSCR_IC_SCV: u64 = 12;

/** scv LEV (opcode 17, bits 30:31 = 01): see exceptions.ts systemCallVectored. */
export function scv(i: u32): void {
  if ((cpuFscr() & FSCR_SCV) == 0) {
    cpuSetFscr((cpuFscr() & ~(<u64>0xff << 56)) | (FSCR_IC_SCV << 56));
    raise(VEC_FACILITY_UNAVAILABLE, pc, 0);
    return;
  }
  systemCallVectored(<u64>((i >> 5) & 0x7f), nextPc);
}

/** rfscv: MSR from CTR (rfid's rules), back to LR. */
export function rfscv(): void {
  if (cpuMsr() & MSR_PR) { programInterrupt(PROG_PRIVILEGED); return; }
  returnTo(cpuLr(), cpuCtr());
}

export function rfid(): void {
  if (cpuMsr() & MSR_PR) { programInterrupt(PROG_PRIVILEGED); return; }
  returnTo(cpuSrr0(), cpuSrr1());
}

/** hrfid: hypervisor only; a guest (HV = 0) gets a privileged program interrupt (see spr.ts). */
export function hrfid(): void {
  const msr = cpuMsr();
  if ((msr & MSR_PR) != 0 || (msr & MSR_HV) == 0) { programInterrupt(PROG_PRIVILEGED); return; }
  returnTo(cpuHsrr0(), cpuHsrr1());
}

/** The TO condition of tw/td/twi/tdi (Book I 3.3.11) on a and b (already extended). */
function trapCondition(to: u32, a: i64, b: i64): bool {
  return ((to & 16) != 0 && a < b) || ((to & 8) != 0 && a > b) || ((to & 4) != 0 && a == b)
    || ((to & 2) != 0 && <u64>a < <u64>b) || ((to & 1) != 0 && <u64>a > <u64>b);
}

/** tw / td / twi / tdi. */
export function trap(i: u32, doubleword: bool, imm: bool): void {
  const to = fRT(i);
  const a = gpr(fRA(i));
  const b = imm ? fSI(i) : gpr(fRB(i));
  // Word forms: both operands are the sign-extended low words; unsigned order is unchanged by that.
  const hit = doubleword ? trapCondition(to, <i64>a, <i64>b) : trapCondition(to, <i64><i32>a, <i64><i32>b);
  if (hit) programInterrupt(PROG_TRAP);
}

/** Privileged no-op (tlbie, tlbiel, tlbsync, slb*: we keep no TLB). */
export function privilegedNop(): void {
  if (cpuMsr() & MSR_PR) programInterrupt(PROG_PRIVILEGED);
}

// ---- facilities we do not implement yet: unavailable interrupt when disabled, else reported.
export function fpInsn(i: u32): void {
  if ((cpuMsr() & MSR_FP) == 0) { raise(VEC_FP_UNAVAILABLE, pc, 0); return; }
  unimplemented(i); // FP not implemented
}

export function vmxInsn(i: u32): void {
  if ((cpuMsr() & MSR_VEC) == 0) { raise(VEC_VMX_UNAVAILABLE, pc, 0); return; }
  unimplemented(i);
}

export function vsxInsn(i: u32): void {
  if ((cpuMsr() & MSR_VSX) == 0) { raise(VEC_VSX_UNAVAILABLE, pc, 0); return; }
  unimplemented(i);
}
