// Loads and stores (Power ISA 3.0 Book I 3.3.2-3.3.7, Book II 4.4 for reservations). Every access
// goes through mmu.ts (translate + bounds check -> DSI) and mem/ram.ts accessors (dirty tracking).
// Invalid update forms (RA = 0, or RA = RT for loads) raise an illegal-instruction program
// interrupt, as QEMU does. Multiple/string instructions in little-endian mode and misaligned
// l*arx/st*cx. raise the alignment interrupt (Book III 7.5.8).
import {
  cpuXer, cpuSetResAddr, cpuSetResValid, cpuResValid, cpuResAddr, cpuResLen, cpuSetResLen, cpuResVal, cpuSetResVal,
} from '../gen/layout';
import { ld8, st8, ld16le, ld16be, ld32le, ld32be, ld64le, ld64be, st16le, st16be, st32le, st32be, st64le, st64be, ramFill } from '../mem/ram';
import { fRT, fRA, fRB, fSI, gpr, setGpr, gprOr0, eaMode, le, setCrField } from './regs';
import { dataHoff, translate, ACC_LOAD, ACC_STORE } from './mmu';
import { programInterrupt, alignment, PROG_ILLEGAL } from './exceptions';

/** Reads `size` bytes at hoff in big-endian (be) or little-endian order, zero-extended. */
// @ts-ignore: decorator
@inline function readAt(h: u32, size: u32, be: bool): u64 {
  switch (size) {
    case 1: return <u64>ld8(h);
    case 2: return <u64>(be ? ld16be(h) : ld16le(h));
    case 4: return <u64>(be ? ld32be(h) : ld32le(h));
    default: return be ? ld64be(h) : ld64le(h);
  }
}

// @ts-ignore: decorator
@inline function writeAt(h: u32, size: u32, v: u64, be: bool): void {
  switch (size) {
    case 1: st8(h, <u8>v); break;
    case 2: if (be) st16be(h, <u16>v); else st16le(h, <u16>v); break;
    case 4: if (be) st32be(h, <u32>v); else st32le(h, <u32>v); break;
    default: if (be) st64be(h, v); else st64le(h, v); break;
  }
}

// Access kinds for load(): how the loaded value is extended or ordered.
export const LD_ZERO: u32 = 0;     // zero-extended
export const LD_ALG: u32 = 1;      // algebraic (sign-extended)
export const LD_REV: u32 = 2;      // byte-reversed

/** EA of a D-form access: (RA|0) + d, or RA + d for update forms. */
// @ts-ignore: decorator
@inline export function eaD(i: u32, d: u64): u64 { return eaMode(gprOr0(fRA(i)) + d); }
// @ts-ignore: decorator
@inline export function eaX(i: u32): u64 { return eaMode(gprOr0(fRA(i)) + gpr(fRB(i))); }

/** Load of `size` bytes at ea into RT; RA = ea for update forms. */
// @ts-ignore: decorator
@inline export function load(i: u32, ea: u64, size: u32, kind: u32, update: bool): void {
  const rt = fRT(i), ra = fRA(i);
  if (update && (ra == 0 || ra == rt)) { programInterrupt(PROG_ILLEGAL); return; }
  const h = dataHoff(ea, size, ACC_LOAD);
  if (h == 0) return;
  let v = readAt(h, size, kind == LD_REV ? le : !le);
  if (kind == LD_ALG) {
    if (size == 2) v = <u64><i64><i16>v;
    else if (size == 4) v = <u64><i64><i32>v;
  }
  setGpr(rt, v);
  if (update) setGpr(ra, ea);
}

/** Store of the low `size` bytes of RS at ea; RA = ea for update forms. */
// @ts-ignore: decorator
@inline export function store(i: u32, ea: u64, size: u32, rev: bool, update: bool): void {
  const ra = fRA(i);
  if (update && ra == 0) { programInterrupt(PROG_ILLEGAL); return; }
  const h = dataHoff(ea, size, ACC_STORE);
  if (h == 0) return;
  writeAt(h, size, gpr(fRT(i)), rev ? le : !le);
  if (update) setGpr(ra, ea);
}

/** DS-form opcode 58: ld (0), ldu (1), lwa (2). */
// @ts-ignore: decorator
@inline export function ldDs(i: u32): bool {
  const d = <u64><i64><i16>(i & 0xfffc);
  switch (i & 3) {
    case 0: load(i, eaD(i, d), 8, LD_ZERO, false); return true;
    case 1: load(i, eaMode(gpr(fRA(i)) + d), 8, LD_ZERO, true); return true;
    case 2: load(i, eaD(i, d), 4, LD_ALG, false); return true;
    default: return false;
  }
}

/** DS-form opcode 62: std (0), stdu (1). */
// @ts-ignore: decorator
@inline export function stDs(i: u32): bool {
  const d = <u64><i64><i16>(i & 0xfffc);
  switch (i & 3) {
    case 0: store(i, eaD(i, d), 8, false, false); return true;
    case 1: store(i, eaMode(gpr(fRA(i)) + d), 8, false, true); return true;
    default: return false;
  }
}

/** D-form load: EA = (RA|0) + d, or RA + d for update forms. */
// @ts-ignore: decorator
@inline export function loadD(i: u32, size: u32, kind: u32, update: bool): void {
  const d = fSI(i);
  load(i, update ? eaMode(gpr(fRA(i)) + d) : eaD(i, d), size, kind, update);
}

/** D-form store. */
// @ts-ignore: decorator
@inline export function storeD(i: u32, size: u32, update: bool): void {
  const d = fSI(i);
  store(i, update ? eaMode(gpr(fRA(i)) + d) : eaD(i, d), size, false, update);
}

/** X-form indexed load: EA = (RA|0) + RB, or RA + RB for update forms. */
// @ts-ignore: decorator
@inline export function loadX(i: u32, size: u32, kind: u32, update: bool): void {
  load(i, update ? eaMode(gpr(fRA(i)) + gpr(fRB(i))) : eaX(i), size, kind, update);
}

/** X-form indexed store. */
// @ts-ignore: decorator
@inline export function storeX(i: u32, size: u32, rev: bool, update: bool): void {
  store(i, update ? eaMode(gpr(fRA(i)) + gpr(fRB(i))) : eaX(i), size, rev, update);
}

// ---- reservations: lbarx lharx lwarx ldarx / stbcx. sthcx. stwcx. stdcx.
/** l*arx of `size` bytes: loads RT and reserves the granule (value kept for the st*cx. check). */
export function larx(i: u32, size: u32): void {
  const ea = eaX(i);
  if ((ea & <u64>(size - 1)) != 0) { alignment(ea, i); return; }
  const h = dataHoff(ea, size, ACC_LOAD);
  if (h == 0) return;
  const v = readAt(h, size, !le);
  cpuSetResAddr(translate(ea, ACC_LOAD));
  cpuSetResLen(size);
  cpuSetResVal(v);
  cpuSetResValid(1);
  setGpr(fRT(i), v);
}

/** st*cx.: stores if the reservation covers ea with this size and memory still holds the loaded
 *  value (as QEMU's compare-and-swap); CR0 = 0b00 || success || SO; the reservation is cleared. */
export function stcx(i: u32, size: u32): void {
  const ea = eaX(i);
  if ((ea & <u64>(size - 1)) != 0) { alignment(ea, i); return; }
  const h = dataHoff(ea, size, ACC_STORE);
  if (h == 0) return;
  let ok = cpuResValid() != 0 && cpuResAddr() == translate(ea, ACC_STORE) && cpuResLen() == size;
  if (ok) ok = readAt(h, size, !le) == cpuResVal();
  if (ok) writeAt(h, size, gpr(fRT(i)), !le);
  cpuSetResValid(0);
  setCrField(0, (ok ? 2 : 0) | (<u32>(cpuXer() >> 31) & 1));
}

// ---- load/store multiple and string (big-endian mode only)
export function lmw(i: u32): void {
  const ea0 = eaD(i, fSI(i));
  if (le) { alignment(ea0, i); return; }
  const rt = fRT(i);
  const h = dataHoff(ea0, (32 - rt) * 4, ACC_LOAD);
  if (h == 0) return;
  for (let r = rt; r < 32; r++) setGpr(r, <u64>ld32be(h + (r - rt) * 4));
}

export function stmw(i: u32): void {
  const ea0 = eaD(i, fSI(i));
  if (le) { alignment(ea0, i); return; }
  const rs = fRT(i);
  const h = dataHoff(ea0, (32 - rs) * 4, ACC_STORE);
  if (h == 0) return;
  for (let r = rs; r < 32; r++) st32be(h + (r - rs) * 4, <u32>gpr(r));
}

/** lswi / lswx: nb bytes into RT, RT+1, ... (wrapping to r0), 4 per register, left-justified in
 *  the low word, high word 0 (Book I 3.3.7). */
export function lsw(i: u32, ea: u64, nb: u32): void {
  if (le) { alignment(ea, i); return; }
  if (nb == 0) return;
  const h = dataHoff(ea, nb, ACC_LOAD);
  if (h == 0) return;
  let r = fRT(i);
  for (let k: u32 = 0; k < nb; k += 4) {
    let w: u64 = 0;
    for (let j: u32 = 0; j < 4; j++) if (k + j < nb) w |= <u64>ld8(h + k + j) << (24 - 8 * j);
    setGpr(r, w);
    r = (r + 1) & 31;
  }
}

export function stsw(i: u32, ea: u64, nb: u32): void {
  if (le) { alignment(ea, i); return; }
  if (nb == 0) return;
  const h = dataHoff(ea, nb, ACC_STORE);
  if (h == 0) return;
  let r = fRT(i);
  for (let k: u32 = 0; k < nb; k += 4) {
    const w = gpr(r);
    for (let j: u32 = 0; j < 4; j++) if (k + j < nb) st8(h + k + j, <u8>(w >> (24 - 8 * j)));
    r = (r + 1) & 31;
  }
}

/** XER[57:63]: byte count for lswx/stswx. */
export function xerByteCount(): u32 { return <u32>cpuXer() & 0x7f; }

/** dcbz: zeroes the 128-byte block holding ea (POWER9 cache line, dcache_bsize 0x80). */
export function dcbz(i: u32): void {
  const ea = eaX(i) & ~<u64>127;
  const h = dataHoff(ea, 128, ACC_STORE);
  if (h == 0) return;
  ramFill(h, 0, 128);
}
