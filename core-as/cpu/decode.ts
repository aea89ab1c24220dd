// Decode and dispatch: primary opcode, then extended opcode (Power ISA 3.0 Book I 1.7, appendix
// "opcode maps"). Every encoding lands in a handler, in unimplemented() (recorded + program
// interrupt) or in a facility check (FP/VMX/VSX unavailable); nothing is ignored silently.
import { fRA, fRB, fRT, eaMode, gprOr0, nextPc, setGpr } from './regs';
import * as fx from './fixed-point';
import * as rot from './rotate';
import * as br from './branch';
import * as ls from './load-store';
import * as spr from './spr';
import * as sys from './system';
import { programInterrupt, PROG_ILLEGAL } from './exceptions';
import { unimplemented } from './unimplemented';

// @ts-ignore: decorator
@inline export function execute(i: u32): void {
  switch (i >> 26) {
    case 2: sys.trap(i, true, true); return;   // tdi
    case 3: sys.trap(i, false, true); return;  // twi
    case 4: op4(i); return;
    case 7: fx.mulli(i); return;
    case 8: fx.subfic(i); return;
    case 10: fx.cmpli(i); return;
    case 11: fx.cmpi(i); return;
    case 12: fx.addic(i, false); return;
    case 13: fx.addic(i, true); return;
    case 14: fx.addi(i); return;
    case 15: fx.addis(i); return;
    case 16: br.bc(i); return;
    case 17:
      if ((i & 3) == 2) sys.sc(i);
      else if ((i & 3) == 1) sys.scv(i);
      else unimplemented(i);
      return;
    case 18: br.b(i); return;
    case 19: op19(i); return;
    case 20: rot.rlwimi(i); return;
    case 21: rot.rlwinm(i); return;
    case 23: rot.rlwnm(i); return;
    case 24: fx.ori(i); return;
    case 25: fx.oris(i); return;
    case 26: fx.xori(i); return;
    case 27: fx.xoris(i); return;
    case 28: fx.andiDot(i); return;
    case 29: fx.andisDot(i); return;
    case 30: if (!rot.rld(i)) unimplemented(i); return;
    case 31: op31(i); return;
    case 32: ls.loadD(i, 4, ls.LD_ZERO, false); return;  // lwz
    case 33: ls.loadD(i, 4, ls.LD_ZERO, true); return;   // lwzu
    case 34: ls.loadD(i, 1, ls.LD_ZERO, false); return;  // lbz
    case 35: ls.loadD(i, 1, ls.LD_ZERO, true); return;   // lbzu
    case 36: ls.storeD(i, 4, false); return;             // stw
    case 37: ls.storeD(i, 4, true); return;              // stwu
    case 38: ls.storeD(i, 1, false); return;             // stb
    case 39: ls.storeD(i, 1, true); return;              // stbu
    case 40: ls.loadD(i, 2, ls.LD_ZERO, false); return;  // lhz
    case 41: ls.loadD(i, 2, ls.LD_ZERO, true); return;   // lhzu
    case 42: ls.loadD(i, 2, ls.LD_ALG, false); return;   // lha
    case 43: ls.loadD(i, 2, ls.LD_ALG, true); return;    // lhau
    case 44: ls.storeD(i, 2, false); return;             // sth
    case 45: ls.storeD(i, 2, true); return;              // sthu
    case 46: ls.lmw(i); return;
    case 47: ls.stmw(i); return;
    case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55: case 59: case 63:
      sys.fpInsn(i); return;
    case 57: case 61:
      if ((i & 3) == 0) sys.fpInsn(i); else sys.vsxInsn(i); // lfdp/stfdp; lxsd, lxssp, lxv, stxv...
      return;
    case 58: if (!ls.ldDs(i)) unimplemented(i); return;
    case 60: sys.vsxInsn(i); return;
    case 62: if (!ls.stDs(i)) unimplemented(i); return;
    default: unimplemented(i); return;
  }
}

/** Opcode 4: VMX, plus the integer multiply-add VA-forms of ISA 3.0. */
function op4(i: u32): void {
  const va = i & 0x3f;
  if (va == 48 || va == 49 || va == 51) fx.madd(i, va);
  else sys.vmxInsn(i);
}

function op19(i: u32): void {
  if (((i >> 1) & 0x1f) == 2) { addpcis(i); return; }
  const xo = (i >> 1) & 0x3ff;
  switch (xo) {
    case 16: br.bclr(i); return;
    case 528: if (!br.bcctr(i, false)) programInterrupt(PROG_ILLEGAL); return;
    case 0: br.mcrf(i); return;
    case 18: sys.rfid(); return;
    case 82: sys.rfscv(); return;
    case 274: sys.hrfid(); return;
    case 150: return; // isync: no prefetched state to discard
    case 33: case 129: case 193: case 225: case 257: case 289: case 417: case 449:
      br.crLogical(i, xo); return;
    case 560: br.bcctr(i, true); return; // bctar
    default: unimplemented(i); return;
  }
}

/** addpcis (DX-form): RT = NIA + (d << 16), d = d0 || d1 || d2. */
function addpcis(i: u32): void {
  const d = (((i >> 6) & 0x3ff) << 6) | (((i >> 16) & 0x1f) << 1) | (i & 1);
  setGpr(fRT(i), eaMode(nextPc + (<u64><i64><i16><u16>d << 16)));
}

/**
 * Opcode 31, decoded like the ISA's opcode map: column = XO bits 5..9 (xo & 31), then row =
 * XO bits 0..4 (xo >> 5). Two dense switches compile to two br_tables; one flat switch over
 * 0..1023 compiled to a chain of ~180 compares (the interpreter's hottest path).
 */
// @ts-ignore: decorator
@inline function op31(i: u32): void {
  const xo = (i >> 1) & 0x3ff;
  const row = xo >> 5;
  switch (xo & 31) {
    case 0:
      switch (row) {
        case 0: fx.cmp(i); return; // xo 0
        case 1: fx.cmpl(i); return; // xo 32
        case 4: fx.setb(i); return; // xo 128
        case 6: fx.cmprb(i); return; // xo 192
        case 7: fx.cmpeqb(i); return; // xo 224
        case 18: fx.mcrxrx(i); return; // xo 576
        default: break;
      }
      break;
    case 4:
      switch (row) {
        case 0: sys.trap(i, false, false); return; // xo 4
        case 2: sys.trap(i, true, false); return; // xo 68
        default: break;
      }
      break;
    case 6:
      switch (row) {
        case 0: case 1: sys.vmxInsn(i); return; // xo 6, 38
        default: break;
      }
      break;
    case 7:
      switch (row) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 11: case 15: sys.vmxInsn(i); return; // xo 7, 39, 71, 103, 135, 167, 199, 231, 359, 487
        default: break;
      }
      break;
    case 8:
      switch (row) {
        case 0: case 16: fx.subfc(i); return; // xo 8, 520
        case 1: case 17: fx.subf(i); return; // xo 40, 552
        case 3: case 19: fx.neg(i); return; // xo 104, 616
        case 4: case 20: fx.subfe(i); return; // xo 136, 648
        case 6: case 22: fx.subfze(i); return; // xo 200, 712
        case 7: case 23: fx.subfme(i); return; // xo 232, 744
        default: break;
      }
      break;
    case 9:
      switch (row) {
        case 0: fx.mulhdu(i); return; // xo 9
        case 2: fx.mulhd(i); return; // xo 73
        case 7: case 23: fx.mulld(i); return; // xo 233, 745
        case 8: fx.modud(i); return; // xo 265
        case 12: case 28: fx.divdeu(i); return; // xo 393, 905
        case 13: case 29: fx.divde(i); return; // xo 425, 937
        case 14: case 30: fx.divdu(i); return; // xo 457, 969
        case 15: case 31: fx.divd(i); return; // xo 489, 1001
        case 24: fx.modsd(i); return; // xo 777
        default: break;
      }
      break;
    case 10:
      switch (row) {
        case 0: case 16: fx.addc(i); return; // xo 10, 522
        case 4: case 20: fx.adde(i); return; // xo 138, 650
        case 5: if (((i >> 9) & 3) == 0) fx.addex(i); else unimplemented(i); return; // xo 170
        case 6: case 22: fx.addze(i); return; // xo 202, 714
        case 7: case 23: fx.addme(i); return; // xo 234, 746
        case 8: case 24: fx.add(i); return; // xo 266, 778
        default: break;
      }
      break;
    case 11:
      switch (row) {
        case 0: fx.mulhwu(i); return; // xo 11
        case 2: fx.mulhw(i); return; // xo 75
        case 7: case 23: fx.mullw(i); return; // xo 235, 747
        case 8: fx.moduw(i); return; // xo 267
        case 12: case 28: fx.divweu(i); return; // xo 395, 907
        case 13: case 29: fx.divwe(i); return; // xo 427, 939
        case 14: case 30: fx.divwu(i); return; // xo 459, 971
        case 15: case 31: fx.divw(i); return; // xo 491, 1003
        case 24: fx.modsw(i); return; // xo 779
        default: break;
      }
      break;
    case 12:
      switch (row) {
        case 0: case 2: case 4: case 8: case 10: case 11: case 12: case 16: case 18: case 20: case 22: case 24: case 25: case 26: case 27: case 28: case 29: case 30: case 31: sys.vsxInsn(i); return; // xo 12, 76, 140, 268, 332, 364, 396, 524, 588, 652, 716, 780, 812, 844, 876, 908, 940, 972, 1004
        default: break;
      }
      break;
    case 13:
      switch (row) {
        case 8: case 9: case 12: case 13: sys.vsxInsn(i); return; // xo 269, 301, 397, 429
        default: break;
      }
      break;
    case 16:
      switch (row) {
        case 4: spr.mtcrf(i); return; // xo 144
        default: break;
      }
      break;
    case 18:
      switch (row) {
        case 4: spr.mtmsr(i, false); return; // xo 146
        case 5: spr.mtmsr(i, true); return; // xo 178
        case 8: case 9: sys.privilegedNop(); return;  // tlbie tlbiel tlbsync // xo 274, 306
        default: break;
      }
      break;
    case 19:
      switch (row) {
        case 0: spr.mfcr(i); return; // xo 19
        case 1: case 3: case 5: case 6: case 7: case 9: case 12: case 13: sys.vsxInsn(i); return; // xo 51, 115, 179, 211, 243, 307, 403, 435
        case 2: spr.mfmsr(i); return; // xo 83
        case 10: spr.mfspr(i); return; // xo 339
        case 11: spr.mftb(i); return; // xo 371
        case 14: spr.mtspr(i); return; // xo 467
        default: break;
      }
      break;
    case 20:
      switch (row) {
        case 16: ls.loadX(i, 8, ls.LD_REV, false); return; // ldbrx (xo 532)
        case 20: ls.storeX(i, 8, true, false); return; // stdbrx (xo 660)
        case 0: ls.larx(i, 4); return; // xo 20
        case 1: ls.larx(i, 1); return; // xo 52
        case 2: ls.larx(i, 8); return; // xo 84
        case 3: ls.larx(i, 2); return; // xo 116
        default: break;
      }
      break;
    case 21:
      switch (row) {
        case 0: ls.loadX(i, 8, ls.LD_ZERO, false); return; // ldx (xo 21)
        case 1: ls.loadX(i, 8, ls.LD_ZERO, true); return; // ldux (xo 53)
        case 4: ls.storeX(i, 8, false, false); return; // stdx (xo 149)
        case 5: ls.storeX(i, 8, false, true); return; // stdux (xo 181)
        case 10: ls.loadX(i, 4, ls.LD_ALG, false); return; // lwax (xo 341)
        case 11: ls.loadX(i, 4, ls.LD_ALG, true); return; // lwaux (xo 373)
        case 16: ls.lsw(i, ls.eaX(i), ls.xerByteCount()); return; // lswx (xo 533)
        case 18: { const nb = fRB(i); ls.lsw(i, eaMode(gprOr0(fRA(i))), nb == 0 ? 32 : nb); return; } // lswi (xo 597)
        case 20: ls.stsw(i, ls.eaX(i), ls.xerByteCount()); return; // stswx (xo 661)
        case 22: { const nb = fRB(i); ls.stsw(i, eaMode(gprOr0(fRA(i))), nb == 0 ? 32 : nb); return; } // stswi (xo 725)
        default: break;
      }
      break;
    case 22:
      switch (row) {
        case 16: ls.loadX(i, 4, ls.LD_REV, false); return; // lwbrx (xo 534)
        case 20: ls.storeX(i, 4, true, false); return; // stwbrx (xo 662)
        case 24: ls.loadX(i, 2, ls.LD_REV, false); return; // lhbrx (xo 790)
        case 28: ls.storeX(i, 2, true, false); return; // sthbrx (xo 918)
        case 1: case 2: case 7: case 8: case 23: case 30: return; // dcbst dcbf icbi dcbt dcbtst dcba // xo 54, 86, 246, 278, 758, 982
        case 4: if (i & 1) ls.stcx(i, 4); else unimplemented(i); return; // xo 150
        case 6: if (i & 1) ls.stcx(i, 8); else unimplemented(i); return; // xo 214
        case 17: sys.privilegedNop(); return;  // tlbie tlbiel tlbsync // xo 566
        case 18: case 26: return;                                  // sync (hwsync, lwsync, ptesync), eieio // xo 598, 854
        case 21: if (i & 1) ls.stcx(i, 1); else unimplemented(i); return; // xo 694
        case 22: if (i & 1) ls.stcx(i, 2); else unimplemented(i); return; // xo 726
        case 31: ls.dcbz(i); return; // xo 1014
        default: break;
      }
      break;
    case 23:
      switch (row) {
        case 0: ls.loadX(i, 4, ls.LD_ZERO, false); return; // lwzx (xo 23)
        case 1: ls.loadX(i, 4, ls.LD_ZERO, true); return; // lwzux (xo 55)
        case 2: ls.loadX(i, 1, ls.LD_ZERO, false); return; // lbzx (xo 87)
        case 3: ls.loadX(i, 1, ls.LD_ZERO, true); return; // lbzux (xo 119)
        case 4: ls.storeX(i, 4, false, false); return; // stwx (xo 151)
        case 5: ls.storeX(i, 4, false, true); return; // stwux (xo 183)
        case 6: ls.storeX(i, 1, false, false); return; // stbx (xo 215)
        case 7: ls.storeX(i, 1, false, true); return; // stbux (xo 247)
        case 8: ls.loadX(i, 2, ls.LD_ZERO, false); return; // lhzx (xo 279)
        case 9: ls.loadX(i, 2, ls.LD_ZERO, true); return; // lhzux (xo 311)
        case 10: ls.loadX(i, 2, ls.LD_ALG, false); return; // lhax (xo 343)
        case 11: ls.loadX(i, 2, ls.LD_ALG, true); return; // lhaux (xo 375)
        case 12: ls.storeX(i, 2, false, false); return; // sthx (xo 407)
        case 13: ls.storeX(i, 2, false, true); return; // sthux (xo 439)
        case 16: case 17: case 18: case 19: case 20: case 21: case 22: case 23: case 24: case 26: case 27: case 28: case 30: sys.fpInsn(i); return; // xo 535, 567, 599, 631, 663, 695, 727, 759, 791, 855, 887, 919, 983
        default: break;
      }
      break;
    case 24:
      switch (row) {
        case 0: rot.slw(i); return; // xo 24
        case 16: rot.srw(i); return; // xo 536
        case 24: rot.sraw(i); return; // xo 792
        case 25: rot.srawi(i); return; // xo 824
        default: break;
      }
      break;
    case 26:
      switch (row) {
        case 0: fx.cntlzw(i); return; // xo 26
        case 1: fx.cntlzd(i); return; // xo 58
        case 3: fx.popcntb(i); return; // xo 122
        case 4: fx.prtyw(i); return; // xo 154
        case 5: fx.prtyd(i); return; // xo 186
        case 11: fx.popcntw(i); return; // xo 378
        case 15: fx.popcntd(i); return; // xo 506
        case 16: fx.cnttzw(i); return; // xo 538
        case 17: fx.cnttzd(i); return; // xo 570
        case 24: rot.srad(i); return; // xo 794
        case 25: rot.sradi(i); return; // xo 826
        case 27: rot.extswsli(i); return; // xo 890
        case 28: fx.extsh(i); return; // xo 922
        case 29: fx.extsb(i); return; // xo 954
        case 30: fx.extsw(i); return; // xo 986
        default: break;
      }
      break;
    case 27:
      switch (row) {
        case 0: rot.sld(i); return; // xo 27
        case 16: rot.srd(i); return; // xo 539
        case 25: rot.sradi(i); return; // xo 827
        case 27: rot.extswsli(i); return; // xo 891
        default: break;
      }
      break;
    case 28:
      switch (row) {
        // One case per operation with a constant xo: logical() is inlined and its switch folds
        // away (mr = or and xor are among the most frequent instructions).
        case 0: fx.logical(i, 28); return; // and
        case 1: fx.logical(i, 60); return; // andc
        case 3: fx.logical(i, 124); return; // nor
        case 8: fx.logical(i, 284); return; // eqv
        case 9: fx.logical(i, 316); return; // xor
        case 12: fx.logical(i, 412); return; // orc
        case 13: fx.logical(i, 444); return; // or (mr)
        case 14: fx.logical(i, 476); return; // nand
        case 7: fx.bpermd(i); return; // xo 252
        case 15: fx.cmpb(i); return; // xo 508
        default: break;
      }
      break;
    case 15: fx.isel(i); return; // isel: A-form, XO = 15 in bits 26:30 with BC in 21:25
    default: break;
  }
  unimplemented(i);
}
