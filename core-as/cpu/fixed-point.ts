// Fixed-point arithmetic, logical, compare and bit-count instructions (Power ISA 3.0 Book I 3.3).
// Undefined results (division by zero, mulhw's high word) follow QEMU, our reference for the
// differential vectors (test/isa/vectors).
import { cpuXer, cpuSetXer } from '../gen/layout';
import {
  fRT, fRA, fRB, fSI, fUI, gpr, setGpr, gprOr0, setCr0, setCarry, setOverflowAdd, setOv, xerCa,
  cmpSigned, cmpUnsigned, setCrField, crBit, crField, sf, XER_OV, XER_OV32,
} from './regs';

// ---- D-form immediates
export function addi(i: u32): void { setGpr(fRT(i), gprOr0(fRA(i)) + fSI(i)); }
export function addis(i: u32): void { setGpr(fRT(i), gprOr0(fRA(i)) + (fSI(i) << 16)); }

export function addic(i: u32, rc: bool): void {
  const a = gpr(fRA(i)), b = fSI(i), r = a + b;
  setCarry(a, b, r);
  setGpr(fRT(i), r);
  if (rc) setCr0(r);
}

export function subfic(i: u32): void {
  const a = ~gpr(fRA(i)), b = fSI(i), r = a + b + 1;
  setCarry(a, b, r);
  setGpr(fRT(i), r);
}

export function mulli(i: u32): void { setGpr(fRT(i), gpr(fRA(i)) * fSI(i)); }

// Logical immediates: RS is the RT field, the target is RA.
export function ori(i: u32): void { setGpr(fRA(i), gpr(fRT(i)) | fUI(i)); }
export function oris(i: u32): void { setGpr(fRA(i), gpr(fRT(i)) | (fUI(i) << 16)); }
export function xori(i: u32): void { setGpr(fRA(i), gpr(fRT(i)) ^ fUI(i)); }
export function xoris(i: u32): void { setGpr(fRA(i), gpr(fRT(i)) ^ (fUI(i) << 16)); }
export function andiDot(i: u32): void { const r = gpr(fRT(i)) & fUI(i); setGpr(fRA(i), r); setCr0(r); }
export function andisDot(i: u32): void { const r = gpr(fRT(i)) & (fUI(i) << 16); setGpr(fRA(i), r); setCr0(r); }

// ---- XO-form add/subtract: RT = a + b + c with the flags each form defines.
/** Common tail: CA (if carrying), OV (if OE), CR0 (if Rc). */
// @ts-ignore: decorator
@inline function addForm(i: u32, a: u64, b: u64, c: u64, carrying: bool): void {
  const r = a + b + c;
  if (carrying) setCarry(a, b, r);
  if ((i >> 10) & 1) setOverflowAdd(a, b, r);
  setGpr(fRT(i), r);
  if (i & 1) setCr0(r);
}

export function add(i: u32): void { addForm(i, gpr(fRA(i)), gpr(fRB(i)), 0, false); }
export function addc(i: u32): void { addForm(i, gpr(fRA(i)), gpr(fRB(i)), 0, true); }
export function adde(i: u32): void { addForm(i, gpr(fRA(i)), gpr(fRB(i)), xerCa(), true); }
export function addme(i: u32): void { addForm(i, gpr(fRA(i)), ~<u64>0, xerCa(), true); }
export function addze(i: u32): void { addForm(i, gpr(fRA(i)), 0, xerCa(), true); }
export function subf(i: u32): void { addForm(i, ~gpr(fRA(i)), gpr(fRB(i)), 1, false); }
export function subfc(i: u32): void { addForm(i, ~gpr(fRA(i)), gpr(fRB(i)), 1, true); }
export function subfe(i: u32): void { addForm(i, ~gpr(fRA(i)), gpr(fRB(i)), xerCa(), true); }
export function subfme(i: u32): void { addForm(i, ~gpr(fRA(i)), ~<u64>0, xerCa(), true); }
export function subfze(i: u32): void { addForm(i, ~gpr(fRA(i)), 0, xerCa(), true); }
export function neg(i: u32): void { addForm(i, ~gpr(fRA(i)), 0, 1, false); }

/** addex with CY = 0 (ISA 3.0): like adde but the carry is OV in and out. */
export function addex(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i)), c = (cpuXer() >> 30) & 1, r = a + b + c;
  const co = (a & b) | ((a ^ b) & ~r);
  const ov = sf ? (co >> 63) & 1 : (co >> 31) & 1;
  cpuSetXer((cpuXer() & ~(XER_OV | XER_OV32)) | (ov << 30) | (((co >> 31) & 1) << 19));
  setGpr(fRT(i), r);
}

// ---- multiply
/** High 64 bits of the unsigned 128-bit product. */
export function mulhu(a: u64, b: u64): u64 {
  const aL = a & 0xffffffff, aH = a >> 32, bL = b & 0xffffffff, bH = b >> 32;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/** High 64 bits of the signed 128-bit product. */
export function mulhs(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

function tailOeRc(i: u32, r: u64, ov: bool): void {
  if ((i >> 10) & 1) { const o: u64 = ov ? 1 : 0; setOv(o, o); }
  setGpr(fRT(i), r);
  if (i & 1) setCr0(r);
}

export function mullw(i: u32): void {
  const r = <u64>(<i64><i32>gpr(fRA(i)) * <i64><i32>gpr(fRB(i)));
  tailOeRc(i, r, <u64><i64><i32>r != r);
}

export function mulld(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i)), r = a * b;
  tailOeRc(i, r, mulhs(a, b) != <u64>(<i64>r >> 63));
}

export function mulhw(i: u32): void {
  const p = <i64><i32>gpr(fRA(i)) * <i64><i32>gpr(fRB(i));
  tailOeRc(i, <u64>p >> 32 & 0xffffffff, false);
}

export function mulhwu(i: u32): void {
  const p = (gpr(fRA(i)) & 0xffffffff) * (gpr(fRB(i)) & 0xffffffff);
  tailOeRc(i, p >> 32, false);
}

export function mulhd(i: u32): void { tailOeRc(i, mulhs(gpr(fRA(i)), gpr(fRB(i))), false); }
export function mulhdu(i: u32): void { tailOeRc(i, mulhu(gpr(fRA(i)), gpr(fRB(i))), false); }

/** maddhd / maddhdu / maddld (VA-form, ISA 3.0): (RA * RB + RC) high or low 64 bits. */
export function madd(i: u32, xo: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i)), c = gpr((i >> 6) & 31);
  const lo = a * b, sum = lo + c;
  let r: u64;
  if (xo == 51) r = sum; // maddld
  else {
    const carry: u64 = sum < lo ? 1 : 0;
    if (xo == 48) r = mulhs(a, b) + carry + (<i64>c < 0 ? ~<u64>0 : 0); // signed: c sign-extended to 128
    else r = mulhu(a, b) + carry;
  }
  setGpr(fRT(i), r);
}

// ---- divide
export function divw(i: u32): void {
  const a = <i32>gpr(fRA(i)), b = <i32>gpr(fRB(i));
  const undef = b == 0 || (a == i32.MIN_VALUE && b == -1);
  const q = undef ? a : a / b;
  tailOeRc(i, <u64><u32>q, undef);
}

export function divwu(i: u32): void {
  const a = <u32>gpr(fRA(i)), b = <u32>gpr(fRB(i));
  tailOeRc(i, <u64>(b == 0 ? a : a / b), b == 0);
}

export function divd(i: u32): void {
  const a = <i64>gpr(fRA(i)), b = <i64>gpr(fRB(i));
  const undef = b == 0 || (a == i64.MIN_VALUE && b == -1);
  tailOeRc(i, <u64>(undef ? a : a / b), undef);
}

export function divdu(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i));
  tailOeRc(i, b == 0 ? a : a / b, b == 0);
}

/** Sets OV, OV32 (and SO) to `ov` as QEMU's legacy divide-extended path does. */
function divExtTail(i: u32, r: u64, ov: bool): void {
  if ((i >> 10) & 1) { const o: u64 = ov ? 1 : 0; setOv(o, o); }
  setGpr(fRT(i), r);
  if (i & 1) setCr0(r);
}

export function divwe(i: u32): void {
  const dividend = <i64>(gpr(fRA(i)) << 32), divisor = <i64><i32>gpr(fRB(i));
  let ov = divisor == 0 || (divisor == -1 && dividend == i64.MIN_VALUE);
  let q: i64 = 0;
  if (!ov) { q = dividend / divisor; ov = q != <i64><i32>q; }
  divExtTail(i, ov ? 0 : <u64>q, ov);
}

export function divweu(i: u32): void {
  const dividend = gpr(fRA(i)) << 32, divisor = gpr(fRB(i)) & 0xffffffff;
  let ov = divisor == 0;
  let q: u64 = 0;
  if (!ov) { q = dividend / divisor; ov = q > 0xffffffff; }
  divExtTail(i, ov ? 0 : q, ov);
}

/** (hi:lo) / d for hi < d (quotient fits in 64 bits): restoring division. */
function udiv128(hi: u64, lo: u64, d: u64): u64 {
  let q: u64 = 0;
  for (let k = 0; k < 64; k++) {
    const top = hi >> 63;
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    q <<= 1;
    if (top != 0 || hi >= d) { hi -= d; q |= 1; }
  }
  return q;
}

export function divdeu(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i));
  const ov = b == 0 || a >= b;
  divExtTail(i, ov ? 0 : udiv128(a, 0, b), ov);
}

export function divde(i: u32): void {
  const a = <i64>gpr(fRA(i)), b = <i64>gpr(fRB(i));
  let ov = b == 0;
  let r: u64 = 0;
  if (!ov) {
    const ua: u64 = a < 0 ? <u64>(-a) : <u64>a, ub: u64 = b < 0 ? <u64>(-b) : <u64>b;
    if (ua >= ub) ov = true;
    else {
      const q = udiv128(ua, 0, ub); // magnitude of the quotient
      const negq = (a < 0) != (b < 0);
      if (negq) { ov = q > (<u64>1 << 63); r = <u64>(-<i64>q); }
      else { ov = q > <u64>i64.MAX_VALUE; r = q; }
    }
  }
  divExtTail(i, ov ? 0 : r, ov);
}

export function modsw(i: u32): void {
  const a = <i32>gpr(fRA(i)), b = <i32>gpr(fRB(i));
  const r = b == 0 || (a == i32.MIN_VALUE && b == -1) ? 0 : a % b;
  setGpr(fRT(i), <u64><i64>r);
}
export function moduw(i: u32): void {
  const a = <u32>gpr(fRA(i)), b = <u32>gpr(fRB(i));
  setGpr(fRT(i), <u64>(b == 0 ? 0 : a % b));
}
export function modsd(i: u32): void {
  const a = <i64>gpr(fRA(i)), b = <i64>gpr(fRB(i));
  setGpr(fRT(i), b == 0 || (a == i64.MIN_VALUE && b == -1) ? 0 : <u64>(a % b));
}
export function modud(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i));
  setGpr(fRT(i), b == 0 ? 0 : a % b);
}

// ---- X-form logical (RS = RT field, target RA)
/** Writes RA and CR0 if Rc. */
// @ts-ignore: decorator
@inline function logicalTail(i: u32, r: u64): void {
  setGpr(fRA(i), r);
  if (i & 1) setCr0(r);
}

// @ts-ignore: decorator
@inline export function logical(i: u32, xo: u32): void {
  const s = gpr(fRT(i)), b = gpr(fRB(i));
  let r: u64;
  switch (xo) {
    case 28: r = s & b; break;     // and
    case 60: r = s & ~b; break;    // andc
    case 124: r = ~(s | b); break; // nor
    case 284: r = ~(s ^ b); break; // eqv
    case 316: r = s ^ b; break;    // xor
    case 412: r = s | ~b; break;   // orc
    case 444: r = s | b; break;    // or
    default: r = ~(s & b); break;  // 476 nand
  }
  logicalTail(i, r);
}

export function extsb(i: u32): void { logicalTail(i, <u64><i64><i8>gpr(fRT(i))); }
export function extsh(i: u32): void { logicalTail(i, <u64><i64><i16>gpr(fRT(i))); }
export function extsw(i: u32): void { logicalTail(i, <u64><i64><i32>gpr(fRT(i))); }
export function cntlzw(i: u32): void { logicalTail(i, <u64>clz<u32>(<u32>gpr(fRT(i)))); }
export function cntlzd(i: u32): void { logicalTail(i, clz<u64>(gpr(fRT(i)))); }
export function cnttzw(i: u32): void { logicalTail(i, <u64>ctz<u32>(<u32>gpr(fRT(i)))); }
export function cnttzd(i: u32): void { logicalTail(i, ctz<u64>(gpr(fRT(i)))); }

export function popcntb(i: u32): void {
  const s = gpr(fRT(i));
  let r: u64 = 0;
  for (let k: u64 = 0; k < 64; k += 8) r |= <u64>popcnt<u64>((s >> k) & 0xff) << k;
  setGpr(fRA(i), r);
}
export function popcntw(i: u32): void {
  const s = gpr(fRT(i));
  setGpr(fRA(i), (popcnt<u64>(s >> 32) << 32) | popcnt<u64>(s & 0xffffffff));
}
export function popcntd(i: u32): void { setGpr(fRA(i), popcnt<u64>(gpr(fRT(i)))); }

/** prtyw: parity of the low bit of each byte, per word. */
export function prtyw(i: u32): void {
  const s = gpr(fRT(i)) & 0x0101010101010101;
  const hi = popcnt<u64>(s >> 32) & 1, lo = popcnt<u64>(s & 0xffffffff) & 1;
  setGpr(fRA(i), (hi << 32) | lo);
}
export function prtyd(i: u32): void { setGpr(fRA(i), popcnt<u64>(gpr(fRT(i)) & 0x0101010101010101) & 1); }

/** bpermd: byte k of RS selects bit RB[index] (ISA numbering) into result bit 56 + k. */
export function bpermd(i: u32): void {
  const s = gpr(fRT(i)), b = gpr(fRB(i));
  let r: u64 = 0;
  for (let k: u64 = 0; k < 8; k++) {
    const idx = (s >> (56 - 8 * k)) & 0xff;
    const bit: u64 = idx < 64 ? (b >> (63 - idx)) & 1 : 0;
    r |= bit << (7 - k);
  }
  setGpr(fRA(i), r);
}

export function cmpb(i: u32): void {
  const s = gpr(fRT(i)), b = gpr(fRB(i));
  let r: u64 = 0;
  for (let k: u64 = 0; k < 64; k += 8) if ((((s ^ b) >> k) & 0xff) == 0) r |= <u64>0xff << k;
  setGpr(fRA(i), r);
}

// ---- compare (BF = bits 6:8, L = bit 10)
// @ts-ignore: decorator
@inline function bf(i: u32): u32 { return (i >> 23) & 7; }

export function cmp(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i));
  setCrField(bf(i), (i >> 21) & 1 ? cmpSigned(<i64>a, <i64>b) : cmpSigned(<i64><i32>a, <i64><i32>b));
}
export function cmpl(i: u32): void {
  const a = gpr(fRA(i)), b = gpr(fRB(i));
  setCrField(bf(i), (i >> 21) & 1 ? cmpUnsigned(a, b) : cmpUnsigned(a & 0xffffffff, b & 0xffffffff));
}
export function cmpi(i: u32): void {
  const a = gpr(fRA(i)), b = fSI(i);
  setCrField(bf(i), (i >> 21) & 1 ? cmpSigned(<i64>a, <i64>b) : cmpSigned(<i64><i32>a, <i64>b));
}
export function cmpli(i: u32): void {
  const a = gpr(fRA(i)), b = fUI(i);
  setCrField(bf(i), (i >> 21) & 1 ? cmpUnsigned(a, b) : cmpUnsigned(a & 0xffffffff, b));
}

/** cmprb: is byte RA[56:63] within one (L=0) or either (L=1) range given by RB's bytes. */
export function cmprb(i: u32): void {
  const c = gpr(fRA(i)) & 0xff, b = gpr(fRB(i));
  let hit = c >= (b & 0xff) && c <= ((b >> 8) & 0xff);
  if ((i >> 21) & 1) hit = hit || (c >= ((b >> 16) & 0xff) && c <= ((b >> 24) & 0xff));
  setCrField(bf(i), hit ? 4 : 0);
}

/** cmpeqb: does any byte of RB equal RA[56:63]. */
export function cmpeqb(i: u32): void {
  const c = gpr(fRA(i)) & 0xff, b = gpr(fRB(i));
  let hit = false;
  for (let k: u64 = 0; k < 64; k += 8) if (((b >> k) & 0xff) == c) hit = true;
  setCrField(bf(i), hit ? 4 : 0);
}

/** setb: -1 if CR field BFA has LT, else 1 if GT, else 0. */
export function setb(i: u32): void {
  const f = crField((i >> 18) & 7);
  setGpr(fRT(i), f & 8 ? ~<u64>0 : f & 4 ? 1 : 0);
}

/** mcrxrx: CR field BF = OV OV32 CA CA32. */
export function mcrxrx(i: u32): void {
  const x = cpuXer();
  setCrField(bf(i), (((x >> 30) & 1) << 3 | ((x >> 19) & 1) << 2 | ((x >> 29) & 1) << 1 | ((x >> 18) & 1)) as u32);
}

/** isel: RT = CR[BC] ? (RA|0) : RB. */
export function isel(i: u32): void {
  setGpr(fRT(i), crBit((i >> 6) & 31) ? gprOr0(fRA(i)) : gpr(fRB(i)));
}
