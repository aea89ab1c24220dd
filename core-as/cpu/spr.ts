// Special purpose registers, CR moves, MSR moves (Power ISA 3.0 Book I 3.3.17, Book III 4.4).
//
// Access rules: an SPR number with bit 0x10 set is privileged (Book III 4.4.4). SPRs owned by the
// hypervisor (HSRR0/1, HSPRG, LPCR, HDEC, ...) are reachable only with MSR[HV] = 1; a PAPR guest
// (HV = 0) touching them gets a privileged-instruction program interrupt, which is what QEMU turns
// its hypervisor-emulation interrupt into for a pseries guest. SPRs we do not model: counted in
// cpu.unknownSpr*, then a no-op in privileged state, a privileged program interrupt in problem
// state or for SPR 0/4/5/6 (QEMU's rule), never silent.
import {
  cpuXer, cpuSetXer, cpuLr, cpuSetLr, cpuCtr, cpuSetCtr, cpuCr, cpuSetCr, cpuMsr, cpuSetMsr,
  cpuSrr0, cpuSetSrr0, cpuSrr1, cpuSetSrr1, cpuHsrr0, cpuSetHsrr0, cpuHsrr1, cpuSetHsrr1,
  cpuSprg, cpuSetSprg, cpuHsprg, cpuSetHsprg, cpuDar, cpuSetDar, cpuDsisr, cpuSetDsisr,
  cpuCfar, cpuSetCfar, cpuPvr, cpuPir, cpuLpcr, cpuSetLpcr, cpuHid0, cpuSetHid0, cpuPpr, cpuSetPpr,
  cpuDscr, cpuSetDscr, cpuAmr, cpuSetAmr, cpuIamr, cpuSetIamr, cpuUamor, cpuSetUamor, cpuPidr, cpuSetPidr,
  cpuCtrl, cpuSetCtrl, cpuTar, cpuSetTar, cpuFscr, cpuSetFscr, cpuVrsave, cpuSetVrsave,
  cpuSprMisc, cpuSetSprMisc, cpuTbOffset, cpuSetTbOffset,
  cpuUnknownSprCount, cpuSetUnknownSprCount, cpuSetUnknownSprLast,
} from '../gen/layout';
import { fRT, gpr, setGpr, MSR_PR, MSR_HV, MSR_EE, MSR_RI, MSR_LE, MSR_ME, MSR_S, MSR_IR, MSR_DR, msrChanged } from './regs';
import { programInterrupt, PROG_PRIVILEGED } from './exceptions';
import { tbNow, decRead, decWrite } from './timebase';

// @ts-ignore: decorator
@inline function sprNumber(i: u32): u32 { return ((i >> 16) & 31) | (((i >> 11) & 31) << 5); }

/** SPRs reachable only in hypervisor state. */
function hvOnly(n: u32): bool {
  switch (n) {
    case 190: case 284: case 285: case 286: case 304: case 305: case 310: case 313: case 314: case 315:
    case 318: case 319: case 464: case 1008:
      return true;
    default:
      return false;
  }
}

/** Checks the privilege of an SPR access; false after raising the program interrupt. */
function sprAllowed(n: u32): bool {
  const msr = cpuMsr();
  if ((n & 0x10) != 0 && (msr & MSR_PR) != 0) { programInterrupt(PROG_PRIVILEGED); return false; }
  if (hvOnly(n) && (msr & MSR_HV) == 0) { programInterrupt(PROG_PRIVILEGED); return false; }
  return true;
}

function unknownSpr(n: u32, write: bool): void {
  cpuSetUnknownSprCount(cpuUnknownSprCount() + 1);
  cpuSetUnknownSprLast(write ? n | 0x10000 : n);
  if (n >= 808 && n <= 811) return; // ISA 2.07: reserved no-op SPRs
  if ((cpuMsr() & MSR_PR) != 0 || n == 0 || n == 4 || n == 5 || n == 6) programInterrupt(PROG_PRIVILEGED);
}

export function mfspr(i: u32): void {
  const n = sprNumber(i);
  if (!sprAllowed(n)) return;
  let v: u64;
  switch (n) {
    case 1: v = cpuXer(); break;
    case 3: case 17: v = cpuDscr(); break;
    case 8: v = cpuLr(); break;
    case 9: v = cpuCtr(); break;
    case 13: case 29: v = cpuAmr(); break;
    case 18: v = <u64>cpuDsisr(); break;
    case 19: v = cpuDar(); break;
    case 22: v = decRead(); break;
    case 26: v = cpuSrr0(); break;
    case 27: v = cpuSrr1(); break;
    case 28: v = cpuCfar(); break;
    case 48: v = cpuPidr(); break;
    case 61: v = cpuIamr(); break;
    case 136: case 152: v = <u64>cpuCtrl(); break;
    case 153: v = cpuFscr(); break;
    case 157: v = cpuUamor(); break;
    case 159: v = cpuSprMisc(0); break;
    case 256: v = <u64>cpuVrsave(); break;
    case 259: case 275: v = cpuSprg(3); break;
    case 268: v = tbNow(); break;
    case 269: v = tbNow() >> 32; break;
    case 272: case 273: case 274: v = cpuSprg(n - 272); break;
    case 287: v = <u64>cpuPvr(); break;
    case 304: case 305: v = cpuHsprg(n - 304); break;
    case 308: case 309: v = tbNow(); break; // SPURR / PURR: one vCPU, always running
    case 310: v = cpuSprMisc(4); break;
    case 313: v = cpuSprMisc(7); break;
    case 314: v = cpuHsrr0(); break;
    case 315: v = cpuHsrr1(); break;
    case 318: v = cpuLpcr(); break;
    case 319: v = cpuSprMisc(5); break;
    case 464: v = cpuSprMisc(6); break;
    case 779: case 795: v = cpuSprMisc(3); break;
    case 815: v = cpuTar(); break;
    case 896: v = cpuPpr(); break;
    case 898: v = cpuPpr() >> 32; break;
    case 1008: v = cpuHid0(); break;
    case 1023: v = <u64>cpuPir(); break;
    default: unknownSpr(n, false); return;
  }
  setGpr(fRT(i), v);
}

export function mtspr(i: u32): void {
  const n = sprNumber(i);
  if (!sprAllowed(n)) return;
  const v = gpr(fRT(i));
  switch (n) {
    case 1: cpuSetXer(v & 0xffffffff); break; // bits 0:31 reserved (read as 0, as QEMU)
    case 3: case 17: cpuSetDscr(v); break;
    case 8: cpuSetLr(v); break;
    case 9: cpuSetCtr(v); break;
    case 13: case 29: cpuSetAmr(v); break;
    case 18: cpuSetDsisr(<u32>v); break;
    case 19: cpuSetDar(v); break;
    case 22: decWrite(v); break;
    case 26: cpuSetSrr0(v); break;
    case 27: cpuSetSrr1(v); break;
    case 28: cpuSetCfar(v); break;
    case 48: cpuSetPidr(v); break;
    case 61: cpuSetIamr(v); break;
    case 152: cpuSetCtrl(<u32>v & 1); break;
    case 153: cpuSetFscr(v); break;
    case 157: cpuSetUamor(v); break;
    case 159: cpuSetSprMisc(0, v); break;
    case 256: cpuSetVrsave(<u32>v); break;
    case 272: case 273: case 274: case 275: cpuSetSprg(n - 272, v); break;
    case 284: cpuSetTbOffset(cpuTbOffset() + (((tbNow() & ~<u64>0xffffffff) | (v & 0xffffffff)) - tbNow())); break; // TBL
    case 285: cpuSetTbOffset(cpuTbOffset() + (((v & 0xffffffff) << 32 | (tbNow() & 0xffffffff)) - tbNow())); break; // TBU
    case 286: cpuSetTbOffset(cpuTbOffset() + (((v & ~<u64>0xffffff) | (tbNow() & 0xffffff)) - tbNow())); break;    // TBU40
    case 304: case 305: cpuSetHsprg(n - 304, v); break;
    case 310: cpuSetSprMisc(4, v); break;
    case 313: cpuSetSprMisc(7, v); break;
    case 314: cpuSetHsrr0(v); break;
    case 315: cpuSetHsrr1(v); break;
    case 318: cpuSetLpcr(v); decWrite(decRead()); break; // LD may change DEC's width
    case 319: cpuSetSprMisc(5, v); break;
    case 464: cpuSetSprMisc(6, v); break;
    case 779: case 795: cpuSetSprMisc(3, v); break;
    case 815: cpuSetTar(v); break;
    case 896: cpuSetPpr(v); break;
    case 898: cpuSetPpr((cpuPpr() & 0xffffffff) | (v << 32)); break;
    case 1008: cpuSetHid0(v); break;
    default: unknownSpr(n, true); return;
  }
}

/** mftb (X-form, opcode 31/371): TB (268) or TBU (269). */
export function mftb(i: u32): void {
  const n = sprNumber(i);
  if (n == 268) setGpr(fRT(i), tbNow());
  else if (n == 269) setGpr(fRT(i), tbNow() >> 32);
  else mfspr(i);
}

/** mfcr / mfocrf (bit 11 = 1: one field, the others 0; not exactly one field: RT unchanged, as QEMU). */
export function mfcr(i: u32): void {
  if ((i >> 20) & 1) {
    const fxm = (i >> 12) & 0xff;
    if (fxm == 0 || (fxm & (fxm - 1)) != 0) return;
    const sh = ctz<u32>(fxm) * 4;
    setGpr(fRT(i), <u64>(cpuCr() & (<u32>0xf << sh)));
  } else {
    setGpr(fRT(i), <u64>cpuCr());
  }
}

/** mtcrf / mtocrf: CR fields selected by FXM from RS (mtocrf with != 1 field: no-op, as QEMU). */
export function mtcrf(i: u32): void {
  const fxm = (i >> 12) & 0xff;
  if ((i >> 20) & 1 && (fxm == 0 || (fxm & (fxm - 1)) != 0)) return;
  let m: u32 = 0;
  for (let k: u32 = 0; k < 8; k++) if (fxm & (1 << k)) m |= <u32>0xf << (k * 4);
  cpuSetCr((cpuCr() & ~m) | (<u32>gpr(fRT(i)) & m));
}

/** mfmsr (privileged). */
export function mfmsr(i: u32): void {
  if (cpuMsr() & MSR_PR) { programInterrupt(PROG_PRIVILEGED); return; }
  setGpr(fRT(i), cpuMsr());
}

/**
 * mtmsr (wide = false: low word only) and mtmsrd (privileged). L = 1 changes only EE and RI.
 * L = 0 leaves HV, S, ME and LE alone (Book III 4.4.3; endianness changes need rfid), and
 * PR = 1 forces EE, IR, DR on.
 */
export function mtmsr(i: u32, wide: bool): void {
  const msr = cpuMsr();
  if (msr & MSR_PR) { programInterrupt(PROG_PRIVILEGED); return; }
  const rs = gpr(fRT(i));
  let mask: u64;
  if ((i >> 16) & 1) mask = MSR_EE | MSR_RI;
  else {
    mask = ~(MSR_HV | MSR_S | MSR_ME | MSR_LE);
    if (!wide) mask &= 0xffffffff;
  }
  let nm = (rs & mask) | (msr & ~mask);
  if (nm & MSR_PR) nm |= MSR_EE | MSR_IR | MSR_DR;
  cpuSetMsr(nm);
  msrChanged();
}
