// Register helpers shared by the instruction modules: run-loop globals (pc, mode flags), field
// extraction, CR/XER updates. Architected registers live in the cpu state block (gen/layout);
// only what changes per instruction and is derived from MSR is cached in Wasm globals here.
import {
  cpuGpr, cpuSetGpr, cpuCr, cpuSetCr, cpuXer, cpuSetXer, cpuMsr,
} from '../gen/layout';
import { requestStop } from './slice';

// MSR bits (Power ISA 3.0 Book III 4.2.1; ISA bit n is 1 << (63 - n)).
export const MSR_SF: u64 = 1 << 63;
export const MSR_HV: u64 = 1 << 60;
export const MSR_TM_MASK: u64 = 7 << 32;
export const MSR_VEC: u64 = 1 << 25;
export const MSR_VSX: u64 = 1 << 23;
export const MSR_S: u64 = 1 << 22;
export const MSR_EE: u64 = 1 << 15;
export const MSR_PR: u64 = 1 << 14;
export const MSR_FP: u64 = 1 << 13;
export const MSR_ME: u64 = 1 << 12;
export const MSR_IR: u64 = 1 << 5;
export const MSR_DR: u64 = 1 << 4;
export const MSR_RI: u64 = 1 << 1;
export const MSR_LE: u64 = 1;

// XER bits (Book I 3.2.2): SO 32, OV 33, CA 34, OV32 44, CA32 45; low 7 bits = byte count.
export const XER_SO: u64 = 1 << 31;
export const XER_OV: u64 = 1 << 30;
export const XER_CA: u64 = 1 << 29;
export const XER_OV32: u64 = 1 << 19;
export const XER_CA32: u64 = 1 << 18;

/** ea of the instruction being executed. */
export let pc: u64 = 0;
/** ea of the next instruction; branches and interrupts overwrite it. */
export let nextPc: u64 = 0;
/** MSR[LE]: byte order of instruction fetch and data accesses. */
export let le: bool = false;
/** MSR[SF]: 64-bit mode (addresses, CR0, CA/OV, CTR tests). */
export let sf: bool = true;
/** Instruction-address mask of the current mode: all ones, or the low 32 bits in 32-bit mode. */
export let pcMask: u64 = ~<u64>0;
/** MSR[IR] | MSR[DR] != 0: some access is relocated (mmu.ts counts it; the radix walk goes there). */
export let relocAny: bool = false;

// @ts-ignore: decorator
@inline export function setPc(v: u64): void { pc = v; }
// @ts-ignore: decorator
@inline export function setNextPc(v: u64): void { nextPc = v; }

/** Re-derives the cached mode flags after any MSR write. */
export function msrChanged(): void {
  const m = cpuMsr();
  le = (m & MSR_LE) != 0;
  sf = (m & MSR_SF) != 0;
  pcMask = sf ? ~<u64>0 : 0xffffffff;
  relocAny = (m & (MSR_IR | MSR_DR)) != 0;
  requestStop(); // interrupt enablement or mode changed: re-check at the chunk boundary
}

// Instruction fields (Book I 1.6).
// @ts-ignore: decorator
@inline export function fRT(i: u32): u32 { return (i >> 21) & 31; }
// @ts-ignore: decorator
@inline export function fRA(i: u32): u32 { return (i >> 16) & 31; }
// @ts-ignore: decorator
@inline export function fRB(i: u32): u32 { return (i >> 11) & 31; }
// @ts-ignore: decorator
@inline export function fSI(i: u32): u64 { return <u64><i64><i16>i; }
// @ts-ignore: decorator
@inline export function fUI(i: u32): u64 { return <u64>(i & 0xffff); }

// @ts-ignore: decorator
@inline export function gpr(r: u32): u64 { return cpuGpr(r); }
// @ts-ignore: decorator
@inline export function setGpr(r: u32, v: u64): void { cpuSetGpr(r, v); }
/** (RA|0): RA, or 0 when the field is 0. */
// @ts-ignore: decorator
@inline export function gprOr0(r: u32): u64 { return r == 0 ? 0 : cpuGpr(r); }

/** An effective address as the current mode computes it (32-bit mode: low 32 bits). */
// @ts-ignore: decorator
@inline export function eaMode(ea: u64): u64 { return sf ? ea : ea & 0xffffffff; }

/** The 4-bit CR field value (LT GT EQ SO) of a signed compare. */
// @ts-ignore: decorator
@inline export function cmpSigned(a: i64, b: i64): u32 {
  return (a < b ? 8 : a > b ? 4 : 2) | (<u32>(cpuXer() >> 31) & 1);
}

// @ts-ignore: decorator
@inline export function cmpUnsigned(a: u64, b: u64): u32 {
  return (a < b ? 8 : a > b ? 4 : 2) | (<u32>(cpuXer() >> 31) & 1);
}

/** Writes CR field bf (0 = CR0, bits 31..28). */
// @ts-ignore: decorator
@inline export function setCrField(bf: u32, v: u32): void {
  const sh = (7 - bf) << 2;
  cpuSetCr((cpuCr() & ~(<u32>0xf << sh)) | (v << sh));
}

// @ts-ignore: decorator
@inline export function crField(bf: u32): u32 { return (cpuCr() >> ((7 - bf) << 2)) & 0xf; }

/** CR bit bi (0 = CR0[LT]) as 0/1. */
// @ts-ignore: decorator
@inline export function crBit(bi: u32): u32 { return (cpuCr() >> (31 - bi)) & 1; }

/** CR0 from a result (Rc=1): signed compare with 0 of the 64-bit result, or of its low word in 32-bit mode. */
export function setCr0(v: u64): void {
  const s: i64 = sf ? <i64>v : <i64><i32>v;
  setCrField(0, cmpSigned(s, 0));
}

/** XER[CA] and XER[CA32] from the operands and result of a + b (+ carry in). */
export function setCarry(a: u64, b: u64, r: u64): void {
  const c = (a & b) | ((a ^ b) & ~r); // carry out of each bit position
  const ca32 = (c >> 31) & 1;
  const ca = sf ? (c >> 63) & 1 : ca32;
  cpuSetXer((cpuXer() & ~(XER_CA | XER_CA32)) | (ca << 29) | (ca32 << 18));
}

/** XER[CA] = XER[CA32] = ca (shifts, Book I 3.3.14.2). */
export function setCa(ca: bool): void {
  const x = cpuXer() & ~(XER_CA | XER_CA32);
  cpuSetXer(ca ? x | XER_CA | XER_CA32 : x);
}

// @ts-ignore: decorator
@inline export function xerCa(): u64 { return (cpuXer() >> 29) & 1; }

/** XER[OV], XER[OV32] (and SO when set) for an OE=1 add of a + b = r. */
export function setOverflowAdd(a: u64, b: u64, r: u64): void {
  const o = (a ^ r) & (b ^ r);
  const ov32 = (o >> 31) & 1;
  setOv(sf ? (o >> 63) & 1 : ov32, ov32);
}

/** Sets OV and OV32, and SO if OV (Book I 3.2.2). */
export function setOv(ov: u64, ov32: u64): void {
  let x = (cpuXer() & ~(XER_OV | XER_OV32)) | (ov << 30) | (ov32 << 19);
  if (ov) x |= XER_SO;
  cpuSetXer(x);
}
