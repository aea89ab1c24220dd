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

export function execute(i: u32): void {
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
      if ((i & 3) == 2) sys.sc(i); else unimplemented(i); // scv (bits 30:31 = 01) not yet
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
    case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
    case 40: case 41: case 42: case 43: case 44: case 45:
      ls.dForm(i, i >> 26); return;
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
    case 0: br.mcrf(i); return;
    case 16: br.bclr(i); return;
    case 18: sys.rfid(); return;
    case 274: sys.hrfid(); return;
    case 150: return; // isync: no prefetched state to discard
    case 33: case 129: case 193: case 225: case 257: case 289: case 417: case 449:
      br.crLogical(i, xo); return;
    case 528: if (!br.bcctr(i, false)) programInterrupt(PROG_ILLEGAL); return;
    case 560: br.bcctr(i, true); return; // bctar
    default: unimplemented(i); return;
  }
}

/** addpcis (DX-form): RT = NIA + (d << 16), d = d0 || d1 || d2. */
function addpcis(i: u32): void {
  const d = (((i >> 6) & 0x3ff) << 6) | (((i >> 16) & 0x1f) << 1) | (i & 1);
  setGpr(fRT(i), eaMode(nextPc + (<u64><i64><i16><u16>d << 16)));
}

function op31(i: u32): void {
  if (((i >> 1) & 0x1f) == 15) { fx.isel(i); return; }
  const xo = (i >> 1) & 0x3ff;
  switch (xo) {
    // XO-form arithmetic: XO and XO|512 (OE = 1)
    case 266: case 778: fx.add(i); return;
    case 10: case 522: fx.addc(i); return;
    case 138: case 650: fx.adde(i); return;
    case 234: case 746: fx.addme(i); return;
    case 202: case 714: fx.addze(i); return;
    case 40: case 552: fx.subf(i); return;
    case 8: case 520: fx.subfc(i); return;
    case 136: case 648: fx.subfe(i); return;
    case 232: case 744: fx.subfme(i); return;
    case 200: case 712: fx.subfze(i); return;
    case 104: case 616: fx.neg(i); return;
    case 235: case 747: fx.mullw(i); return;
    case 233: case 745: fx.mulld(i); return;
    case 75: fx.mulhw(i); return;
    case 11: fx.mulhwu(i); return;
    case 73: fx.mulhd(i); return;
    case 9: fx.mulhdu(i); return;
    case 491: case 1003: fx.divw(i); return;
    case 459: case 971: fx.divwu(i); return;
    case 489: case 1001: fx.divd(i); return;
    case 457: case 969: fx.divdu(i); return;
    case 427: case 939: fx.divwe(i); return;
    case 395: case 907: fx.divweu(i); return;
    case 425: case 937: fx.divde(i); return;
    case 393: case 905: fx.divdeu(i); return;
    case 779: fx.modsw(i); return;
    case 267: fx.moduw(i); return;
    case 777: fx.modsd(i); return;
    case 265: fx.modud(i); return;
    case 170: if (((i >> 9) & 3) == 0) fx.addex(i); else unimplemented(i); return;
    // logical, extend, count
    case 28: case 60: case 124: case 284: case 316: case 412: case 444: case 476: fx.logical(i, xo); return;
    case 954: fx.extsb(i); return;
    case 922: fx.extsh(i); return;
    case 986: fx.extsw(i); return;
    case 26: fx.cntlzw(i); return;
    case 58: fx.cntlzd(i); return;
    case 538: fx.cnttzw(i); return;
    case 570: fx.cnttzd(i); return;
    case 122: fx.popcntb(i); return;
    case 378: fx.popcntw(i); return;
    case 506: fx.popcntd(i); return;
    case 154: fx.prtyw(i); return;
    case 186: fx.prtyd(i); return;
    case 252: fx.bpermd(i); return;
    case 508: fx.cmpb(i); return;
    // compare
    case 0: fx.cmp(i); return;
    case 32: fx.cmpl(i); return;
    case 192: fx.cmprb(i); return;
    case 224: fx.cmpeqb(i); return;
    case 128: fx.setb(i); return;
    case 576: fx.mcrxrx(i); return;
    // shifts
    case 24: rot.slw(i); return;
    case 536: rot.srw(i); return;
    case 27: rot.sld(i); return;
    case 539: rot.srd(i); return;
    case 792: rot.sraw(i); return;
    case 824: rot.srawi(i); return;
    case 794: rot.srad(i); return;
    case 826: case 827: rot.sradi(i); return;
    case 890: case 891: rot.extswsli(i); return;
    // traps
    case 4: sys.trap(i, false, false); return;
    case 68: sys.trap(i, true, false); return;
    // reservations
    case 52: ls.larx(i, 1); return;
    case 116: ls.larx(i, 2); return;
    case 20: ls.larx(i, 4); return;
    case 84: ls.larx(i, 8); return;
    case 694: if (i & 1) ls.stcx(i, 1); else unimplemented(i); return;
    case 726: if (i & 1) ls.stcx(i, 2); else unimplemented(i); return;
    case 150: if (i & 1) ls.stcx(i, 4); else unimplemented(i); return;
    case 214: if (i & 1) ls.stcx(i, 8); else unimplemented(i); return;
    // string
    case 597: { const nb = fRB(i); ls.lsw(i, eaMode(gprOr0(fRA(i))), nb == 0 ? 32 : nb); return; }   // lswi
    case 533: ls.lsw(i, ls.eaX(i), ls.xerByteCount()); return;                                       // lswx
    case 725: { const nb = fRB(i); ls.stsw(i, eaMode(gprOr0(fRA(i))), nb == 0 ? 32 : nb); return; }  // stswi
    case 661: ls.stsw(i, ls.eaX(i), ls.xerByteCount()); return;                                      // stswx
    // storage control: barriers and cache hints are no-ops for one in-order CPU without caches
    case 598: case 854: return;                                  // sync (hwsync, lwsync, ptesync), eieio
    case 54: case 86: case 982: case 278: case 246: case 758: return; // dcbst dcbf icbi dcbt dcbtst dcba
    case 1014: ls.dcbz(i); return;
    case 306: case 274: case 566: sys.privilegedNop(); return;  // tlbie tlbiel tlbsync
    // SPR, CR, MSR moves
    case 339: spr.mfspr(i); return;
    case 467: spr.mtspr(i); return;
    case 371: spr.mftb(i); return;
    case 19: spr.mfcr(i); return;
    case 144: spr.mtcrf(i); return;
    case 83: spr.mfmsr(i); return;
    case 146: spr.mtmsr(i, false); return;
    case 178: spr.mtmsr(i, true); return;
    // FP loads/stores (X-form)
    case 535: case 567: case 599: case 631: case 663: case 695: case 727: case 759:
    case 855: case 887: case 983: case 791: case 919:
      sys.fpInsn(i); return;
    // VMX loads/stores
    case 6: case 38: case 7: case 39: case 71: case 103: case 359: case 135: case 167: case 199: case 231: case 487:
      sys.vmxInsn(i); return;
    // VSX loads/stores and moves
    case 12: case 76: case 140: case 268: case 396: case 524: case 588: case 652: case 716: case 780: case 812:
    case 844: case 876: case 908: case 940: case 972: case 1004: case 332: case 364: case 269: case 301:
    case 397: case 429: case 51: case 115: case 179: case 211: case 243: case 307: case 403: case 435:
      sys.vsxInsn(i); return;
    default:
      if (!ls.xForm(i, xo)) unimplemented(i);
      return;
  }
}

