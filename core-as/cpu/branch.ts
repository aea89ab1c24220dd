// Branches and CR logic (Power ISA 3.0 Book I 2.4, 2.5). A taken branch records its own ea in
// CFAR (Book III 4.3.5). In 32-bit mode targets and LR are truncated to 32 bits.
import { cpuCtr, cpuSetCtr, cpuLr, cpuSetLr, cpuCr, cpuSetCr, cpuSetCfar, cpuTar } from '../gen/layout';
import { pc, nextPc, setNextPc, sf, crBit, crField, setCrField, eaMode } from './regs';

// @ts-ignore: decorator
@inline function taken(target: u64): void {
  cpuSetCfar(pc);
  setNextPc(eaMode(target));
}

// @ts-ignore: decorator
@inline function link(i: u32): void { if (i & 1) cpuSetLr(nextPc); }

/** b / ba / bl / bla (I-form). */
export function b(i: u32): void {
  const li = <u64><i64>(<i32>(i << 6) >> 6) & ~<u64>3;
  link(i);
  taken(i & 2 ? li : pc + li);
}

/** BO semantics: decrement CTR unless BO[2]; test CTR (low word in 32-bit mode) and CR[BI]. */
// @ts-ignore: decorator
@inline function condition(bo: u32, bi: u32, ctrAllowed: bool): bool {
  let ok = true;
  if (ctrAllowed && (bo & 4) == 0) {
    const c = cpuCtr() - 1;
    cpuSetCtr(c);
    const z = (sf ? c : c & 0xffffffff) == 0;
    ok = z == ((bo & 2) != 0);
  }
  if ((bo & 16) == 0) ok = ok && crBit(bi) == ((bo >> 3) & 1);
  return ok;
}

/** bc (B-form). */
export function bc(i: u32): void {
  const bo = (i >> 21) & 31, bi = (i >> 16) & 31;
  const bd = <u64><i64><i16>(i & 0xfffc);
  const ok = condition(bo, bi, true);
  link(i);
  if (ok) taken(i & 2 ? bd : pc + bd);
}

/** bclr: target LR as it was before LK updates it. */
export function bclr(i: u32): void {
  const bo = (i >> 21) & 31, bi = (i >> 16) & 31;
  const target = cpuLr() & ~<u64>3;
  const ok = condition(bo, bi, true);
  link(i);
  if (ok) taken(target);
}

/** bcctr / bctar: BO[2] = 0 is an invalid form (false: caller raises illegal). */
export function bcctr(i: u32, tar: bool): bool {
  const bo = (i >> 21) & 31, bi = (i >> 16) & 31;
  if ((bo & 4) == 0 && !tar) return false;
  const target = (tar ? cpuTar() : cpuCtr()) & ~<u64>3;
  const ok = condition(bo, bi, tar);
  link(i);
  if (ok) taken(target);
  return true;
}

/** CR logical ops (XL-form, opcode 19): BT = BA op BB. */
export function crLogical(i: u32, xo: u32): void {
  const bt = (i >> 21) & 31, a = crBit((i >> 16) & 31), c = crBit((i >> 11) & 31);
  let r: u32;
  switch (xo) {
    case 257: r = a & c; break;          // crand
    case 129: r = a & ~c; break;         // crandc
    case 289: r = ~(a ^ c); break;       // creqv
    case 225: r = ~(a & c); break;       // crnand
    case 33: r = ~(a | c); break;        // crnor
    case 449: r = a | c; break;          // cror
    case 417: r = a | ~c; break;         // crorc
    default: r = a ^ c; break;           // 193 crxor
  }
  const m: u32 = 1 << (31 - bt);
  cpuSetCr((r & 1) ? cpuCr() | m : cpuCr() & ~m);
}

/** mcrf: CR field BF = CR field BFA. */
export function mcrf(i: u32): void {
  setCrField((i >> 23) & 7, crField((i >> 18) & 7));
}
