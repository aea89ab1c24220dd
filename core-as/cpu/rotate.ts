// Rotate and shift instructions (Power ISA 3.0 Book I 3.3.14). MASK(mb, me) uses ISA bit
// numbering (bit 0 = most significant); a wrapping mask (mb > me) has ones at both ends.
import { fRT, fRA, fRB, gpr, setGpr, setCr0, setCa } from './regs';

/** MASK(mb, me) over 64 bits, ISA numbering. */
// @ts-ignore: decorator
@inline export function mask64(mb: u32, me: u32): u64 {
  const a = ~<u64>0 >> mb;
  const b = ~<u64>0 << (63 - me);
  return mb <= me ? a & b : a | b;
}

// @ts-ignore: decorator
@inline function rotl64(v: u64, n: u32): u64 { return rotl<u64>(v, <u64>n); }

/** ROTL32(x, n) of the low word, duplicated into both halves (Book I 3.3.14). */
// @ts-ignore: decorator
@inline function rotl32dup(v: u64, n: u32): u64 {
  const w = <u64>rotl<u32>(<u32>v, n);
  return (w << 32) | w;
}

// @ts-ignore: decorator
@inline function tail(i: u32, r: u64): void {
  setGpr(fRA(i), r);
  if (i & 1) setCr0(r);
}

// ---- M-form (SH/RB = bits 16:20, MB = 21:25, ME = 26:30)
export function rlwinm(i: u32): void {
  const sh = (i >> 11) & 31, mb = (i >> 6) & 31, me = (i >> 1) & 31;
  tail(i, rotl32dup(gpr(fRT(i)), sh) & mask64(mb + 32, me + 32));
}

export function rlwnm(i: u32): void {
  const sh = <u32>gpr(fRB(i)) & 31, mb = (i >> 6) & 31, me = (i >> 1) & 31;
  tail(i, rotl32dup(gpr(fRT(i)), sh) & mask64(mb + 32, me + 32));
}

export function rlwimi(i: u32): void {
  const sh = (i >> 11) & 31, mb = (i >> 6) & 31, me = (i >> 1) & 31;
  const m = mask64(mb + 32, me + 32);
  tail(i, (rotl32dup(gpr(fRT(i)), sh) & m) | (gpr(fRA(i)) & ~m));
}

// ---- MD/MDS-form: sh = sh5 || sh0:4, mb/me = 6-bit field stored rotated (bit 26 is the msb)
// @ts-ignore: decorator
@inline function sh6(i: u32): u32 { return ((i >> 11) & 31) | ((i << 4) & 32); }
// @ts-ignore: decorator
@inline function mb6(i: u32): u32 { const m = (i >> 5) & 63; return (m >> 1) | ((m & 1) << 5); }

/** Opcode 30: rldicl rldicr rldic rldimi rldcl rldcr; false if the XO is not one of them. */
export function rld(i: u32): bool {
  const s = gpr(fRT(i)), m = mb6(i);
  const xo = (i >> 2) & 7;
  switch (xo) {
    case 0: tail(i, rotl64(s, sh6(i)) & mask64(m, 63)); return true;                 // rldicl
    case 1: tail(i, rotl64(s, sh6(i)) & mask64(0, m)); return true;                  // rldicr
    case 2: { const sh = sh6(i); tail(i, rotl64(s, sh) & mask64(m, 63 - sh)); return true; } // rldic
    case 3: {                                                                        // rldimi
      const sh = sh6(i), k = mask64(m, 63 - sh);
      tail(i, (rotl64(s, sh) & k) | (gpr(fRA(i)) & ~k));
      return true;
    }
    case 4: {
      const n = <u32>gpr(fRB(i)) & 63;
      if (((i >> 1) & 15) == 8) { tail(i, rotl64(s, n) & mask64(m, 63)); return true; } // rldcl
      if (((i >> 1) & 15) == 9) { tail(i, rotl64(s, n) & mask64(0, m)); return true; }  // rldcr
      return false;
    }
    default: return false;
  }
}

// ---- shifts (X-form; RS = RT field, target RA)
export function slw(i: u32): void {
  const n = <u32>gpr(fRB(i)) & 63;
  tail(i, n & 32 ? 0 : <u64>(<u32>gpr(fRT(i)) << n));
}

export function srw(i: u32): void {
  const n = <u32>gpr(fRB(i)) & 63;
  tail(i, n & 32 ? 0 : <u64>(<u32>gpr(fRT(i)) >>> n));
}

export function sld(i: u32): void {
  const n = <u32>gpr(fRB(i)) & 127;
  tail(i, n & 64 ? 0 : gpr(fRT(i)) << n);
}

export function srd(i: u32): void {
  const n = <u32>gpr(fRB(i)) & 127;
  tail(i, n & 64 ? 0 : gpr(fRT(i)) >> n);
}

/** Algebraic word shift by n (0..63): CA = negative and any 1 bit shifted out. */
function srawBy(i: u32, n: u32): void {
  const s = <i32>gpr(fRT(i));
  let r: i64, out: bool;
  if (n & 32) { r = s < 0 ? -1 : 0; out = s != 0; }
  else { r = <i64>(s >> n); out = n != 0 && (<u32>s << (32 - n)) != 0; }
  setCa(s < 0 && out);
  tail(i, <u64>r);
}

export function sraw(i: u32): void { srawBy(i, <u32>gpr(fRB(i)) & 63); }
export function srawi(i: u32): void { srawBy(i, (i >> 11) & 31); }

function sradBy(i: u32, n: u32): void {
  const s = <i64>gpr(fRT(i));
  let r: i64, out: bool;
  if (n & 64) { r = s < 0 ? -1 : 0; out = s != 0; }
  else { r = s >> n; out = n != 0 && (<u64>s << (64 - n)) != 0; }
  setCa(s < 0 && out);
  tail(i, <u64>r);
}

export function srad(i: u32): void { sradBy(i, <u32>gpr(fRB(i)) & 127); }
export function sradi(i: u32): void { sradBy(i, sh6(i)); }

/** extswsli (XS-form, ISA 3.0): RA = EXTS(RS[32:63]) << sh. */
export function extswsli(i: u32): void {
  tail(i, <u64><i64><i32>gpr(fRT(i)) << sh6(i));
}
