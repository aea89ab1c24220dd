// Instruction encoders for hand-written CPU tests (Power ISA 3.0 Book I 1.6 instruction formats).
export const D = (op: number, rt: number, ra: number, imm: number): number =>
  ((op << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff)) >>> 0;
export const X = (rt: number, ra: number, rb: number, xo: number, rc = 0): number =>
  ((31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc) >>> 0;
const sprField = (spr: number): number => ((spr & 31) << 16) | ((spr >> 5) << 11);
export const mtspr = (spr: number, rs: number): number => ((31 << 26) | (rs << 21) | sprField(spr) | (467 << 1)) >>> 0;
export const mfspr = (rt: number, spr: number): number => ((31 << 26) | (rt << 21) | sprField(spr) | (339 << 1)) >>> 0;
export const addi = (rt: number, ra: number, si: number): number => D(14, rt, ra, si);
export const addis = (rt: number, ra: number, si: number): number => D(15, rt, ra, si);
export const ori = (ra: number, rs: number, ui: number): number => D(24, rs, ra, ui);
export const lwz = (rt: number, ra: number, d: number): number => D(32, rt, ra, d);
export const stw = (rs: number, ra: number, d: number): number => D(36, rs, ra, d);
export const lfd = (frt: number, ra: number, d: number): number => D(50, frt, ra, d);
export const lmw = (rt: number, ra: number, d: number): number => D(46, rt, ra, d);
export const add = (rt: number, ra: number, rb: number, rc = 0): number => X(rt, ra, rb, 266, rc);
export const addc = (rt: number, ra: number, rb: number): number => X(rt, ra, rb, 10);
export const lwarx = (rt: number, ra: number, rb: number): number => X(rt, ra, rb, 20);
export const stwcx = (rs: number, ra: number, rb: number): number => X(rs, ra, rb, 150, 1);
export const mfmsr = (rt: number): number => X(rt, 0, 0, 83);
export const mtmsrd = (rs: number, l = 0): number => X(rs, l, 0, 178);
export const mtmsr = (rs: number, l = 0): number => X(rs, l, 0, 146);
export const tw = (to: number, ra: number, rb: number): number => X(to, ra, rb, 4);
export const mftb = (rt: number): number => ((31 << 26) | (rt << 21) | sprField(268) | (371 << 1)) >>> 0;
export const b = (offset: number): number => ((18 << 26) | (offset & 0x03fffffc)) >>> 0;
export const bl = (offset: number): number => (b(offset) | 1) >>> 0;
export const SC = 0x44000002;
export const SC1 = 0x44000022;
export const RFID = 0x4c000024;
export const RFSCV = 0x4c0000a4;
export const scv = (lev: number): number => (0x44000001 | (lev << 5)) >>> 0;
export const HRFID = 0x4c000224;
export const NOP = 0x60000000;

export const SPR = { FSCR: 153, XER: 1, LR: 8, CTR: 9, DSISR: 18, DAR: 19, DEC: 22, SRR0: 26, SRR1: 27, SPRG0: 272, PVR: 287, LPCR: 318, HSRR0: 314 };
